"""The database built from validated sources: tables, search, indexes, views.

Where each table is defined (TABLES), filled (`table_rows`) and written
(`write_database`). Descriptions of tables and columns for readers are in
metadata.yml.
"""

import contextlib
import json
import os
import sqlite3
from pathlib import Path

import sqlite_utils

from schema import SCHEMA_VERSION, SPECS

TEMPORARY_SUFFIX = ".tmp"
DATE_PRECISION = {4: "year", 7: "month", 10: "day"}

TABLES = {
    "dataset_info": ({"key": str, "value": str}, "key", []),
    "reports": (
        {
            "id": str,
            "title": str,
            "publisher": str,
            "published": str,
            "year_covered": int,
            "language": str,
            "file": str,
            "sha256": str,
            "section_count": int,
        },
        "id",
        [],
    ),
    "sections": (
        {
            "id": str,
            "report_id": str,
            "number": str,
            "parent_id": str,
            "chapter": int,
            "level": int,
            "position": int,
            "title": str,
            "heading": str,
            "index_label": str,
            "index_title": str,
            "line": int,
            "body": str,
        },
        "id",
        [("report_id", "reports", "id"), ("parent_id", "sections", "id")],
    ),
    "countries": (
        {"id": str, "name": str, "name_es": str, "basis": str, "section_id": str, "quote": str},
        "id",
        [("section_id", "sections", "id")],
    ),
    "topics": ({"id": str, "name": str, "description": str}, "id", []),
    "places": (
        {
            "id": str,
            "name": str,
            "kind": str,
            "country_id": str,
            "parent_id": str,
            "latitude": float,
            "longitude": float,
            "coordinates_basis": str,
            "section_id": str,
            "quote": str,
        },
        "id",
        [("country_id", "countries", "id"), ("parent_id", "places", "id"), ("section_id", "sections", "id")],
    ),
    "people": (
        {"id": str, "name": str, "country_id": str, "aliases": str, "section_id": str, "quote": str},
        "id",
        [("country_id", "countries", "id"), ("section_id", "sections", "id")],
    ),
    "organizations": (
        {
            "id": str,
            "name": str,
            "acronym": str,
            "name_es": str,
            "name_es_basis": str,
            "country_id": str,
            "kind": str,
            "parent_id": str,
            "aliases": str,
            "section_id": str,
            "quote": str,
        },
        "id",
        [("country_id", "countries", "id"), ("parent_id", "organizations", "id"), ("section_id", "sections", "id")],
    ),
    "mechanisms": (
        {
            "id": str,
            "name": str,
            "acronym": str,
            "kind": str,
            "members": str,
            "aliases": str,
            "established": str,
            "established_quote": str,
            "section_id": str,
            "quote": str,
        },
        "id",
        [("section_id", "sections", "id")],
    ),
    "mechanism_members": (
        {"mechanism_id": str, "country_id": str},
        ("mechanism_id", "country_id"),
        [("mechanism_id", "mechanisms", "id"), ("country_id", "countries", "id")],
    ),
    "aliases": (
        {"entity_type": str, "entity_id": str, "alias": str},
        ("entity_type", "entity_id", "alias"),
        [],
    ),
    "events": (
        {
            "id": str,
            "report_id": str,
            "section_id": str,
            "chapter": int,
            "title": str,
            "start_date": str,
            "end_date": str,
            "date_precision": str,
            "month": str,
            "year": int,
            "event_type": str,
            "mode": str,
            "status": str,
            "ordinal": int,
            "mechanism_id": str,
            "place_id": str,
            "summary": str,
            "quote": str,
            "topics": str,
            "countries": str,
            "people": str,
        },
        "id",
        [
            ("report_id", "reports", "id"),
            ("section_id", "sections", "id"),
            ("mechanism_id", "mechanisms", "id"),
            ("place_id", "places", "id"),
        ],
    ),
    "event_people": (
        {"event_id": str, "person_id": str, "role": str, "title": str, "organization_id": str, "quote": str},
        ("event_id", "person_id", "role"),
        [("event_id", "events", "id"), ("person_id", "people", "id"), ("organization_id", "organizations", "id")],
    ),
    "event_organizations": (
        {"event_id": str, "organization_id": str, "role": str, "quote": str},
        ("event_id", "organization_id", "role"),
        [("event_id", "events", "id"), ("organization_id", "organizations", "id")],
    ),
    "event_topics": (
        {"event_id": str, "topic_id": str},
        ("event_id", "topic_id"),
        [("event_id", "events", "id"), ("topic_id", "topics", "id")],
    ),
    "event_countries": (
        {"event_id": str, "country_id": str},
        ("event_id", "country_id"),
        [("event_id", "events", "id"), ("country_id", "countries", "id")],
    ),
    "figures": (
        {
            "id": str,
            "section_id": str,
            "event_id": str,
            "value": float,
            "unit": str,
            "description": str,
            "as_of": str,
            "lower_bound": int,
            "approximate": int,
            "quote": str,
        },
        "id",
        [("section_id", "sections", "id"), ("event_id", "events", "id")],
    ),
    "statements": (
        {
            "id": str,
            "section_id": str,
            "kind": str,
            "event_id": str,
            "mechanism_id": str,
            "organization_id": str,
            "topics": str,
            "summary": str,
            "quote": str,
        },
        "id",
        [
            ("section_id", "sections", "id"),
            ("event_id", "events", "id"),
            ("mechanism_id", "mechanisms", "id"),
            ("organization_id", "organizations", "id"),
        ],
    ),
    "data_notes": (
        {"id": str, "kind": str, "section_id": str, "title": str, "description": str, "resolution": str, "quotes": str},
        "id",
        [("section_id", "sections", "id")],
    ),
    "data_note_quotes": (
        {"note_id": str, "position": int, "section_id": str, "quote": str},
        ("note_id", "position"),
        [("note_id", "data_notes", "id"), ("section_id", "sections", "id")],
    ),
}

