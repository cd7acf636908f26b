"""Turn checked sources into the typed rows of every table: the one step that converts.

Runs on records as pipeline.write_sources reads them, a part of a file at a
time, while the checks (checks.checked_files) read the same files in a process
of their own; the rows are kept only if the checks find no problem. Each
source table's row is its record's typed values (lists and note quotes as
JSON) plus the derived columns its table declares; derived tables (dataset_info,
link tables, aliases, note quotes) are built from the source tables.

The tables of KEPT (reports, sections and the registries: a few thousand rows
at most) are kept whole, because other rows are converted with them (an event's
chapter, the names in its search text) and written once they have all passed.
Every other source table is converted and written a part of a file at a time and never
held whole, a column at a time (the part's values.TypedValues, read unchecked by
values.read_file_unchecked): `PART_CONVERTERS` names the function for the tables
with derived columns or tables, the others are written as their typed values
(`plain_part`, lists as JSON), and `CONVERTERS` names the function for every
table converted whole that is not a plain copy. An
event's columns derived from its links (its people, primary place and
mechanism, search text) are filled in once the link tables are written, read
back from them in event order.
"""

import functools
import itertools
import json
import re
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from checks import section_texts
from schema import (
    EDITION,
    PERSON_ROLE_VOCABULARY,
    PRESENT_ROLES,
    PRIMARY_MECHANISM_ROLES,
    PRIMARY_PLACE_ROLES,
    REGISTRY,
    SCHEMA_VERSION,
    SOURCE_TABLES,
    TABLES,
    UniqueNames,
)

DATE_PRECISION = {4: "year", 7: "month", 10: "day"}
UNDATED = "~"  # sorts after every ISO date, so undated events come last
JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')  # the characters json.dumps escapes, with ensure_ascii=False
# The source tables converted whole: other rows are converted with them. Every other source table streams.
KEPT = frozenset({"reports", "sections", *(table.name for table in SOURCE_TABLES if table.scope == REGISTRY)})
STREAMED = frozenset(table.name for table in SOURCE_TABLES if table.name not in KEPT)


@dataclass(frozen=True)
class Sources:
    """Checked, converted sources, staged in a database of their tables' rows (pipeline.stage_sources)."""

    root: Path
    dataset: dict  # the fields of dataset.yml
    digest: str  # sha256 over every source file
    typed: dict  # name of a table of KEPT -> list of typed values (dicts), in file order
    records: int  # how many records the sources hold
    staged: Path  # the database holding every table's rows, without search, indexes or summaries
    folder: object = None  # the tempfile.TemporaryDirectory holding `staged`, when it is temporary


class Conversion:
    """Converts records to rows a part of a file at a time, and gives them to `writer` (database.RowWriter).

    The rows of the tables converted whole go to `writer.write(table name, row dict)`; those of the other
    tables to `writer.write_tuples` a part of a file at a time.
    """

    def __init__(self, parsed, writer):
        self.parsed, self.write, self.writer = parsed, writer.write, writer
        self.typed = {name: [] for name in KEPT}
        self.section_records = []  # (record, values) of every section, to cut the report's text by
        self.records = 0
        self.whole = None  # the tables converted whole, once every one of them has passed

    def add_file(self, table, records, typed):
        """Convert one file's (or part's) checked records (typed: their values.TypedValues) and write their rows."""
        self.records += len(records)
        if table.name in KEPT:
            for record, values in zip(records, typed.rows, strict=True):
                self.keep(table, record, values)
            return
        if self.whole is None:
            self.whole = self.write_whole()
        for name, rows in PART_CONVERTERS.get(table.name, plain_part)(self.whole, table, typed, records.edition):
            self.writer.write_tuples(name, rows)

    def keep(self, table, record, values):
        if has_report_id(table):
            values = {**values, "report_id": record.edition}
        self.typed[table.name].append(values)
        if table.name == "sections":
            self.section_records.append((record, values))

    def write_whole(self):
        """Write the tables converted whole, once all of them have passed; return them (WholeTables)."""
        whole = WholeTables(self.parsed, self.typed, self.section_records)
        for table in TABLES:
            if table.name not in STREAMED and table.name not in STREAMED_DERIVED:
                for row in CONVERTERS.get(table.name, source_rows)(whole, table):
                    self.write(table.name, row)
        return whole

    def finish(self):
        """The tables converted whole (WholeTables), for the columns derived from links; written by now."""
        if self.whole is None:
            self.whole = self.write_whole()
        return self.whole

    def sources(self, staged):
        return Sources(self.parsed.root, dict(self.parsed.dataset.values), self.parsed.digest, self.typed, self.records, staged)


