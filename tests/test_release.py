"""Versioned releases: changelog, reproducible files, the data package, diffs and the published server."""

import hashlib
import json
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from helpers import FIXTURE_SOURCES, ROOT, SOURCES, TOOLS_BIN, free_port

import build
import dbdiff
import release
import server

VERSION = yaml.safe_load((SOURCES / "dataset.yml").read_text(encoding="utf-8"))["version"]
EPOCH = "1704067200"  # 2024-01-01T00:00:00Z


@pytest.fixture(scope="module")
def releases(tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("SOURCE_DATE_EPOCH", EPOCH)
    first = tmp_path_factory.mktemp("first") / "dist"
    release.write_release(SOURCES, first)
    time.sleep(1.1)
    second = tmp_path_factory.mktemp("second") / "dist"
    release.write_release(SOURCES, second)
    return first, second


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_changelog_has_an_entry_for_this_version_and_these_sources():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    entries = dict(re.findall(r"^## (\S+)\n\nSource digest: `([0-9a-f]{64})`", changelog, re.MULTILINE))
    assert VERSION in entries, f"CHANGELOG.md has no entry for version {VERSION}"
    assert entries[VERSION] == build.source_digest(SOURCES), (
        f"sources changed since version {VERSION} was recorded: bump the version in sources/dataset.yml "
        "and add a CHANGELOG.md entry with the new source digest"
    )


def test_two_releases_in_two_folders_are_identical(releases):
    first, second = releases
    assert (first / "SHA256SUMS").read_text() == (second / "SHA256SUMS").read_text()
    listed = [line.split("  ", 1)[1] for line in (first / "SHA256SUMS").read_text().splitlines()]
    assert f"binational-{VERSION}.db" in listed
    assert "datapackage.json" in listed and "CITATION.cff" in listed
    assert "csv/events.csv" in listed and "json/events.json" in listed


def test_every_checksum_matches(releases):
    first, _ = releases
    for line in (first / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((first / name).read_bytes()).hexdigest() == digest, name


def test_data_package_is_valid(releases):
    """Validated by frictionless, which runs from the tools environment (it brings `rich`, kept out of the server's)."""
    first, _ = releases
    validation = subprocess.run(
        [str(TOOLS_BIN / "frictionless"), "validate", "--json", str(first / "datapackage.json")], capture_output=True, text=True
    )
    report = json.loads(validation.stdout)
    assert report["valid"], [task["errors"] for task in report["tasks"] if task["errors"]]
    assert validation.returncode == 0
    package = json.loads((first / "datapackage.json").read_text(encoding="utf-8"))
    assert package["version"] == VERSION
    events = next(resource for resource in package["resources"] if resource["name"] == "events")
    assert events["schema"]["primaryKey"] == ["id"]
    assert {"fields": ["mechanism_id"], "reference": {"resource": "mechanisms", "fields": ["id"]}} in [
        fk for fk in events["schema"]["foreignKeys"]
    ]


def test_citation_file(releases):
    first, _ = releases
    citation = yaml.safe_load((first / "CITATION.cff").read_text())
    assert (citation["cff-version"], citation["version"], citation["date-released"]) == ("1.2.0", VERSION, "2024-01-01")


def test_release_database_is_the_build(releases, database):
    first, _ = releases
    assert (first / f"binational-{VERSION}.db").read_bytes() == database.read_bytes()


def plant(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_diff_reports_a_planted_change(tmp_path, capsys):
    sources = tmp_path / "sources"
    shutil.copytree(FIXTURE_SOURCES, sources)
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    build.write_database(build.load_sources(sources), old)
    plant(sources / "test-2023" / "events.csv", "21st Consular Dialogue,2023-10-31", "The 21st Consular Dialogue,2023-10-31")
    plant(sources / "topics.csv", "consular-affairs,", "culture,Culture,Culture and heritage.\nconsular-affairs,")
    plant(sources / "test-2023" / "figures.csv", "trade-2022,", "trade-in-2022,")
    build.write_database(build.load_sources(sources), new)

    assert build.main(["diff", str(old), str(new)]) == 0
    assert capsys.readouterr().out == (
        "### dataset_info: 0 added, 0 removed, 1 changed\n"
        "- changed `source_digest`: value\n"
        "\n"
        "### events: 0 added, 0 removed, 1 changed\n"
        "- changed `test-2023-consular-21`: title\n"
        "\n"
        "### figures: 1 added, 1 removed, 0 changed\n"
        "- added `trade-in-2022`\n"
        "- removed `trade-2022`\n"
        "\n"
        "### topics: 1 added, 0 removed, 0 changed\n"
        "- added `culture`\n"
    )


def test_diff_reports_schema_changes(tmp_path):
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    build.write_database(build.load_sources(FIXTURE_SOURCES), old)
    shutil.copy(old, new)
    connection = sqlite3.connect(new)
    connection.execute("alter table topics add column colour text")
    connection.execute("create index idx_topics_name on topics(name)")
    connection.commit()
    connection.close()
    diff = dbdiff.diff_databases(old, new)
    assert (diff.schema_added, diff.schema_removed, diff.schema_changed) == (["idx_topics_name"], [], ["topics"])


def test_diff_of_identical_builds_is_empty(database):
    assert dbdiff.format_diff(dbdiff.diff_databases(database, database)) == "No changes.\n"


def test_publish_dockerfile_is_current(tmp_path):
    generated = release.write_publish_files(VERSION, tmp_path)
    assert generated.read_text() == (ROOT / "publish" / "Dockerfile").read_text(), "run: make publish-files"


def test_the_published_server_command_serves_the_release(releases, tmp_path):
    """Lay out /app as the Dockerfile does, then run its RUN and CMD lines (on loopback, outside Docker)."""
    first, _ = releases
    dockerfile = (ROOT / "publish" / "Dockerfile").read_text()
    app = tmp_path / "app"
    app.mkdir()
    for source, target in re.findall(r"^COPY (\S+) (\S+)$", dockerfile, re.MULTILINE):
        source_path = first / Path(source).name if source.startswith("dist/") else ROOT / source
        destination = app / Path(target).relative_to("/app") if target != "/app/" else app / source_path.name
        if source_path.is_dir():
            shutil.copytree(source_path, destination)
        else:
            shutil.copy(source_path, destination)
    bin_dir = Path(sys.executable).parent
    inspect = re.search(r"^RUN (datasette inspect .*)$", dockerfile, re.MULTILINE).group(1)
    subprocess.run([str(bin_dir / "datasette"), *shlex.split(inspect)[1:]], cwd=app, check=True)
    port = free_port()
    command = re.search(r"^CMD (.*)$", dockerfile, re.MULTILINE).group(1)
    command = command.replace("--host 0.0.0.0", "--host 127.0.0.1").replace("$PORT", str(port))
    process = subprocess.Popen([str(bin_dir / "datasette"), *shlex.split(command)[1:]], cwd=app)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/-/versions.json", timeout=2) as response:
                    versions = response.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "the published server did not start"
                time.sleep(0.2)
        assert f'"note": "{VERSION}"' in versions
        with urllib.request.urlopen(base + "/binational.db", timeout=10) as response:
            assert response.read() == (first / f"binational-{VERSION}.db").read_bytes()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_publish_commands_serve_as_make_serve_does():
    """`server.py publish` passes datasette publish the serve configuration: site options, settings, pins."""
    serve = server.serve_arguments("binational.db", root=Path("."))
    publish = server.publish_arguments("cloudrun", "binational.db", root=ROOT)
    site = serve[serve.index("--metadata") : serve.index("--setting")]
    assert publish[:3] == ["publish", "cloudrun", "binational.db"]
    assert publish[3:11] == site
    installs = [publish[i + 1] for i, option in enumerate(publish) if option == "--install"]
    assert installs == [pin for pin in server.runtime_pins() if not pin.startswith("datasette==")]
    extra = publish[publish.index("--extra-options") + 1]
    assert shlex.split(extra) == server.setting_options()
    assert publish[publish.index("--version-note") + 1] == VERSION
    assert serve[serve.index("--version-note") + 1] == VERSION


def test_make_serve_runs_the_server_configuration():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\t$(BIN)/python server.py serve --database $(DB) --inspect-file $(INSPECT) --host $(HOST) --port $(PORT)\n" in makefile
    assert "datasette serve" not in makefile


def test_rows_of_a_table_without_a_key_are_compared_whole(tmp_path):
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    for path, rows in ((old, [("mode", "virtual", 3), ("chapter", 2, 20)]), (new, [("mode", "virtual", 4), ("chapter", 2, 20)])):
        connection = sqlite3.connect(path)
        connection.execute("create table counts (facet text, value, events integer)")
        connection.executemany("insert into counts values (?, ?, ?)", rows)
        connection.commit()
        connection.close()
    diff = dbdiff.diff_databases(old, new)
    assert [(t.name, t.added, t.removed, t.changed) for t in diff.tables] == [
        ("counts", [("mode", "virtual", 4)], [("mode", "virtual", 3)], [])
    ]
