import shutil
import sqlite3

import pytest
from helpers import FIXTURE_SOURCES, SOURCES, start_server
from site_client import Site, load_plugin

import build


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
