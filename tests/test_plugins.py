"""The plugins' plain functions, apart from Datasette."""

import asyncio
import json
import sqlite3

import pytest
from datasette.app import Datasette
from datasette.database import QueryInterrupted
from datasette.utils.asgi import NotFound
from datasette.views.base import DatasetteError
from site_client import load_plugin

citations = load_plugin("citations")
search_snippets = load_plugin("search_snippets")
map_plugin = load_plugin("map")
charts = load_plugin("charts")
event_page = load_plugin("event_page")


@pytest.mark.parametrize(
    "quote, section_id, html",
    [
        (
            "held on October 31, 2023",
            "cbi-2023:6.c",
            '<blockquote class="citation">“held on October 31, 2023” <cite><a href="/binational/sections/cbi-2023~3A6~2Ec">§&nbsp;6.c</a></cite></blockquote>',
        ),
        (
            '<script>alert(1)</script>"><img src=x onerror=alert(1)>',
            "cbi-2023:1",
            '<blockquote class="citation">“&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;” '
            '<cite><a href="/binational/sections/cbi-2023~3A1">§&nbsp;1</a></cite></blockquote>',
        ),
        ("no section", None, '<blockquote class="citation">“no section”</blockquote>'),
    ],
)
def test_citation_html(quote, section_id, html):
    assert str(citations.citation_html(quote, section_id, "binational")) == html


def test_citation_does_not_act_on_other_columns_or_databases():
    assert citations.render_cell(row={}, value="x", column="summary", table="events", database="binational", datasette=None) is None
    assert citations.render_cell(row={}, value="x", column="quote", table="t", database="other", datasette=None) is None


@pytest.mark.parametrize(
    "snippet, html",
    [
        ("President ⟦López⟧ ⟦Obrador⟧ met", "President <mark>López</mark> <mark>Obrador</mark> met"),
        ("<b>⟦x⟧</b>", "&lt;b&gt;<mark>x</mark>&lt;/b&gt;"),
    ],
)
def test_highlight(snippet, html):
    assert str(search_snippets.highlight(snippet)) == html


def test_search_snippets_only_act_on_marked_snippets():
    assert search_snippets.render_cell(value="plain", column="snippet") is None
    assert search_snippets.render_cell(value="⟦x⟧", column="title") is None


def test_map_urls_of_a_canned_query_keep_its_filters():
    places, events = map_plugin.map_urls("query", "mechanism_places", {"mechanism_id": "consular-dialogue", "_hide_sql": "1"})
    assert places == "/binational/mechanism_places.json?mechanism_id=consular-dialogue&_shape=array"
    assert events == (
        "/binational/events.json?_col=title&_col=start_date&_sort_desc=start_date&_shape=array&_size=50&mechanism_id=consular-dialogue"
    )


def test_map_urls_of_place_and_institution_pages():
    assert map_plugin.map_urls("row", "places", "mexico-city")[0] == "/binational/places_map.json?place_id=mexico-city&_shape=array"
    assert map_plugin.map_urls("row", "mechanisms", "consular-dialogue")[0] == (
        "/binational/mechanism_places.json?mechanism_id=consular-dialogue&_shape=array"
    )
    assert map_plugin.map_urls("row", "events", "cbi-2023-tfc-2") is None


def test_script_literals_cannot_close_the_script_element():
    assert map_plugin.script_literal("</script><b>") == '"\\u003c/script>\\u003cb>"'
    assert charts.script_literal({"t": "</script>"}) == '{"t": "\\u003c/script>"}'


def test_a_chart_reads_the_rows_of_its_page():
    url = charts.page_json_url("institutions_timeline", [("year", "2023"), ("_hide_sql", "1")])
    assert url == "/binational/institutions_timeline.json?year=2023&_shape=array"
    lite = {"mark": "bar"}
    assert charts.with_data(lite, url) == {"mark": "bar", "data": {"url": url}}
    assert lite == {"mark": "bar"}
    vega = {"data": [{"name": "people", "url": "."}, {"name": "pairs", "url": "/binational/people_pairs.json"}]}
    assert charts.with_data(vega, url)["data"] == [
        {"name": "people", "url": url},
        {"name": "pairs", "url": "/binational/people_pairs.json"},
    ]


