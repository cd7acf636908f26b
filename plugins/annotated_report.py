"""The annotated report at /report/<edition>: the report's full text, section by section, with every
passage a row quotes highlighted and linked to the rows that quote it (templates/report.html).

Quotes are located as the build checks them (report.py): in the whitespace-normalized plain text
of the section's heading and paragraphs, joined by single spaces; a row's passage is the first
place its quote occurs in the section its row names (a participation's: its event's section; an
institution's establishment quote: the first section of the report that holds it). A quote that
crosses paragraphs is highlighted in each.

Every section has an anchor: its id with ':' and '.' replaced by '-' (cbi-2023:4.b.ii is
#cbi-2023-4-b-ii), which is a valid HTML id and a plain CSS selector; a quoted passage is the
section's anchor plus -q and its number in the section (#cbi-2023-4-b-ii-q3).

The whole report is read with one query per kind of row, and its text rendered, once: the database
is immutable, so the annotated text of each edition is kept for the life of the server.
"""

import weakref
from dataclasses import dataclass, field

from datasette import Response, hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import NotFound
from markupsafe import Markup

DATABASE = "binational"
# Rows of each kind linked from the text, at most: the real edition has a few hundred of the largest kind; an
# edition of many thousands of events gets a page that stays within the result budget (sqlite_limits) and readable.
MAX_CITATIONS_PER_KIND = 2_000

# Every quote column of schema.py (columns with `quoted_in`, and the data notes' list of quotes,
# one row each in data_note_quotes): (table, column, what a reader calls the row, the query giving
# link_table, link_key, label, detail, event_id, event_title, section_id, quote). The section is
# null where the quote may be anywhere in the report. A test keeps this list equal to schema.py.
EDITION_SECTIONS = "(select id from sections where report_id = :edition)"
SOURCES = (
    (
        "events",
        "quote",
        "Event",
        "select 'events', e.id, e.title, e.start_date, null, null, e.section_id, e.quote from events e "
        "where e.report_id = :edition order by e.rowid",
    ),
    (
        "event_people",
        "quote",
        "Participant",
        "select 'people', p.id, p.name, ep.role, e.id, e.title, coalesce(ep.section_id, e.section_id), ep.quote "
        "from event_people ep join people p on p.id = ep.person_id join events e on e.id = ep.event_id "
        "where e.report_id = :edition order by ep.rowid",
    ),
    (
        "event_places",
        "quote",
        "Place of an event",
        "select 'places', p.id, p.name, x.role, e.id, e.title, coalesce(x.section_id, e.section_id), x.quote "
        "from event_places x join places p on p.id = x.place_id join events e on e.id = x.event_id "
        "where e.report_id = :edition order by x.rowid",
    ),
    (
        "event_mechanisms",
        "quote",
        "Institution of an event",
        "select 'mechanisms', m.id, m.name, x.role, e.id, e.title, coalesce(x.section_id, e.section_id), x.quote "
        "from event_mechanisms x join mechanisms m on m.id = x.mechanism_id join events e on e.id = x.event_id "
        "where e.report_id = :edition order by x.rowid",
    ),
    (
        "event_links",
        "quote",
        "Link between events",
        "select 'events', linked.id, linked.title, x.relation, e.id, e.title, coalesce(x.section_id, e.section_id), x.quote "
        "from event_links x join events e on e.id = x.event_id join events linked on linked.id = x.linked_event_id "
        "where e.report_id = :edition order by x.rowid",
    ),
    (
        "event_organizations",
        "quote",
        "Organization at an event",
        "select 'organizations', o.id, o.name, eo.role, e.id, e.title, e.section_id, eo.quote "
        "from event_organizations eo join organizations o on o.id = eo.organization_id join events e on e.id = eo.event_id "
        "where e.report_id = :edition order by eo.rowid",
    ),
    (
        "figures",
        "quote",
        "Figure",
        "select 'figures', f.id, f.description, f.unit, e.id, e.title, f.section_id, f.quote "
        f"from figures f left join events e on e.id = f.event_id where f.section_id in {EDITION_SECTIONS} order by f.rowid",
    ),
    (
        "statements",
        "quote",
        "Statement",
        "select 'statements', s.id, s.summary, s.kind, e.id, e.title, s.section_id, s.quote "
        f"from statements s left join events e on e.id = s.event_id where s.section_id in {EDITION_SECTIONS} order by s.rowid",
    ),
    (
        "data_notes",
        "quotes",
        "Data note",
        "select 'data_notes', n.id, n.title, n.kind, null, null, q.section_id, q.quote "
        f"from data_note_quotes q join data_notes n on n.id = q.note_id where q.section_id in {EDITION_SECTIONS} "
        "order by n.rowid, q.position",
    ),
    *(
        (
            table,
            "quote",
            kind,
            f"select '{table}', id, name, null, null, null, section_id, quote from {table} "
            f"where section_id in {EDITION_SECTIONS} order by rowid",
        )
        for table, kind in (
            ("people", "Person"),
            ("organizations", "Organization"),
            ("mechanisms", "Institution"),
            ("places", "Place"),
            ("countries", "Country"),
        )
    ),
    (
        "mechanisms",
        "established_quote",
        "Institution’s establishment",
        "select 'mechanisms', id, name, established, null, null, null, established_quote from mechanisms "
        "where established_quote is not null order by rowid",
    ),
)
COLUMNS = ("link_table", "link_key", "label", "detail", "event_id", "event_title", "section_id", "quote")
SECTIONS_SQL = """
select id, number, parent_id, level, position, title, heading, index_title, body from sections
where report_id = :edition order by position
"""
REPORT_SQL = (
    "select id, title, short_title, publisher, published, year_covered, language, sha256, section_count from reports where id = :id"
)


