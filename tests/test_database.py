"""The built database: schema, integrity, search, views and reproducibility."""

import hashlib
import sqlite3

import pytest
import yaml
from helpers import FIXTURE_SOURCES, SOURCES

import build
import database
from schema import SCHEMA_VERSION, SUMMARIES


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("fixture") / "fixture.db"
    build.write_database(build.load_sources(FIXTURE_SOURCES), path)
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()


def rows(connection, sql, params=()):
    return [tuple(row) for row in connection.execute(sql, params).fetchall()]


def test_event_row_is_built_with_derived_columns(fixture_db):
    row = fixture_db.execute("select * from events where id = 'test-2023-consular-november'").fetchone()
    assert dict(row) == {
        "id": "test-2023-consular-november",
        "report_id": "test-2023",
        "section_id": "test-2023:1.b",
        "chapter": 1,
        "title": "Consular Dialogue meets again",
        "start_date": "2023-11-06",
        "end_date": "2023-11-08",
        "date_precision": "day",
        "month": "2023-11",
        "year": 2023,
        "event_type": "dialogue",
        "mode": None,
        "status": "occurred",
        "ordinal": None,
        "mechanism_id": "consular-dialogue",
        "place_id": None,
        "summary": "The Consular Dialogue met for three days in November.",
        "quote": "The Consular Dialogue met again from November 6-8, 2023.",
        "topics": '["consular-affairs"]',
        "countries": '["MX", "US"]',
        "people": "[]",
        "search_text": "Mexico-U.S. Consular Dialogue; Consular Dialogue; Consular affairs",
        "date_order": "2023-11-06",
    }


def test_section_rows_carry_the_report_text(fixture_db):
    assert rows(fixture_db, "select id, number, parent_id, chapter, level, position, title, line, body from sections") == [
        ("test-2023:title", "title", None, None, 1, 1, "TEST REPORT", 1, ""),
        ("test-2023:1", "1", None, 1, 1, 2, "1. MEETINGS", 3, ""),
        (
            "test-2023:1.a",
            "1.a",
            "test-2023:1",
            1,
            2,
            3,
            "a. Summit in Mexico City",
            5,
            "On March 9, 2023, President Andrés Manuel López Obrador hosted Secretary of State Antony Blinken at the "
            "National Palace in Mexico City. Trade between Mexico and the U.S. reached $779.3 billion in 2022.",
        ),
        (
            "test-2023:1.b",
            "1.b",
            "test-2023:1",
            1,
            2,
            4,
            "b. The Consular Dialogue",
            9,
            "The 21st Mexico-U.S. Consular Dialogue, held on October 31, 2023, was led by Vanessa Calva Ruiz and Rena "
            "Bitter. Established in 2013, this mechanism strengthens consular protection.\n\n"
            "The Consular Dialogue met again from November 6-8, 2023.",
        ),
    ]


def test_link_tables_and_aliases(fixture_db):
    assert rows(fixture_db, "select * from event_topics order by event_id") == [
        ("test-2023-consular-21", "consular-affairs"),
        ("test-2023-consular-november", "consular-affairs"),
        ("test-2023-palace-meeting", "trade"),
    ]
    assert rows(fixture_db, "select * from mechanism_members") == [("consular-dialogue", "MX"), ("consular-dialogue", "US")]
    assert rows(fixture_db, "select * from aliases where entity_type = 'person' order by alias") == [
        ("person", "andres-manuel-lopez-obrador", "López Obrador"),
        ("person", "andres-manuel-lopez-obrador", "President Andrés Manuel López Obrador"),
        ("person", "antony-blinken", "Secretary of State Antony Blinken"),
    ]
    assert rows(fixture_db, "select * from data_note_quotes") == [("summit-heading", 1, "test-2023:1.a", "Summit in Mexico City")]


def test_views(fixture_db):
    assert rows(fixture_db, "select person_a, person_b, events, event_ids from people_pairs") == [
        ("Andrés Manuel López Obrador", "Antony Blinken", 1, '["test-2023-palace-meeting"]')
    ]
    assert rows(fixture_db, "select person, event, role, title, organization, place from person_events") == [
        ("Andrés Manuel López Obrador", "López Obrador hosts Blinken", "host", "President", None, "National Palace"),
        ("Antony Blinken", "López Obrador hosts Blinken", "met-with", "Secretary of State", "U.S. Department of State", "National Palace"),
        ("Vanessa Calva Ruiz", "21st Consular Dialogue", "co-chair", None, None, None),
    ]
    assert rows(fixture_db, "select people from events_detail where id = 'test-2023-palace-meeting'") == [
        (
            '[{"person":"Andrés Manuel López Obrador","role":"host","present":1,"title":"President"},'
            '{"person":"Antony Blinken","role":"met-with","present":1,"title":"Secretary of State"}]',
        )
    ]


