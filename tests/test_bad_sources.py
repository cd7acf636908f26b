"""Bad sources: every problem reported as file:line: field: message, exit 1, the old database untouched."""

import hashlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import ROOT

import build
from schema import SCHEMA_VERSION

# A "billion laughs" document: nine levels of nine aliases each.
BILLION_LAUGHS = "- id: a0\n  name: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"  n{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 9)
)

# (file, text to replace or None, replacement or None, expected messages)
# None/None deletes the file; None/text writes the file whole.
BAD_SOURCES = [
    pytest.param(
        "people.yml",
        "  country_id: US\n",
        "  country_id: [US\n",
        ["sources/people.yml:10: syntax: YAML syntax error: did not find expected ',' or ']'"],
        id="yaml-syntax",
    ),
    pytest.param(
        "test-2023/figures.csv",
        ",0,0,Trade",
        ",0,0,0,Trade",
        ["sources/test-2023/figures.csv:2: row: has 11 fields, the header has 10; quote values that contain commas"],
        id="csv-ragged-row",
    ),
    pytest.param(
        "topics.csv",
        "id,name,description",
        "id,name,description,colour",
        ["sources/topics.csv:1: header: unknown column 'colour'; expected columns: id,name,description"],
        id="csv-unknown-column",
    ),
    pytest.param(
        "test-2023/events.csv",
        "test-2023-consular-21,1.b,21st Consular Dialogue",
        "test-2023-consular-21,1.b,",
        ["sources/test-2023/events.csv:3: title: is required"],
        id="missing-required",
    ),
    pytest.param(
        "people.yml",
        "  country_id: MX\n  section_id: test-2023:1.b",
        "  country_id: MX\n  nickname: Vane\n  section_id: test-2023:1.b",
        [
            "sources/people.yml:16: nickname: is not a field of people.yml; expected one of: id, name, country_id, country_basis, aliases, section_id, quote"
        ],
        id="unknown-yaml-field",
    ),
    pytest.param(
        "organizations.yml",
        "  kind: ministry\n",
        "  kind: ministry\n  kind: agency\n",
        ["sources/organizations.yml:5: kind: is given twice in this entry (first on line 4); keep one"],
        id="duplicate-yaml-key",
    ),
    pytest.param(
        "test-2023/events.csv",
        "2023-10-31,,dialogue",
        "2023-02-30,,dialogue",
        ["sources/test-2023/events.csv:3: start_date: is not a real date (day is out of range for month)"],
        id="bad-date",
    ),
    pytest.param(
        "test-2023/events.csv",
        "2023-10-31,,dialogue",
        "31/10/2023,,dialogue",
        ["sources/test-2023/events.csv:3: start_date: must be an ISO date: YYYY-MM-DD, YYYY-MM or YYYY"],
        id="not-iso-date",
    ),
    pytest.param(
        "test-2023/events.csv",
        "2023-11-06,2023-11-08",
        "2023-11-06,2023-11-01",
        ["sources/test-2023/events.csv:4: end_date: 2023-11-01 is before start_date 2023-11-06"],
        id="end-before-start",
    ),
    pytest.param(
        "test-2023/events.csv",
        "2023-10-31,,dialogue,,occurred",
        "2023-10-31,,dialogue,,rumoured",
        ["sources/test-2023/events.csv:3: status: 'rumoured' is not one of: occurred, referenced, planned"],
        id="unknown-enum",
    ),
    pytest.param(
        "test-2023/event_people.csv",
        "test-2023-consular-21,vanessa-calva",
        "test-2023-consular-21,vanesa-calva",
        ["sources/test-2023/event_people.csv:4: person_id: 'vanesa-calva' is not an id in people; add it there or fix the spelling"],
        id="unknown-reference",
    ),
    pytest.param(
        "test-2023/events.csv",
        "trade,MX;US",
        "trade,MX;US;XX",
        ["sources/test-2023/events.csv:2: countries: 'XX' is not an id in countries; add it there or fix the spelling"],
        id="unknown-list-reference",
    ),
    pytest.param(
        "topics.csv",
        "consular-affairs,Consular affairs",
        "trade,Consular affairs",
        [
            "sources/test-2023/events.csv:3: topics: 'consular-affairs' is not an id in topics; add it there or fix the spelling",
            "sources/test-2023/events.csv:4: topics: 'consular-affairs' is not an id in topics; add it there or fix the spelling",
            "sources/test-2023/statements.csv:2: topics: 'consular-affairs' is not an id in topics; add it there or fix the spelling",
            "sources/topics.csv:3: id: 'trade' is already used at sources/topics.csv:2; ids must be unique",
        ],
        id="duplicate-id",
    ),
    pytest.param(
        "test-2023/figures.csv",
        "reached $779.3 billion in 2022.",
        "reached $780 billion in 2022.",
        [
            "sources/test-2023/figures.csv:2: quote: is not verbatim in section test-2023:1.a: 'Trade between Mexico and the U.S. reached $780 billion in 2022.'; copy it exactly from the report"
        ],
        id="quote-not-in-report",
    ),
    pytest.param(
        "places.csv",
        "public-knowledge,test-2023:1.a,in Mexico City",
        "public-knowledge,test-2023:1.b,in Mexico City",
        [
            "sources/places.csv:2: quote: is not verbatim in section test-2023:1.b: 'in Mexico City'; it occurs in another section; fix section_id"
        ],
        id="quote-in-other-section",
    ),
    pytest.param(
        "people.yml",
        "aliases: [Secretary of State Antony Blinken]",
        "aliases: [Secretary of State Antony Blinken, lopez obrador]",
        [
            "sources/people.yml:10: aliases: 'lopez obrador' also names 'andres-manuel-lopez-obrador' (sources/people.yml:1); an alias must name one person"
        ],
        id="colliding-alias",
    ),
    pytest.param(
        "places.csv",
        "city,MX,,,,19.4326",
        "city,Mexico,,,,19.4326",
        ["sources/places.csv:2: country_id: 'Mexico' is not an ISO 3166-1 alpha-2 code (two capital letters, e.g. MX)"],
        id="bad-country-code",
    ),
    pytest.param(
        "places.csv",
        "19.4326,-99.1332",
        "19.4326,west",
        ["sources/places.csv:2: longitude: 'west' is not a number; write digits without separators, e.g. 779300000000"],
        id="bad-number",
    ),
    pytest.param(
        "countries.csv",
        "MX,Mexico,México,public-knowledge,test-2023:1.a",
        "MX,Mexico,México,public-knowledge,1.a",
        ["sources/countries.csv:2: section_id: '1.a' must name the edition and section, like cbi-2023:2.a"],
        id="unqualified-section-in-registry",
    ),
    pytest.param(
        "test-2023/sections.csv",
        "b,The Consular Dialogue,9\n",
        "b,The Consular Dialogue,10\n",
        [
            "sources/test-2023/sections.csv:1: line: report line 9 is the heading 'b. The Consular Dialogue' but no section starts there; add it",
            "sources/test-2023/sections.csv:5: heading: line 10 of the report reads '', not 'b. The Consular Dialogue'",
        ],
        id="heading-line-moved",
    ),
    pytest.param(
        "test-2023/report.md",
        "reached \\$779.3 billion",
        "reached \\$780 billion",
        [
            "sources/test-2023/figures.csv:2: quote: is not verbatim in section test-2023:1.a: 'Trade between Mexico and the U.S. reached $779.3 billion in 2022.'; copy it exactly from the report",
            "sources/test-2023/report.yml:8: sha256: the snapshot's sha256 is 089eb9cfd4fae3e5427d04ef93bfbbab048ba929d4d501e4487a349764c15a1e; the snapshot must not be edited (update sha256 only for a new snapshot)",
        ],
        id="report-edited",
    ),
    pytest.param(
        "dataset.yml",
        "version: 1.0.0",
        "version: v1",
        ["sources/dataset.yml:1: version: 'v1' is not a SemVer version like 1.2.0"],
        id="bad-semver",
    ),
    pytest.param(
        "test-2023/data_notes.yml",
        "      quote: Summit in Mexico City",
        "      quote: Summit in Monterrey",
        [
            "sources/test-2023/data_notes.yml:8: quotes.quote: is not verbatim in section test-2023:1.a: 'Summit in Monterrey'; copy it exactly from the report"
        ],
        id="note-quote-not-in-report",
    ),
    pytest.param(
        "test-2023/event_links.csv",
        None,
        "event_id,relation,linked_event_id,section_id,quote\n"
        "test-2023-consular-november,follows,test-2023-consular-21,,The Consular Dialogue met again\n"
        "test-2023-consular-21,part-of,test-2023-consular-november,,The 21st Mexico-U.S. Consular Dialogue\n"
        "test-2023-palace-meeting,part-of,test-2023-palace-meeting,,at the National Palace\n",
        [
            "sources/test-2023/event_links.csv:3: linked_event_id: 'test-2023-consular-november' already leads to "
            "'test-2023-consular-21' through other links, so this link closes a cycle; an event cannot be part of its own parts",
            "sources/test-2023/event_links.csv:4: linked_event_id: 'test-2023-palace-meeting' links an event to itself",
        ],
        id="event-link-cycle",
    ),
    pytest.param(
        "test-2023/event_people.csv",
        "met-with,Secretary of State,us-state-department,,",
        "met-with,Secretary of State,us-state-department,andres-manuel-lopez-obrador,",
        [
            "sources/test-2023/event_people.csv:3: represented_by: is set on a row whose role 'met-with' places the person "
            "at the event; use it on the represented person's row (role represented)"
        ],
        id="represented-by-on-a-present-row",
    ),
    pytest.param(
        "test-2023/event_people.csv",
        "andres-manuel-lopez-obrador,host,President,,,",
        "andres-manuel-lopez-obrador,represented,President,,vanessa-calva,",
        [
            "sources/test-2023/event_people.csv:2: represented_by: 'vanessa-calva' has no row with a present role in event "
            "'test-2023-palace-meeting'; add the representative's row"
        ],
        id="representative-not-there",
    ),
    pytest.param(
        "test-2023/event_places.csv",
        None,
        "event_id,place_id,role,section_id,quote\ntest-2023-consular-21,mexico-city,city,,in Mexico City\n",
        [
            "sources/test-2023/event_places.csv:2: quote: is not verbatim in section test-2023:1.b: 'in Mexico City'; "
            "it occurs in another section; fix section_id"
        ],
        id="link-quoted-from-another-section",
    ),
    pytest.param(
        "test-2023/event_mechanisms.csv",
        "meeting-of,,The Consular Dialogue met again",
        "chaired,,The Consular Dialogue met again",
        ["sources/test-2023/event_mechanisms.csv:3: role: 'chaired' is not one of: meeting-of, establishes, under, discusses"],
        id="unknown-mechanism-role",
    ),
    pytest.param(
        "mechanisms.yml",
        "  members: [MX, US]\n",
        "  members: &both [MX, US]\n  aliases2: *both\n",
        ["sources/mechanisms.yml:4: syntax: YAML anchors and aliases are not allowed; write the value out in full"],
        id="yaml-anchor",
    ),
    pytest.param(
        "topics.csv",
        "id,name,description",
        "\ufeffid,name,description",
        ["sources/topics.csv:1: file: starts with a byte-order mark; save it as UTF-8 without BOM"],
        id="byte-order-mark",
    ),
    pytest.param(
        "test-2023/statements.csv",
        "strengthens consular protection.,",
        "strengthens consular\x00 protection.,",
        ["sources/test-2023/statements.csv:2: file: contains a NUL byte; remove it"],
        id="nul-byte",
    ),
    pytest.param(
        "test-2023/event_organizations.csv",
        None,
        "",
        ["sources/test-2023/event_organizations.csv:1: file: is empty"],
        id="empty-file",
    ),
    pytest.param(
        "places.csv",
        None,
        None,
        ["sources/places.csv:1: file: is missing"],
        id="missing-file",
    ),
    pytest.param(
        "test-2023/notes.txt",
        None,
        "scratch\n",
        ["sources/test-2023/notes.txt:1: file: is not a known source file; see sources/README.md for the layout"],
        id="unexpected-file",
    ),
    pytest.param(
        "topics.csv",
        "Trade,Trade and investment.",
        "Trade,Comercio e inversión.".encode("latin-1"),
        ["sources/topics.csv:2: file: is not valid UTF-8 (byte 0xf3); save it as UTF-8"],
        id="latin-1-encoding",
    ),
    pytest.param(
        "mechanisms.yml",
        None,
        BILLION_LAUGHS,
        ["sources/mechanisms.yml:2: syntax: YAML anchors and aliases are not allowed; write the value out in full"],
        id="yaml-bomb",
    ),
    pytest.param(
        "people.yml",
        None,
        "- id: x\n  name: " + "[" * 50 + "]" * 50 + "\n",
        ["sources/people.yml:2: syntax: YAML is nested more than 10 levels deep"],
        id="deeply-nested-yaml",
    ),
    pytest.param(
        "people.yml",
        "  name: Vanessa Calva Ruiz\n",
        "  name:\n    first: Vanessa\n",
        ["sources/people.yml:14: name: must be a single text value"],
        id="wrong-type",
    ),
    pytest.param(
        "test-2023/figures.csv",
        ",0,0,Trade",
        ",yes,0,Trade",
        ["sources/test-2023/figures.csv:2: lower_bound: 'yes' must be 0 or 1"],
        id="bad-flag",
    ),
    pytest.param(
        "test-2023/events.csv",
        "dialogue,,occurred,21,",
        "dialogue,,occurred,21st,",
        ["sources/test-2023/events.csv:3: ordinal: '21st' is not a whole number"],
        id="bad-integer",
    ),
]


