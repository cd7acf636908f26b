"""A public read-only site: hostile queries, hostile parameters, hostile data, headers, redirects."""

import hashlib
import json
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from datasette.tracer import capture_traces
from helpers import FIXTURE_SOURCES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from site_client import METADATA, SETTINGS, Site, load_plugin

import build
from schema import ALL

DB = "binational"
QUERIES = METADATA["databases"][DB]["queries"]


security_headers = load_plugin("security_headers")
citations = load_plugin("citations")


def sql_json(site, sql):
    return site.get(f"/{DB}.json?sql={quote(sql)}")


@pytest.mark.parametrize(
    "sql",
    [
        "with recursive counter(x) as (select 1 union all select x + 1 from counter) select count(*) from counter",
        "select count(*) from sections a, sections b, sections c, sections d, sections e, sections f",
    ],
)
def test_runaway_query_is_stopped_and_the_next_request_served(site, sql):
    response = sql_json(site, sql)
    assert response.status_code == 400
    assert "SQL query took too long" in response.json()["error"]
    assert site.get(f"/{DB}/events.json").status_code == 200


@pytest.mark.parametrize(
    "sql",
    [
        "select randomblob(200000000)",
        "select length(group_concat(x)) from (with recursive c(x) as (select zeroblob(10000) union all select x from c limit 1000) select hex(x) as x from c)",
        "select replace(hex(zeroblob(2000000)), '0', 'xx')",
    ],
)
def test_huge_values_get_a_clear_error(site, sql):
    response = sql_json(site, sql)
    assert response.status_code == 400
    assert response.json()["error"] == "string or blob too big"


@pytest.mark.parametrize(
    "sql, error",
    [
        ("attach database '/tmp/x.db' as x", "Statement must be a SELECT"),
        ("pragma user_version = 5", "Statement must be a SELECT"),
        ("insert into topics (id, name, description) values ('x', 'x', 'x')", "Statement must be a SELECT"),
        ("update topics set name = 'x'", "Statement must be a SELECT"),
        ("delete from topics", "Statement must be a SELECT"),
        ("create table x (y)", "Statement must be a SELECT"),
        ("drop table topics", "Statement must be a SELECT"),
        ("select load_extension('/tmp/x')", "not authorized"),
        ("select * from pragma_user_version() where 1; pragma user_version = 5", "Statement contained a disallowed PRAGMA"),
    ],
)
def test_writes_attach_pragmas_and_extensions_are_refused(site, database, sql, error):
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    response = sql_json(site, sql)
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before


def test_trace_and_template_debug_are_off(site):
    assert "_trace" not in site.json(f"/{DB}/events.json?_trace=1")
    page = site.get(f"/{DB}/events?_context=1")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_404_does_not_reflect_the_url(site):
    for path in ("/no-such-database-7f3a", f"/{DB}/no-such-table-7f3a", f"/{DB}/events/no-such-event-7f3a"):
        response = site.get(path)
        assert response.status_code == 404
        assert "7f3a" not in response.text


@pytest.mark.parametrize(
    "path, location",
    [
        ("//evil.example/", "/evil.example"),
        ("/\\evil.example/", "/evil.example"),
        ("/%5Cevil.example/", "/~5Cevil~2Eexample/"),
        ("/%2F%2Fevil.example/", "/~2F~2Fevil~2Eexample/"),
        ("/\\\\evil.example/", "/evil.example"),
    ],
)
def test_no_redirect_leaves_the_site(site, path, location):
    """Each of these paths is redirected, and always to a path on this site."""
    response = site.get(path, follow=False)
    assert response.status_code == 302
    assert response.headers["location"] == location


@pytest.mark.parametrize(
    "location, safe",
    [
        ("/binational", "/binational"),
        ("/evil.example", "/evil.example"),
        ("//evil.example", "/evil.example"),
        ("/\\evil.example", "/evil.example"),
        ("\\\\evil.example", "/evil.example"),
        ("https://evil.example/x", "/evil.example/x"),
        ("/binational/events?next=https://x", "/binational/events?next=https://x"),
    ],
)
def test_safe_location(location, safe):
    assert security_headers.safe_location(location) == safe


def test_security_headers_and_policy(site):
    page = site.get(f"/{DB}/events")
    policy = page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy and "base-uri 'self'" in policy
    script_src = re.search(r"script-src ([^;]*)", policy).group(1).split()
    assert script_src[:2] == ["'self'", "'unsafe-eval'"]
    assert "'unsafe-inline'" not in script_src
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page.text, re.DOTALL)
    assert len(script_src) - 2 == len(inline) > 0
    data = site.get(f"/{DB}/events.json")
    assert data.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self' 'unsafe-eval';" in data.headers["content-security-policy"]


