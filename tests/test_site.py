"""Every page type of the published site, through Datasette's own test client."""

import html
import re

import pytest
from datasette.utils import tilde_encode
from markupsafe import escape
from site_client import METADATA

DB = "binational"
QUERIES = METADATA["databases"][DB]["queries"]
TABLES = METADATA["databases"][DB]["tables"]


def public_tables(connection):
    sql = "select name from sqlite_master where type in ('table', 'view') and name not like '%\\_fts%' escape '\\' order by name"
    return [row[0] for row in connection.execute(sql)]


def test_every_table_and_column_is_described(connection):
    missing = []
    for table in public_tables(connection):
        described = TABLES.get(table, {})
        if not described.get("description"):
            missing.append(table)
        columns = [row[1] for row in connection.execute(f"pragma table_info('{table}')")]
        missing += [f"{table}.{column}" for column in columns if column not in described.get("columns", {})]
    assert missing == []


@pytest.mark.parametrize("path", ["/", f"/{DB}", "/-/search?q=Lopez", "/-/metadata", "/-/versions", "/-/plugins"])
def test_top_pages(site, path):
    response = site.get(path)
    assert response.status_code == 200, response.text[:300]


def test_every_table_page_and_its_json_csv_and_first_row(site, connection):
    for table in public_tables(connection):
        for suffix in ("", ".json?_shape=array&_labels=on", ".csv"):
            response = site.get(f"/{DB}/{table}{suffix}")
            assert response.status_code == 200, (table, suffix, response.text[:300])
        count = connection.execute(f"select count(*) from [{table}]").fetchone()[0]
        assert len(site.json(f"/{DB}/{table}.json?_shape=array&_size=max")) == count, table
        pk_columns = [row[1] for row in sorted(connection.execute(f"pragma table_info('{table}')"), key=lambda r: r[5]) if row[5]]
        if pk_columns:
            first = connection.execute(f"select {', '.join(pk_columns)} from [{table}] limit 1").fetchone()
            path = f"/{DB}/{table}/" + ",".join(tilde_encode(str(value)) for value in first)
            response = site.get(path)
            assert response.status_code == 200, (path, response.text[:300])


def facet_name(facet):
    """The column a metadata facet names: "column", {"array": "column"} or {"counted": {"column": "column", …}}."""
    if isinstance(facet, str):
        return facet
    config = next(iter(facet.values()))
    return config["column"] if isinstance(config, dict) else config


def test_facets_in_metadata_are_computed(site):
    for table, config in TABLES.items():
        facets = config.get("facets", [])
        if not facets:
            continue
        data = site.json(f"/{DB}/{table}.json")
        names = [facet_name(facet) for facet in facets]
        assert sorted(data["facet_results"]) == sorted(names), table
        assert all(data["facet_results"][name]["results"] for name in names), table


def test_event_facets_count_the_report(site, connection):
    facets = site.json(f"/{DB}/events.json")["facet_results"]
    chapters = {item["value"]: item["count"] for item in facets["chapter"]["results"]}
    assert chapters == dict(connection.execute("select chapter, count(*) from events group by chapter").fetchall())
    topics = {item["value"]: item["count"] for item in facets["topics"]["results"]}
    assert topics == dict(connection.execute("select topic_id, count(*) from event_topics group by topic_id").fetchall())


def parameters(sql):
    return sorted(set(re.findall(r"(?<!:):([a-z_]+)", sql)))


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_canned_query_runs_with_and_without_parameters(site, name):
    query = QUERIES[name]
    empty = "&".join(f"{p}=" for p in parameters(query["sql"]))
    data = site.json(f"/{DB}/{name}.json?_shape=objects&{empty}")
    assert "rows" in data and data.get("ok", True)
    page = site.get(f"/{DB}/{name}?{empty}")
    assert page.status_code == 200
    assert str(escape(query["title"])) in page.text


def test_person_events_finds_a_person_without_accents(site, connection):
    rows = site.json(f"/{DB}/attended_by.json?_shape=array&name=Barcena")
    expected = connection.execute(
        "select e.id from event_people ep join events e on e.id = ep.event_id where ep.person_id = 'alicia-barcena' order by e.start_date"
    ).fetchall()
    assert [row["event_id"] for row in rows] == [row[0] for row in expected]
    assert {row["person"] for row in rows} == {"Alicia Bárcena Ibarra"}
    # An empty name lists the choices: every person, with their number of events and no event row.
    choices = site.json(f"/{DB}/attended_by.json?_shape=array&name=")
    assert [row["person_id"] for row in choices] == [
        row[0] for row in connection.execute("select p.id from people p where p.id in (select person_id from event_people) order by p.name")
    ]
    assert {row["event_id"] for row in choices} == {None}


