"""Answers that cannot change while the server runs, worked out once.

The database is served immutable (`-i`) and the metadata is read at start-up, so a table's columns,
keys, foreign keys and full-text table, the list of tables and views, and each table's permission
rules are the same for every request. Datasette 0.65.5 works each out again on every use:

- each schema lookup is a query sent to a SQL thread and awaited, about 0.2 ms apiece, and a table page
  makes dozens, the database page about 300 (one set per table, 75 with the full-text tables);
- each permission check on a table sends a query for the table's spelling and then deep-copies the
  whole metadata (Datasette._table_permission_allows), about 0.7 ms with this site's descriptions,
  canned queries and chart specs; the database page checks every table twice.

The site has no sign-in (no plugin sets an actor), so a permission asked for no actor is answered
from the metadata alone and is remembered; a request with an actor is checked in full.

Measured on the real data, in-process: the database page went from 340 ms to about 10 ms, entity pages
from 15-20 ms to 6-8 ms. Callers get a copy of each answer, so none can change what the next one sees.
"""

import copy
import functools

from datasette import hookimpl
from datasette.app import Datasette
from datasette.database import Database

SCHEMA_LOOKUPS = (
    "attached_databases",
    "table_exists",
    "table_names",
    "view_names",
    "hidden_table_names",
    "table_columns",
    "table_column_details",
    "primary_keys",
    "fts_table",
    "label_column_for_table",
    "foreign_keys_for_table",
    "get_all_foreign_keys",
    "get_table_definition",
    "get_view_definition",
)


MAX_ANSWERS = 1_000  # per lookup: 75 tables and 3 views need far fewer; names from URLs must not grow it without end


def remembered(lookup):
    """An async lookup whose answer for the same arguments is computed once and then copied."""
    answers = {}

    @functools.wraps(lookup)
    async def remembered_lookup(*args):
        if args in answers:
            return copy.deepcopy(answers[args])
        answer = await lookup(*args)
        if len(answers) < MAX_ANSWERS:
            answers[args] = copy.deepcopy(answer)
        return answer

    return remembered_lookup


def remembered_permissions(permission_allowed):
    """Datasette.permission_allowed, remembered for requests without an actor."""
    answers = {}

    @functools.wraps(permission_allowed)
    async def remembered_permission_allowed(actor, action, resource=None, default=False):
        if actor is not None:
            return await permission_allowed(actor, action, resource, default)
        key = (action, resource, default)
        if key not in answers:
            answer = await permission_allowed(actor, action, resource, default)
            if len(answers) >= MAX_ANSWERS:
                return answer
            answers[key] = answer
        return answers[key]

    return remembered_permission_allowed


def missing_methods():
    """Methods this plugin replaces that the installed Datasette lacks (a newer one may rename them)."""
    return [name for name in SCHEMA_LOOKUPS if not hasattr(Database, name)] + [
        name for name in ("permission_allowed",) if not hasattr(Datasette, name)
    ]


def remember_fixed_answers(datasette):
    missing = missing_methods()
    if missing:
        # Silently serving without them would only be slower, but the plugin must be reviewed on an upgrade.
        raise RuntimeError(f"Datasette lacks {', '.join(missing)}: review plugins/fixed_lookups.py")
    for database in datasette.databases.values():
        if not database.is_mutable:
            for name in SCHEMA_LOOKUPS:
                setattr(database, name, remembered(getattr(database, name)))
    datasette.permission_allowed = remembered_permissions(datasette.permission_allowed)


@hookimpl
def startup(datasette):
    remember_fixed_answers(datasette)
