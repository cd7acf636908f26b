"""One search page for everything: /search?q=... (and /search.json?q=...).

Hits are grouped by kind in a fixed order (KINDS): events, people, institutions,
organizations, places, figures, statements, report sections. Each kind reads its
full-text index with fts_query (plugins/search_queries.py: words as prefixes,
any input safe), best matches first, at most PER_KIND hits, with a highlighted
snippet of bounded length and a link to the hit's page; "more" opens the
table's own search.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from datasette import Response, hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup, escape

DATABASE = "binational"
PER_KIND = 10
SNIPPET_TOKENS = 24
# Ranking costs one bm25 per matching row: a word in most of a million events took seconds. Only the
# CANDIDATES matches added last (the highest rowids: the latest edition's) are ranked; a search with fewer
# matches, every real one, is ranked whole. The trade-off: a very common word shows the best of recent matches.
CANDIDATES = 2000
MAX_QUERY = 200  # characters: the search box is for words, not documents
OPEN, CLOSE = "\u27e6", "\u27e7"  # snippet() markers, replaced by <mark> after escaping


@dataclass(frozen=True)
class Kind:
    name: str  # shown as the group's heading
    table: str
    label: str  # SQL for the hit's name, over the table aliased t
    snippet_column: int = -1  # the FTS column the snippet is cut from (-1: the best match)


KINDS = (
    Kind("Events", "events", "t.title || coalesce(' (' || t.start_date || ')', '')"),
    Kind("People", "people", "t.name"),
    Kind("Institutions", "mechanisms", "t.name"),
    Kind("Organizations", "organizations", "t.name"),
    Kind("Places", "places", "t.name"),
    Kind("Figures", "figures", "t.description"),
    Kind("Statements", "statements", "t.summary"),
    Kind("Report sections", "sections", "t.title || ' (§ ' || t.number || ')'"),
)


def kind_sql(kind):
    # Only the CANDIDATES matches with the highest rowids are ranked (see CANDIDATES): FTS5 reads a rowid
    # range from its index without ranking the rows outside it.
    fts = f"{kind.table}_fts"
    return f"""
select t.id as id, {kind.label} as label,
  snippet({fts}, {kind.snippet_column}, '{OPEN}', '{CLOSE}', ' … ', {SNIPPET_TOKENS}) as snippet
from {fts} join {kind.table} t on t.rowid = {fts}.rowid
where {fts} match fts_query(:q)
  and {fts}.rowid >= coalesce(
    (select rowid from {fts} where {fts} match fts_query(:q) order by rowid desc limit 1 offset {CANDIDATES - 1}), 0)
order by {fts}.rank
limit {PER_KIND + 1}
"""


def highlighted(snippet):
    """A snippet as HTML: everything escaped, the matched words in <mark>."""
    return Markup(str(escape(snippet or "")).replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


async def search(db, q):
    """[{kind, table, hits: [{id, label, url, snippet}], more}] for every kind with a hit."""
    groups = []
    for kind in KINDS:
        rows = (await db.execute(kind_sql(kind), {"q": q})).rows
        hits = [
            {
                "id": row["id"],
                "label": row["label"],
                "url": f"/{DATABASE}/{kind.table}/{tilde_encode(row['id'])}",
                "snippet": row["snippet"],
            }
            for row in rows[:PER_KIND]
        ]
        if hits:
            more = f"/{DATABASE}/{kind.table}?" + urlencode({"_search": q}) if len(rows) > PER_KIND else None
            groups.append({"kind": kind.name, "table": kind.table, "hits": hits, "more": more})
    return groups


async def search_page(request, datasette):
    q = (request.args.get("q") or "").strip()[:MAX_QUERY]
    groups = await search(datasette.get_database(DATABASE), q) if q else []
    if request.url_vars.get("format") == "json":
        return Response.json({"q": q, "groups": groups})
    for group in groups:
        for hit in group["hits"]:
            hit["snippet"] = highlighted(hit["snippet"])
    html = await datasette.render_template("search.html", {"q": q, "groups": groups}, request=request)
    return Response.html(html)


async def former_search_page(request):
    """The search page's former address (/-/search) keeps working."""
    query = urlencode({"q": request.args.get("q") or ""})
    return Response.redirect(f"/search?{query}")


@hookimpl
def register_routes():
    return [(r"^/search(\.(?P<format>json))?$", search_page), (r"^/-/search$", former_search_page)]