def normalize_space(text):
    """Runs of white space as one space, as report.normalize_space does for the build's quote checks."""
    return " ".join(text.split())


def anchor(section_id):
    """A section's HTML id: its id with ':' and '.' replaced by '-' (cbi-2023:4.b.ii -> cbi-2023-4-b-ii)."""
    return section_id.replace(":", "-").replace(".", "-")


def row_url(table, key):
    return f"/{DATABASE}/{table}/{tilde_encode(key)}"


@dataclass
class Citation:
    """One row's quote: what it is, where it links, and the words it quotes."""

    kind: str
    label: str
    url: str
    detail: str | None
    event_title: str | None
    event_url: str | None
    section_id: str | None
    quote: str


@dataclass
class Passage:
    """A stretch of a section's text that one or more rows quote."""

    start: int
    end: int
    number: int = 0
    id: str = ""
    citations: list = field(default_factory=list)


def parts_of(heading, body):
    """The section's text as normalized parts: its heading (possibly empty), then each paragraph."""
    return [normalize_space(heading or ""), *(normalize_space(p) for p in (body or "").split("\n\n") if p.strip())]


def joined(parts):
    """The section's searchable text (the non-empty parts joined by one space) and each part's (start, end) in it."""
    offsets, position = [], 0
    for text in parts:
        if text:
            offsets.append((position, position + len(text)))
            position += len(text) + 1
        else:
            offsets.append((position, position))
    return " ".join(text for text in parts if text), offsets


def locate(text, quote):
    """(start, end) of the first occurrence of the normalized quote in the text, or None."""
    words = normalize_space(quote)
    start = text.find(words) if words else -1
    return None if start < 0 else (start, start + len(words))


def segments(text, start, spans):
    """Cut one part (at `start` in the searchable text) by the passages that cover it.

    `spans` are the passages; returns [(words, covering passages, passages that end here)], in order.
    """
    end = start + len(text)
    inside = [p for p in spans if p.start < end and p.end > start]
    cuts = sorted({start, end, *(max(p.start, start) for p in inside), *(min(p.end, end) for p in inside)})
    result = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        covering = [p for p in inside if p.start <= left and p.end >= right]
        ending = [p for p in inside if p.end == right]
        result.append((text[left - start : right - start], covering, ending))
    return result


def annotate_section(parts, section_anchor, citations):
    """A section's blocks (heading first, then paragraphs), its passages, and the citations not found in it."""
    text, offsets = joined(parts)
    passages, missing = {}, []
    for citation in citations:
        span = locate(text, citation.quote)
        if span is None:
            missing.append(citation)
            continue
        passages.setdefault(span, Passage(*span)).citations.append(citation)
    ordered = sorted(passages.values(), key=lambda p: (p.start, p.end))
    for number, passage in enumerate(ordered, 1):
        passage.number, passage.id = number, f"{section_anchor}-q{number}"
    blocks = []
    for part, (start, end) in zip(parts, offsets, strict=True):
        pieces = segments(part, start, ordered) if part else []
        blocks.append(
            {
                "segments": [{"text": words, "depth": len(covering), "ends": ending} for words, covering, ending in pieces],
                "passages": [p for p in ordered if start < p.end <= end],
                "quoted": any(covering for _, covering, _ in pieces),
            }
        )
    return blocks, ordered, missing


