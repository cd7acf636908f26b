"""The site in a real headless Chromium, served on 127.0.0.1 by server.py as `make serve` serves it.

Screenshots are saved in test-artifacts/ for review (the `page` fixture, conftest.py).
"""

import pytest
from helpers import serious_accessibility_problems


def test_home_page(server, page):
    page.goto(server + "/")
    assert page.locator("h1").first.inner_text() == "binational: U.S.–Mexico binational institutions and engagements"
    assert "Dataset version" in page.locator("footer").inner_text()
    assert page.errors == []


def test_search_finds_accented_names_without_accents(server, page):
    page.goto(server + "/binational/search?q=Lopez+Obrador")
    marks = page.locator("td mark")
    assert marks.count() > 0
    assert {text.lower() for text in marks.all_inner_texts()} <= {"lópez", "obrador"}
    page.goto(server + "/-/search?q=Barcena")
    page.get_by_text("Alicia Bárcena Ibarra").first.wait_for(timeout=15000)
    assert page.errors == []


def chart_svg(page):
    svg = page.locator("figure.site-chart svg").first
    svg.wait_for(timeout=15000)
    page.wait_for_function(
        "document.querySelectorAll('figure.site-chart svg .mark-rect path, figure.site-chart svg .mark-symbol path').length > 0"
    )
    return svg


def test_month_chart_draws_one_bar_a_month_full_width(server, page, connection):
    page.goto(server + "/binational/events_per_month")
    svg = chart_svg(page)
    months = [row[0] for row in connection.execute("select month from summary_events_by_month order by month")]
    assert page.locator("figure.site-chart .mark-rect path").count() == len(months)
    labels = page.locator("figure.site-chart .role-axis-label text").evaluate_all("ts => ts.map(t => t.textContent)")
    assert [label for label in labels if label in months] == months  # in date order, none hidden
    assert page.locator("figure.site-chart .role-axis-label text[transform*='rotate(-']").count() == 0
    assert page.locator(".table-wrapper figure.site-chart").count() == 0
    width = page.evaluate("document.querySelector('figure.site-chart').getBoundingClientRect().width")
    assert svg.bounding_box()["width"] >= 0.95 * width
    assert page.errors == []


def test_institution_chart_is_most_active_first_and_linked(server, page, connection):
    page.goto(server + "/binational/events_per_mechanism")
    chart_svg(page)
    rows = connection.execute(
        "select mechanism, mechanism_id, events from summary_events_by_mechanism order by events desc, mechanism"
    ).fetchall()
    assert page.locator("figure.site-chart .mark-rect path").count() == len(rows)
    labels = page.locator("figure.site-chart .mark-rect path").evaluate_all("ps => ps.map(p => p.getAttribute('aria-label'))")
    assert labels == [
        f"Events: {events}; mechanism: {name}; url: /binational/mechanisms/{mechanism_id}" for name, mechanism_id, events in rows
    ]
    page.locator("figure.site-chart .mark-rect path").first.click()
    page.wait_for_url(f"{server}/binational/mechanisms/{rows[0][1]}")
    assert page.errors == []


def test_timeline_marks_each_event_of_the_year_with_a_link(server, page, connection):
    page.goto(server + "/binational/institutions_timeline")
    chart_svg(page)
    events = [
        row[0]
        for row in connection.execute(
            "select id from events where date_precision = 'day' and start_date like '2023-%' order by start_date, id"
        )
    ]
    assert len(events) == 39
    assert page.locator("figure.site-chart .mark-symbol path").count() == len(events)
    labels = page.locator("figure.site-chart .mark-symbol path").evaluate_all("ps => ps.map(p => p.getAttribute('aria-label'))")
    assert sorted(label.rsplit("url: ", 1)[1] for label in labels) == sorted(f"/binational/events/{event_id}" for event_id in events)
    page.locator("figure.site-chart .mark-symbol path").last.click()
    page.wait_for_url(f"{server}/binational/events/*")
    assert page.url.rsplit("/", 1)[1] in events
    assert page.errors == []


