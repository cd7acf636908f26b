"""The annotated report (/report/<edition>), in-process and in a real browser."""

from urllib.parse import unquote

import pytest
from datasette.utils import tilde_encode
from helpers import overflows, serious_accessibility_problems
from site_client import load_plugin

import report
from schema import ALL, ANYWHERE, IN_EVENT_SECTION, IN_ROW_OR_EVENT_SECTION, IN_ROW_SECTION

DB = "binational"
EDITION = "cbi-2023"
WIDTHS = [(1400, 1000), (400, 900)]

annotated = load_plugin("annotated_report")


# ---------------------------------------------------------------- what the page must show, computed apart from the plugin


def quote_rows(connection):
    """(section id or None for anywhere, quote) of every quote column schema.py declares, read from the database."""
    rows = []
    for table in ALL.values():
        for column in table.columns:
            if column.quoted_in == IN_ROW_SECTION:
                sql = f"select section_id, [{column.name}] from [{table.name}] where [{column.name}] is not null"
            elif column.quoted_in == IN_EVENT_SECTION:
                sql = f"select e.section_id, t.[{column.name}] from [{table.name}] t join events e on e.id = t.event_id"
            elif column.quoted_in == IN_ROW_OR_EVENT_SECTION:
                sql = (
                    f"select coalesce(t.section_id, e.section_id), t.[{column.name}] from [{table.name}] t "
                    "join events e on e.id = t.event_id"
                )
            elif column.quoted_in == ANYWHERE:
                sql = f"select null, [{column.name}] from [{table.name}] where [{column.name}] is not null"
            elif column.kind == "quotes":
                sql = (
                    "select json_extract(item.value, '$.section_id'), json_extract(item.value, '$.quote') "
                    f"from [{table.name}], json_each([{table.name}].[{column.name}]) item"
                )
            else:
                continue
            rows += connection.execute(sql).fetchall()
    return rows


def expected_annotation(connection):
    """(passages as {(section, start, end)}, paragraphs as [(section, quoted?)]), with the build's own text rules (report.py)."""
    sections = connection.execute(
        "select id, heading, body from sections where report_id = :e order by position", {"e": EDITION}
    ).fetchall()
    texts = {
        section_id: report.SectionText(heading or "", tuple(p for p in (body or "").split("\n\n") if p))
        for section_id, heading, body in sections
    }
    passages = set()
    for section_id, quote in quote_rows(connection):
        words = report.normalize_space(quote)
        if section_id is None:
            section_id = next(s for s, text in texts.items() if words in text.searchable)
        start = texts[section_id].searchable.find(words)
        assert start >= 0, (section_id, quote)
        passages.add((section_id, start, start + len(words)))
    paragraphs = []
    for section_id, text in texts.items():
        cursor = 0
        for paragraph in text.paragraphs:
            words = report.normalize_space(paragraph)
            start = text.searchable.find(words, cursor)
            cursor = start + len(words)
            quoted = any(s == section_id and a < cursor and b > start for s, a, b in passages)
            paragraphs.append((section_id, quoted))
    return passages, paragraphs


def test_the_page_lists_every_quote_column_of_the_schema():
    declared = {(t.name, c.name) for t in ALL.values() for c in t.columns if c.quoted_in or c.kind == "quotes"}
    assert {(table, column) for table, column, _, _ in annotated.SOURCES} == declared


# ---------------------------------------------------------------- the plain functions


def test_a_passage_is_the_first_place_the_words_occur_with_white_space_normalized():
    assert annotated.locate("a b c a b", "a  b") == (0, 3)
    assert annotated.locate("a b c", "b\nc") == (2, 5)
    assert annotated.locate("a b c", "d") is None
    assert annotated.locate("a b c", " ") is None