def test_search_query_highlights_matches(site):
    rows = site.json(f"/{DB}/search.json?_shape=array&q=Lopez")
    assert rows and all("⟦" in row["snippet"] for row in rows)
    page = site.get(f"/{DB}/search?q=Lopez").text
    assert "<mark>López</mark>" in page
    assert site.json(f"/{DB}/search.json?_shape=array&q=") == []


def test_table_search_folds_accents(site):
    rows = site.json(f"/{DB}/people.json?_shape=array&_search=Lopez")
    assert [row["id"] for row in rows] == ["andres-manuel-lopez-obrador"]


def test_calendar_feed(site, connection):
    response = site.get(f"/{DB}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    body = response.text.replace("\r\n ", "")
    day_events = connection.execute("select count(*) from events where date_precision = 'day'").fetchone()[0]
    assert body.startswith("BEGIN:VCALENDAR") and body.rstrip().endswith("END:VCALENDAR")
    assert body.count("BEGIN:VEVENT") == day_events
    assert "UID:cbi-2023-tfc-2@localhost\r\n" in body
    assert "DTSTART;VALUE=DATE:20230725\r\n" in body
    assert body.count("DTSTART;VALUE=DATE:") == day_events


def test_database_download_is_the_file(site, database):
    response = site.get(f"/{DB}.db")
    assert response.status_code == 200
    assert response.content == database.read_bytes()


def test_quotes_render_as_citations(site):
    page = site.get(f"/{DB}/figures").text
    assert '<blockquote class="citation">' in page
    assert f'<a href="/{DB}/sections/cbi-2023~3A3~2Ec~2Eii">§&nbsp;3.c.ii</a>' in page


def test_event_quote_links_through_its_event(site):
    page = site.get(f"/{DB}/event_people?event_id=cbi-2023-tfc-2").text
    assert page.count('href="/binational/sections/cbi-2023~3A4~2Eb~2Eii"') == 3


def test_event_page_shows_everything_on_one_screen(site):
    page = site.get(f"/{DB}/events/cbi-2023-tfc-2").text
    assert "<h1>Second Trilateral Fentanyl Committee meeting</h1>" in page
    for text in (
        "Rosa Icela Rodríguez Velázquez",
        "Elizabeth Sherwood-Randall",
        "Jody Thomas",
        "co-chair",
        "Figures",
        "The report’s paragraph (§ 4.b.ii)",
    ):
        assert text in page


def event_page_text(site, event_id):
    """The event page's article as plain text, tags removed and white space collapsed."""
    page = site.get(f"/{DB}/events/{event_id}").text
    article = page[page.index('<article class="event-page">') : page.index("</article>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", article)).split())


def test_event_page_shows_every_place_and_both_ends_of_a_part(site):
    trip = event_page_text(site, "cbi-2023-verma-mexico-trip")
    assert "Places Mexico City (visited), Ciudad Juárez (visited)" in trip
    assert (
        "Parts Second Trilateral Fentanyl Committee meeting (2023-07-25): “Deputy Secretary of State Richard R. Verma's visit "
        "to Mexico City and Ciudad Juárez from July 24-26 included participation in the second meeting of the Trilateral "
        "Fentanyl Committee.” (§ 2.h)"
    ) in trip
    meeting = event_page_text(site, "cbi-2023-tfc-2")
    assert "Part of Deputy Secretary of State Verma's trip to Mexico City and Ciudad Juárez (2023-07-24)" in meeting
    assert "Richard R. Verma participant Deputy Secretary of State U.S. Department of State yes" in meeting
    dialogue = event_page_text(site, "cbi-2023-hlsd-2023")
    assert (
        "Mechanisms High-Level Security Dialogue (meeting-of), U.S.-Mexico Bicentennial Framework for Security, Public Health, and Safe Communities (under)"
        in dialogue
    )
    planned = event_page_text(site, "cbi-2023-hled-ministerial-2023-planned")
    assert "Took place as Third U.S.-Mexico High-Level Economic Dialogue meeting (2023-09-28)" in planned
    assert "Planned as HLED ministerial meeting planned for the fall of 2023 (2023)" in event_page_text(site, "cbi-2023-hled-2023")
    assert "Followed by U.S. congressional delegation meets Chief Officer for North America Roberto Velasco at the Foreign Ministry" in (
        event_page_text(site, "cbi-2023-cornyn-codel-national-palace")
    )


def test_event_page_says_who_was_not_there(site):
    summit = event_page_text(site, "cbi-2023-apep-summit-nov")
    assert "Andrés Manuel López Obrador represented Mexico's President no: represented by Alicia Bárcena Ibarra" in summit
    assert "Alicia Bárcena Ibarra speaker Foreign Secretary Ministry of Foreign Affairs yes" in summit
    assert "Part of Foreign Secretary Bárcena's second visit to Washington, D.C. (2023-11)" in summit


