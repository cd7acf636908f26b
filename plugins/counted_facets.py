"""The events page's facets, counted once per page from a summary table or in one pass over the matching events.

Datasette counts each facet with its own query over the page's rows: nine facets read all 100,000
events of a large edition nine times (about 100 ms at 10^5), and a list facet (`_facet_array`)
parses every row's JSON and runs past `facet_time_limit_ms`, so the facet silently disappears.
A counted facet (`{"counted": {"column": …}}` in a table's facets, declared in schema.py as
EVENT_FACETS; or `_facet_counted=column` for one of those) gives Datasette's own counts:

- for the unfiltered page, from summary_event_facets, which the build writes: a few rows per facet;
- for a filtered page, from one statement for all facets: the page's SQL runs once, its matching
  events are kept (a materialized CTE), and each facet groups them, a list through its link table
  (`event_topics`, …) by the link table's primary key.

Values, labels (foreign keys expanded to names), order (count, then value), truncation and toggles are
those of Datasette's column facet (`place_id=…`) and array facet (`topics__arraycontains=…`), so links,
templates and filters do not change. The page's SQL is Datasette's own, with the request's values as
parameters; a facet's column names come only from the declarations in the metadata.
"""

import urllib.parse

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args


def declared_facets(metadata):
    """{column: declaration} of the counted facets a table's metadata declares."""
    declared = {}
    for facet in (metadata or {}).get("facets", []):
        if isinstance(facet, dict) and isinstance(facet.get("counted"), dict):
            declared[facet["counted"]["column"]] = facet["counted"]
    return declared


def summary_sql(declarations):
    """The unfiltered counts of the declared facets (one parameter each), at most :limit values per facet."""
    parts = [
        f"select * from (select :f{number} as facet, value, events as count from summary_event_facets "
        f"where facet = :f{number} order by events desc, value limit :limit)"
        for number, _ in enumerate(declarations)
    ]
    return "\nunion all\n".join(parts)


def facet_part(number, declaration):
    """One facet's counts over the `matched` events, at most :limit values."""
    column = escape_sqlite(declaration["column"])
    if not declaration.get("through"):
        counts = f"select {column} as value, count(*) as count from matched where {column} is not null group by {column}"
    else:
        link, key = escape_sqlite(declaration["through"]), escape_sqlite(declaration["key"])
        if declaration.get("named_from"):
            # events.people lists each name once however many roles the person had: count events, not rows.
            counts = (
                f"select r.name as value, count(distinct l.event_id) as count from {link} l "
                f"join {escape_sqlite(declaration['named_from'])} r on r.id = l.{key} "
                "where l.event_id in (select id from matched) group by r.name"
            )
        else:
            counts = (
                f"select l.{key} as value, count(*) as count from {link} l where l.event_id in (select id from matched) group by l.{key}"
            )
    return f"select * from (select :f{number} as facet, value, count from ({counts}) order by count desc, value limit :limit)"


def filtered_sql(page_sql, declarations):
    """The counts of every declared facet over the page's matching events, the page's SQL run once."""
    kept = ["id"] + [escape_sqlite(d["column"]) for d in declarations if not d.get("through")]
    matched = f"with matched as materialized (select {', '.join(dict.fromkeys(kept))} from ({page_sql}))\n"
    return matched + "\nunion all\n".join(facet_part(number, d) for number, d in enumerate(declarations))


def is_filtered(sql, params):
    """Whether the page's SQL selects some of the table's rows: Datasette adds a where clause for any filter or search."""
    return bool(params) or " where " in sql.lower()


def toggle_argument(declaration, value):
    """The query-string argument that filters the page by a facet value, as Datasette's column and array facets do."""
    column = declaration["column"]
    if declaration.get("through"):
        return f"{column}__arraycontains", value
    return (f"{column}__exact" if column.startswith("_") else column), value


def plain(url):
    """A URL as a plain str: Datasette's PrefixedUrlString calls dir() on every attribute access, and
    urljoin makes dozens of them per URL, about 0.1 ms for each of a page's few hundred facet toggles."""
    return str.__str__(url)