def plant(sources, relative, old, new):
    path = sources / relative
    if old is None and new is None:
        path.unlink()
    elif old is None:
        path.write_text(new, encoding="utf-8")
    elif isinstance(new, bytes):
        path.write_bytes(path.read_bytes().replace(old.encode("utf-8"), new, 1))
    else:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text {old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("relative, old, new, expected", BAD_SOURCES)
def test_bad_source_is_reported_and_database_kept(fixture_sources, tmp_path, capsys, relative, old, new, expected):
    output = tmp_path / "binational.db"
    assert build.main(["--sources", str(fixture_sources), "--output", str(output)]) == 0
    before = digest(output)
    capsys.readouterr()

    plant(fixture_sources, relative, old, new)
    status = build.main(["--sources", str(fixture_sources), "--output", str(output)])

    errors = capsys.readouterr().err.replace(str(fixture_sources), "sources").splitlines()
    assert status == 1
    assert errors == [*expected, f"{len(expected)} problem(s); {output} was not changed"]
    assert digest(output) == before
    assert not output.with_name(output.name + ".tmp").exists()


def test_every_problem_is_reported_at_once(fixture_sources, capsys):
    cases = {case.id: case.values for case in BAD_SOURCES}
    planted = ("unknown-reference", "quote-not-in-report", "bad-country-code")
    for name in planted:
        relative, old, new, _ = cases[name]
        plant(fixture_sources, relative, old, new)

    assert build.main(["check", "--sources", str(fixture_sources)]) == 1

    errors = capsys.readouterr().err.replace(str(fixture_sources), "sources").splitlines()
    assert errors == [
        *cases["bad-country-code"][3],
        *cases["unknown-reference"][3],
        *cases["quote-not-in-report"][3],
        "3 problem(s); binational.db was not changed",
    ]


def test_oversized_file_is_refused(fixture_sources, capsys):
    path = fixture_sources / "test-2023" / "statements.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    with open(path, "w", encoding="utf-8") as file:
        file.write(header + "\n")
        file.write("x" * (50 * 1024 * 1024) + "\n")
    size = path.stat().st_size
    assert build.main(["check", "--sources", str(fixture_sources)]) == 1
    errors = capsys.readouterr().err.replace(str(fixture_sources), "sources").splitlines()
    assert errors == [
        f"sources/test-2023/statements.csv:1: file: is {size:,} bytes, over the 33,554,432-byte limit for a source file",
        "1 problem(s); binational.db was not changed",
    ]


def test_symlink_out_of_sources_is_refused(fixture_sources, tmp_path, capsys):
    outside = tmp_path / "outside.csv"
    outside.write_text((fixture_sources / "topics.csv").read_text(encoding="utf-8"), encoding="utf-8")
    (fixture_sources / "topics.csv").unlink()
    (fixture_sources / "topics.csv").symlink_to(outside)
    assert build.main(["check", "--sources", str(fixture_sources)]) == 1
    errors = capsys.readouterr().err.replace(str(fixture_sources), "sources").splitlines()
    assert errors == [
        "sources/topics.csv:1: file: is a symbolic link; sources must be regular files inside sources/",
        "1 problem(s); binational.db was not changed",
    ]


def many_events(sources, count):
    """Append `count` valid events to the fixture, so that a build takes long enough to interrupt."""
    quote = "The Consular Dialogue met again from November 6-8, 2023."
    with open(sources / "test-2023" / "events.csv", "a", encoding="utf-8") as file:
        for number in range(count):
            file.write(f'test-2023-extra-{number},1.b,Extra meeting {number},2023-11-06,,meeting,,occurred,,Extra.,"{quote}",trade,MX;US\n')


def test_a_build_removes_what_a_killed_build_left(fixture_sources, tmp_path):
    folder = tmp_path / "output"
    folder.mkdir()
    for leftover in ("binational.db.tmp", "binational.db.tmp.summaries"):
        (folder / leftover).write_bytes(b"written by a build killed midway")
    assert build.main(["--sources", str(fixture_sources), "--output", str(folder / "binational.db")]) == 0
    assert [path.name for path in folder.iterdir()] == ["binational.db"]


def test_killed_build_leaves_the_previous_database(fixture_sources, tmp_path):
    output = tmp_path / "binational.db"
    assert build.main(["--sources", str(fixture_sources), "--output", str(output)]) == 0
    before = digest(output)
    many_events(fixture_sources, 60000)
    temporary = output.with_name(output.name + ".tmp")
    command = [sys.executable, "build.py", "--sources", str(fixture_sources), "--output", str(output)]
    process = subprocess.Popen(command, cwd=ROOT)
    deadline = time.monotonic() + 120
    while not temporary.exists():
        assert process.poll() is None and time.monotonic() < deadline, "the build ended before it could be interrupted"
        time.sleep(0.005)
    time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert process.returncode == -signal.SIGKILL
    assert digest(output) == before
    assert build.main(["--sources", str(fixture_sources), "--output", str(output)]) == 0
    assert not temporary.exists()
    assert sqlite3.connect(output).execute("select count(*) from events").fetchone()[0] == 60003


def check_errors(sources, capsys):
    """`build.py check` on a tree: (exit status, stderr lines with the tree's path as `sources`)."""
    status = build.main(["check", "--sources", str(sources)])
    return status, capsys.readouterr().err.replace(str(sources), "sources").splitlines()


def set_report_file(sources, name):
    report = sources / "test-2023" / "report.yml"
    report.write_text(report.read_text(encoding="utf-8").replace("file: report.md", f"file: {name}"), encoding="utf-8")


@pytest.mark.parametrize("name", ["/etc/passwd", "../../outside.md", "../report.md", "sub/report.md", ".."])
def test_report_file_outside_its_edition_is_refused_without_reading_it(fixture_sources, tmp_path, capsys, name):
    # An outside file with the snapshot's exact text: were it read, its digest would match and it would be built.
    snapshot = (fixture_sources / "test-2023" / "report.md").read_bytes()
    (tmp_path / "outside.md").write_bytes(snapshot)
    set_report_file(fixture_sources, name)
    status, errors = check_errors(fixture_sources, capsys)
    assert status == 1
    assert errors == [
        f"sources/test-2023/report.yml:7: file: {name!r} must be the name of a file in this folder, without any folder or path",
        "1 problem(s); binational.db was not changed",
    ]


def test_no_digest_of_an_outside_file_is_printed(fixture_sources, capsys):
    set_report_file(fixture_sources, "/etc/passwd")
    _, errors = check_errors(fixture_sources, capsys)
    assert hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest() not in "\n".join(errors)
    assert not [line for line in errors if re.search(r"[0-9a-f]{64}", line)]


def plant_report(sources, tmp_path, kind):
    """Replace the report snapshot by something no editor should have saved."""
    report = sources / "test-2023" / "report.md"
    text = report.read_bytes()
    if kind == "byte-order-mark":
        report.write_bytes(b"\xef\xbb\xbf" + text)
    elif kind == "latin-1":
        report.write_bytes(text.replace(b"MEETINGS", "REUNIÓN".encode("latin-1"), 1))
    elif kind == "nul-byte":
        report.write_bytes(text.replace(b"MEETINGS", b"MEET\x00INGS", 1))
    elif kind == "oversized":
        with open(report, "ab") as file:
            file.truncate(40 * 1024 * 1024)
    elif kind == "empty":
        report.write_bytes(b"")
    elif kind == "symlink-out":
        (tmp_path / "outside.md").write_bytes(text)
        report.unlink()
        report.symlink_to(tmp_path / "outside.md")
    elif kind == "fifo":
        report.unlink()
        os.mkfifo(report)
    elif kind == "folder":
        report.unlink()
        report.mkdir()


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("byte-order-mark", "sources/test-2023/report.md:1: file: starts with a byte-order mark; save it as UTF-8 without BOM"),
        ("latin-1", "sources/test-2023/report.md:3: file: is not valid UTF-8 (byte 0xd3); save it as UTF-8"),
        ("nul-byte", "sources/test-2023/report.md:3: file: contains a NUL byte; remove it"),
        ("oversized", "sources/test-2023/report.md:1: file: is 41,943,040 bytes, over the 33,554,432-byte limit for a source file"),
        ("empty", "sources/test-2023/report.md:1: file: is empty"),
        ("symlink-out", "sources/test-2023/report.md:1: file: is a symbolic link; sources must be regular files inside sources/"),
        ("fifo", "sources/test-2023/report.md:1: file: is a named pipe (FIFO); a regular file is expected here"),
        ("folder", "sources/test-2023/report.md:1: file: is a folder; a regular file is expected here"),
    ],
)
def test_report_snapshot_is_read_like_any_source_file(fixture_sources, tmp_path, capsys, kind, expected):
    plant_report(fixture_sources, tmp_path, kind)
    status, errors = check_errors(fixture_sources, capsys)
    assert status == 1
    assert errors == [expected, "1 problem(s); binational.db was not changed"]