def test_event_page_gathers_everything(database):
    datasette = Datasette(immutables=[str(database)])
    db = datasette.get_database("binational")
    page = asyncio.run(event_page.event_page(db, "cbi-2023-tfc-2"))
    assert page["event"]["title"] == "Second Trilateral Fentanyl Committee meeting"
    assert page["event"]["section_url"] == "/binational/sections/cbi-2023~3A4~2Eb~2Eii"
    assert [(p["id"], p["role"]) for p in page["people"]] == [
        ("rosa-icela-rodriguez", "host"),
        ("elizabeth-sherwood-randall", "co-chair"),
        ("jody-thomas", "co-chair"),
        ("richard-verma", "participant"),
    ]
    assert [t["id"] for t in page["topics"]] == ["fentanyl", "public-health", "security"]
    assert [c["id"] for c in page["countries"]] == ["CA", "MX", "US"]
    assert [f["id"] for f in page["figures"]] == ["tfc-2-co-chairs"]
    assert {n["id"] for n in page["notes"]} == {"index-second-tfc-lettering", "tfc-2-virtual-verma-in-mexico", "verma-trip-no-year"}
    assert page["paragraphs"][0].startswith("On July 25, 2023, Mexico's Secretary of Security Rosa Icela Rodríguez")
    assert asyncio.run(event_page.event_page(db, "no-such-event")) is None


caching = load_plugin("caching")


@pytest.mark.parametrize(
    "header, matched",
    [('"abc"', True), ('W/"abc"', True), ('"x", "abc"', True), ("*", True), ('"abd"', False), ("abc", False), ("", False)],
)
def test_if_none_match_is_compared_weakly(header, matched):
    assert caching.matches(header, '"abc"') is matched


def test_entity_tag_changes_with_the_data_and_with_the_site():
    tag = caching.entity_tag("digest-1", "site-1")
    assert tag == caching.entity_tag("digest-1", "site-1")
    assert len({tag, caching.entity_tag("digest-2", "site-1"), caching.entity_tag("digest-1", "site-2")}) == 3
    assert tag.startswith('"') and tag.endswith('"') and len(tag) == 34


search_queries = load_plugin("search_queries")
links = load_plugin("links")


@pytest.mark.parametrize("text, folded", [("Ciudad Juárez", "ciudad juarez"), ("BÁRCENA", "barcena"), ("Ñuñoa", "nunoa"), (None, None)])
def test_fold_drops_case_and_accents(text, folded):
    assert search_queries.fold(text) == folded


@pytest.mark.parametrize(
    "row, column, html",
    [
        ({"event": "Summit", "event_id": "e-1"}, "event", '<a href="/binational/events/e-1">Summit</a>'),
        ({"event_id": "e-1"}, "event_id", '<a href="/binational/events/e-1">e-1</a>'),
        ({"person_a": "A <b>", "person_a_id": "a"}, "person_a", '<a href="/binational/people/a">A &lt;b&gt;</a>'),
        ({"kind": "section", "id": "cbi-2023:2.a", "title": "a. T"}, "title", '<a href="/binational/sections/cbi-2023~3A2~2Ea">a. T</a>'),
        (
            {"event_ids": '["e-1", "e-2"]'},
            "event_ids",
            '<a href="/binational/events/e-1">e-1</a>, <a href="/binational/events/e-2">e-2</a>',
        ),
        ({"title": "Note", "note_id": "n-1"}, "title", '<a href="/binational/data_notes/n-1">Note</a>'),
        ({"title": "No id"}, "title", None),
        ({"summary": "x"}, "summary", None),
    ],
)
def test_query_cells_link_by_their_column_names(row, column, html):
    result = links.linked_cell(row, row[column], column)
    assert (str(result) if result is not None else None) == html


sqlite_limits = load_plugin("sqlite_limits")
request_limits = load_plugin("request_limits")
error_pages = load_plugin("error_pages")
error_caching = load_plugin("error_caching")


def limited_connection():
    connection = sqlite3.connect(":memory:")
    sqlite_limits.limit_connection(connection)
    return connection