FTS = {
    "events": ("title", "summary", "quote"),
    "sections": ("title", "body"),
    "people": ("name", "aliases"),
    "organizations": ("name", "acronym", "name_es", "aliases"),
    "mechanisms": ("name", "acronym", "aliases"),
    "statements": ("summary", "quote"),
}
FTS_TOKENIZER = "unicode61 remove_diacritics 2"
EXTRA_INDEXES = {
    "events": (("start_date",), ("month",), ("year",), ("event_type",), ("mode",), ("status",), ("chapter",)),
    "sections": (("chapter",),),
    "figures": (("unit", "value"),),
    "data_notes": (("kind",),),
    "organizations": (("kind",),),
    "mechanisms": (("kind",),),
    "statements": (("kind",),),
    "aliases": (("entity_id",), ("alias",)),
}

VIEWS = {
    "events_detail": """
select
  e.id, e.start_date, e.end_date, e.date_precision, e.title, e.event_type, e.mode, e.status, e.ordinal,
  m.name as mechanism, p.name as place, s.number as section, s.title as section_title,
  e.summary, e.quote,
  (select json_group_array(json_object('person', pe.name, 'role', ep.role, 'title', ep.title))
     from event_people ep join people pe on pe.id = ep.person_id where ep.event_id = e.id) as people,
  (select json_group_array(json_object('organization', o.name, 'role', eo.role))
     from event_organizations eo join organizations o on o.id = eo.organization_id where eo.event_id = e.id) as organizations,
  e.topics, e.countries
from events e
left join mechanisms m on m.id = e.mechanism_id
left join places p on p.id = e.place_id
join sections s on s.id = e.section_id
order by e.start_date, e.id
""",
    "person_events": """
select
  pe.id as person_id, pe.name as person, e.id as event_id, e.title as event, e.start_date, e.end_date,
  ep.role, ep.title, o.name as organization, p.name as place, m.name as mechanism, ep.quote, e.section_id
from event_people ep
join people pe on pe.id = ep.person_id
join events e on e.id = ep.event_id
left join organizations o on o.id = ep.organization_id
left join places p on p.id = e.place_id
left join mechanisms m on m.id = e.mechanism_id
order by pe.name, e.start_date
""",
}