def test_missing_report_is_reported_first_without_knock_on_quote_errors(fixture_sources, capsys):
    (fixture_sources / "test-2023" / "report.md").unlink()
    # A real problem elsewhere is still reported, after the missing report.
    plant(fixture_sources, "places.csv", "city,MX,,,,19.4326", "city,Mexico,,,,19.4326")
    status, errors = check_errors(fixture_sources, capsys)
    assert status == 1
    assert errors == [
        "sources/test-2023/report.yml:7: file: 'report.md' is not a file in sources/test-2023",
        "sources/places.csv:2: country_id: 'Mexico' is not an ISO 3166-1 alpha-2 code (two capital letters, e.g. MX)",
        "2 problem(s); binational.db was not changed",
    ]


def special_file(path, kind):
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX) as unix:
            unix.bind(str(path))


@pytest.mark.parametrize(
    "kind, message",
    [
        ("fifo", "is a named pipe (FIFO); a regular file is expected here"),
        ("folder", "is a folder; a regular file is expected here"),
        ("socket", "is a socket; a regular file is expected here"),
        ("symlink-to-fifo", "is a symbolic link; sources must be regular files inside sources/"),
    ],
)
def test_fifo_socket_or_folder_where_a_file_is_expected_is_refused_at_once(fixture_sources, tmp_path, capsys, kind, message):
    (fixture_sources / "topics.csv").unlink()
    if kind == "symlink-to-fifo":
        # The FIFO outside the tree, the link inside it.
        os.mkfifo(tmp_path / "outside-fifo")
        (fixture_sources / "topics.csv").symlink_to(tmp_path / "outside-fifo")
    else:
        special_file(fixture_sources / "topics.csv", kind)
    outcome = {}
    checking = threading.Thread(target=lambda: outcome.update(result=check_errors(fixture_sources, capsys)), daemon=True)
    started = time.monotonic()
    checking.start()
    checking.join(timeout=10)
    assert not checking.is_alive(), "the check is still waiting on the file"
    assert time.monotonic() - started < 1
    status, errors = outcome["result"]
    assert status == 1
    assert errors == [f"sources/topics.csv:1: file: {message}", "1 problem(s); binational.db was not changed"]