def test_ciudad_juarez_shows_verma_trip(site):
    rows = site.json(f"/{DB}/events_at_place.json?_shape=array&place=Ju%C3%A1rez")
    assert [(row["place"], row["role"], row["event_id"]) for row in rows] == [("Ciudad Juárez", "visited", "cbi-2023-verma-mexico-trip")]
    rows = site.json(f"/{DB}/events_of_mechanism.json?_shape=array&mechanism=Bicentennial")
    assert [(row["event_id"], row["role"]) for row in rows][-1] == ("cbi-2023-hlsd-2023", "under")
    assert len(rows) == 7


def test_the_cbi_types_are_a_facet_and_a_summary(site):
    facet = site.json(f"/{DB}/mechanisms.json?_facet=cbi_type")["facet_results"]["cbi_type"]["results"]
    assert sorted((item["value"], item["count"]) for item in facet) == [
        ("agreement", 6),
        ("dialogue-mechanism", 12),
        ("organization", 2),
        ("program", 13),
    ]
    assert site.json(f"/{DB}/events_per_cbi_type.json?_shape=array") == [
        {"cbi_type": "agreement", "institutions": 6, "mechanisms": 6, "organizations": 0, "events": 11},
        {"cbi_type": "dialogue-mechanism", "institutions": 12, "mechanisms": 12, "organizations": 0, "events": 22},
        {"cbi_type": "organization", "institutions": 4, "mechanisms": 2, "organizations": 2, "events": 5},
        {"cbi_type": "program", "institutions": 13, "mechanisms": 13, "organizations": 0, "events": 7},
    ]
    page = site.get(f"/{DB}/mechanisms/bicentennial-framework").text
    assert "cbi_type" in page and "agreement" in page


def test_event_page_plugin_does_not_act_on_other_rows(site):
    page = site.get(f"/{DB}/sections/{tilde_encode('cbi-2023:4.b.ii')}").text
    assert 'class="event-page"' not in page


def test_footer_shows_version_digest_and_download(site, connection):
    version, digest = (
        connection.execute("select value from dataset_info where key = :k", {"k": key}).fetchone()[0]
        for key in ("dataset_version", "source_digest")
    )
    page = site.get("/").text
    assert f"Dataset version <strong>{version}</strong>" in page
    assert f'<code title="sha256 over every source file">{digest[:12]}</code>' in page
    assert f'<a href="/{DB}.db">Download the SQLite database</a>' in page


def test_map_libraries_and_geography_are_served_by_the_site(site):
    for path, content_type in [
        ("/assets/vendor/leaflet.js", "text/javascript"),
        ("/assets/vendor/topojson-client.min.js", "text/javascript"),
        ("/assets/vendor/vega-embed.min.js", "text/javascript"),
        ("/assets/map.js", "text/javascript"),
        ("/assets/site.css", "text/css"),
    ]:
        response = site.get(path)
        assert (path, response.status_code, response.headers["content-type"].split(";")[0]) == (path, 200, content_type)
    world = site.get("/assets/vendor/countries-50m.json").json()
    assert (world["type"], sorted(world["objects"])) == ("Topology", ["countries", "land"])
    assert {g["properties"]["name"] for g in world["objects"]["countries"]["geometries"]} >= {"Mexico", "United States of America"}
    states = site.get("/assets/vendor/states-10m.json").json()
    assert len(states["objects"]["states"]["geometries"]) == 56


def test_database_page_links_every_chart_and_the_map(site):
    page = site.get(f"/{DB}").text
    for name in ("events_per_month", "events_per_mechanism", "events_per_topic", "institutions_timeline", "people_network", "places_map"):
        assert f'<a href="/{DB}/{name}">' in page, name


@pytest.mark.parametrize(
    "path, has_chart, has_map",
    [
        (f"/{DB}/events_per_month", True, False),
        (f"/{DB}/events_per_mechanism", True, False),
        (f"/{DB}/events_per_topic", True, False),
        (f"/{DB}/institutions_timeline", True, False),
        (f"/{DB}/people_network", True, False),
        (f"/{DB}/usd_figures", False, False),
        (f"/{DB}/places_map", False, True),
        (f"/{DB}/mechanism_places?mechanism_id=consular-dialogue", False, True),
        (f"/{DB}/places/mexico-city", False, True),
        (f"/{DB}/mechanisms/consular-dialogue", False, True),
        (f"/{DB}/events/cbi-2023-tfc-2", False, False),
        (f"/{DB}/events", False, False),
    ],
)
def test_charts_and_maps_are_on_their_pages_only(site, path, has_chart, has_map):
    page = site.get(path).text
    assert ('<script src="/assets/vendor/vega-embed.min.js"></script>' in page, "vegaEmbed(chart" in page) == (has_chart, has_chart)
    assert ('<script src="/assets/map.js"></script>' in page, "binationalMap(container" in page) == (has_map, has_map)
    assert "None" not in re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
