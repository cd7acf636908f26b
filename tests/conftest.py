import os
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from datasette.utils import escape_fts

import build

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sources"
FIXTURE_SOURCES = ROOT / "tests" / "fixtures" / "sources"


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """The real dataset, built once from sources/."""
    path = tmp_path_factory.mktemp("real") / "binational.db"
    build.write_database(build.load_sources(SOURCES), path)
    return path


@pytest.fixture(scope="session")
def connection(database):
    """A read-only connection to the real database, with Datasette's escape_fts() for canned queries."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    connection.create_function("escape_fts", 1, escape_fts)
    yield connection
    connection.close()


@pytest.fixture
def fixture_sources(tmp_path):
    """A writable copy of the small test source tree."""
    target = tmp_path / "sources"
    shutil.copytree(FIXTURE_SOURCES, target)
    return target


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


@pytest.fixture(scope="session")
def server():
    """The real `make serve` command on a free port of 127.0.0.1; yields (base URL, server process id)."""
    port = free_port()
    process = subprocess.Popen(["make", "-s", "serve", f"PORT={port}"], cwd=ROOT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/-/versions.json", process)
        yield base
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=10)