# Summary tables, computed once at build time, so that the pages and canned queries that
# aggregate the whole dataset read a few rows instead of scanning every event.
SUMMARIES = {
    "people_pairs": (
        {"person_a_id": str, "person_a": str, "person_b_id": str, "person_b": str, "events": int, "event_ids": str},
        ("person_a_id", "person_b_id"),
        [("person_a_id", "people", "id"), ("person_b_id", "people", "id")],
        """
select pairs.a, pa.name, pairs.b, pb.name, pairs.events, pairs.event_ids
from (
  select a.person_id as a, b.person_id as b, count(distinct a.event_id) as events,
    json_group_array(distinct a.event_id) as event_ids
  from event_people a join event_people b on b.event_id = a.event_id and a.person_id < b.person_id
  group by a.person_id, b.person_id
) pairs
join people pa on pa.id = pairs.a
join people pb on pb.id = pairs.b
order by pairs.events desc, pa.name, pb.name
""",
    ),
    "summary_events_by_place": (
        {"place_id": str, "events": int, "recent_events": str},
        "place_id",
        [("place_id", "places", "id")],
        """
select p.id, count(e.id),
  (select json_group_array(title) from (select title from events where place_id = p.id order by start_date desc, id limit 5))
from places p left join events e on e.place_id = p.id
group by p.id
order by p.id
""",
    ),
    "summary_events_by_month": (
        {"month": str, "events": int},
        "month",
        [],
        "select month, count(*) from events where month is not null group by month order by month",
    ),
    "summary_events_by_mechanism": (
        {"mechanism_id": str, "mechanism": str, "events": int, "first": str, "last": str},
        "mechanism_id",
        [("mechanism_id", "mechanisms", "id")],
        """
select m.id, m.name, count(*), min(e.start_date), max(e.start_date)
from events e join mechanisms m on m.id = e.mechanism_id group by m.id order by m.id
""",
    ),
    "summary_events_by_topic": (
        {"topic_id": str, "topic": str, "events": int},
        "topic_id",
        [("topic_id", "topics", "id")],
        "select t.id, t.name, count(*) from event_topics et join topics t on t.id = et.topic_id group by t.id order by t.id",
    ),
    "summary_events_by_chapter_topic": (
        {"report_id": str, "chapter": int, "chapter_title": str, "topic_id": str, "topic": str, "events": int},
        ("report_id", "chapter", "topic_id"),
        [("report_id", "reports", "id"), ("topic_id", "topics", "id")],
        """
select g.report_id, g.chapter,
  (select s.title from sections s where s.report_id = g.report_id and s.number = cast(g.chapter as text)),
  g.topic_id, t.name, g.events
from (
  select e.report_id, e.chapter, et.topic_id, count(*) as events
  from event_topics et join events e on e.id = et.event_id
  where e.chapter is not null
  group by e.report_id, e.chapter, et.topic_id
) g
join topics t on t.id = g.topic_id
order by g.report_id, g.chapter, g.topic_id
""",
    ),
    "summary_events_by_mechanism_month": (
        {"mechanism_id": str, "mechanism": str, "year": int, "month": str, "events": int},
        ("mechanism_id", "month"),
        [("mechanism_id", "mechanisms", "id")],
        """
select m.id, m.name, e.year, e.month, count(*)
from events e join mechanisms m on m.id = e.mechanism_id
where e.month is not null
group by m.id, e.month
order by m.id, e.month
""",
    ),
}
SUMMARY_INDEXES = {
    "people_pairs": (("person_b_id",), ("events", "person_a", "person_b")),
    "summary_events_by_mechanism": (("events",),),
    "summary_events_by_topic": (("events",),),
    "summary_events_by_mechanism_month": (("year",),),
}


def json_list(items):
    return json.dumps(list(items or []), ensure_ascii=False)


def date_precision(value):
    return DATE_PRECISION.get(len(value)) if value else None


