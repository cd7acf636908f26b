import shutil
import sqlite3
from pathlib import Path

import pytest
from helpers import FIXTURE_SOURCES, ROOT, SOURCES, start_server
from site_client import Site, load_plugin

import build
from bench.synth import Synth


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """The real dataset, built once from sources/ into a temporary folder (never ./binational.db)."""
    path = tmp_path_factory.mktemp("real") / "binational.db"
    build.write_database(build.load_sources(SOURCES), path)
    return path


@pytest.fixture(scope="session")
def connection(database):
    """A read-only connection to the real database, with the site's SQL functions for canned queries."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    load_plugin("search_queries").prepare_connection(connection)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def site(database):
    """The real database served by Datasette configured as the site is (server.py), through its test client."""
    site = Site(database)
    yield site
    site.close()


@pytest.fixture
def fixture_sources(tmp_path):
    """A writable copy of the small test source tree."""
    target = tmp_path / "sources"
    shutil.copytree(FIXTURE_SOURCES, target)
    return target


@pytest.fixture(scope="session")
def running_server(database, tmp_path_factory):
    """The real server (server.py serve, as `make serve` runs it) on a copy of the real database; (base URL, process)."""
    base, process = start_server(database, tmp_path_factory.mktemp("server"))
    yield base, process
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(running_server):
    """The base URL of the real server."""
    return running_server[0]


@pytest.fixture(scope="session")
def server_pid(running_server):
    return running_server[1].pid


# ---------------------------------------------------------------- a real browser (Debian's chromium)

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
FULL_PAGE_LIMIT = 12000  # taller pages are saved as their first screen


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make install-system` (make test does this)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, request):
    """Open pages with a viewport of a given size: new_page(width, height).

    Each page records console errors, failed requests and requests that leave 127.0.0.1 in
    `page.errors`, and is saved as a screenshot in test-artifacts/ when the test ends.
    """
    opened = []

    def open_page(width=1280, height=900):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
        page.on(
            "request",
            lambda req: (
                None if req.url.startswith(("http://127.0.0.1", "data:", "blob:")) else errors.append(f"off-site request: {req.url}")
            ),
        )
        page.errors = errors
        opened.append((context, page))
        return page

    yield open_page
    ARTIFACTS.mkdir(exist_ok=True)
    for number, (context, page) in enumerate(opened, 1):
        name = request.node.name if len(opened) == 1 else f"{request.node.name}-{number}"
        tall = page.evaluate("document.documentElement.scrollHeight") > FULL_PAGE_LIMIT
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=not tall)
        context.close()


@pytest.fixture
def page(new_page):
    """A page 1280 × 900 (see new_page)."""
    return new_page()


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory):
    """A synthetic edition of 10,000 events (bench/synth.py, fixed seed), built once: (Site, connection)."""
    folder = tmp_path_factory.mktemp("synthetic")
    Synth(10_000, seed=13, per_edition=10_000).write(folder / "sources")
    build.write_database(build.load_sources(folder / "sources"), folder / "binational.db")
    site = Site(folder / "binational.db")
    connection = sqlite3.connect(folder / "binational.db")
    yield site, connection
    connection.close()
    site.close()
