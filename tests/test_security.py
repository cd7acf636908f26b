"""A public read-only site: hostile queries, hostile parameters, hostile data, headers, redirects."""

import hashlib
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from helpers import FIXTURE_SOURCES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from site_client import METADATA, Site, load_plugin

import build

DB = "binational"
QUERIES = METADATA["databases"][DB]["queries"]


security_headers = load_plugin("security_headers")


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


TARGETS = sorted([f"/{DB}/{table}" for table in METADATA["databases"][DB]["tables"]] + [f"/{DB}/{name}" for name in QUERIES])
PARAMETER_NAMES = st.sampled_from(
    [
        "_sort",
        "_sort_desc",
        "_size",
        "_facet",
        "_search",
        "_where",
        "_next",
        "_col",
        "_nocol",
        "_labels",
        "_shape",
        "_facet_array",
        "q",
        "name",
        "place",
        "year",
        "unit",
        "kind",
        "id__gt",
        "start_date__lt",
        "topics__arraycontains",
        "x",
    ]
)
VALUES = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    target=st.sampled_from(TARGETS),
    suffix=st.sampled_from(["", ".json", ".csv"]),
    params=st.lists(st.tuples(PARAMETER_NAMES, VALUES), max_size=4),
)
def test_random_parameters_never_cause_a_server_error(site, target, suffix, params):
    query = "&".join(f"{quote(name)}={quote(value)}" for name, value in params)
    response = site.get(f"{target}{suffix}?{query}")
    assert response.status_code < 500, (target, suffix, query, response.text[:300])


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
    ],
)
def test_malformed_parameters_are_bad_requests(site, path):
    response = site.get(path)
    assert response.status_code == 400
    assert "Traceback" not in response.text