def test_result_budget_refuses_the_row_that_passes_a_limit():
    connection = sqlite3.connect(":memory:")
    connection.row_factory = sqlite_limits.ResultBudget(max_bytes=10_000, max_cells=100).row_factory
    numbers = "with recursive c(x) as (select 1 union all select x + 1 from c limit :n) select x from c"
    assert len(connection.execute(numbers, {"n": 100}).fetchall()) == 100
    with pytest.raises(sqlite_limits.ResultTooLarge) as cells:
        connection.execute(numbers, {"n": 101}).fetchall()
    assert str(cells.value) == (
        "The result is too large to send: over 100 cells of values. Ask for fewer rows (limit, _size) or columns, or shorter values (substr)."
    )
    with pytest.raises(sqlite_limits.ResultTooLarge) as size:
        connection.execute("select zeroblob(6000) union all select zeroblob(6000)").fetchall()
    assert str(size.value).startswith("The result is too large to send: over 10,000 bytes of values.")
    # Each query has its own budget.
    assert connection.execute("select zeroblob(6000)").fetchone()[0] == bytes(6000)


def test_result_too_large_is_reported_as_a_failing_query():
    assert issubclass(sqlite_limits.ResultTooLarge, sqlite3.OperationalError)


@pytest.mark.parametrize(
    "sql, error",
    [
        ("select instr(hex(zeroblob(50001)), 'b')", "string or blob too big"),
        ("select zeroblob(100001)", "string or blob too big"),
        ("select 'a' glob printf('%.*c', 1001, '*')", "LIKE or GLOB pattern too complex"),
        ("select 'a' like printf('%.*c', 1001, '%')", "LIKE or GLOB pattern too complex"),
        ("select " + ", ".join(["1"] * 101), "too many columns in result set"),
    ],
)
def test_values_patterns_and_columns_are_limited(sql, error):
    with pytest.raises(sqlite3.DataError if "big" in error else sqlite3.OperationalError, match=f"^{error}$"):
        limited_connection().execute(sql).fetchall()


def test_values_patterns_and_columns_at_their_limits_are_accepted():
    connection = limited_connection()
    assert connection.execute("select length(zeroblob(100000))").fetchone()[0] == 100_000
    assert connection.execute("select 'aaa' glob printf('%.*c', 1000, '*')").fetchone()[0] == 1
    assert len(connection.execute("select " + ", ".join(["1"] * 100)).fetchone()) == 100


@pytest.mark.parametrize(
    "pairs, problem",
    [
        ([("_facet", "title")] * 10, None),
        ([("_facet", "title")] * 11, "At most 10 facets may be asked for at once; this request asks for 11."),
        (
            [("_facet", "title")] * 6 + [("_facet_array", "topics")] * 5,
            "At most 10 facets may be asked for at once; this request asks for 11.",
        ),
        ([("_facet_size", "max")] * 11, None),
        ([("_facet", "x" * 201)], "_facet is longer than 200 characters."),
        ([("_facet", '{"simple": "title"}')], None),
        ([("_facet_array", '{"column": "topics"}')], None),
        ([("_facet", "{}")], '_facet must be a column name or a JSON object naming one, like {"simple": "column"}.'),
        ([("_facet", '{"array": "nosuch"}')], '_facet must be a column name or a JSON object naming one, like {"simple": "column"}.'),
        ([("_facet_date", '{"simple": 5}')], '_facet_date must be a column name or a JSON object naming one, like {"simple": "column"}.'),
        ([("_facet", "{not json")], '_facet must be a column name or a JSON object naming one, like {"simple": "column"}.'),
        ([("_through", '{"table": "event_topics", "column": "topic_id", "value": "trade"}')], None),
        ([("_through", '{"table": "event_topics", "column": "topic_id", "value": 3}')], None),
        *[
            (
                [("_through", value)],
                '_through must be a JSON object like {"table": "event_topics", "column": "topic_id", "value": "trade"}.',
            )
            for value in ("1", "{}", "[]", "x", '{"table": 1, "column": "c", "value": "v"}', '{"table": "t", "column": "c", "value": {}}')
        ],
    ],
)
def test_facet_and_through_parameters_are_checked(pairs, problem):
    assert request_limits.parameter_problem(pairs) == problem


def test_url_length_is_limited():
    assert request_limits.url_too_long("/binational/events", b"x=" + b"y" * 8172) is None
    assert request_limits.url_too_long("/binational/events", b"x=" + b"y" * 8173) == "This URL is 8,193 bytes long; the limit is 8,192."


