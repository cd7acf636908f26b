"""The site in a real headless Chromium, served on 127.0.0.1 by server.py as `make serve` serves it.

Screenshots are saved in test-artifacts/ for review.
"""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make install-system` (make test does this)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
    page.on(
        "request",
        lambda req: None if req.url.startswith(("http://127.0.0.1", "data:", "blob:")) else errors.append(f"off-site request: {req.url}"),
    )
    page.errors = errors
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


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


def test_chart_draws_outside_the_table_wrapper(server, page):
    fragment = "#g.mark=bar&g.x_column=month&g.x_type=ordinal&g.y_column=events&g.y_type=quantitative"
    page.goto(server + "/binational/events_per_month" + fragment)
    page.wait_for_load_state("load")
    canvas = page.locator(".chart-container canvas, .chart-container svg").first
    canvas.wait_for(timeout=15000)
    assert page.locator(".table-wrapper .chart-container").count() == 0
    bar_pixels = page.evaluate(
        """() => {
            const canvas = document.querySelector('.chart-container canvas');
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let bars = 0;
            for (let i = 0; i < data.length; i += 4) {
                if (data[i] < 120 && data[i + 1] > 90 && data[i + 1] < 150 && data[i + 2] > 140) { bars += 1; }
            }
            return bars;
        }"""
    )
    assert bar_pixels > 1000
    assert page.errors == []


def test_map_shows_every_place(server, page, connection):
    page.goto(server + "/binational/places_map")
    page.locator(".leaflet-marker-icon").first.wait_for(timeout=15000)
    singles = page.locator(".leaflet-marker-icon:not(.marker-cluster)").count()
    clustered = sum(int(text) for text in page.locator(".marker-cluster").all_inner_texts())
    mapped = connection.execute(
        "select count(*) from places p join summary_events_by_place s on s.place_id = p.id where p.latitude is not null"
    ).fetchone()[0]
    assert mapped > 0
    assert singles + clustered == mapped
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
