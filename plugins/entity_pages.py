"""Pages for people, institutions, places, organizations, topics and sections, at their row URLs.

Each page is declared in PAGES: the facts at the top (one query) and sections, each a
query whose columns are shown in order, with links where a column has a sibling id column
(`LINKS`). templates/_entity.html renders them; templates/row.html includes it.
The same content is JSON at the page's URL with `.entity` (an output renderer), e.g.
/binational/people/alicia-barcena.entity.
"""

import json
from dataclasses import dataclass, field

from datasette import Response, hookimpl
from datasette.utils import tilde_decode, tilde_encode

DATABASE = "binational"

# A column shown as a link: column -> (the column in the same row that holds the id, the table)
LINKS = {
    "event": ("event_id", "events"),
    "person": ("person_id", "people"),
    "represented_by": ("person_id", "people"),
    "met": ("met_id", "people"),
    "institution": ("mechanism_id", "mechanisms"),
    "place": ("place_id", "places"),
    "organization": ("organization_id", "organizations"),
    "section": ("section_id", "sections"),
    "note": ("note_id", "data_notes"),
    "first_named_in": ("first_named_in", "sections"),
    "named_in": ("named_in", "sections"),
    "inside": ("parent_id", "places"),
    "part_of": ("parent_id", "organizations"),
    "within": ("parent_id", "sections"),
}
HIDDEN = {"event_id", "person_id", "met_id", "mechanism_id", "place_id", "organization_id", "section_id", "note_id", "parent_id"}


@dataclass(frozen=True)
class InDateOrder:
    """The same rows as a section's query, found by walking the events in date order, for an entity in many.

    Sorting all of an entity's events for the first MAX_SECTION_ROWS costs in proportion to their
    number (a synthetic person at a third of 10^6 events: 1 s); walking the events' date index and
    keeping the entity's costs in proportion to how rare they are, which for a rare entity means
    reading every event. The entity's number of events, read from a summary table, picks the way.
    """

    count_sql: str  # the entity's number of events (:id)
    sql: str  # the section's rows in its order, events read in date order


@dataclass(frozen=True)
class Section:
    title: str
    sql: str
    empty: str = ""  # shown when the query returns no row; the section is left out when empty is ""
    more: str = ""  # where every row is listed (with {id}), linked when the page shows only the first MAX_SECTION_ROWS
    in_date_order: InDateOrder | None = None  # for an entity in more than MANY_EVENTS events


# A section shows at most this many rows: a page stays readable, and within the result budget
# (sqlite_limits), for a person or topic with thousands of events in a large edition.
MAX_SECTION_ROWS = 500
# From this many events on, a section with InDateOrder walks the events in date order. Measured at 10^6
# events, the two ways cross near here at about 0.2 s: sorting 20,000 rows, or reading about 25,000 events
# to keep 501. A person at 1,500 events takes 20 ms sorted and 3 s walked; at 326,000, 1.4 s and 20 ms.
MANY_EVENTS = 20_000


@dataclass(frozen=True)
class Page:
    facts: str  # one row: `name`, then facts shown as a definition list (None left out)
    sections: tuple = field(default_factory=tuple)
    text: str | None = None  # a column of the facts row shown as the report's paragraphs


EVENT_COLUMNS = "e.start_date as date, e.title as event, e.id as event_id"
# events.date_order is the start date, with the undated after every date: `order by e.date_order, e.id`.
EVENTS_IN_DATE_ORDER = "events e indexed by idx_events_date_order"


def linked_events(title, columns, link, key, counted_in, joins="", order="e.date_order, e.id", **options):
    """A section of an entity's events through a link table `link` ("event_people ep") whose column `key` names
    the entity, in date order; both ways of reading them are written from the same parts, so they give the same rows.

    counted_in: the summary table that holds the entity's number of events in `events`, by `key`.
    """
    alias = link.split()[1]
    return Section(
        title,
        f"""
select {columns}
from {link} join events e on e.id = {alias}.event_id{joins}
where {alias}.{key} = :id
order by {order}""",
        in_date_order=InDateOrder(
            f"select events from {counted_in} where {key} = :id",
            f"""
select {columns}
from {EVENTS_IN_DATE_ORDER} cross join {link} on {alias}.event_id = e.id and {alias}.{key} = :id{joins}
order by {order}""",
        ),
        **options,
    )


