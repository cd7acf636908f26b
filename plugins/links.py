"""Every id and name in query results links to its page.

Canned queries, SQL, views and summary tables show plain values; a cell is linked by the
convention of its column's name: an id column (`event_id`) links to its row, a name column
(`event`, `person_a`) to the row whose id is in a sibling column of the same result (`event_id`,
`person_a_id`), a list of ids (`event_ids`) to each, and the search results' `id` and `title` by
their `kind`. Base tables are left to Datasette, which links their foreign keys itself.
"""

import json

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup, escape

DATABASE = "binational"
ID_COLUMNS = {
    "event_id": "events",
    "person_id": "people",
    "person_a_id": "people",
    "person_b_id": "people",
    "mechanism_id": "mechanisms",
    "place_id": "places",
    "city_id": "places",
    "organization_id": "organizations",
    "topic_id": "topics",
    "note_id": "data_notes",
    "section_id": "sections",
}
NAME_COLUMNS = {  # name column -> the sibling id columns that may name its row, in order
    "event": ("event_id",),
    "title": ("event_id", "note_id"),
    "person": ("person_id",),
    "person_a": ("person_a_id",),
    "person_b": ("person_b_id",),
    "mechanism": ("mechanism_id",),
    "institution": ("mechanism_id",),
    "place": ("place_id",),
    "city": ("city_id",),
    "organization": ("organization_id",),
    "topic": ("topic_id",),
}
LIST_COLUMNS = {"event_ids": "events"}
KINDS = {"event": "events", "section": "sections", "person": "people", "organization": "organizations", "mechanism": "mechanisms"}
LINKED_TABLES = {"events_detail", "person_events", "people_pairs"}  # views and summaries; None is a query


def link(table, row_id, text):
    # An f-string with escape(): Markup.format costs ten times as much, and a page may have a thousand links.
    return Markup(f'<a href="/{DATABASE}/{table}/{escape(tilde_encode(str(row_id)))}">{escape(text)}</a>')


def value_of(row, key):
    try:
        return row[key]
    except (KeyError, IndexError):
        return None


def linked_cell(row, value, column):
    """The cell as linked HTML, or None to leave it to Datasette."""
    if value in (None, ""):
        return None
    kind_table = KINDS.get(value_of(row, "kind"))
    if column in ("id", "title") and kind_table and value_of(row, "id") is not None:
        return link(kind_table, value_of(row, "id"), value)
    if column in ID_COLUMNS:
        return link(ID_COLUMNS[column], value, value)
    for id_column in NAME_COLUMNS.get(column, ()):
        if value_of(row, id_column) is not None:
            return link(ID_COLUMNS[id_column], value_of(row, id_column), value)
    if column in LIST_COLUMNS and isinstance(value, str) and value.startswith("["):
        return Markup(", ").join(link(LIST_COLUMNS[column], item, item) for item in json.loads(value)) or Markup("&nbsp;")
    return None


@hookimpl
def render_cell(row, value, column, table, database):
    if database != DATABASE or not (table is None or table in LINKED_TABLES or table.startswith("summary_")):
        return None
    return linked_cell(row, value, column)
