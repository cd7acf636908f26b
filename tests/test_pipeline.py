"""A build checks in a process of its own while it writes: what the writer does when the checks find problems, or end without a result."""

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT

import build
import pipeline
import sourcetree
from bench.synth import Synth
from schema import SOURCE_TABLES
from sourcefiles import SourceError
from values import read_file_records, read_file_unchecked, read_record

QUOTE = "The Consular Dialogue met again from November 6-8, 2023."
TAKEN_EVENT = (
    "sources/test-2023/events.csv:5: id: 'test-2023-consular-21' is already used at sources/test-2023/events.csv:3; ids must be unique"
)


def take_an_event_id(sources):
    """A fourth event with the first one's id: its row cannot go into the events table, whose key the id is."""
    with open(sources / "test-2023" / "events.csv", "a", encoding="utf-8") as file:
        file.write(f'test-2023-consular-21,1.b,Again,2023-11-06,,meeting,,occurred,,Again.,"{QUOTE}",trade,MX;US\n')


def shown(problems, sources):
    return [str(problem).replace(str(sources), "sources") for problem in problems]


def test_a_row_that_cannot_go_in_stops_the_writer_and_the_checks_say_why(fixture_sources, tmp_path):
    take_an_event_id(fixture_sources)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE constraint failed: events.id"):
        pipeline.write_sources(fixture_sources, tmp_path / "unchecked.db")

    with pytest.raises(pipeline.ValidationFailed) as failed:
        pipeline.stage_sources(fixture_sources, tmp_path / "staged.db")

    assert shown(failed.value.problems, fixture_sources) == [TAKEN_EVENT]


def test_the_checks_program_prints_every_problem_as_json(fixture_sources):
    take_an_event_id(fixture_sources)
    result = subprocess.run([sys.executable, "pipeline.py", str(fixture_sources)], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == [
        [
            str(fixture_sources / "test-2023" / "events.csv"),
            5,
            "id",
            TAKEN_EVENT.split(": id: ", 1)[1].replace("sources/", f"{fixture_sources}/"),
        ]
    ]


def test_checks_that_end_without_a_result_fail_the_build(fixture_sources):
    checks = pipeline.ChecksBeside(fixture_sources)
    checks.process.kill()
    with pytest.raises(pipeline.ChecksEnded, match=r"^the checks of the sources ended without a result \(exit code -9\)$"):
        checks.problems()
    checks.stop()


def test_a_failure_of_the_writer_on_valid_sources_is_raised_as_it_is(fixture_sources, tmp_path, monkeypatch):
    def fail(connection, whole):
        raise RuntimeError("the link columns failed")

    monkeypatch.setattr(pipeline, "write_event_link_columns", fail)
    with pytest.raises(RuntimeError, match="^the link columns failed$"):
        pipeline.stage_sources(fixture_sources, tmp_path / "staged.db")


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, RuntimeError])
def test_the_checks_process_ends_with_the_build(fixture_sources, tmp_path, monkeypatch, interruption):
    started = []

    class Recorded(pipeline.ChecksBeside):
        def __init__(self, root):
            super().__init__(root)
            started.append(self)

    def interrupted(root, path, timer):
        raise interruption("stopped")

    monkeypatch.setattr(pipeline, "ChecksBeside", Recorded)
    monkeypatch.setattr(pipeline, "write_sources", interrupted)
    with pytest.raises(interruption, match="^stopped$"):
        pipeline.stage_sources(fixture_sources, tmp_path / "staged.db")
    assert [checks.process.returncode is not None for checks in started] == [True]


def test_a_build_in_chunks_of_one_record_writes_the_same_database(fixture_sources, tmp_path, monkeypatch):
    whole = tmp_path / "whole.db"
    assert build.main(["--sources", str(fixture_sources), "--output", str(whole)]) == 0
    monkeypatch.setattr(sourcetree, "CHUNK_RECORDS", 1)
    chunked = tmp_path / "chunked.db"
    assert build.main(["--sources", str(fixture_sources), "--output", str(chunked)]) == 0
    assert chunked.read_bytes() == whole.read_bytes()


def test_a_report_is_read_again_when_its_lines_are_needed_and_refused_if_it_changed(fixture_sources):
    parsed = pipeline.parse_streamed(fixture_sources)
    edition = parsed.editions["test-2023"]
    report = fixture_sources / "test-2023" / "report.md"
    assert "\n".join(edition.lines) == report.read_text(encoding="utf-8")

    with open(report, "a", encoding="utf-8") as file:
        file.write("A line added while the build runs.\n")
    with pytest.raises(SourceError) as changed:
        _ = edition.lines
    assert str(changed.value).replace(str(fixture_sources), "sources") == (
        "sources/test-2023/report.md:1: file: changed while the build was reading it; build again"
    )


@pytest.mark.parametrize("tree", ["real", "synthetic"])
def test_the_writer_reads_each_part_of_a_file_as_the_checks_do(tree, tmp_path):
    """The writer reads its typed values unchecked (read_file_unchecked): of sources that pass, exactly what the checks read."""
    if tree == "real":
        root = ROOT / "sources"
    else:
        root = tmp_path / "sources"
        Synth(1_000, seed=7, per_edition=500).write(root)
    parsed = pipeline.parse_streamed(root)
    problems, read = [], 0
    for table in SOURCE_TABLES:
        for records in sourcetree.table_files(parsed, table, problems, set()):
            checked = read_file_records(records, table, problems)
            unchecked = read_file_unchecked(records, table)
            assert (table.name, unchecked.columns) == (table.name, checked.columns)
            assert unchecked.rows == checked.rows == [read_record(record, table, problems) for record in records]
            read += len(records)
    assert problems == []
    assert read == pipeline.check_sources_streamed(root)


def test_the_checks_end_when_the_build_is_killed_outright(fixture_sources):
    """A build killed with SIGKILL cannot stop its checks: the kernel ends them (pipeline.end_with_parent)."""
    # A stand-in build: it starts a process that asks to end with it, as the checks program does, then waits.
    build_process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, subprocess, sys\n"
            "child = subprocess.Popen([sys.executable, '-c', "
            "'import pipeline, sys, time; pipeline.end_with_parent(int(sys.argv[1])); print(\"asked\", flush=True); time.sleep(60)', "
            "str(os.getpid())])\n"
            "print(child.pid, flush=True)\n"
            "child.wait()\n",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    child = int(build_process.stdout.readline())
    assert build_process.stdout.readline() == "asked\n"
    build_process.kill()
    build_process.wait()
    for _ in range(100):
        if not process_lives(child):
            break
        time.sleep(0.05)
    assert not process_lives(child)


def process_lives(pid):
    """Whether a process runs (a zombie, ended but not yet reaped by its new parent, does not)."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
