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


def in_date_order_sections():
    entity_pages = load_plugin("entity_pages")
    return [(table, section) for table, page in sorted(entity_pages.PAGES.items()) for section in page.sections if section.in_date_order]


def test_walking_the_events_in_date_order_finds_the_same_rows_in_the_same_order(synthetic):
    # For the busiest entities and a few rare ones of a synthetic edition: every row, not only the first page.
    _, connection = synthetic
    links = {"people": ("event_people", "person_id"), "topics": ("event_topics", "topic_id")}
    sections = in_date_order_sections()
    assert [(table, section.title) for table, section in sections] == [
        ("people", "Events, in date order, with role and title at the time"),
        ("people", "In the report's words"),
        ("topics", "Events on this topic"),
    ]
    for table, section in sections:
        link, key = links[table]
        counted = connection.execute(f"select {key}, count(distinct event_id) from {link} group by {key} order by 2 desc, 1").fetchall()
        for entity_id, events in counted[:3] + counted[-2:]:
            assert connection.execute(section.in_date_order.count_sql, {"id": entity_id}).fetchone() == (events,)
            rows = connection.execute(section.sql, {"id": entity_id}).fetchall()
            assert rows, (table, entity_id)
            assert connection.execute(section.in_date_order.sql, {"id": entity_id}).fetchall() == rows, (table, section.title, entity_id)


def test_an_entity_in_many_events_is_listed_by_walking_the_events(synthetic, monkeypatch):
    site, connection = synthetic
    entity_pages = load_plugin("entity_pages")
    busiest, events = connection.execute(
        "select person_id, events from summary_events_by_person order by events desc, person_id limit 1"
    ).fetchone()
    section = entity_pages.PAGES["people"].sections[0]
    db = site.datasette.get_database(DB)
    assert site.loop.run_until_complete(entity_pages.section_sql(db, section, busiest)) == section.sql
    monkeypatch.setattr(entity_pages, "MANY_EVENTS", events)
    assert site.loop.run_until_complete(entity_pages.section_sql(db, section, busiest)) == section.in_date_order.sql
    page = site.loop.run_until_complete(entity_pages.entity_page(db, "people", busiest))
    assert page["sections"][0]["more"] == {"shown": 500, "href": f"/binational/event_people?person_id={busiest}"}


def test_the_events_table_pages_60_events_at_a_time_and_the_real_ones_fit_one_page(site, synthetic):
    real = site.json(f"/{DB}/events.json")
    assert (len(real["rows"]), real["next"], real["filtered_table_rows_count"]) == (59, None, 59)
    large, _ = synthetic
    first = large.json(f"/{DB}/events.json?_col=title")
    assert (len(first["rows"]), first["filtered_table_rows_count"], first["next"] is not None) == (60, 10_000, True)
    html = large.get(f"/{DB}/events").text
    assert html.count('<td class="col-title" data-label="Event">') == 60
    assert len(large.json(f"/{DB}/events.json?_size=100")["rows"]) == 100