@pytest.mark.parametrize(
    "name, value",
    [
        ("attended_by", "' OR 1=1 --"),
        ("attended_by", '"; drop table people; --'),
        ("who_met_whom", "x' union select * from dataset_info --"),
        ("events_at_place", "%' or '1'='1"),
        ("search", 'NEAR("a" "b") OR *'),
        ("search", '"'),
    ],
)
def test_injection_shaped_parameters_are_plain_text(site, name, value):
    parameter = {"attended_by": "name", "who_met_whom": "name", "events_at_place": "place", "search": "q"}[name]
    response = site.get(f"/{DB}/{name}.json?_shape=array&{parameter}={quote(value)}")
    assert response.status_code == 200
    assert response.json() == []


HOSTILE = {
    "script": "<script>alert('x')</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "url": "javascript:alert(1)",
}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """A build of the test sources with HTML and script planted in every kind of text field."""

    sources = tmp_path_factory.mktemp("hostile") / "sources"
    shutil.copytree(FIXTURE_SOURCES, sources)
    events = sources / "test-2023" / "events.csv"
    text = events.read_text(encoding="utf-8")
    text = text.replace("López Obrador hosts Blinken", HOSTILE["script"].replace("'", "")).replace(
        "The Mexican president received the U.S. Secretary of State.", '"' + HOSTILE["attribute"].replace('"', '""') + '"'
    )
    events.write_text(text, encoding="utf-8")
    topics = sources / "topics.csv"
    topics.write_text(
        topics.read_text(encoding="utf-8").replace("Trade,Trade and investment.", "Trade," + HOSTILE["url"]), encoding="utf-8"
    )
    notes = sources / "test-2023" / "data_notes.yml"
    notes.write_text(
        notes.read_text(encoding="utf-8").replace("The section title uses the body heading.", "'<b onmouseover=alert(1)>x</b>'"),
        encoding="utf-8",
    )
    database = tmp_path_factory.mktemp("hostile-db") / "binational.db"
    build.write_database(build.load_sources(sources), database)
    site = Site(database)
    yield site
    site.close()


def test_hostile_data_is_escaped_on_every_page(hostile_site):
    paths = [
        "/",
        f"/{DB}",
        f"/{DB}/events",
        f"/{DB}/events/test-2023-palace-meeting",
        f"/{DB}/events_detail",
        f"/{DB}/topics",
        f"/{DB}/topics/trade",
        f"/{DB}/data_notes",
        f"/{DB}/event_people",
        f"/{DB}/timeline?year=",
        f"/{DB}/search?q=alert",
        f"/{DB}/events?_search=alert",
        "/-/search?q=alert",
        f"/{DB}/data_notes_with_quotes?kind=",
        "/report/test-2023",
        "/about",
    ]
    for path in paths:
        response = hostile_site.get(path)
        assert response.status_code == 200, path
        body = response.text
        assert "<script>alert" not in body, path
        assert "<img src=x onerror" not in body, path
        assert 'href="javascript:' not in body, path
        assert "<b onmouseover" not in body, path
    assert "&lt;script&gt;alert" in hostile_site.get(f"/{DB}/events/test-2023-palace-meeting").text
    assert "&lt;script&gt;alert" in hostile_site.get("/report/test-2023").text  # the event's title, beside its quote


