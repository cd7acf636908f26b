"""Give the events row page everything about one event, for templates/row-binational-events.html."""

import json

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode

DATABASE = "binational"

EVENT_SQL = """
select e.*, m.name as mechanism, m.acronym as mechanism_acronym, p.name as place, s.number as section_number,
  s.title as section_title, s.body as section_body
from events e
left join mechanisms m on m.id = e.mechanism_id
left join places p on p.id = e.place_id
join sections s on s.id = e.section_id
where e.id = :id
"""
PEOPLE_SQL = """
select pe.id, pe.name, ep.role, ep.present, ep.title, o.name as organization, ep.organization_id, rep.id as represented_by_id,
  rep.name as represented_by, ep.quote, substr(ep.section_id, instr(ep.section_id, ':') + 1) as quote_section
from event_people ep join people pe on pe.id = ep.person_id
left join organizations o on o.id = ep.organization_id
left join people rep on rep.id = ep.represented_by
where ep.event_id = :id order by ep.rowid
"""
PLACES_SQL = """
select pl.id, pl.name, ep.role, ep.quote, substr(ep.section_id, instr(ep.section_id, ':') + 1) as quote_section
from event_places ep join places pl on pl.id = ep.place_id
where ep.event_id = :id order by ep.rowid
"""
MECHANISMS_SQL = """
select m.id, m.name, m.acronym, em.role, em.quote, substr(em.section_id, instr(em.section_id, ':') + 1) as quote_section
from event_mechanisms em join mechanisms m on m.id = em.mechanism_id
where em.event_id = :id order by em.rowid
"""
# Links in both directions: the events this one is part of, follows or was held as, and those that are
# its parts, follow it or were planned as it.
LINKS_SQL = """
select 'out' as direction, l.relation, e.id, e.title, e.start_date, l.quote,
  substr(coalesce(l.section_id, own.section_id), instr(coalesce(l.section_id, own.section_id), ':') + 1) as quote_section
from event_links l join events e on e.id = l.linked_event_id join events own on own.id = l.event_id where l.event_id = :id
union all
select 'in', l.relation, e.id, e.title, e.start_date, l.quote,
  substr(coalesce(l.section_id, e.section_id), instr(coalesce(l.section_id, e.section_id), ':') + 1)
from event_links l join events e on e.id = l.event_id where l.linked_event_id = :id
order by 1 desc, 2, 5, 3
"""
LINK_HEADINGS = {
    ("out", "part-of"): "Part of",
    ("in", "part-of"): "Parts",
    ("out", "follows"): "Follows",
    ("in", "follows"): "Followed by",
    ("out", "held-as"): "Took place as",
    ("in", "held-as"): "Planned as",
}
ORGANIZATIONS_SQL = """
select o.id, o.name, o.acronym, eo.role, eo.quote
from event_organizations eo join organizations o on o.id = eo.organization_id
where eo.event_id = :id order by eo.rowid
"""
TOPICS_SQL = "select t.id, t.name from event_topics et join topics t on t.id = et.topic_id where et.event_id = :id order by t.name"
COUNTRIES_SQL = (
    "select c.id, c.name from event_countries ec join countries c on c.id = ec.country_id where ec.event_id = :id order by c.name"
)
FIGURES_SQL = "select id, value, unit, description, as_of, lower_bound, approximate, quote from figures where event_id = :id order by rowid"
STATEMENTS_SQL = "select id, kind, summary, quote from statements where event_id = :id order by rowid"
NOTES_SQL = """
select id, kind, title, description, resolution, quotes from data_notes
where section_id = :section_id
   or id in (select note_id from data_note_quotes where section_id = :section_id)
order by rowid
"""


async def event_page(db, event_id):
    """Everything about one event as plain dicts, or None when there is no such event."""
    event = (await db.execute(EVENT_SQL, {"id": event_id})).first()
    if event is None:
        return None
    event = dict(event)
    event["section_url"] = f"/{DATABASE}/sections/{tilde_encode(event['section_id'])}"

    async def fetch(sql, params):
        return [dict(row) for row in (await db.execute(sql, params)).rows]

    by_id = {"id": event_id}
    notes = await fetch(NOTES_SQL, {"section_id": event["section_id"]})
    for note in notes:
        note["quotes"] = json.loads(note["quotes"])
    links = {}
    for link in await fetch(LINKS_SQL, by_id):
        links.setdefault(LINK_HEADINGS[(link["direction"], link["relation"])], []).append(link)
    return {
        "event": event,
        "paragraphs": [p for p in (event["section_body"] or "").split("\n\n") if p],
        "people": await fetch(PEOPLE_SQL, by_id),
        "places": await fetch(PLACES_SQL, by_id),
        "mechanisms": await fetch(MECHANISMS_SQL, by_id),
        "links": [(heading, links[heading]) for heading in LINK_HEADINGS.values() if heading in links],
        "organizations": await fetch(ORGANIZATIONS_SQL, by_id),
        "topics": await fetch(TOPICS_SQL, by_id),
        "countries": await fetch(COUNTRIES_SQL, by_id),
        "figures": await fetch(FIGURES_SQL, by_id),
        "statements": await fetch(STATEMENTS_SQL, by_id),
        "notes": notes,
    }


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if view_name != "row" or table != "events" or database != DATABASE:
        return None

    async def variables():
        event_id = tilde_decode(request.url_vars["pks"])
        return {"event_page": await event_page(datasette.get_database(database), event_id)}

    return variables
