import shutil
from pathlib import Path

import pytest

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


@pytest.fixture
def fixture_sources(tmp_path):
    """A writable copy of the small test source tree."""
    target = tmp_path / "sources"
    shutil.copytree(FIXTURE_SOURCES, target)
    return target