# Every page type: the index, the database (its query page too), every table and view, canned
# queries, row pages and the search across tables.
TARGETS = sorted(
    ["/", f"/{DB}", "/-/search", f"/{DB}/events/cbi-2023-tfc-2", f"/{DB}/sections/cbi-2023~3A4~2Eb~2Eii", f"/{DB}/event_people/1"]
    + [f"/{DB}/{table}" for table in METADATA["databases"][DB]["tables"]]
    + [f"/{DB}/{name}" for name in QUERIES]
)
# Every parameter family Datasette reads: paging, sorting, facets, filters of each operator,
# full-text search, shapes, labels, JSON columns, CSV options, time limits, blobs, SQL, and the
# canned queries' own parameters.
PARAMETER_NAMES = st.sampled_from(
    [
        "_sort",
        "_sort_desc",
        "_size",
        "_facet",
        "_facet_array",
        "_facet_date",
        "_facet_size",
        "_search",
        "_search_title",
        "_searchmode",
        "_where",
        "_through",
        "_next",
        "_col",
        "_nocol",
        "_labels",
        "_label",
        "_shape",
        "_json",
        "_nl",
        "_stream",
        "_dl",
        "_header",
        "_nofacet",
        "_nocount",
        "_timelimit",
        "_ttl",
        "_trace",
        "_context",
        "_hash",
        "_blob_column",
        "_blob_hash",
        "_facet_array",
        "sql",
        "q",
        "name",
        "place",
        "year",
        "unit",
        "kind",
        "rowid__gt",
        "id__gt",
        "id__in",
        "id__notin",
        "title__contains",
        "title__startswith",
        "title__glob",
        "title__like",
        "start_date__lt",
        "start_date__date",
        "start_date__isnull",
        "ordinal__gte",
        "topics__arraycontains",
        "topics__arraynotcontains",
        "x",
    ]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["table", "column", "value", "simple", "array", "date", "x"]), children, max_size=3)
    ),
    max_leaves=6,
).map(json.dumps)
VALUES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    JSON_VALUES,
    st.sampled_from(["max", "on", "off", "1e999", "nan", "select 1", "select * from events", "select nosuch", "title", "topics"]),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    target=st.sampled_from(TARGETS),
    suffix=st.sampled_from(["", ".json", ".csv"]),
    params=st.lists(st.tuples(PARAMETER_NAMES, VALUES), max_size=4),
)
def test_random_parameters_never_cause_a_server_error(site, target, suffix, params):
    query = "&".join(f"{quote(name)}={quote(value)}" for name, value in params)
    response = site.get(f"{target}{suffix}?{query}")
    assert response.status_code < 500, (target, suffix, query, response.text[:300])


@pytest.mark.parametrize("table", sorted(ALL))
def test_choosing_columns_never_causes_a_server_error(site, table):
    # Random parameters rarely name a real column: every column of every table, kept alone and left out,
    # on pages of one row, so that the link to the next page is made from a row without the sort column.
    statuses = {}
    for column in ALL[table].column_names:
        for choice in ("_col", "_nocol"):
            statuses[(choice, column)] = site.get(f"/{DB}/{table}?{choice}={quote(column)}&_size=1").status_code
    assert {key: status for key, status in statuses.items() if status >= 500} == {}


def peak_resident_kib(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1))


def test_server_memory_stays_flat_under_huge_queries(server, server_pid):
    pid = server_pid
    heavy = [
        "select randomblob(200000000)",
        "select length(group_concat(body, body)) from sections a, sections b",
        "select replace(hex(zeroblob(2000000)), '0', 'xx')",
    ]
    urllib.request.urlopen(f"{server}/{DB}/events.json").read()
    before = peak_resident_kib(pid)
    for _ in range(10):
        for sql in heavy:
            try:
                urllib.request.urlopen(f"{server}/{DB}.json?sql={quote(sql)}")
            except urllib.error.HTTPError as error:
                assert error.code == 400
    with urllib.request.urlopen(f"{server}/{DB}/events.json") as response:
        assert response.status == 200
    assert peak_resident_kib(pid) - before < 50 * 1024


@pytest.mark.parametrize(
    "path",
    [
        f"/{DB}/events.json?_sort=no_such_column",
        f"/{DB}/events_detail.json?_next=abc",
        f"/{DB}/aliases.json?_facet=%00",
        f"/{DB}/events_detail?_next=abc",
        f"/{DB}/person_events?_next=9223372036854775808",
        f"/{DB}/person_events.json?_next=9223372036854775808",
    ],
)
def test_malformed_parameters_are_bad_requests(site, path):
    response = site.get(path)
    assert response.status_code == 400
    assert "Traceback" not in response.text


sqlite_limits = load_plugin("sqlite_limits")
error_pages = load_plugin("error_pages")
RESULT_TOO_LARGE_BYTES = sqlite_limits.RESULT_TOO_LARGE.format(limit="4,000,000 bytes")
RESULT_TOO_LARGE_CELLS = sqlite_limits.RESULT_TOO_LARGE.format(limit="25,000 cells")


def rows(count):
    return f"(with recursive c(x) as (select 1 union all select x + 1 from c limit {count}) select x from c)"


ZEROBLOB_ROWS = f"select zeroblob(99999) from {rows(1000)}"
STRING_ROWS = f"select printf('%.*c', 99999, 'x') from {rows(100)}"
WIDE_ROWS = "select " + ", ".join(f"{n} as c{n}" for n in range(100)) + f" from {rows(1000)}"