class WholeTables:
    """The tables of KEPT, with what rows of other tables are converted with: chapters, names."""

    def __init__(self, parsed, typed, section_records):
        self.dataset = dict(parsed.dataset.values)
        self.digest = parsed.digest
        self.typed = typed
        self.editions, self.section_records = parsed.editions, section_records
        self.chapters = {values["id"]: values["chapter"] for values in typed["sections"]}


@functools.cache
def has_report_id(table):
    """An edition table's rows name their report: the edition they come from."""
    return table.scope == EDITION and "report_id" in table.column_names


@functools.cache
def json_columns(table):
    return tuple(c for c in table.source_columns if c.kind in ("list", "quotes"))


def json_list(items):
    items = list(items or [])
    if all(item.__class__ is str and not JSON_ESCAPED.search(item) for item in items):
        return '["' + '", "'.join(items) + '"]' if items else "[]"  # what json.dumps writes for them, written faster
    return json.dumps(items, ensure_ascii=False)


def stored(column, value):
    """A typed value as the database stores it: lists and note quotes as JSON text."""
    if column.kind == "list":
        return json_list(value)
    if column.kind == "quotes":
        return json.dumps([{"section_id": q.section_id, "quote": q.quote} for q in value], ensure_ascii=False)
    return value


def source_row(values, columns):
    """A source row's values as stored: a copy, with its lists as JSON, when it has any."""
    if not columns:
        return values  # rows are only read once they are converted: no copy needed
    row = dict(values)
    for column in columns:
        row[column.name] = stored(column, row[column.name])
    return row


def source_rows(whole, table):
    columns = json_columns(table)
    for values in whole.typed[table.name]:
        yield source_row(values, columns)


def date_precision(value):
    return DATE_PRECISION.get(len(value)) if value else None


# ---------------------------------------------------------------- tables converted whole


def dataset_info_rows(whole, table):
    dataset = whole.dataset
    info = {
        "dataset_version": dataset["version"],
        "dataset_released": dataset["released"],
        "schema_version": str(SCHEMA_VERSION),
        "source_digest": whole.digest,
        "title": dataset["title"],
        "description": dataset["description"],
        "creator": dataset["creator"],
        "license": dataset["license"],
        "license_id": dataset["license_id"],
        "license_url": dataset["license_url"],
        "citation": dataset["citation"].replace("{version}", dataset["version"]),
        "source_url": dataset["source_url"],
    }
    for values in whole.typed["reports"]:
        info[f"report_sha256:{values['id']}"] = values["sha256"]
    return ({"key": key, "value": value} for key, value in info.items())


def report_rows(whole, table):
    counts = {}
    for values in whole.typed["sections"]:
        counts[values["report_id"]] = counts.get(values["report_id"], 0) + 1
    for row in source_rows(whole, table):
        yield {**row, "section_count": counts.get(row["id"], 0)}


def section_rows(whole, table):
    positions = {}
    # Cut an edition at a time: each report's text is read, written once, and not kept.
    for edition_id, edition_sections in itertools.groupby(whole.section_records, key=lambda pair: pair[0].edition):
        edition_sections = list(edition_sections)
        texts = section_texts({edition_id: whole.editions[edition_id]}, edition_sections)
        for _, values in edition_sections:
            number = values["id"].split(":", 1)[1]
            positions[values["report_id"]] = position = positions.get(values["report_id"], 0) + 1
            yield {
                **values,
                "number": number,
                "level": number.count(".") + 1,
                "position": position,
                "title": values["heading"] or values["index_title"] or number,
                "body": texts[values["id"]].body,
            }


def person_role_rows(whole, table):
    for role in PERSON_ROLE_VOCABULARY:
        yield {"id": role.id, "present": int(role.present), "description": role.description}


@dataclass(frozen=True)
class ListLinks:
    """A link table whose rows are the items of a list column of a source table: (the row's id, an item)."""

    list_column: str
    key_column: str
    item_column: str

    def rows(self, values):
        """The link rows of one source row (typed values by name)."""
        for item in values[self.list_column] or ():
            yield {self.key_column: values["id"], self.item_column: item}

    def columns(self, typed):
        """The link rows of a part of a file (values.TypedValues), by column."""
        pairs = [(key, item) for key, items in zip(typed.column("id"), typed.column(self.list_column), strict=True) for item in items or ()]
        return {self.key_column: [key for key, _ in pairs], self.item_column: [item for _, item in pairs]}