def test_parts_join_as_the_build_joins_them():
    parts = annotated.parts_of("", "One  para.\n\nTwo\tparas.")
    assert parts == ["", "One para.", "Two paras."]
    text, offsets = annotated.joined(parts)
    assert text == report.SectionText("", ("One  para.", "Two\tparas.")).searchable == "One para. Two paras."
    assert offsets == [(0, 0), (0, 9), (10, 20)]


def test_overlapping_passages_cut_a_paragraph_into_segments():
    first, second = annotated.Passage(0, 7, 1), annotated.Passage(4, 12, 2)
    cuts = annotated.segments("abcd efgh ijkl", 0, [first, second])
    assert [(words, [p.number for p in covering], [p.number for p in ending]) for words, covering, ending in cuts] == [
        ("abcd", [1], []),
        (" ef", [1, 2], [1]),
        ("gh ij", [2], [2]),
        ("kl", [], []),
    ]


def test_a_quote_across_two_paragraphs_marks_both_and_is_listed_after_the_second():
    citation = annotated.Citation("Event", "E", "/e", None, None, None, "x:1", "end of one. Start")
    blocks, passages, missing = annotated.annotate_section(["", "The end of one.", "Start of two."], "x-1", [citation])
    assert missing == [] and [p.id for p in passages] == ["x-1-q1"]
    assert [[(s["text"], s["depth"]) for s in block["segments"]] for block in blocks] == [
        [],
        [("The ", 0), ("end of one.", 1)],
        [("Start", 1), (" of two.", 0)],
    ]
    assert [block["quoted"] for block in blocks] == [False, True, True]
    assert [[p.id for p in block["passages"]] for block in blocks] == [[], [], ["x-1-q1"]]


def test_anchors_are_plain_ids():
    assert annotated.anchor("cbi-2023:4.b.ii") == "cbi-2023-4-b-ii"
    assert annotated.anchor("cbi-2023:cover") == "cbi-2023-cover"


def test_the_report_is_read_with_one_query_per_kind_of_row(site):
    db = site.datasette.get_database(DB)
    calls = []
    execute = db.execute

    async def counted(sql, params=None, **kwargs):
        calls.append(sql)
        return await execute(sql, params, **kwargs)

    db.execute = counted
    try:
        built = site.loop.run_until_complete(annotated.load(db, EDITION))
    finally:
        del db.execute
    assert len(calls) == 2 + len(annotated.SOURCES)
    assert built["missing"] == []
    assert site.loop.run_until_complete(annotated.cached(site.datasette, EDITION)) is site.loop.run_until_complete(
        annotated.cached(site.datasette, EDITION)
    )


# ---------------------------------------------------------------- the page, in-process


def test_every_quote_is_located_and_every_passage_is_its_words(site, connection):
    built = site.loop.run_until_complete(annotated.load(site.datasette.get_database(DB), EDITION))
    passages, paragraphs = expected_annotation(connection)
    found = {(s["id"], p.start, p.end) for s in built["sections"] for p in s["passages"]}
    assert found == passages
    assert built["counts"] == {
        "paragraphs": len(paragraphs),
        "quoted_paragraphs": sum(quoted for _, quoted in paragraphs),
        "passages": len(passages),
        "citations": len(quote_rows(connection)),
    }
    assert built["counts"]["citations"] == 711
    for section in built["sections"]:
        text, _ = annotated.joined(annotated.parts_of(section["heading"], section["body"]))
        for passage in section["passages"]:
            for citation in passage.citations:
                assert text[passage.start : passage.end] == report.normalize_space(citation.quote)


def test_report_page_for_every_edition_and_404_for_others(site, connection):
    for edition, title in connection.execute("select id, title from reports"):
        response = site.get(f"/report/{edition}")
        assert response.status_code == 200
        assert f"<h1>{title}</h1>" in response.text
    assert site.get("/report/cbi-1999").status_code == 404
    assert site.get("/report/..%2Fsources").status_code == 404
    assert "cbi-1999" not in site.get("/report/cbi-1999").text