@pytest.mark.parametrize(
    "sql, error", [(ZEROBLOB_ROWS, RESULT_TOO_LARGE_BYTES), (STRING_ROWS, RESULT_TOO_LARGE_BYTES), (WIDE_ROWS, RESULT_TOO_LARGE_CELLS)]
)
def test_one_response_cannot_build_a_result_over_the_limit(site, sql, error):
    as_json = sql_json(site, sql)
    assert as_json.status_code == 400
    assert as_json.json()["error"] == error
    as_html = site.get(f"/{DB}?sql={quote(sql)}")
    assert as_html.status_code == 400
    assert str(escape(error)) in as_html.text
    as_csv = site.get(f"/{DB}.csv?sql={quote(sql)}")
    assert (as_csv.status_code, as_csv.text) == (400, error)


@pytest.mark.parametrize("table", sorted(METADATA["databases"][DB]["tables"]))
def test_every_table_fits_in_one_response(site, table):
    for suffix in ("", ".json", ".csv"):
        response = site.get(f"/{DB}/{table}{suffix}?_size=max")
        assert response.status_code == 200, (table, suffix, response.text[:300])


def test_facets_are_limited_in_number_and_length(site):
    many = site.get(f"/{DB}/events.json?" + "&".join(["_facet=title"] * 11))
    assert (many.status_code, many.json()["error"]) == (400, "At most 10 facets may be asked for at once; this request asks for 11.")
    long = site.get(f"/{DB}/events.json?_facet=" + "x" * 201)
    assert (long.status_code, long.json()["error"]) == (400, "_facet is longer than 200 characters.")
    page = site.get(f"/{DB}/events?" + "&".join(["_facet=title"] * 600))
    assert page.status_code == 400
    assert "At most 10 facets may be asked for at once; this request asks for 600." in page.text
    assert site.get(f"/{DB}/events.json?" + "&".join(["_facet=title"] * 10)).status_code == 200


@pytest.mark.parametrize(
    "path, error",
    [
        (
            "/countries.json?_through=1",
            '_through must be a JSON object like {"table": "event_topics", "column": "topic_id", "value": "trade"}.',
        ),
        (
            "/countries.json?_through=%7B%7D",
            '_through must be a JSON object like {"table": "event_topics", "column": "topic_id", "value": "trade"}.',
        ),
        ("/events.json?_facet=%7B%7D", '_facet must be a column name or a JSON object naming one, like {"simple": "column"}.'),
        (
            "/events.json?_facet=%7B%22array%22:%22nosuch%22%7D",
            '_facet must be a column name or a JSON object naming one, like {"simple": "column"}.',
        ),
        ("/events.json?rowid__gt=99999999999999999999", "A number in this request is too large: SQLite's integers have 64 bits."),
    ],
)
def test_malformed_json_and_numbers_in_parameters_are_bad_requests(site, path, error):
    response = site.get(f"/{DB}{path}")
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": error, "status": 400, "title": response.json()["title"]}
    html = site.get(f"/{DB}{path}".replace(".json", "", 1))
    assert html.status_code == 400
    assert str(escape(error)) in html.text and "Traceback" not in html.text


def test_deeply_nested_json_is_a_bad_request(site):
    response = site.get(f"/{DB}.json?_json=x&sql=" + quote("select printf('%.*c', 99999, '[') as x"))
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error": "A value this request asks to read is nested too deeply.",
        "status": 400,
        "title": "Bad request",
    }


def test_row_address_with_too_few_key_values_is_not_found(site):
    # event_people's primary key has three columns.
    response = site.get(f"/{DB}/event_people/1.json")
    assert response.json() == {"ok": False, "error": "There is no row at this address.", "status": 404, "title": "Not found"}
    assert site.get(f"/{DB}/event_people/1").status_code == 404


def test_database_csv_without_a_query_is_a_bad_request(site):
    response = site.get(f"/{DB}.csv")
    assert response.status_code == 400
    assert str(escape(error_pages.NO_DATABASE_CSV)) in response.text


def test_failing_csv_query_is_an_error_not_an_empty_200(site):
    for extra in ("", "&_header=off", "&_dl=1"):
        response = site.get(f"/{DB}.csv?sql={quote('select nosuch')}{extra}")
        assert (response.status_code, response.text) == (400, "no such column: nosuch"), extra
    empty = site.get(f"/{DB}.csv?sql={quote('select 1 as a where 0')}&_header=off")
    assert (empty.status_code, empty.text) == (200, "")
    header_only = site.get(f"/{DB}.csv?sql={quote('select 1 as a where 0')}")
    assert (header_only.status_code, header_only.text) == (200, "a\r\n")


