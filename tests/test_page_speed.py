"""What keeps pages fast: answers fixed for the server's life looked up once, pages kept once rendered,
long-lived objects out of the garbage collector's way. Timings are in BENCHMARKS.md; these are the
behaviours they depend on."""

import asyncio
import gc

import pytest
from site_client import load_plugin

fixed_lookups = load_plugin("fixed_lookups")
page_cache = load_plugin("page_cache")
collector = load_plugin("collector")


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_remembered_lookup_runs_once_per_arguments_and_hands_out_copies():
    calls = []

    async def columns(table):
        calls.append(table)
        return [f"{table}_id", "name"]

    remembered = fixed_lookups.remembered(columns)
    first = run(remembered("events"))
    first.append("changed by a caller")
    assert run(remembered("events")) == ["events_id", "name"]
    assert run(remembered("people")) == ["people_id", "name"]
    assert calls == ["events", "people"]


def test_a_remembered_lookup_keeps_a_bounded_number_of_answers(monkeypatch):
    monkeypatch.setattr(fixed_lookups, "MAX_ANSWERS", 2)
    calls = []

    async def exists(table):
        calls.append(table)
        return False

    remembered = fixed_lookups.remembered(exists)
    for table in ["a", "b", "c", "c", "a"]:
        assert run(remembered(table)) is False
    assert calls == ["a", "b", "c", "c"]


def test_permissions_are_remembered_only_without_an_actor():
    calls = []

    async def permission_allowed(actor, action, resource=None, default=False):
        calls.append((actor, action, resource))
        return True

    remembered = fixed_lookups.remembered_permissions(permission_allowed)
    for _ in range(3):
        assert run(remembered(None, "view-table", ("binational", "events"))) is True
        assert run(remembered({"id": "someone"}, "view-table", ("binational", "events"))) is True
    assert calls == [(None, "view-table", ("binational", "events"))] + [({"id": "someone"}, "view-table", ("binational", "events"))] * 3


def test_the_pinned_datasette_has_every_method_the_lookups_replace():
    assert fixed_lookups.missing_methods() == []


def test_the_site_answers_schema_lookups_from_memory(site):
    database = site.datasette.get_database("binational")
    assert database.table_columns.__wrapped__.__self__ is database  # the remembered wrapper of the bound method
    assert run_on(site, database.table_columns("countries")) == ["id", "name", "name_es", "basis", "section_id", "quote"]


def test_objects_alive_after_start_up_are_frozen(site):
    assert gc.get_freeze_count() > 50_000


def test_page_cache_drops_the_least_recently_used_page_first():
    cache = page_cache.PageCache(max_bytes=10, max_page_bytes=6)
    cache.put("a", [], b"aaaa")
    cache.put("b", [], b"bbbb")
    assert cache.get("a") == ([], b"aaaa")  # now the most recently used
    cache.put("c", [], b"cccc")
    assert (list(cache.pages), cache.size) == (["a", "c"], 8)
    cache.put("big", [], b"x" * 7)
    assert (list(cache.pages), cache.size) == (["a", "c"], 8)
    cache.put("a", [], b"a")
    assert (list(cache.pages), cache.size) == (["c", "a"], 5)


def test_a_page_is_rendered_once_then_served_from_memory(site):
    first, second = site.get("/binational/events?_facet_size=3"), site.get("/binational/events?_facet_size=3")
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.headers["x-page-cache"], second.headers["x-page-cache"]) == ("miss", "hit")
    assert second.content == first.content
    for name in ["etag", "content-security-policy", "cache-control", "content-type"]:
        assert second.headers[name] == first.headers[name]


def test_no_cache_requests_are_rendered_again(site):
    site.get("/binational/people?_size=2")
    again = run_on(site, site.datasette.client.get("/binational/people?_size=2", headers={"Cache-Control": "no-cache"}))
    assert again.headers["x-page-cache"] == "miss"
    assert site.get("/binational/people?_size=2").headers["x-page-cache"] == "hit"


def test_errors_are_never_kept(site):
    for _ in range(2):
        response = site.get("/binational/no_such_table")
        assert (response.status_code, response.headers["x-page-cache"]) == (404, "miss")


def test_responses_setting_a_cookie_are_not_kept():
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"set-cookie", b"a=1")]})
        await send({"type": "http.response.body", "body": b"x"})

    cache = page_cache.PageCache()
    serve = page_cache.cached_pages(app, cache)
    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": []}
    run(serve(scope, None, send))
    assert cache.pages == {}
    assert sent[0]["headers"] == [(b"set-cookie", b"a=1"), (b"x-page-cache", b"miss")]


@pytest.mark.parametrize("directive", ["no-cache", "No-Store", "max-age=0, no-cache"])
def test_cache_control_request_directives_that_ask_for_a_fresh_page(directive):
    assert page_cache.wants_fresh({"headers": [(b"cache-control", directive.encode())]})


def test_other_requests_may_be_answered_from_memory():
    assert not page_cache.wants_fresh({"headers": [(b"cache-control", b"max-age=60")]})
    assert not page_cache.wants_fresh({"headers": []})


def run_on(site, coroutine):
    return site.loop.run_until_complete(coroutine)
