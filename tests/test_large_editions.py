"""Pages stay within bounds when an edition is large: an entity page shows the first rows of each list
with a link to all of them, and the annotated report links the first rows of each kind. At the real
size nothing is cut; the serving benchmark runs every page at 10^6 events (BENCHMARKS.md)."""

from site_client import load_plugin

DB = "binational"


def test_an_entity_section_shows_its_first_rows_and_links_to_all_of_them(site, monkeypatch):
    entity_pages = load_plugin("entity_pages")
    monkeypatch.setattr(entity_pages, "MAX_SECTION_ROWS", 2)
    page = site.loop.run_until_complete(entity_pages.entity_page(site.datasette.get_database(DB), "people", "alicia-barcena"))
    events = page["sections"][0]
    assert events["title"] == "Events, in date order, with role and title at the time"
    assert len(events["rows"]) == 2
    assert events["more"] == {"shown": 2, "href": "/binational/event_people?person_id=alicia-barcena"}


def test_entity_sections_of_the_real_data_are_whole(site):
    entity_pages = load_plugin("entity_pages")
    page = site.loop.run_until_complete(entity_pages.entity_page(site.datasette.get_database(DB), "people", "alicia-barcena"))
    assert [section["more"] for section in page["sections"]] == [None] * len(page["sections"])
    assert "The first" not in site.get(f"/{DB}/people/alicia-barcena").text


def test_the_annotated_report_links_at_most_its_limit_of_rows_of_each_kind(site, monkeypatch):
    annotated_report = load_plugin("annotated_report")
    monkeypatch.setattr(annotated_report, "MAX_CITATIONS_PER_KIND", 3)
    report = site.loop.run_until_complete(annotated_report.load(site.datasette.get_database(DB), "cbi-2023"))
    assert report["citations_cut_at"] == 3
    assert report["counts"]["citations"] <= 3 * len(annotated_report.SOURCES)


def test_the_real_annotated_report_is_whole(site):
    annotated_report = load_plugin("annotated_report")
    report = site.loop.run_until_complete(annotated_report.load(site.datasette.get_database(DB), "cbi-2023"))
    assert report["citations_cut_at"] is None
    assert "more rows than a page can link" not in site.get("/report/cbi-2023").text


def test_the_network_draws_the_people_of_the_pairs_it_loads(site):
    # Both read the pairs that shared the most events, in the same order: at most 1,000 (every pair of the real data).
    metadata = site.get("/-/metadata.json").json()
    chart = metadata["databases"][DB]["queries"]["people_network"]["chart"]
    pairs_url = next(source["url"] for source in chart["data"] if source["name"] == "pairs")
    pairs = site.get(pairs_url).json()
    people = site.get(f"/{DB}/people_network.json?_shape=array").json()
    assert len(pairs) == 142
    assert {row["person_id"] for row in people} == {row[key] for row in pairs for key in ("person_a_id", "person_b_id")}
    assert [row["events"] for row in pairs] == sorted((row["events"] for row in pairs), reverse=True)