def test_symlinked_edition_folder_is_refused_without_reading_it(fixture_sources, tmp_path, capsys):
    outside = tmp_path / "outside-edition"
    shutil.copytree(fixture_sources / "test-2023", outside)
    os.mkfifo(outside / "events.csv.fifo")
    (fixture_sources / "test-2024").symlink_to(outside)
    status, errors = check_errors(fixture_sources, capsys)
    assert status == 1
    assert errors == [
        "sources/test-2024:1: file: is a symbolic link; sources must be regular files inside sources/",
        "1 problem(s); binational.db was not changed",
    ]


@pytest.mark.parametrize(
    "output, message",
    [
        (
            "no-such-folder/binational.db",
            "build.py: cannot write {tmp}/no-such-folder/binational.db: the folder {tmp}/no-such-folder does not exist",
        ),
        ("a-folder", "build.py: cannot write {tmp}/a-folder: it is a folder or special file, not a database file"),
    ],
)
def test_output_folder_missing_or_a_folder_is_a_one_line_error(fixture_sources, tmp_path, capsys, output, message):
    (tmp_path / "a-folder").mkdir()
    started = time.monotonic()
    status = build.main(["--sources", str(fixture_sources), "--output", str(tmp_path / output)])
    assert time.monotonic() - started < 1
    assert status == 2
    assert capsys.readouterr().err.splitlines() == [message.format(tmp=tmp_path)]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-folder", "sources"]