class FakeRequest:
    """The parts of a Datasette request that error_pages reads."""

    def __init__(self, args=None, url_vars=None):
        self.args, self.url_vars = args or {}, url_vars or {}


@pytest.mark.parametrize(
    "exception, request_, answer",
    [
        (
            OverflowError("Python int too large"),
            FakeRequest({"rowid__gt": "1"}),
            (400, "Bad request", "A number in this request is too large: SQLite's integers have 64 bits."),
        ),
        (
            RecursionError("maximum recursion depth"),
            FakeRequest({"_json": "x"}),
            (400, "Bad request", "A value this request asks to read is nested too deeply."),
        ),
        (ValueError("x"), FakeRequest({"_next": "x"}), (400, "Bad request", "A parameter of this request is not valid.")),
        (ValueError("x"), FakeRequest(), (500, "Server error", "The server could not answer this request.")),
        (
            KeyError("columns"),
            FakeRequest(url_vars={"database": "binational", "format": "csv"}),
            (400, "Bad request", error_pages.NO_DATABASE_CSV),
        ),
        (KeyError("secret detail"), FakeRequest({"a": "1"}), (500, "Server error", "The server could not answer this request.")),
        (
            sqlite3.ProgrammingError("no value for :p1"),
            FakeRequest(url_vars={"database": "binational", "table": "t", "pks": "1"}),
            (404, "Not found", "There is no row at this address."),
        ),
        (DatasetteError("shown as is", status=400), FakeRequest(), None),
        (NotFound("x"), FakeRequest(), None),
        (
            QueryInterrupted(sqlite3.OperationalError("interrupted"), "select secret", {}),
            FakeRequest(),
            (400, "Query took too long", error_pages.TOO_LONG.format(1000)),
        ),
    ],
)
def test_error_answers_never_show_exception_text(exception, request_, answer):
    assert error_pages.error_answer(exception, request_, 1000) == answer


def test_datasette_error_about_a_timed_out_query_is_answered_without_its_sql():
    try:
        try:
            raise QueryInterrupted(sqlite3.OperationalError("interrupted"), "select secret", {})
        except QueryInterrupted:
            raise DatasetteError("<textarea>select secret</textarea>", status=400) from None
    except DatasetteError as error:
        raised = error
    # `from None` hides the cause from tracebacks but keeps the context Datasette's own `raise` sets.
    assert error_pages.error_answer(raised, FakeRequest(), 1000) == (400, "Query took too long", error_pages.TOO_LONG.format(1000))


def test_the_json_twin_of_a_csv_address():
    assert error_pages.json_twin("/binational-abc1234.csv", "sql=select+1&_dl=1&_shape=array&_header=off") == (
        "/binational-abc1234.json?sql=select+1&_header=off"
    )
    assert error_pages.json_twin("/binational/attended_by.csv", "") == "/binational/attended_by.json"


def test_error_headers_replace_any_cache_control():
    headers = [(b"content-type", b"text/html"), [b"cache-control", b"max-age=31536000, public"], (b"Cache-Control", b"max-age=60")]
    assert error_caching.error_headers(headers) == [(b"content-type", b"text/html"), (b"cache-control", b"no-store")]


def test_event_citations_are_looked_up_in_batches_of_known_length():
    citations_ = [citations.EventCitation("q", f"event-{n:04d}", "binational") for n in range(1000)]
    citations_ += [citations.EventCitation("q", "x" * 201, "binational"), citations.EventCitation("q", 7, "binational")]
    batches = [json.loads(batch) for batch in citations.event_id_batches(citations_)]
    assert [len(batch) for batch in batches] == [400, 400, 200]
    assert batches[0][0] == "event-0000" and batches[-1][-1] == "event-0999"


def test_event_citation_renders_its_section_once_known():
    citation = citations.EventCitation("<b>words</b>", "cbi-2023-tfc-2", "binational")
    assert bool(citation)
    assert citation.__html__() == '<blockquote class="citation">“&lt;b&gt;words&lt;/b&gt;”</blockquote>'
    citation.section_id = "cbi-2023:4.b.ii"
    assert citation.__html__() == (
        '<blockquote class="citation">“&lt;b&gt;words&lt;/b&gt;” <cite><a href="/binational/sections/cbi-2023~3A4~2Eb~2Eii">§&nbsp;4.b.ii</a></cite></blockquote>'
    )
