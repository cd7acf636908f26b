"""The synthetic source generator: deterministic, valid, and built by the real build."""

import filecmp
import sqlite3

import build
from bench.synth import Synth


def tree_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_same_seed_same_tree_and_it_builds(tmp_path):
    first, second, other = tmp_path / "first", tmp_path / "second", tmp_path / "other"
    Synth(250, seed=7, per_edition=100).write(first)
    Synth(250, seed=7, per_edition=100).write(second)
    Synth(250, seed=8, per_edition=100).write(other)
    files = tree_files(first)
    assert files == tree_files(second)
    assert all(filecmp.cmp(first / f, second / f, shallow=False) for f in files)
    assert (first / "synth-00" / "events.csv").read_bytes() != (other / "synth-00" / "events.csv").read_bytes()
    assert [f for f in files if f.endswith("report.yml")] == ["synth-00/report.yml", "synth-01/report.yml", "synth-02/report.yml"]

    database = tmp_path / "synth.db"
    build.write_database(build.load_sources(first), database)
    connection = sqlite3.connect(database)
    assert connection.execute("select count(*) from events").fetchone()[0] == 250
    assert connection.execute("select count(distinct report_id) from events").fetchone()[0] == 3
    most, least = connection.execute(
        "select max(n), min(n) from (select person_id, count(*) as n from event_people group by person_id)"
    ).fetchone()
    assert most >= 10 * least  # a few people attend many events
    assert connection.execute("select count(*) from people_pairs").fetchone()[0] > 0