class Toggles:
    """The URLs that add a facet value to the page's filters or remove it, as Datasette builds them.

    Datasette's path_with_added_args parses the query string again for each value and absolute_url
    joins each path to the request's URL: a page of nine facets makes hundreds. Here the query string
    is parsed once; an added argument is appended to it as urlencode would write it, so the URLs are
    the same strings (tests/test_counted_facets.py compares them with Datasette's own facets).
    """

    def __init__(self, datasette, request):
        self.datasette, self.request = datasette, request
        self.query = urllib.parse.urlencode(urllib.parse.parse_qsl(request.query_string))
        self.prefix = plain(datasette.urls.path(request.path))
        self.origin = None
        if self.prefix.startswith("/") and not self.prefix.startswith("//"):
            # absolute_url joins a path to the request's URL: for a path from the root, its scheme and host.
            self.origin = datasette.absolute_url(request, "/")[:-1]

    def adding(self, key, value):
        if value is None:  # Datasette removes the argument instead
            return self.absolute(path_with_added_args(self.request, {key: value}))
        added = urllib.parse.urlencode([(key, value)])
        return self.absolute_path(self.prefix + "?" + (self.query + "&" + added if self.query else added))

    def removing(self, key, value):
        return self.absolute(path_with_removed_args(self.request, {key: str(value)}))

    def absolute(self, path):
        return self.absolute_path(plain(self.datasette.urls.path(path)))

    def absolute_path(self, path):
        if self.origin is None:
            return self.datasette.absolute_url(self.request, path)
        return self.origin + path


class CountedFacet(Facet):
    type = "counted"

    async def suggest(self):
        return []  # declared in schema.py, never suggested

    def requested(self, declared):
        """(declaration, source) of each counted facet the page asks for, in order, each once."""
        seen, requested = set(), []
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config.get("simple")
            if column in declared and column not in seen:
                seen.add(column)
                requested.append((declared[column], source_and_config["source"]))
        return requested

    async def facet_results(self):
        requested = self.requested(declared_facets(self.metadata))
        if not requested:
            return [], []
        declarations = [declaration for declaration, _ in requested]
        facet_size = self.get_facet_size()
        params = {f"f{number}": d["column"] for number, d in enumerate(declarations)}
        params["limit"] = facet_size + 1
        if is_filtered(self.sql, self.params):
            sql, params = filtered_sql(self.sql, declarations), {**(self.params or {}), **params}
        else:
            sql = summary_sql(declarations)
        try:
            rows = await self.ds.execute(
                self.database, sql, params, truncate=False, custom_time_limit=self.ds.setting("facet_time_limit_ms")
            )
        except QueryInterrupted:
            return [], [d["column"] for d in declarations]
        by_facet = {d["column"]: [] for d in declarations}
        for row in rows.rows:
            by_facet[row["facet"]].append(row)
        results = []
        for declaration, source in requested:
            results.append(await self.facet_result(declaration, source, by_facet[declaration["column"]], facet_size))
        return results, []

    async def facet_result(self, declaration, source, rows, facet_size):
        column, shown = declaration["column"], rows[:facet_size]
        labels = {}
        if not declaration.get("through"):
            # Foreign keys shown by their labels, as Datasette's column facet does.
            labels = await self.ds.expand_foreign_keys(self.database, self.table, column, [row["value"] for row in shown])
        pairs = self.get_querystring_pairs()
        toggles = Toggles(self.ds, self.request)
        values = []
        for row in shown:
            key, value = toggle_argument(declaration, row["value"])
            selected = (key, str(value)) in pairs
            values.append(
                {
                    "value": row["value"],
                    "label": labels.get((column, row["value"]), row["value"]),
                    "count": row["count"],
                    "toggle_url": toggles.removing(key, value) if selected else toggles.adding(key, value),
                    "selected": selected,
                }
            )
        return {
            "name": column,
            "type": self.type,
            "hideable": source != "metadata",
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_counted": column})),
            "results": values,
            "truncated": len(rows) > facet_size,
        }


@hookimpl
def register_facet_classes():
    return [CountedFacet]