def mechanism_member_rows(whole, table):
    for values in whole.typed["mechanisms"]:
        yield from MECHANISM_MEMBERS.rows(values)


def alias_rows(whole, table):
    for source in TABLES:
        for rule in (r for r in source.rules if isinstance(r, UniqueNames)):
            for values in whole.typed[source.name]:
                for alias in values[rule.aliases] or ():
                    yield {"entity_type": rule.entity, "entity_id": values["id"], "alias": alias}


# ---------------------------------------------------------------- tables converted a part of a file at a time, by column
#
# A part converter takes (WholeTables, table, a part's values.TypedValues, its edition) and gives
# (table name, its rows as tuples) for each table it writes rows of.


def stored_columns(table, typed):
    """A part's typed values by column name, as the database stores them: lists and note quotes as JSON text."""
    columns = dict(typed.columns)
    for column in json_columns(table):
        columns[column.name] = [stored(column, value) for value in columns[column.name]]
    return columns


def table_rows(table, columns, count):
    """Tuples of a table's columns in its order, from `count` rows' columns by name; a column not given is None."""
    missing = [None] * count
    return zip(*(columns.get(name, missing) for name in table.column_names), strict=True)


def plain_part(whole, table, typed, edition):
    yield table.name, table_rows(table, stored_columns(table, typed), len(typed))


def event_part(whole, table, typed, edition):
    """Events' rows; their columns derived from their links are filled in by write_event_link_columns."""
    columns = stored_columns(table, typed)
    starts = typed.column("start_date")
    columns.update(
        report_id=[edition] * len(starts),
        chapter=list(map(whole.chapters.__getitem__, typed.column("section_id"))),
        date_precision=list(map(date_precision, starts)),
        month=[start[:7] if start and len(start) >= 7 else None for start in starts],
        year=[int(start[:4]) if start else None for start in starts],
        date_order=[start or UNDATED for start in starts],
    )
    yield table.name, table_rows(table, columns, len(starts))
    for link_table, links in EVENT_LIST_LINKS.items():
        link_columns = links.columns(typed)
        yield link_table, table_rows(TABLE_NAMED[link_table], link_columns, len(link_columns[links.key_column]))


def event_people_part(whole, table, typed, edition):
    columns = dict(typed.columns)
    columns["present"] = [int(role in PRESENT_ROLES) for role in typed.column("role")]
    yield table.name, table_rows(table, columns, len(typed))


def data_note_part(whole, table, typed, edition):
    yield table.name, table_rows(table, stored_columns(table, typed), len(typed))
    quoted = [
        (note_id, position, quote)
        for note_id, quotes in zip(typed.column("id"), typed.column("quotes"), strict=True)
        for position, quote in enumerate(quotes or (), 1)
    ]
    columns = {
        "note_id": [note_id for note_id, _, _ in quoted],
        "position": [position for _, position, _ in quoted],
        "section_id": [quote.section_id for _, _, quote in quoted],
        "quote": [quote.quote for _, _, quote in quoted],
    }
    yield "data_note_quotes", table_rows(TABLE_NAMED["data_note_quotes"], columns, len(quoted))


TABLE_NAMED = {table.name: table for table in TABLES}
MECHANISM_MEMBERS = ListLinks("members", "mechanism_id", "country_id")
EVENT_LIST_LINKS = {
    "event_topics": ListLinks("topics", "event_id", "topic_id"),
    "event_countries": ListLinks("countries", "event_id", "country_id"),
}

CONVERTERS = {
    "dataset_info": dataset_info_rows,
    "reports": report_rows,
    "sections": section_rows,
    "mechanism_members": mechanism_member_rows,
    "aliases": alias_rows,
    "person_roles": person_role_rows,
}
PART_CONVERTERS = {
    "events": event_part,
    "event_people": event_people_part,
    "data_notes": data_note_part,
}
# Derived tables written by the part converters of their source tables.
STREAMED_DERIVED = frozenset({*EVENT_LIST_LINKS, "data_note_quotes"})


# ---------------------------------------------------------------- an event's columns derived from its links


def names_of(values, *columns):
    """The names a registry row is known by: its name, acronym and aliases, as present."""
    names = []
    for column in columns:
        value = values.get(column)
        names.extend(value if isinstance(value, tuple) else (value,) if value else ())
    return names


# The link tables an event's search text takes names from, in this order, then its topics:
# (link table, its column naming the registry row, registry, the registry's columns that name it).
SEARCH_LINKS = (
    ("event_people", "person_id", "people", ("name", "aliases")),
    ("event_organizations", "organization_id", "organizations", ("name", "acronym", "aliases")),
    ("event_mechanisms", "mechanism_id", "mechanisms", ("name", "acronym", "aliases")),
    ("event_places", "place_id", "places", ("name", "aliases")),
)


