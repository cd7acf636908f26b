"""The plugins' plain functions, apart from Datasette."""

import asyncio

import pytest
from datasette.app import Datasette
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