def section_rows(sources):
    for edition in sources.editions.values():
        records = [r for r in sources.tables["sections"] if r.edition == edition.id]
        for position, record in enumerate(records, 1):
            text = edition.texts[record.get("id")]
            yield {
                "id": record.get("id"),
                "report_id": edition.id,
                "number": record.get("number"),
                "parent_id": record.get("parent_id"),
                "chapter": record.get("chapter"),
                "level": record.get("number").count(".") + 1,
                "position": position,
                "title": record.get("heading") or record.get("index_title") or record.get("number"),
                "heading": record.get("heading"),
                "index_label": record.get("index_label"),
                "index_title": record.get("index_title"),
                "line": record.get("line"),
                "body": text.body,
            }


def event_rows(sources):
    sections = {r.get("id"): r for r in sources.tables["sections"]}
    people = {r.get("id"): r.get("name") for r in sources.tables["people"]}
    attendees = {}
    for link in sources.tables["event_people"]:
        names = attendees.setdefault(link.get("event_id"), [])
        if people[link.get("person_id")] not in names:
            names.append(people[link.get("person_id")])
    for record in sources.tables["events"]:
        row = {name: record.get(name) for name in SPECS["events"].names}
        start = row["start_date"]
        row.update(
            report_id=record.edition,
            chapter=sections[row["section_id"]].get("chapter"),
            date_precision=date_precision(start),
            month=start[:7] if start and len(start) >= 7 else None,
            year=int(start[:4]) if start else None,
            topics=json_list(row["topics"]),
            countries=json_list(row["countries"]),
            people=json_list(attendees.get(record.get("id"))),
        )
        yield row


def plain_rows(records, spec, lists=()):
    for record in records:
        row = {name: record.get(name) for name in spec.names}
        for name in lists:
            row[name] = json_list(row[name])
        yield row


def alias_rows(sources):
    for table, entity_type in (("people", "person"), ("organizations", "organization"), ("mechanisms", "mechanism")):
        for record in sources.tables[table]:
            for alias in record.get("aliases") or []:
                yield {"entity_type": entity_type, "entity_id": record.get("id"), "alias": alias}


def table_rows(sources):
    """Every table's rows, in insertion order (referenced tables first)."""
    tables = sources.tables
    dataset = sources.dataset.values
    info = {
        "dataset_version": dataset["version"],
        "schema_version": str(SCHEMA_VERSION),
        "source_digest": sources.digest,
        "title": dataset["title"],
        "license": dataset["license"],
        "license_url": dataset["license_url"],
        "citation": dataset["citation"].replace("{version}", dataset["version"]),
        "source_url": dataset["source_url"],
    }
    for edition in sources.editions.values():
        info[f"report_sha256:{edition.id}"] = edition.report.get("sha256")
    yield "dataset_info", ({"key": k, "value": v} for k, v in info.items())
    yield (
        "reports",
        (
            {**{n: r.get(n) for n in SPECS["reports"].names}, "section_count": sum(1 for s in tables["sections"] if s.edition == r.edition)}
            for r in tables["reports"]
        ),
    )
    yield "sections", section_rows(sources)
    yield "countries", plain_rows(tables["countries"], SPECS["countries"])
    yield "topics", plain_rows(tables["topics"], SPECS["topics"])
    yield "places", plain_rows(tables["places"], SPECS["places"])
    yield "people", plain_rows(tables["people"], SPECS["people"], ("aliases",))
    yield "organizations", plain_rows(tables["organizations"], SPECS["organizations"], ("aliases",))
    yield "mechanisms", plain_rows(tables["mechanisms"], SPECS["mechanisms"], ("aliases", "members"))
    yield (
        "mechanism_members",
        ({"mechanism_id": r.get("id"), "country_id": c} for r in tables["mechanisms"] for c in r.get("members") or []),
    )
    yield "aliases", alias_rows(sources)
    yield "events", event_rows(sources)
    yield "event_people", plain_rows(tables["event_people"], SPECS["event_people"])
    yield "event_organizations", plain_rows(tables["event_organizations"], SPECS["event_organizations"])
    yield "event_topics", ({"event_id": r.get("id"), "topic_id": t} for r in tables["events"] for t in r.get("topics") or [])
    yield "event_countries", ({"event_id": r.get("id"), "country_id": c} for r in tables["events"] for c in r.get("countries") or [])
    yield "figures", plain_rows(tables["figures"], SPECS["figures"])
    yield "statements", plain_rows(tables["statements"], SPECS["statements"], ("topics",))
    yield (
        "data_notes",
        (
            {
                **{n: r.get(n) for n in SPECS["data_notes"].names if n != "quotes"},
                "quotes": json.dumps([{"section_id": q["section_id"], "quote": q["quote"]} for q in r.get("quotes")], ensure_ascii=False),
            }
            for r in tables["data_notes"]
        ),
    )
    yield (
        "data_note_quotes",
        (
            {"note_id": r.get("id"), "position": position, "section_id": q["section_id"], "quote": q["quote"]}
            for r in tables["data_notes"]
            for position, q in enumerate(r.get("quotes"), 1)
        ),
    )