def test_network_draws_the_people_who_met_and_links_to_them(server, page, connection):
    page.goto(server + "/binational/people_network")
    chart_svg(page)
    people = connection.execute(
        "select count(*) from (select person_a_id from people_pairs union select person_b_id from people_pairs)"
    ).fetchone()[0]
    pairs = connection.execute("select count(*) from people_pairs").fetchone()[0]
    assert page.locator("figure.site-chart .mark-symbol path").count() == people
    assert page.locator("figure.site-chart .mark-path path").count() == pairs
    inside = page.evaluate(
        """() => {
            const box = document.querySelector('figure.site-chart svg').getBoundingClientRect();
            return [...document.querySelectorAll('figure.site-chart .mark-symbol path')].every(node => {
                const r = node.getBoundingClientRect();
                return r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
            });
        }"""
    )
    assert inside
    page.locator("figure.site-chart .mark-symbol path").first.click(force=True)
    page.wait_for_url(f"{server}/binational/people/*")
    assert connection.execute("select count(*) from people where id = :id", {"id": page.url.rsplit("/", 1)[1]}).fetchone()[0] == 1
    assert page.errors == []


def map_ready(page):
    page.locator("#places-map[data-places]").wait_for(timeout=15000)


def test_map_draws_geography_and_every_place(server, page, connection):
    page.goto(server + "/binational/places_map")
    map_ready(page)
    mapped = connection.execute(
        "select count(*) from places p join summary_events_by_place s on s.place_id = p.id where p.latitude is not null"
    ).fetchone()[0]
    assert mapped == 8
    assert page.locator("#places-map").get_attribute("data-places") == str(mapped)
    assert page.locator("#places-map path.leaflet-interactive").count() == mapped
    assert page.locator("#places-map .leaflet-overlay-pane path:not(.leaflet-interactive)").count() == 3  # land, state lines, borders
    assert page.locator("#places-map .map-label").all_inner_texts()[:2] == ["United States", "Mexico"]
    radii = page.locator("#places-map path.leaflet-interactive").evaluate_all("ps => ps.map(p => p.getBBox().width)")
    assert len(set(round(r) for r in radii)) > 1  # sized by number of events
    assert page.errors == []


def test_map_popup_lists_the_places_events_as_links(server, page, connection):
    page.goto(server + "/binational/places_map")
    map_ready(page)
    page.locator("#places-map path.leaflet-interactive").first.click(force=True)
    popup = page.locator(".leaflet-popup .map-popup")
    popup.locator("li a").first.wait_for(timeout=10000)
    place = popup.locator("strong a").get_attribute("href").rsplit("/", 1)[1]
    events = connection.execute(
        "select id from events where place_id = :place order by start_date desc limit 50", {"place": place}
    ).fetchall()
    assert len(events) > 0
    assert popup.locator("li a").evaluate_all("as => as.map(a => a.getAttribute('href'))") == [
        f"/binational/events/{event_id}" for (event_id,) in events
    ]
    assert page.errors == []


def test_institution_page_shows_its_places_on_the_map(server, page, connection):
    page.goto(server + "/binational/mechanisms/consular-dialogue")
    map_ready(page)
    places = connection.execute(
        "select count(distinct e.place_id) from events e join places p on p.id = e.place_id "
        "where e.mechanism_id = 'consular-dialogue' and p.latitude is not null"
    ).fetchone()[0]
    assert page.locator("#places-map").get_attribute("data-places") == str(places)
    assert page.errors == []


def test_event_page(server, page):
    page.goto(server + "/binational/events/cbi-2023-tfc-2")
    assert page.locator("article.event-page h1").inner_text() == "Second Trilateral Fentanyl Committee meeting"
    people = page.locator("table.event-people tbody tr")
    assert people.count() == 4
    assert people.first.inner_text().split("\t")[:3] == ["Rosa Icela Rodríguez Velázquez", "host", "Secretary of Security"]
    assert "virtually hosted the Second Trilateral Fentanyl Committee Meeting" in page.locator(".report-text").inner_text()
    assert page.errors == []


