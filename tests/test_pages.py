"""Pages of people, institutions, places, organizations, topics and sections, and the events table."""

import pytest
from site_client import Site

DB = "binational"


@pytest.fixture(scope="module")
def site(database):
    site = Site(database)
    yield site
    site.close()


def entity(site, path):
    response = site.get(f"/{DB}/{path}.entity")
    assert response.status_code == 200, response.text[:300]
    return response.json()


def section(page, title):
    return next(s for s in page["sections"] if s["title"] == title)


def texts(rows, column):
    return [row[column]["text"] for row in rows]


def test_person_page_lists_events_in_date_order_with_roles_and_links(site, connection):
    page = entity(site, "people/alicia-barcena")
    assert page["name"] == "Alicia Bárcena Ibarra"
    events = section(page, "Events, in date order, with role and title at the time")
    assert events["headers"] == ["date", "event", "role", "present", "represented by", "title then", "organization", "place"]
    expected = connection.execute(
        "select e.start_date, e.title, ep.role, e.id from event_people ep join events e on e.id = ep.event_id "
        "where ep.person_id = 'alicia-barcena' order by e.start_date is null, e.start_date, e.id"
    ).fetchall()
    assert [(r[0]["text"], r[1]["text"], r[2]["text"], r[1]["href"]) for r in events["rows"]] == [
        (date or "", title, role, f"/{DB}/events/{event_id}") for date, title, role, event_id in expected
    ]
    met = section(page, "Who they met most")
    assert [[cell["text"] for cell in row] for row in met["rows"]][:3] == [
        ["Jake Sullivan", "1"],
        ["Janet Yellen", "1"],
        ["Spencer Cox", "1"],
    ]
    assert met["rows"][0][0]["href"] == f"/{DB}/people/jake-sullivan"
    # She represented López Obrador at the APEP summit: not a meeting with him.
    assert "Andrés Manuel López Obrador" not in [row[0]["text"] for row in met["rows"]]


def test_institution_page_lists_its_meetings_with_ordinals(site):
    page = entity(site, "mechanisms/trilateral-fentanyl-committee")
    meetings = section(page, "Its meetings and events over time")
    assert [(r[0]["text"], r[1]["text"], r[2]["text"]) for r in meetings["rows"]] == [
        ("2023-01", "Establishment of the Trilateral Fentanyl Committee", ""),
        ("2023-04-13", "First Trilateral Fentanyl Committee meeting", "1"),
        ("2023-07-25", "Second Trilateral Fentanyl Committee meeting", "2"),
        ("2023-12-19", "Third Trilateral Fentanyl Committee meeting", "3"),
        ("2024", "Planned in-person Trilateral Fentanyl Committee meeting in Mexico", ""),
    ]
    facts = {fact["label"]: fact["text"] for fact in page["facts"]}
    assert (facts["acronym"], facts["kind"], facts["members"], facts["established"]) == ("TFC", "committee", "US, MX, CA", "2023-01")


def test_place_page_includes_the_places_inside_it(site, connection):
    page = entity(site, "places/mexico-city")
    inside = section(page, "Places inside it")
    expected = [row[0] for row in connection.execute("select name from places where parent_id = 'mexico-city' order by name")]
    assert texts(inside["rows"], 0) == expected
    events = section(page, "Events here and at the places inside it, latest first")
    count = connection.execute(
        "select count(*) from event_places x join places p on p.id = x.place_id where x.place_id = 'mexico-city' or p.parent_id = 'mexico-city'"
    ).fetchone()[0]
    assert len(events["rows"]) == count == 12


