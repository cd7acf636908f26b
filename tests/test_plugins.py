"""The plugins' plain functions, apart from Datasette."""

import asyncio
import struct
import zlib

import pytest
from datasette.app import Datasette
from site_client import load_plugin

citations = load_plugin("citations")
search_snippets = load_plugin("search_snippets")
tiles = load_plugin("tiles")
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


def test_tile_is_a_valid_png():
    data = tiles.png(2, 1, (1, 2, 3))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (2, 1)
    idat_length = struct.unpack(">I", data[33:37])[0]
    assert zlib.decompress(data[41 : 41 + idat_length]) == b"\x00\x01\x02\x03\x01\x02\x03"


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
