"""Every paragraph of the report body is accounted for by at least one row that quotes it."""

import report

QUOTED_TABLES = (
    "events",
    "event_people",
    "event_organizations",
    "figures",
    "statements",
    "data_note_quotes",
    "people",
    "organizations",
    "mechanisms",
    "places",
    "countries",
)


def body_paragraphs(connection):
    """(section id, paragraph) for the report body; a paragraph ending in ':' is read with the list it introduces."""
    result = []
    for section_id, body in connection.execute("select id, body from sections where chapter is not null order by position"):
        pending = ""
        for paragraph in (p for p in body.split("\n\n") if p):
            text = report.normalize_space(f"{pending} {paragraph}")
            if text.endswith(":"):
                pending = text
                continue
            pending = ""
            result.append((section_id, text))
    return result


def test_every_body_paragraph_is_quoted_by_a_row(connection):
    quotes = {report.normalize_space(q) for table in QUOTED_TABLES for (q,) in connection.execute(f"select quote from {table}")}
    unquoted = [(section, paragraph[:80]) for section, paragraph in body_paragraphs(connection) if not any(q in paragraph for q in quotes)]
    assert unquoted == []


def test_body_has_the_paragraphs_of_the_report(connection):
    paragraphs = body_paragraphs(connection)
    # Blank-line-separated blocks of the body: the six pillars form one block with their lead-in,
    # and the page break inside 5.c splits one paragraph in two.
    assert len(paragraphs) == 75
    assert paragraphs[0][1].startswith("Founded by the U.S.-Mexico Foundation, the Center for Binational Institutions (CBI)")
    assert paragraphs[-1][1].endswith("offering everyone the opportunity to prosper.")