PAGES = {
    "people": Page(
        facts="""
select p.name, c.name as country, p.aliases as also_written, p.section_id as first_named_in
from people p left join countries c on c.id = p.country_id where p.id = :id""",
        sections=(
            linked_events(
                "Events, in date order, with role and title at the time",
                f"""{EVENT_COLUMNS}, ep.role, case when ep.present then 'yes' else 'no' end as present,
  rep.name as represented_by, ep.represented_by as person_id, ep.title as title_then, o.name as organization,
  ep.organization_id, pl.name as place, e.place_id""",
                "event_people ep",
                "person_id",
                "summary_events_by_person",
                joins="""
left join people rep on rep.id = ep.represented_by
left join organizations o on o.id = ep.organization_id left join places pl on pl.id = e.place_id""",
                order="e.date_order, e.id, ep.role",
                more="/binational/event_people?person_id={id}",
            ),
            Section(
                "Who they met most",
                """
select case when pp.person_a_id = :id then pp.person_b else pp.person_a end as met,
  case when pp.person_a_id = :id then pp.person_b_id else pp.person_a_id end as met_id, pp.events as shared_events
from people_pairs pp where pp.person_a_id = :id or pp.person_b_id = :id
order by pp.events desc, met limit 20""",
            ),
            linked_events(
                "In the report's words",
                "ep.quote as words, e.section_id as section, e.section_id, e.title as event, e.id as event_id",
                "event_people ep",
                "person_id",
                "summary_events_by_person",
                order="e.date_order, e.id, ep.role",
            ),
        ),
    ),
    "mechanisms": Page(
        facts="""
select m.name, m.acronym, m.kind, m.cbi_type as cbi_type, m.members, m.established, m.established_quote as established_in_the_reports_words,
  m.aliases as also_written, m.quote as first_named, m.section_id as first_named_in
from mechanisms m where m.id = :id""",
        sections=(
            Section(
                "Its meetings and events over time",
                f"""
select {EVENT_COLUMNS}, e.ordinal as number, em.role as how, e.event_type as type, e.status, pl.name as place, e.place_id
from event_mechanisms em join events e on e.id = em.event_id left join places pl on pl.id = e.place_id
where em.mechanism_id = :id
order by e.start_date is null, e.start_date, e.id""",
                empty="The report names no event of it.",
                more="/binational/event_mechanisms?mechanism_id={id}",
            ),
            Section(
                "Figures",
                """
select f.value, f.unit, f.description, f.as_of, e.title as event, e.id as event_id
from figures f join events e on e.id = f.event_id
where f.event_id in (select event_id from event_mechanisms where mechanism_id = :id) order by e.start_date, f.id""",
            ),
            Section(
                "What the report says about it",
                "select s.kind, s.summary, s.quote as words, s.section_id as section, s.section_id from statements s where s.mechanism_id = :id order by s.rowid",
            ),
            Section(
                "Data notes on its events",
                """
select n.title as note, n.id as note_id, n.kind, n.resolution from data_notes n
where n.section_id in (select e.section_id from events e join event_mechanisms em on em.event_id = e.id where em.mechanism_id = :id)
order by n.rowid""",
            ),
        ),
    ),
    "places": Page(
        facts="""
select p.name, p.kind, c.name as country, parent.name as inside, p.parent_id, p.latitude, p.longitude, p.quote as named,
  p.section_id as named_in
from places p left join countries c on c.id = p.country_id left join places parent on parent.id = p.parent_id
where p.id = :id""",
        sections=(
            Section(
                "Places inside it",
                "select name as place, id as place_id, kind from places where parent_id = :id order by name",
            ),
            Section(
                "Events here and at the places inside it, latest first",
                f"""
select {EVENT_COLUMNS}, pl.name as place, x.place_id, x.role as how, m.name as institution, e.mechanism_id
from event_places x join events e on e.id = x.event_id join places pl on pl.id = x.place_id
left join mechanisms m on m.id = e.mechanism_id
where x.place_id in (select :id union select id from places where parent_id = :id)
order by e.start_date desc, e.id""",
                empty="The report places no event here.",
                more="/binational/event_places?place_id={id}",
            ),
        ),
    ),
    "organizations": Page(
        facts="""
select o.name, o.acronym, o.name_es as spanish_name, o.kind, c.name as country, parent.name as part_of, o.parent_id,
  o.aliases as also_written, o.section_id as first_named_in
from organizations o left join countries c on c.id = o.country_id left join organizations parent on parent.id = o.parent_id
where o.id = :id""",
        sections=(
            Section(
                "Events it took part in",
                f"""
select {EVENT_COLUMNS}, eo.role, eo.quote as words
from event_organizations eo join events e on e.id = eo.event_id where eo.organization_id = :id
order by e.start_date is null, e.start_date, e.id""",
            ),
            Section(
                "People who represented it",
                f"""
select {EVENT_COLUMNS}, pe.name as person, ep.person_id, ep.role, ep.title as title_then
from event_people ep join people pe on pe.id = ep.person_id join events e on e.id = ep.event_id
where ep.organization_id = :id order by e.start_date is null, e.start_date, pe.name""",
            ),
            Section(
                "What the report says about it",
                "select s.kind, s.summary, s.quote as words, s.section_id as section, s.section_id from statements s where s.organization_id = :id order by s.rowid",
            ),
        ),
    ),
    "topics": Page(
        facts="select t.name, t.description from topics t where t.id = :id",
        sections=(
            linked_events(
                "Events on this topic",
                f"{EVENT_COLUMNS}, m.name as institution, e.mechanism_id, pl.name as place, e.place_id",
                "event_topics et",
                "topic_id",
                "summary_events_by_topic",
                joins="\nleft join mechanisms m on m.id = e.mechanism_id left join places pl on pl.id = e.place_id",
                more="/binational/events?topics__arraycontains={id}",
            ),
            Section(
                "What the report says on it",
                """
select s.kind, s.summary, s.quote as words, s.section_id as section, s.section_id from statements s
where exists (select 1 from json_each(s.topics) where value = :id) order by s.rowid""",
            ),
        ),
    ),
    "sections": Page(
        facts="""
select s.title as name, s.number as section_number, r.title as report, parent.title as within, s.parent_id, s.body
from sections s join reports r on r.id = s.report_id left join sections parent on parent.id = s.parent_id where s.id = :id""",
        text="body",
        sections=(
            Section(
                "Events it describes",
                f"select {EVENT_COLUMNS}, e.quote as words from events e where e.section_id = :id order by e.start_date is null, e.start_date, e.id",
            ),
            Section(
                "Figures it states",
                "select f.value, f.unit, f.description, f.quote as words from figures f where f.section_id = :id order by f.rowid",
            ),
            Section(
                "Statements",
                "select s.kind, s.summary, s.quote as words from statements s where s.section_id = :id order by s.rowid",
            ),
            Section(
                "Data notes",
                """
select n.title as note, n.id as note_id, n.kind, n.resolution from data_notes n
where n.section_id = :id or n.id in (select note_id from data_note_quotes where section_id = :id) order by n.rowid""",
            ),
            Section(
                "Sections inside it",
                "select title as section, id as section_id from sections where parent_id = :id order by position",
            ),
        ),
    ),
}


