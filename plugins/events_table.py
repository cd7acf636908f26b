"""The events table as readers see it: lists of people, topics and countries as linked names, and
facets that show names (templates/_table-table-binational-events.html, templates/_facet_results.html).

Names are looked up once per server from the registries (people, topics, countries); the
database is immutable, so they never change while it runs.
"""

import functools
import json

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup, escape

DATABASE = "binational"
LISTS = {"people": "people", "topics": "topics", "countries": "countries"}  # events column -> registry table
FACET_TITLES = {
    "mechanism_id": "institution",
    "place_id": "place",
    "event_type": "type",
    "people": "people",
    "topics": "topics",
    "countries": "countries",
}
NAMES = {}  # (id(datasette), registry table) -> {id: name} or {name: id}


async def names(datasette, table, by="id"):
    """{id: name} (or {name: id} with by="name") of a registry table, read once."""
    key = (id(datasette), table, by)
    if key not in NAMES:

        def read(connection):
            cursor = connection.cursor()
            # The whole registry, once: outside the budget that bounds each reader's result (sqlite_limits),
            # which a registry of 50,000 people passes.
            cursor.row_factory = None
            return cursor.execute(f"select id, name from [{table}]").fetchall()

        rows = await datasette.get_database(DATABASE).execute_fn(read)
        NAMES[key] = dict(rows) if by == "id" else {name: row_id for row_id, name in rows}
    return NAMES[key]


@functools.lru_cache(maxsize=4096)
def item_link(table, item_id, name):
    """One item of a list cell as HTML: the same topics, countries and people recur on every page."""
    if item_id is None:
        return str(escape(name))
    return f'<a href="/{DATABASE}/{table}/{escape(tilde_encode(item_id))}">{escape(name)}</a>'


def linked_list(items, table, lookup, by):
    """A JSON list cell as linked names: items are ids (by="id") or names (by="name")."""
    if not items:
        return Markup("&nbsp;")  # an empty list shows as nothing (Datasette ignores an empty string)
    pairs = ((lookup.get(item, item), item) for item in items) if by == "id" else ((item, lookup.get(item)) for item in items)
    return Markup(", ".join(item_link(table, item_id, name) for name, item_id in pairs))


@hookimpl
def render_cell(value, column, table, database, datasette):
    if database != DATABASE or table != "events" or column not in LISTS or not value:
        return None

    async def cell():
        items = json.loads(value)
        by = "name" if column == "people" else "id"  # events.people holds names
        return linked_list(items, LISTS[column], await names(datasette, LISTS[column], by), by)

    return cell


def cells_by_column(row):
    """A display row's cells by column name, for the compact template (a Jinja loop costs far more)."""
    return {cell["column"]: cell for cell in row}


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["cells_by_column"] = cells_by_column


@hookimpl
def extra_template_vars(view_name, table, database, datasette):
    if view_name != "table" or database != DATABASE or table != "events":
        return None

    async def variables():
        return {
            "facet_labels": {"topics": await names(datasette, "topics"), "countries": await names(datasette, "countries")},
            "facet_titles": FACET_TITLES,
        }

    return variables