def test_section_page_shows_its_text_and_the_rows_taken_from_it(site, connection):
    response = site.get(f"/{DB}/sections/cbi-2023~3A4~2Eb~2Eii")
    assert response.status_code == 200
    page = entity(site, "sections/cbi-2023~3A4~2Eb~2Eii")
    body = connection.execute("select body from sections where id = 'cbi-2023:4.b.ii'").fetchone()[0]
    assert page["paragraphs"] == body.split("\n\n")
    events = section(page, "Events it describes")
    ids = [
        row[0]
        for row in connection.execute(
            "select id from events where section_id = 'cbi-2023:4.b.ii' order by start_date is null, start_date, id"
        )
    ]
    assert [r[1]["href"] for r in events["rows"]] == [f"/{DB}/events/{event_id}" for event_id in ids]


@pytest.mark.parametrize(
    "path, heading",
    [
        ("people/rosa-icela-rodriguez", "Rosa Icela Rodríguez Velázquez"),
        ("mechanisms/consular-dialogue", "Mexico-U.S. Consular Dialogue"),
        ("places/washington-dc", "Washington, D.C."),
        ("organizations/mx-sre", None),
        ("topics/migration", None),
        ("sections/cbi-2023~3A2~2Ej", None),
    ],
)
def test_entity_pages_render_with_links(site, connection, path, heading):
    html = site.get(f"/{DB}/{path}").text
    table, key = path.split("/")
    assert '<article class="entity-page">' in html
    if heading:
        assert f"<h1>{heading}</h1>" in html
    assert f'href="/{DB}/events/' in html or table == "sections"
    assert f'<a href="/{DB}/{path}.entity">JSON</a>' in html


def test_an_unknown_entity_is_404(site):
    assert site.get(f"/{DB}/people/nobody-at-all.entity").status_code == 404
    assert site.get(f"/{DB}/people/nobody-at-all").status_code == 404


def test_events_table_is_compact_and_linked(site, connection):
    html = site.get(f"/{DB}/events").text
    assert '<details class="column-glossary"><summary>What each column means</summary>' in html
    first = connection.execute("select id, title from events order by date_order, id limit 1").fetchone()
    assert first == ("cbi-2023-usmf-launch", "Launch of the U.S.-Mexico Foundation")
    assert f'<td class="col-title" data-label="Event"><a href="/{DB}/events/{first[0]}">{first[1]}</a></td>' in html
    assert f'<a href="/{DB}/people/andres-manuel-lopez-obrador">Andrés Manuel López Obrador</a>' in html
    assert '<a href="/binational/topics/consular-affairs">Consular affairs</a>' in html


def test_undated_events_come_last(site, connection):
    rows = site.json(f"/{DB}/events.json?_shape=array&_size=max&_col=start_date")
    dates = [row["start_date"] for row in rows]
    undated = connection.execute("select count(*) from events where start_date is null").fetchone()[0]
    assert undated == 8
    assert dates[-undated:] == [None] * undated
    assert dates[: len(dates) - undated] == sorted(dates[: len(dates) - undated])


def test_facets_show_names_and_months_in_date_order(site, connection):
    html = site.get(f"/{DB}/events").text
    months = [row[0] for row in connection.execute("select month from summary_events_by_month order by month")]
    positions = [html.index(f">{month}</a>") for month in months]
    assert positions == sorted(positions)
    assert ">Economic development</a> 20" in html
    assert ">United States</a> 55" in html
    assert "<strong>institution" in html and "<strong>place" in html


@pytest.mark.parametrize(
    "path, links",
    [
        (f"/{DB}/timeline?year=2023", ['<a href="/binational/events/cbi-2023-tfc-2">Second Trilateral Fentanyl Committee meeting</a>']),
        (
            f"/{DB}/attended_by?name=Barc",
            ['<a href="/binational/events/cbi-2023-apep-summit-nov">', '<a href="/binational/people/alicia-barcena">'],
        ),
        (
            f"/{DB}/who_met_whom?name=Sherwood",
            ['<a href="/binational/people/elizabeth-sherwood-randall">', '<a href="/binational/events/cbi-2023-tfc-1">'],
        ),
        (
            f"/{DB}/search?q=aquifers",
            ['<a href="/binational/events/cbi-2023-transboundary-aquifers-map">', '<a href="/binational/sections/cbi-2023~3A5~2Ea">'],
        ),
        (
            f"/{DB}/events_at_place?place=Juarez",
            ['<a href="/binational/places/ciudad-juarez">Ciudad Juárez</a>', '<a href="/binational/events/cbi-2023-verma-mexico-trip">'],
        ),
        (f"/{DB}/figures_with_quotes?unit=USD", ['<a href="/binational/events/']),
        (f"/{DB}/data_notes_with_quotes?kind=date-conflict", ['<a href="/binational/data_notes/']),
    ],
)
def test_query_results_link_to_their_pages(site, path, links):
    html = site.get(path).text
    for link in links:
        assert link in html, (path, link)


