"""The checks that keep their state in the scratch database: unique keys and represented people, past their batches."""

import shutil

import pytest

import build
import sourcetree

QUOTE = "The Consular Dialogue met again from November 6-8, 2023."
EVENTS_HEADER = "id,section_id,title,start_date,end_date,event_type,mode,status,ordinal,summary,quote,topics,countries\n"
PEOPLE_HEADER = "event_id,person_id,role,title,organization_id,represented_by,section_id,quote\n"
FIXTURE_EVENTS = 3  # the fixture's events.csv: a header, then three events
EXTRA_EVENTS = 12_000  # a large file, as files of the real sources go


@pytest.fixture(autouse=True, params=[sourcetree.CHUNK_RECORDS, 1_000], ids=["whole-files", "in-chunks"])
def chunk_records(request, monkeypatch):
    """Each check with the large files read whole (they are shorter than a chunk), then a thousand records at a time."""
    monkeypatch.setattr(sourcetree, "CHUNK_RECORDS", request.param)


def event_line(event_id):
    return f'{event_id},1.b,Extra meeting,2023-11-06,,meeting,,occurred,,Extra.,"{QUOTE}",trade,MX;US\n'


def extra_line(number):
    """The line in test-2023/events.csv of the extra event `number`, after the fixture's header and events."""
    return FIXTURE_EVENTS + 2 + number


def add_events(sources, ids):
    with open(sources / "test-2023" / "events.csv", "a", encoding="utf-8") as file:
        file.writelines(event_line(event_id) for event_id in ids)


def add_edition(sources, edition, event_ids, people=()):
    """A second edition: the fixture's report and sections, and only these events and lines of event_people.csv."""
    folder = sources / edition
    folder.mkdir()
    for name in ("report.md", "sections.csv"):
        shutil.copyfile(sources / "test-2023" / name, folder / name)
    report = (sources / "test-2023" / "report.yml").read_text(encoding="utf-8")
    (folder / "report.yml").write_text(report.replace("id: test-2023", f"id: {edition}"), encoding="utf-8")
    (folder / "events.csv").write_text(EVENTS_HEADER + "".join(map(event_line, event_ids)), encoding="utf-8")
    if people:
        (folder / "event_people.csv").write_text(PEOPLE_HEADER + "".join(people), encoding="utf-8")


def check_errors(sources, capsys):
    status = build.main(["check", "--sources", str(sources)])
    return status, capsys.readouterr().err.replace(str(sources), "sources").splitlines()


def taken(path, line, key, first):
    return f"sources/{path}:{line}: id: {key!r} is already used at sources/{first}; ids must be unique"


def test_a_taken_key_is_reported_at_each_later_row_with_the_first_rows_location(fixture_sources, capsys):
    ids = [f"test-2023-extra-{number}" for number in range(EXTRA_EVENTS)]
    ids[11_000] = "test-2023-consular-21"  # a fixture event's id, far down the same file
    ids[11_500] = ids[5]  # an extra event's id, again in the same file
    ids[11_600] = ids[11_700] = ids[7]  # three rows with one id: both later rows name the first
    add_events(fixture_sources, ids)
    add_edition(fixture_sources, "test-2024", ["test-2024-own", ids[9_000], "test-2024-own"])  # across files, and within the new one

    status, errors = check_errors(fixture_sources, capsys)

    events = "test-2023/events.csv"
    assert status == 1
    assert errors == [
        taken(events, extra_line(11_000), "test-2023-consular-21", f"{events}:3"),
        taken(events, extra_line(11_500), ids[5], f"{events}:{extra_line(5)}"),
        taken(events, extra_line(11_600), ids[7], f"{events}:{extra_line(7)}"),
        taken(events, extra_line(11_700), ids[7], f"{events}:{extra_line(7)}"),
        taken("test-2024/events.csv", 3, ids[9_000], f"{events}:{extra_line(9_000)}"),
        taken("test-2024/events.csv", 4, "test-2024-own", "test-2024/events.csv:2"),
        "6 problem(s); binational.db was not changed",
    ]


def test_a_compound_key_taken_across_batches_names_the_first_row(fixture_sources, capsys):
    ids = [f"test-2023-extra-{number}" for number in range(EXTRA_EVENTS)]
    add_events(fixture_sources, ids)
    people = fixture_sources / "test-2023" / "event_people.csv"
    with open(people, "a", encoding="utf-8") as file:
        file.writelines(f'{event_id},vanessa-calva,participant,,,,,"{QUOTE}"\n' for event_id in ids)
        file.write(f'{ids[2]},vanessa-calva,participant,,,,,"{QUOTE}"\n')  # the same event, person and role again

    status, errors = check_errors(fixture_sources, capsys)

    first_line = 5 + 2  # ids[2]'s row, after the header, the fixture's three rows and two extra rows
    assert status == 1
    assert errors == [
        f"sources/test-2023/event_people.csv:{5 + EXTRA_EVENTS}: event_id: '{ids[2]}/vanessa-calva/participant' is already "
        f"used at sources/test-2023/event_people.csv:{first_line}; ids must be unique",
        "1 problem(s); binational.db was not changed",
    ]


def person_line(event_id, person_id, role, representative=""):
    return f'{event_id},{person_id},{role},,,{representative},,"{QUOTE}"\n'


def test_a_representative_is_found_present_in_any_file(fixture_sources, capsys):
    ids = [f"test-2023-extra-{number}" for number in range(EXTRA_EVENTS)]
    add_events(fixture_sources, ids)
    with open(fixture_sources / "test-2023" / "event_people.csv", "a", encoding="utf-8") as file:
        file.writelines(person_line(event_id, "vanessa-calva", "participant") for event_id in ids)
        file.write(person_line(ids[-1], "andres-manuel-lopez-obrador", "represented", "vanessa-calva"))  # present in this file
    add_edition(
        fixture_sources,
        "test-2024",
        ["test-2024-own"],
        [
            person_line(ids[0], "andres-manuel-lopez-obrador", "represented", "vanessa-calva"),  # present in the other file
            person_line("test-2024-own", "andres-manuel-lopez-obrador", "represented", "antony-blinken"),  # present further down
            person_line("test-2024-own", "antony-blinken", "participant"),
            person_line(ids[1], "andres-manuel-lopez-obrador", "represented", "antony-blinken"),  # present nowhere
        ],
    )

    status, errors = check_errors(fixture_sources, capsys)

    assert status == 1
    assert errors == [
        "sources/test-2024/event_people.csv:5: represented_by: 'antony-blinken' has no row with a present role in "
        f"event '{ids[1]}'; add the representative's row",
        "1 problem(s); binational.db was not changed",
    ]