def cell(column, value, row):
    """A cell as {text, href}: linked when the row holds the id of what the column names."""
    if value is None:
        return {"text": "", "href": None}
    if column in LINKS and LINKS[column][0] in row and row[LINKS[column][0]] is not None:
        id_column, table = LINKS[column]
        target = row[id_column]
        text = "§ " + target.split(":", 1)[-1] if table == "sections" and value == target else value
        return {"text": str(text), "href": f"/{DATABASE}/{table}/{tilde_encode(str(target))}"}
    if isinstance(value, float) and value.is_integer():
        return {"text": f"{int(value):,}", "href": None}
    return {"text": str(value), "href": None}


def table_of(rows):
    """Rows as headers and cells, hiding the id columns that only serve as links."""
    if not rows:
        return {"headers": [], "rows": []}
    columns = [c for c in rows[0].keys() if c not in HIDDEN]
    return {
        "headers": [c.replace("_", " ") for c in columns],
        "rows": [[cell(c, row[c], row) for c in columns] for row in rows],
    }


def facts_of(row, text_column):
    """The facts row as (label, value) pairs, JSON lists as comma-separated text; None left out."""
    facts = []
    for key, value in row.items():
        if key in ("name", text_column) or key in HIDDEN or value in (None, "", "[]"):
            continue
        if isinstance(value, str) and value.startswith("["):
            value = ", ".join(json.loads(value))
        facts.append({"label": key.replace("_", " "), **cell(key, value, row)})
    return facts