def test_attended_by_without_a_name_lists_the_people(site, connection):
    rows = site.json(f"/{DB}/attended_by.json?name=&_shape=array")
    people = connection.execute("select count(distinct person_id) from event_people").fetchone()[0]
    assert len(rows) == people
    barcena = next(row for row in rows if row["person_id"] == "alicia-barcena")
    events = connection.execute("select count(*) from event_people where person_id = 'alicia-barcena'").fetchone()[0]
    assert barcena["event"] == f"{events} events: type the name to list them"


def test_place_queries_ignore_accents(site):
    with_accent = site.json(f"/{DB}/events_at_place.json?place=Juárez&_shape=array")
    without = site.json(f"/{DB}/events_at_place.json?place=juarez&_shape=array")
    assert with_accent == without
    assert [row["event_id"] for row in without] == ["cbi-2023-verma-mexico-trip"]


def test_search_page_groups_hits_by_kind_in_a_fixed_order(site):
    result = site.json("/search.json?q=fentanyl")
    kinds = [group["kind"] for group in result["groups"]]
    order = ["Events", "People", "Institutions", "Organizations", "Places", "Figures", "Statements", "Report sections"]
    assert kinds == [kind for kind in order if kind in kinds]
    assert kinds == ["Events", "Institutions", "Figures", "Statements", "Report sections"]
    events = result["groups"][0]
    assert len(events["hits"]) == 10 and events["more"] == "/binational/events?_search=fentanyl"
    for group in result["groups"]:
        for hit in group["hits"]:
            assert hit["url"].startswith(f"/{DB}/{group['table']}/")
            assert site.get(hit["url"]).status_code == 200
            assert "\u27e6" in hit["snippet"] and len(hit["snippet"].split()) <= 24 + 4


def test_search_page_finds_partial_and_accentless_words(site):
    people = next(group for group in site.json("/search.json?q=Barc")["groups"] if group["kind"] == "People")
    assert [hit["id"] for hit in people["hits"]] == ["alicia-barcena"]
    places = next(group for group in site.json("/search.json?q=juarez")["groups"] if group["kind"] == "Places")
    assert [hit["id"] for hit in places["hits"]] == ["ciudad-juarez"]


def test_search_page_escapes_and_highlights(site):
    html = site.get("/search?q=aquifers").text
    assert (
        '<a href="/binational/events/cbi-2023-transboundary-aquifers-map">Texas A&amp;M AgriLife publishes transboundary aquifers map</a>'
        in html
    )
    assert "transboundary <mark>aquifers</mark> map" in html
    assert site.get("/search?q=%3Cscript%3E").text.count("<script>alert") == 0


@pytest.mark.parametrize("q", ['"', "AND", "-", "*", "((", "NEAR(a b)", "a" * 500, ""])
def test_search_page_answers_any_input(site, q):
    response = site.get(f"/search?q={q}")
    assert response.status_code == 200
    assert "Traceback" not in response.text and "fts5" not in response.text.lower()


def test_former_search_address_redirects(site):
    response = site.get("/-/search?q=Lopez", follow=False)
    assert (response.status_code, response.headers["location"]) == (302, "/search?q=Lopez")