def create_tables(db):
    for name, (columns, pk, foreign_keys) in TABLES.items():
        db[name].create(columns, pk=pk, foreign_keys=foreign_keys)


def create_indexes(db):
    for name, (_, _, foreign_keys) in TABLES.items():
        for column, _, _ in foreign_keys:
            db[name].create_index([column], find_unique_name=True)
    for name, indexes in EXTRA_INDEXES.items():
        for columns in indexes:
            db[name].create_index(list(columns), find_unique_name=True)


def insert_rows(connection, sources):
    """Every table's rows, with plain executemany: sqlite-utils' insert_all costs several times more per row."""
    for name, rows in table_rows(sources):
        columns = list(TABLES[name][0])
        sql = f"insert into [{name}] ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})"
        connection.executemany(sql, (tuple(row.get(c) for c in columns) for row in rows))


def build_search(db):
    for name, columns in FTS.items():
        db[name].enable_fts(columns, tokenize=FTS_TOKENIZER)


def build_summaries(db):
    for name, (columns, pk, foreign_keys, sql) in SUMMARIES.items():
        db[name].create(columns, pk=pk, foreign_keys=foreign_keys)
        db.execute(f"insert into [{name}] ({', '.join(f'[{c}]' for c in columns)}) {sql.strip()}")
        for column, _, _ in foreign_keys:
            db[name].create_index([column], find_unique_name=True)
        for columns_of_index in SUMMARY_INDEXES.get(name, ()):
            db[name].create_index(list(columns_of_index), find_unique_name=True)


def finalize(db):
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip())
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    problems = [tuple(row) for row in db.execute("PRAGMA foreign_key_check").fetchall()]
    if problems:
        raise RuntimeError(f"foreign key check failed: {problems[:5]}")
    db.execute("VACUUM")


def open_new(path):
    connection = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(connection)
    db.execute("PRAGMA page_size = 4096")
    db.execute("PRAGMA journal_mode = OFF")
    # Rows are inserted parents first and checked once at the end (foreign_key_check in finalize).
    db.execute("PRAGMA foreign_keys = OFF")
    return connection, db


def write_database(sources, output, timer=None):
    """Write the database to a temporary file and rename it over `output`.

    `timer`, if given, is a context-manager factory called with each phase's
    name (insert, search, indexes, summaries, finalize), for benchmarks.
    """
    output = Path(output)
    temporary = output.with_name(output.name + TEMPORARY_SUFFIX)
    temporary.unlink(missing_ok=True)
    phase = timer or (lambda name: contextlib.nullcontext())
    try:
        connection, db = open_new(temporary)
        with phase("insert"):
            with db.atomic():
                create_tables(db)
                insert_rows(connection, sources)
        with phase("search"):
            build_search(db)
        with phase("indexes"):
            create_indexes(db)
        with phase("summaries"):
            with db.atomic():
                build_summaries(db)
        with phase("finalize"):
            finalize(db)
        connection.close()
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)