def citation_of(kind, row):
    values = dict(zip(COLUMNS, row, strict=True))
    return Citation(
        kind=kind,
        label=values["label"],
        url=row_url(values["link_table"], values["link_key"]),
        detail=values["detail"],
        event_title=values["event_title"],
        event_url=row_url("events", values["event_id"]) if values["event_id"] else None,
        section_id=values["section_id"],
        quote=values["quote"],
    )


def table_of_contents(sections):
    """Nested entries (section dicts with `children`) by parent_id, in report order."""
    by_id = {s["id"]: {**s, "children": []} for s in sections}
    roots = []
    for entry in by_id.values():
        parent = by_id.get(entry["parent_id"])
        (parent["children"] if parent else roots).append(entry)
    return roots


def annotated_report(report, sections, citations):
    """Everything the report page shows, from the edition's row, its sections and every citation of it."""
    texts = {s["id"]: parts_of(s["heading"], s["body"]) for s in sections}
    by_section = {section_id: [] for section_id in texts}
    missing = []
    for citation in citations:
        if citation.section_id is None:  # quoted anywhere: in the first section that holds the words
            section_id = next((i for i, parts in texts.items() if locate(joined(parts)[0], citation.quote)), None)
            if section_id is not None:
                by_section[section_id].append(citation)
        elif citation.section_id in by_section:
            by_section[citation.section_id].append(citation)
        else:
            missing.append(citation)
    result = []
    for section in sections:
        section_anchor = anchor(section["id"])
        blocks, passages, not_found = annotate_section(texts[section["id"]], section_anchor, by_section[section["id"]])
        missing += not_found
        result.append(
            {
                **section,
                "anchor": section_anchor,
                "url": row_url("sections", section["id"]),
                "head": blocks[0],
                "paragraphs": blocks[1:],
                "passages": passages,
            }
        )
    paragraphs = [p for s in result for p in s["paragraphs"]]
    return {
        "report": report,
        "sections": result,
        "contents": table_of_contents(result),
        "example": max(result, key=lambda s: s["level"], default=None),  # a section whose anchor shows the scheme
        "missing": missing,
        "counts": {
            "paragraphs": len(paragraphs),
            "quoted_paragraphs": sum(1 for p in paragraphs if p["quoted"]),
            "passages": sum(len(s["passages"]) for s in result),
            "citations": sum(len(p.citations) for s in result for p in s["passages"]),
        },
    }


async def load(db, edition):
    """The annotated report of one edition, or None when the database has no such edition."""
    report = (await db.execute(REPORT_SQL, {"id": edition})).first()
    if report is None:
        return None
    sections = [dict(row) for row in (await db.execute(SECTIONS_SQL, {"edition": edition})).rows]
    citations, truncated = [], False
    for _, _, kind, sql in SOURCES:
        rows = (await db.execute(f"select * from ({sql}) limit :limit", {"edition": edition, "limit": MAX_CITATIONS_PER_KIND + 1})).rows
        truncated = truncated or len(rows) > MAX_CITATIONS_PER_KIND
        citations += [citation_of(kind, tuple(row)) for row in rows[:MAX_CITATIONS_PER_KIND]]
    return {**annotated_report(dict(report), sections, citations), "citations_cut_at": MAX_CITATIONS_PER_KIND if truncated else None}


async def build(datasette, edition):
    """(the annotated report, its text as HTML) of one edition, or None when there is no such edition."""
    report = await load(datasette.get_database(DATABASE), edition)
    if report is None:
        return None
    return report, Markup(await datasette.render_template("_report_text.html", report))


_built = weakref.WeakKeyDictionary()  # datasette -> {edition: (annotated report, its text as HTML)}


async def cached(datasette, edition):
    """build(), once per edition while the database cannot change."""
    if datasette.get_database(DATABASE).is_mutable:
        return await build(datasette, edition)
    editions = _built.setdefault(datasette, {})
    if edition not in editions:
        editions[edition] = await build(datasette, edition)
    return editions[edition]


async def report_page(datasette, request):
    built = await cached(datasette, request.url_vars["edition"])
    if built is None:
        raise NotFound("No such report")
    report, text = built
    html = await datasette.render_template("report.html", {**report, "report_text": text}, request=request)
    return Response.html(html)


@hookimpl
def register_routes():
    return [(r"^/report/(?P<edition>[a-z0-9][a-z0-9-]*)$", report_page)]