@pytest.mark.parametrize(
    "table, query, expected",
    [
        ("people", "Lopez", ["andres-manuel-lopez-obrador"]),
        ("people", "López", ["andres-manuel-lopez-obrador"]),
        ("events", "lopez obrador", ["test-2023-palace-meeting"]),
        ("sections", "Andres", ["test-2023:1.a"]),
        ("mechanisms", "consular", ["consular-dialogue"]),
        ("organizations", "department", ["us-state-department"]),
    ],
)
def test_search_folds_accents(fixture_db, table, query, expected):
    sql = f"select {table}.id from {table} join {table}_fts on {table}_fts.rowid = {table}.rowid where {table}_fts match :q order by {table}.id"
    assert [row[0] for row in fixture_db.execute(sql, {"q": query})] == expected


def test_dataset_info_and_user_version(fixture_db):
    info = dict(rows(fixture_db, "select key, value from dataset_info"))
    assert info == {
        "dataset_version": "1.0.0",
        "dataset_released": "2024-02-01",
        "schema_version": str(SCHEMA_VERSION),
        "source_digest": build.source_digest(FIXTURE_SOURCES),
        "title": "Test dataset",
        "description": "A small dataset for the build's tests.",
        "creator": "Test contributors",
        "license": "CC BY 4.0",
        "license_id": "CC-BY-4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "citation": "Test dataset, version 1.0.0.",
        "source_url": "https://example.org/",
        "report_sha256:test-2023": hashlib.sha256((FIXTURE_SOURCES / "test-2023" / "report.md").read_bytes()).hexdigest(),
    }
    assert fixture_db.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION


def test_real_database_integrity(connection):
    assert rows(connection, "pragma integrity_check") == [("ok",)]
    assert rows(connection, "pragma foreign_key_check") == []
    version = yaml.safe_load((SOURCES / "dataset.yml").read_text())["version"]
    assert rows(connection, "select value from dataset_info where key = 'dataset_version'") == [(version,)]


def test_every_foreign_key_column_is_indexed(connection):
    unindexed = []
    for (table,) in rows(connection, "select name from sqlite_master where type = 'table' and name not like '%_fts%'"):
        indexed = {
            connection.execute(f"pragma index_info('{index[1]}')").fetchone()[2]
            for index in rows(connection, f"pragma index_list('{table}')")
        }
        for fk in rows(connection, f"pragma foreign_key_list('{table}')"):
            if fk[3] not in indexed:
                unindexed.append((table, fk[3]))
    assert unindexed == []


def test_no_index_repeats_the_leading_columns_of_another(connection):
    # An index whose columns begin another index (the primary key's included) serves no lookup the other
    # does not: it only costs build time and space (there were 19, one on event_people.event_id).
    repeated = []
    for (table,) in rows(connection, "select name from sqlite_master where type = 'table' and name not like '%_fts%'"):
        indexes = {
            index[1]: tuple(column[2] for column in rows(connection, f"pragma index_info('{index[1]}')"))
            for index in rows(connection, f"pragma index_list('{table}')")
        }
        for name, columns in indexes.items():
            if any(other != name and found[: len(columns)] == columns for other, found in indexes.items()):
                repeated.append((table, name, columns))
    assert repeated == []


def test_real_search_folds_accents(connection):
    def search(table, query):
        sql = f"select {table}.id from {table} join {table}_fts on {table}_fts.rowid = {table}.rowid where {table}_fts match :q"
        return sorted(row[0] for row in connection.execute(sql, {"q": query}))

    assert search("people", "Barcena") == ["alicia-barcena"]
    assert search("people", "Bárcena") == ["alicia-barcena"]
    assert search("people", "Lopez Obrador") == ["andres-manuel-lopez-obrador"]


def test_build_is_reproducible(tmp_path):
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    build.write_database(build.load_sources(SOURCES), first)
    build.write_database(build.load_sources(SOURCES), second)
    assert hashlib.sha256(first.read_bytes()).hexdigest() == hashlib.sha256(second.read_bytes()).hexdigest()


def test_every_summary_holds_the_rows_its_query_gives_on_the_built_database(connection):
    # The summaries are made on a copy of the database, beside its full-text index, and copied in.
    for table in SUMMARIES:
        made = rows(connection, f"select * from [{table.name}] order by rowid")
        assert made, table.name
        assert made == rows(connection, table.sql), table.name


@pytest.mark.parametrize("step", ["build_search", "build_summaries"])
def test_a_failed_completion_leaves_neither_the_database_nor_its_copy(tmp_path, monkeypatch, step):
    sources = build.load_sources(FIXTURE_SOURCES)

    def fail(connection):
        raise sqlite3.OperationalError(f"{step} failed")

    monkeypatch.setattr(database, step, fail)
    with pytest.raises(sqlite3.OperationalError, match=f"^{step} failed$"):
        build.write_database(sources, tmp_path / "binational.db")
    assert list(tmp_path.iterdir()) == []


def test_a_build_leaves_only_its_database(tmp_path):
    build.write_database(build.load_sources(FIXTURE_SOURCES), tmp_path / "binational.db")
    assert [path.name for path in tmp_path.iterdir()] == ["binational.db"]


def test_the_database_has_no_free_pages(connection):
    # Nothing is deleted while a database is built, so it needs no VACUUM to be compact.
    assert rows(connection, "pragma freelist_count") == [(0,)]