def links_by_event(connection, link_table, key, role):
    """(event id, [(event id, key, role or None) in file order]) for every event with links, in event id order.

    Read through the link table's primary key, which begins with event_id; SQLite puts each event's links
    back in file order (rowid), sorting one event's rows at a time.
    """
    role_column = f"[{role}]" if role else "null"
    cursor = connection.execute(f"select event_id, [{key}], {role_column} from [{link_table}] order by event_id, rowid")
    for event_id, rows in itertools.groupby(cursor, key=itemgetter(0)):
        yield event_id, list(rows)


NO_LINKS = (None, ())


class EventLinks:
    """One event's links at a time, from a link table read in event id order."""

    def __init__(self, connection, link_table, key, role="role"):
        self.links = links_by_event(connection, link_table, key, role)
        self.current = next(self.links, NO_LINKS)

    def of(self, event_id):
        """The links of `event_id`; events must be asked for in id order (SQLite's and Python's orders of text agree)."""
        current = self.current
        while current[0] is not None and current[0] < event_id:
            current = next(self.links, NO_LINKS)
        self.current = current
        return current[1] if current[0] == event_id else ()


def primary(links, rank):
    """The key of the first link in the order of the roles ranked (file order within a role), or None."""
    best = None
    for _, key, role in links:
        position = rank.get(role)
        if position is not None and (best is None or position < best[0]):
            best = (position, key)
    return best[1] if best else None


def ranks(roles):
    return {role: position for position, role in enumerate(roles)}


def events_by_id(connection, page=10_000):
    """(id, rowid) of every event in id order, a page at a time, so that no cursor on events is open while it is updated."""
    last = ""
    while True:
        rows = connection.execute(
            "select id, rowid from events where id > :last order by id limit :page", {"last": last, "page": page}
        ).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def write_event_link_columns(connection, whole):
    """Fill in every event's mechanism_id, place_id, people and search_text from the written link tables."""
    typed = whole.typed
    # Each link table of SEARCH_LINKS, read in event order, with the names of the registry rows it links to.
    links = [
        (EventLinks(connection, link_table, key), {values["id"]: tuple(names_of(values, *columns)) for values in typed[registry]})
        for link_table, key, registry, columns in SEARCH_LINKS
    ]
    position = {link_table: number for number, (link_table, *_) in enumerate(SEARCH_LINKS)}
    people, mechanisms, places = position["event_people"], position["event_mechanisms"], position["event_places"]
    person_names = {values["id"]: values["name"] for values in typed["people"]}
    topic_names = {values["id"]: values["name"] for values in typed["topics"]}
    topics = EventLinks(connection, "event_topics", "topic_id", role=None)
    mechanism_ranks, place_ranks = ranks(PRIMARY_MECHANISM_ROLES), ranks(PRIMARY_PLACE_ROLES)
    for page in events_by_id(connection):
        updates = []
        for event_id, rowid in page:
            of_event = [event_links.of(event_id) for event_links, _ in links]
            words = {}  # each name once, in the order first met
            for rows, (_, names) in zip(of_event, links, strict=True):
                for _, key, _ in rows:
                    words.update(dict.fromkeys(names[key]))
            for _, key, _ in topics.of(event_id):
                words[topic_names[key]] = None
            updates.append(
                (
                    primary(of_event[mechanisms], mechanism_ranks),
                    primary(of_event[places], place_ranks),
                    json_list(dict.fromkeys([person_names[key] for _, key, _ in of_event[people]])),
                    "; ".join(words) or None,
                    rowid,
                )
            )
        connection.executemany("update events set mechanism_id = ?, place_id = ?, people = ?, search_text = ? where rowid = ?", updates)


# Every table is either a plain copy of its source file or has a converter; tables converted whole come first.
UNCONVERTED = [
    t.name
    for t in TABLES
    if t.name not in CONVERTERS
    and t.name not in PART_CONVERTERS
    and t.name not in STREAMED_DERIVED
    and (not t.source or any(c.derived for c in t.columns))
]
if UNCONVERTED:
    raise RuntimeError(f"tables without a converter: {', '.join(UNCONVERTED)}")
if max(i for i, t in enumerate(SOURCE_TABLES) if t.name in KEPT) > min(i for i, t in enumerate(SOURCE_TABLES) if t.name in STREAMED):
    raise RuntimeError("every table converted whole must be declared before the tables converted a part at a time")