def test_a_visit_links_to_its_parts_and_back(server, page):
    page.goto(server + "/binational/events/cbi-2023-verma-mexico-trip")
    assert page.locator("article.event-page dd.event-places").inner_text() == "Mexico City (visited), Ciudad Juárez (visited)"
    page.locator("ul.event-links a", has_text="Second Trilateral Fentanyl Committee meeting").click()
    page.wait_for_url("**/events/cbi-2023-tfc-2")
    assert page.locator("article.event-page h1").inner_text() == "Second Trilateral Fentanyl Committee meeting"
    assert page.locator("article.event-page h2", has_text="Part of").count() == 1
    assert "Deputy Secretary of State Verma's trip" in page.locator("ul.event-links").first.inner_text()
    assert page.errors == []


# Every page type a reader reaches from the home page, and a link each must show to a page of the data.
PAGE_TYPES = {
    "/": None,
    "/binational": "/binational/events",
    "/binational/events": "/binational/events/",
    "/binational/events?topics__arraycontains=security": "/binational/events/",  # a selected facet value
    "/binational/events/cbi-2023-tfc-2": "/binational/people/",
    "/binational/people/alicia-barcena": "/binational/events/",
    "/binational/mechanisms/consular-dialogue": "/binational/events/",
    "/binational/places/mexico-city": "/binational/events/",
    "/binational/organizations/mx-sre": "/binational/events/",
    "/binational/topics/migration": "/binational/events/",
    "/binational/sections/cbi-2023~3A4~2Eb~2Eii": "/binational/events/",
    "/binational/places_map": "/binational/places/",
    "/binational/events_per_mechanism": "/binational/mechanisms/",
    "/binational/people_network": "/binational/people/",
    "/binational/institutions_timeline": "/binational/events/",
    "/binational/timeline?year=2023": "/binational/events/",
    "/binational/attended_by?name=Barcena": "/binational/events/",
    "/binational/who_met_whom": "/binational/people/",
    "/binational/summary_events_by_mechanism": "/binational/mechanisms/",  # a table whose schema names a long index
    "/search?q=fentanyl": "/binational/events/",
}


@pytest.mark.parametrize("width, height", [(1400, 1000), (400, 900)], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", list(PAGE_TYPES))
def test_page_fits_the_screen_is_accessible_and_links_the_data(server, new_page, path, width, height):
    page = new_page(width, height)
    response = page.goto(server + path)
    page.wait_for_load_state("networkidle")
    assert response.status == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.errors == []
    if PAGE_TYPES[path]:
        assert page.locator(f'main a[href^="{PAGE_TYPES[path]}"], .content a[href^="{PAGE_TYPES[path]}"]').count() > 0
    assert serious_accessibility_problems(page) == []


def test_events_table_cells_on_a_phone_are_labelled_by_their_own_column(server, new_page):
    page = new_page(400, 900)
    page.goto(server + "/binational/events")
    cells = page.locator("table.rows-and-columns tbody tr").first.locator("td")
    labels = [cell.evaluate("cell => getComputedStyle(cell, '::before').content") for cell in cells.all()]
    assert labels == ['"Date"', '"Event"', '"Institution"', '"Place"', '"People"', '"Topics"']


def test_events_table_shows_data_on_the_first_screen(server, new_page):
    page = new_page(1400, 1000)
    page.goto(server + "/binational/events")
    first_row = page.locator("table.rows-and-columns tbody tr").first
    assert first_row.bounding_box()["y"] + first_row.bounding_box()["height"] <= 1000
    assert first_row.locator("td.col-title a").get_attribute("href") == "/binational/events/cbi-2023-usmf-launch"