async def section_sql(db, section, entity_id, counts=None):
    """The section's query, or for an entity in many events the one that walks the events in date order.

    counts: the entity's numbers of events already read, by their query (a page's sections share them).
    """
    if section.in_date_order is None:
        return section.sql
    counts = {} if counts is None else counts
    count_sql = section.in_date_order.count_sql
    if count_sql not in counts:
        counts[count_sql] = (await db.execute(count_sql, {"id": entity_id})).first()
    events = counts[count_sql]
    if events is not None and events[0] >= MANY_EVENTS:
        return section.in_date_order.sql
    return section.sql


async def entity_page(db, table, entity_id):
    """The page of one row of `table` as plain data, or None."""
    page = PAGES[table]
    facts = (await db.execute(page.facts, {"id": entity_id})).first()
    if facts is None:
        return None
    facts = dict(facts)
    sections, counts = [], {}
    for section in page.sections:
        sql = f"select * from ({await section_sql(db, section, entity_id, counts)}) limit :section_limit"
        rows = [dict(row) for row in (await db.execute(sql, {"id": entity_id, "section_limit": MAX_SECTION_ROWS + 1})).rows]
        more = None
        if len(rows) > MAX_SECTION_ROWS:
            rows = rows[:MAX_SECTION_ROWS]
            more = {"shown": MAX_SECTION_ROWS, "href": section.more.format(id=tilde_encode(entity_id)) if section.more else None}
        if rows or section.empty:
            sections.append({"title": section.title, "empty": section.empty, "more": more, **table_of(rows)})
    paragraphs = [p for p in (facts.get(page.text) or "").split("\n\n") if p] if page.text else []
    return {"name": facts["name"], "facts": facts_of(facts, page.text), "sections": sections, "paragraphs": paragraphs}


def row_id(request):
    return tilde_decode(request.url_vars["pks"])


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if view_name != "row" or database != DATABASE or table not in PAGES:
        return None

    async def variables():
        return {"entity": await entity_page(datasette.get_database(database), table, row_id(request))}

    return variables


async def render_entity(datasette, request, database, table):
    page = await entity_page(datasette.get_database(database), table, row_id(request))
    if page is None:
        return Response.json({"ok": False, "error": "Not found", "status": 404}, status=404)
    return Response.json({"ok": True, "table": table, "id": row_id(request), **page})


@hookimpl
def register_output_renderer(datasette):
    return {
        "extension": "entity",
        "render": render_entity,
        "can_render": lambda view_name, table, database: view_name == "row" and database == DATABASE and table in PAGES,
    }