RUNAWAY = "with recursive counter(x) as (select 1 union all select x + 1 from counter) select count(*) from counter"


@pytest.mark.parametrize("suffix", ["", ".json", ".csv"])
def test_timed_out_query_is_a_bad_request_without_its_sql(site, suffix):
    response = site.get(f"/{DB}{suffix}?sql={quote(RUNAWAY)}")
    assert response.status_code == 400
    assert str(escape(error_pages.TOO_LONG.format(SETTINGS["sql_time_limit_ms"]))) in response.text
    assert "counter" not in response.text and "interrupted" not in response.text


@pytest.mark.parametrize(
    "path, status",
    [
        (f"/{DB}/no-such-table", 404),
        (f"/{DB}/events?_sort=no_such_column", 400),
        (f"/{DB}.json?sql={quote(RUNAWAY)}", 400),
        (f"/{DB}.csv?sql={quote('select nosuch')}", 400),
        (f"/{DB}/events?" + "&".join(["x=" + "y" * 100] * 90), 414),
        ("/no-such-page", 404),
    ],
)
def test_error_responses_are_never_cached(site, path, status):
    response = site.get(path)
    assert response.status_code == status
    assert response.headers.get_list("cache-control") == ["no-store"]
    # and keep the security headers of every response
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_successful_responses_keep_their_cache_and_entity_tag(site):
    response = site.get(f"/{DB}/events.json", follow=False)
    assert response.status_code == 200
    assert str(response.url) == "http://localhost/binational/events.json"
    assert response.headers["cache-control"] == "max-age=3600"
    assert response.headers["etag"].startswith('"')


def test_long_urls_are_refused(site):
    # A path outside the database, so that no redirect to a content-hashed URL changes its length.
    response = site.get("/-/search?q=" + "y" * 9000)
    assert (response.status_code, response.text) == (414, "This URL is 9,011 bytes long; the limit is 8,192.")
    assert site.get("/-/search?q=" + "y" * 8000).status_code == 200


def traced_get(site, path):
    """GET a path and the SQL it ran, from Datasette's own tracer."""

    async def get():
        traces = []
        with capture_traces(traces):
            response = await site.datasette.client.get(path, follow_redirects=True)
        return response, [trace["sql"] for trace in traces if trace.get("type") == "sql"]

    return site.loop.run_until_complete(get())


def test_citations_look_up_events_once_per_page(site, connection):
    quotes = ", ".join(["quote"] * 20)
    sql = f"select {quotes}, event_id from event_people"
    response, queries = traced_get(site, f"/{DB}?sql={quote(sql)}")
    assert response.status_code == 200
    assert queries.count(citations.SECTIONS_OF_EVENTS_SQL) == 1
    expected = connection.execute("select count(*) from event_people").fetchone()[0] * 20
    assert response.text.count('<cite><a href="/binational/sections/cbi-2023~3A') == expected
    page, queries = traced_get(site, f"/{DB}/event_people?event_id=cbi-2023-tfc-2")
    assert queries.count(citations.SECTIONS_OF_EVENTS_SQL) == 1
    assert page.text.count('href="/binational/sections/cbi-2023~3A4~2Eb~2Eii"') == 3


def test_refused_results_do_not_grow_the_server(server, server_pid):
    hostile = [
        f"/{DB}.json?sql={quote(f'select zeroblob(4999999) from {rows(20)}')}",
        f"/{DB}?sql={quote(f'select zeroblob(4999999) from {rows(20)}')}",
        f"/{DB}.csv?sql={quote(f'select zeroblob(4999999) from {rows(20)}')}",
        f"/{DB}.json?sql={quote(ZEROBLOB_ROWS)}",
        f"/{DB}?sql={quote(STRING_ROWS)}",
        f"/{DB}/events?" + "&".join(["_facet=title"] * 600),
    ]
    urllib.request.urlopen(f"{server}/{DB}/events.json").read()
    before = peak_resident_kib(server_pid)
    for path in hostile:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(server + path)
        assert refused.value.code == 400, path
    with urllib.request.urlopen(f"{server}/{DB}/events.json") as response:
        assert response.status == 200
    assert peak_resident_kib(server_pid) - before < 50 * 1024