def test_an_event_quote_is_marked_and_linked_to_its_event(site, connection):
    html = site.get(f"/report/{EDITION}").text
    section = "cbi-2023-4-b-ii"
    link = '<a class="cited-row" href="/binational/events/cbi-2023-tfc-2">Second Trilateral Fentanyl Committee meeting</a> <span class="detail">(2023-07-25)</span>'
    assert html.count(link) == 1
    item = html[: html.index(link)].rsplit("<li id=", 1)[1]
    passage = item.split('"')[1]
    assert passage.startswith(f"{section}-q")
    quote = connection.execute("select quote from events where id = 'cbi-2023-tfc-2'").fetchone()[0]
    assert quote == (
        "On July 25, 2023, Mexico's Secretary of Security Rosa Icela Rodríguez virtually hosted the Second Trilateral Fentanyl Committee Meeting"
    )
    # its words marked (the parts that Rosa Icela Rodríguez's participation and the meeting's link to its
    # committee quote too, darker), then its number
    assert (
        '<mark>On July 25, 2023, </mark><mark class="overlap">Mexico&#39;s Secretary of Security Rosa Icela Rodríguez </mark>'
        '<mark class="overlap">virtually hosted the Second Trilateral Fentanyl Committee Meeting</mark>'
        f'<sup class="cite-ref"><a id="{passage}-ref" href="#{passage}"'
    ) in html


# ---------------------------------------------------------------- in a real browser


@pytest.mark.parametrize("width, height", WIDTHS, ids=[f"{w}px" for w, _ in WIDTHS])
def test_the_annotated_report_reads_at_both_widths(server, new_page, connection, width, height):
    page = new_page(width, height)
    page.goto(f"{server}/report/{EDITION}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert not overflows(page)
    assert serious_accessibility_problems(page) == []
    sections = connection.execute("select id from sections where report_id = :e order by position", {"e": EDITION}).fetchall()
    toc = page.locator(".report-toc a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert toc == [f"#{annotated.anchor(section_id)}" for (section_id,) in sections]
    assert page.evaluate("hrefs => hrefs.every(h => document.getElementById(h.slice(1)) !== null)", toc)
    headings = page.locator(".section-heading > a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert headings == [f"/{DB}/sections/{tilde_encode(section_id)}" for (section_id,) in sections]
    passages, paragraphs = expected_annotation(connection)
    assert page.locator("sup.cite-ref a").count() == len(passages)
    assert page.locator(".citing > ol > li").count() == len(passages)
    assert page.locator(".citing > ol > li > ul > li").count() == len(quote_rows(connection))
    assert page.locator(".block.quoted > p.words").count() == sum(quoted for _, quoted in paragraphs)
    assert page.locator(".block.plain > p.words").count() == sum(not quoted for _, quoted in paragraphs) > 0
    assert page.locator(".block.plain > p.words mark").count() == 0
    assert page.errors == []


def test_a_passage_leads_to_the_rows_that_quote_it(server, new_page):
    page = new_page(1400, 1000)
    page.goto(f"{server}/report/{EDITION}#cbi-2023-4-b-ii")
    section = page.locator("#cbi-2023-4-b-ii")
    assert abs(section.bounding_box()["y"]) < 2  # scrolled to the anchor
    item = page.locator(".citing li li", has=page.locator('a.cited-row[href="/binational/events/cbi-2023-tfc-2"]'))
    passage = item.locator("xpath=ancestor::li[1]").get_attribute("id")
    page.locator(f'a[href="#{passage}"]').click()
    assert unquote(page.evaluate("location.hash")) == f"#{passage}"
    assert page.evaluate(f"document.querySelector('#{passage}').matches(':target')")
    assert page.locator(f"#{passage}").is_visible()
    item.locator("a.cited-row").click()
    page.wait_for_url(f"{server}/binational/events/cbi-2023-tfc-2")
    assert page.errors == []
