"""The home page, the about page and the site's base template, in-process and in a real browser."""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import datasette
import pytest
from helpers import ROOT, overflows, serious_accessibility_problems
from markupsafe import escape
from site_client import METADATA, load_plugin

DB = "binational"
WIDTHS = [(1400, 1000), (400, 900)]
ENTRY_POINTS = [
    f"/{DB}/events",
    f"/{DB}/institutions_timeline",
    f"/{DB}/mechanisms",
    f"/{DB}/people",
    f"/{DB}/people_network",
    f"/{DB}/places_map",
    "/search",
    "/report/cbi-2023",
    f"/{DB}.db",
    "/about#api",
    "/about",
    f"/{DB}",
]
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)

front_pages = load_plugin("front_pages")


def info(connection):
    return dict(connection.execute("select key, value from dataset_info"))


def public_tables(connection):
    sql = (
        "select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' "
        "and name not like '%\\_fts%' escape '\\' order by name"
    )
    return [row[0] for row in connection.execute(sql)]


def test_base_template_is_datasettes_with_the_pages_language():
    ours = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    theirs = (Path(datasette.__file__).parent / "templates" / "base.html").read_text(encoding="utf-8")
    comment, ours = ours.split("\n", 1)
    assert comment.startswith("{#-") and comment.endswith("-#}")
    assert ours == theirs.replace("<html>\n", '<html lang="en">\n', 1)


def test_home_page_json_ld_describes_the_dataset(site, connection):
    html = site.get("/").text
    scripts = JSON_LD.findall(html)
    assert len(scripts) == 1
    data = json.loads(scripts[0])
    facts = info(connection)
    base = "http://localhost"
    assert {key: data[key] for key in ("@context", "@type", "name", "description", "url", "version", "license", "creator", "citation")} == {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": facts["title"],
        "description": facts["description"],
        "url": f"{base}/",
        "version": facts["dataset_version"],
        "license": facts["license_url"],
        "creator": {"@type": "Organization", "name": facts["creator"]},
        "citation": facts["citation"],
    }
    assert data["datePublished"] == facts["dataset_released"]
    assert [report["url"] for report in data["isBasedOn"]] == [
        f"{base}/report/{r}" for (r,) in connection.execute("select id from reports")
    ]
    downloads = {d["name"]: (d["encodingFormat"], d["contentUrl"]) for d in data["distribution"]}
    assert downloads == {
        f"{DB}.db": ("application/vnd.sqlite3", f"{base}/{DB}.db"),
        **{f"{table}.csv": ("text/csv", f"{base}/{DB}/{table}.csv?_stream=on") for table in public_tables(connection)},
    }
    for _, url in downloads.values():
        split = urlsplit(url)
        assert site.get(f"{split.path}?{split.query}").status_code == 200, url
    events = site.get(f"/{DB}/events.csv?_stream=on").text
    assert len(events.strip().splitlines()) == 1 + connection.execute("select count(*) from events").fetchone()[0]


def test_the_index_json_is_still_datasettes(site):
    response = site.get("/.json")
    assert response.status_code == 200
    assert list(response.json()) == [DB]


def test_json_ld_cannot_close_its_script_element():
    script = front_pages.json_ld_script({"name": "</script><script>alert(1)</script> & more"})
    assert "<" not in script and ">" not in script
    assert json.loads(script) == {"name": "</script><script>alert(1)</script> & more"}


def test_home_page_counts_and_citation_come_from_the_database(site, connection):
    html = site.get("/").text
    counts = re.findall(r'<li><a href="([^"]+)"><strong>([\d,]+)</strong> ([a-z ]+)</a></li>', html)
    tables = ["events", "people", "mechanisms", "organizations", "places", "figures", "statements", "data_notes"]
    assert counts == [
        (f"/{DB}/{table}", f"{connection.execute(f'select count(*) from {table}').fetchone()[0]:,}", label)
        for table, label in zip(
            tables, ["events", "people", "institutions", "organizations", "places", "figures", "statements", "data notes"], strict=True
        )
    ]
    facts = info(connection)
    assert f"Dataset version <strong>{facts['dataset_version']}</strong>, released {facts['dataset_released']}" in html
    assert f'<p class="front-citation">Cite as: {escape(facts["citation"])}</p>' in html
    assert f'<a href="{facts["license_url"]}">{escape(facts["license"])}</a>' in html
    assert '<form class="front-search" action="/search" method="get" role="search">' in html


def test_about_page_says_how_it_is_built_versioned_cited_and_licensed(site, connection):
    response = site.get("/about")
    assert response.status_code == 200
    html = response.text
    facts = info(connection)
    for heading in ("The report", "How it is built", "Versions", "How to cite", "Licence", "Download and API"):
        assert re.search(rf'<h2 id="[a-z]+">{heading}</h2>', html), heading
    assert f'<p class="front-citation">{escape(facts["citation"])}</p>' in html
    assert f'<code class="digest">{facts["source_digest"]}</code>' in html
    assert f'<code class="digest">{facts["report_sha256:cbi-2023"]}</code>' in html
    assert '<a href="/report/cbi-2023">Read it here, annotated</a>' in html
    assert f'<a href="{facts["license_url"]}">{escape(facts["license"])}</a>' in html
    assert '<a href="/binational/sections/cbi-2023:3.c.i"><code>cbi-2023:3.c.i</code></a>' in html
    assert METADATA["about_url"] == "/about"
    assert '<a href="/about">' in site.get(f"/{DB}").text


def links(page):
    return page.locator("main a").evaluate_all("links => links.map(a => a.getAttribute('href'))")


def assert_site_links_answer(page, server):
    """Every link of the page's main part to this site answers: 200, or 302 for a section id as cited."""
    for href in sorted({href.split("#")[0] for href in links(page) if href.startswith("/") and not href.endswith(".db")}):
        status = page.request.get(server + href, max_redirects=0).status
        assert status == (302 if href.startswith(f"/{DB}/sections/") else 200), href


@pytest.mark.parametrize("width, height", WIDTHS, ids=[f"{w}px" for w, _ in WIDTHS])
def test_home_page_at_both_widths(server, new_page, connection, width, height):
    page = new_page(width, height)
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert not overflows(page)
    assert serious_accessibility_problems(page) == []
    data = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert (data["@type"], data["version"]) == ("Dataset", info(connection)["dataset_version"])
    hrefs = links(page)
    assert [href for href in ENTRY_POINTS if href not in hrefs] == []
    assert page.locator(".front-counts a").first.inner_text().split() == [
        str(connection.execute("select count(*) from events").fetchone()[0]),
        "events",
    ]
    assert_site_links_answer(page, server)
    page.get_by_label("Search events, people, institutions, organizations and the report").fill("Barcena")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(f"{server}/search?q=Barcena")
    assert page.errors == []


@pytest.mark.parametrize("width, height", WIDTHS, ids=[f"{w}px" for w, _ in WIDTHS])
def test_about_page_at_both_widths(server, new_page, width, height):
    page = new_page(width, height)
    page.goto(server + "/about")
    assert page.locator("html").get_attribute("lang") == "en"
    assert not overflows(page)
    assert serious_accessibility_problems(page) == []
    assert_site_links_answer(page, server)
    page.locator("main a", has_text="Read it here, annotated").click()
    page.wait_for_url(f"{server}/report/cbi-2023")
    assert page.errors == []