def test_only_one_build_writes_an_output_at_a_time(fixture_sources, tmp_path):
    output = tmp_path / "binational.db"
    many_events(fixture_sources, 5000)
    temporary = output.with_name(output.name + ".tmp")
    command = [sys.executable, "build.py", "--sources", str(fixture_sources), "--output", str(output)]
    first = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not temporary.exists():
        assert first.poll() is None and time.monotonic() < deadline, "the first build ended before it could be paused"
        time.sleep(0.002)
    # Paused while it writes its temporary file, however long the second build takes to start.
    first.send_signal(signal.SIGSTOP)
    try:
        second = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        first.send_signal(signal.SIGCONT)
    first_out, first_err = first.communicate(timeout=120)

    assert second.returncode == 1
    assert second.stdout == ""
    assert second.stderr.splitlines() == [
        f"build.py: another build is writing {output} now ({output}.lock is locked); run this one when it has finished"
    ]
    assert (first.returncode, first_err) == (0, "")
    assert first_out == f"wrote {output} (dataset 1.0.0, schema {SCHEMA_VERSION})\n"
    assert not temporary.exists()
    assert not output.with_name(output.name + ".lock").exists()
    assert sqlite3.connect(output).execute("select count(*) from events").fetchone()[0] == 5003


@pytest.mark.parametrize(
    "line, expected",
    [
        ("", "sources/test-2023/report.yml:1: file: is required"),
        ("file: [report.md]\n", "sources/test-2023/report.yml:7: file: must be a single text value"),
    ],
)
def test_report_without_a_file_name_is_one_problem(fixture_sources, capsys, line, expected):
    plant(fixture_sources, "test-2023/report.yml", "file: report.md\n", line)
    status, errors = check_errors(fixture_sources, capsys)
    assert status == 1
    assert errors == [expected, "1 problem(s); binational.db was not changed"]
