"""Check parsed sources against the declarations in schema.py: return every problem, change nothing.

`checked_files` reads the values of each file's records through
values.read_file_records (pure functions) and checks each file's records as
they pass (a large file's a part at a time, sourcetree.CHUNK_RECORDS), table
by table in the declared order, never holding every record; a build runs them
in a process of their own while it writes (pipeline.stage_sources). What a check needs of rows
that have passed is kept, and only that. What grows with the largest tables
is kept on disk, in a scratch SQLite database with a bounded page cache
(open_scratch): the keys seen (UniqueKeys, a file's keys at a time, checked
before any of its rows is yielded), the (event, person) pairs present for
RepresentedBy and each section's text that quotes are searched in
(SectionTexts, fetched a part of a file at a time). In memory: the ids of
referenced tables and each event's section (looked up for every link row, too
often to ask a database), the state of the other rules (schema.DateRange,
UniqueNames, Acyclic, ReportSnapshot, SectionHeadings) and the rows of the few
tables the report's text is cut by. References to a table that has not passed
yet (a section's parent) are checked when every table has. `check_sources` runs the same
checks over a whole parsed tree and returns every problem; it can run any
number of times on the same sources and finds the same problems.
"""

import functools
import itertools
import json
import re
import sqlite3
import unicodedata
from pathlib import Path

import report
from schema import (
    ANYWHERE,
    DATASET_FIELDS,
    IN_EVENT_SECTION,
    IN_ROW_SECTION,
    PRESENT_ROLES,
    SOURCE_TABLES,
    Acyclic,
    DateRange,
    ReportSnapshot,
    RepresentedBy,
    SectionHeadings,
    UniqueNames,
)
from sourcefiles import Problem
from sourcetree import DATASET_FILE, table_files
from values import read_file_records, read_value

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
DATASET_NAMES = tuple(column.name for column in DATASET_FIELDS)
POSITION = {table.name: position for position, table in enumerate(SOURCE_TABLES)}
# The table whose rows are cut from the report (by their heading lines) and the table whose rows
# name the section of the links that point at them: both found by their declarations.
SECTIONS = next(table.name for table in SOURCE_TABLES if any(isinstance(rule, SectionHeadings) for rule in table.rules))
EVENTS = next(
    column.references for table in SOURCE_TABLES for column in table.source_columns if column.name == IN_EVENT_SECTION and column.references
)
# Tables whose rows the whole-table rules read (ReportSnapshot, SectionHeadings): a few rows per edition.
WHOLE_TABLE_RULES = (ReportSnapshot, SectionHeadings)
FILE_BITS = 32  # a location is a line and a file's number, in one int
FILE_MASK = (1 << FILE_BITS) - 1
REFERENCED = frozenset(column.references or column.item_references for table in SOURCE_TABLES for column in table.source_columns) - {None}
# The scratch database's page cache, in KiB: its other pages wait in its file, so the keys of millions of rows take disk, not memory.
SCRATCH_CACHE_KIB = 16 * 1024


def problem_order(problem):
    return (problem.path, problem.line, problem.field, problem.message)


class Findings:
    """The problems of a check: `read`, what stopped a file from being read, reported first; `found`, every other."""

    def __init__(self, read=()):
        self.read = list(read)
        self.found = []

    def __bool__(self):
        return bool(self.read or self.found)

    def sorted(self):
        # What stopped a file from being read comes first: nothing in that file was checked.
        unread = sorted(set(self.read), key=problem_order)
        return unread + sorted(set(self.found) - set(unread), key=problem_order)


def check_sources(parsed):
    """Every problem of a parsed source tree (sourcetree.ParsedSources), sorted; an empty list when it is valid."""
    findings = Findings(parsed.problems)
    for _ in checked_files(parsed, findings):
        pass
    return findings.sorted()


def checked_files(parsed, findings):
    """(table, records, their typed values) for every file of the tree, in the declared order of tables, each checked as it passes.

    Problems are added to `findings` (sourcetree.ParsedSources' own problems are
    the caller's to add): a file's rows' own problems before it is yielded, those
    of a whole table once it has passed, references to later tables at the end.
    """
    problems = findings.found
    check_dataset(parsed.dataset, problems)
    scratch = open_scratch()
    try:
        passed = PassedRows(parsed, scratch)
        for table in SOURCE_TABLES:
            table_check = TableCheck(table, passed, problems)
            for records in table_files(parsed, table, findings.read, passed.unreadable):
                typed = read_file_records(records, table, problems)
                table_check.file(records, typed)
                if table_check.checks_rows:
                    for record, values in zip(records, typed.rows, strict=True):
                        table_check.row(record, values)
                yield table, records, typed
            table_check.end()
        passed.check_later_references(problems)
    finally:
        scratch.close()


def open_scratch():
    """A private SQLite database in a temporary file, removed when it is closed: what the checks remember of large tables.

    Its page cache is bounded (SCRATCH_CACHE_KIB), so the keys of millions of
    rows wait on disk rather than in memory. It is one transaction that is
    never committed: nothing of it is meant to last.
    """
    scratch = sqlite3.connect("", isolation_level=None)
    scratch.execute(f"PRAGMA cache_size = -{SCRATCH_CACHE_KIB}")
    scratch.execute("PRAGMA journal_mode = OFF")
    scratch.execute("PRAGMA synchronous = OFF")
    scratch.execute("begin")
    return scratch


class PassedRows:
    """What the checks keep of the rows that have passed: ids, each event's section, whole small tables, the report's text."""

    def __init__(self, parsed, scratch):
        self.parsed, self.scratch = parsed, scratch  # scratch: the database of keys and present pairs (open_scratch)
        self.unreadable = set(parsed.unreadable)
        self.event_sections = {}  # event id -> its section id; the last row of an id wins
        # The ids of each referenced table; the events' are the keys of event_sections, not kept twice.
        self.ids = {name: self.event_sections if name == EVENTS else set() for name in REFERENCED}
        self.whole = {}  # table name -> [(record, values)], for the tables whole-table rules read
        self.later_references = []  # (item, record path, line, column name, target) naming a table not yet passed
        self.texts = SectionTexts(scratch)  # each section's text as quotes are searched in
        self.unread = frozenset()  # sections of editions whose report could not be read

    def cut_sections(self, rows):
        """The report's text by section, once every section has passed; cut an edition at a time, keeping only what quotes are searched in."""
        for edition_id, edition in self.parsed.editions.items():
            texts = section_texts({edition_id: edition}, rows)
            self.texts.add((section_id, text.searchable) for section_id, text in texts.items())
        self.unread = unread_sections(self.parsed.editions, rows)

    @functools.cached_property
    def anywhere(self):
        """The whole report as one string, only when a quote needs looking for anywhere."""
        return " \n ".join(self.texts.every())

    def check_later_references(self, problems):
        for item, path, line, name, target in self.later_references:
            if target not in self.unreadable and item not in self.ids[target]:
                problems.append(Problem(path, line, name, reference_message(item, target)))


class SectionTexts:
    """The text of every section that quotes are searched in, in the scratch database (open_scratch), in the order added.

    The reports' text grows with the editions (a quarter of a gigabyte at 10^6 events); quotes are looked up
    a part of a file at a time (`of`), and a part's rows quote few sections.
    """

    def __init__(self, scratch):
        self.scratch = scratch
        scratch.execute("create table section_texts (id text primary key, text text)")

    def add(self, texts):
        # The last text of an id, as in a dict.
        self.scratch.executemany("insert or replace into section_texts (id, text) values (?, ?)", texts)

    def of(self, section_ids):
        """{section id: its text} for those of `section_ids` that are sections."""
        query = "select id, text from section_texts where id in (select value from json_each(:ids))"
        return dict(self.scratch.execute(query, {"ids": json.dumps(list(filter(None, section_ids)))}))

    def every(self):
        return (text for (text,) in self.scratch.execute("select text from section_texts order by rowid"))


def section_texts(editions, sections):
    """Qualified section id -> report.SectionText, for every edition whose snapshot could be read."""
    texts = {}
    for edition in editions.values():
        if edition.snapshot_sha256 is None:
            continue
        rows = [(values["id"], values["line"], values["heading"]) for record, values in sections if record.edition == edition.id]
        texts.update(report.section_texts(edition.lines, rows))
    return texts


def unread_sections(editions, sections):
    """Ids of the sections of editions whose snapshot (or report.yml) could not be read: their quotes cannot be checked."""
    read = {edition.id for edition in editions.values() if edition.snapshot_sha256 is not None}
    return frozenset(values["id"] for record, values in sections if record.edition not in read)


class TableCheck:
    """The checks of one table's rows as they pass, and of the whole table when it has passed."""

    def __init__(self, table, passed, problems):
        self.table, self.passed, self.problems = table, passed, problems
        self.keys = UniqueKeys(table, passed.scratch, problems)
        self.requiring = tuple((c.name, c.requires) for c in table.source_columns if c.requires)
        self.rules = tuple(RULES[type(rule)](rule, table, passed, problems) for rule in table.rules)
        self.keeps_rows = any(isinstance(rule, WHOLE_TABLE_RULES) for rule in table.rules)
        self.rows = []
        # (column, target table, a list of ids?) of every reference to a table that has passed, and to one that has not
        references = [
            (column.name, target, bool(column.item_references), POSITION[target] >= POSITION[table.name])
            for column in table.source_columns
            for target in (column.references or column.item_references,)
            if target
        ]
        self.linking = tuple((name, target, is_list) for name, target, is_list, later in references if not later)
        self.linking_later = tuple((name, target, is_list) for name, target, is_list, later in references if later)
        self.quoted = tuple((c.name, c.quoted_in) for c in table.source_columns if c.quoted_in)
        self.notes = tuple(c.name for c in table.source_columns if c.kind == "quotes")
        self.is_referenced = table.name in REFERENCED
        self.is_events = table.name == EVENTS
        # Whether `row` has anything to check: a file's rows are made into Records only then.
        self.checks_rows = bool(
            self.requiring or self.linking_later or self.keeps_rows or any(type(rule).row is not RowRule.row for rule in self.rules)
        )

    def file(self, records, typed):
        """The checks of one file's rows that are cheaper a column at a time, made before any of its rows passes.

        Its keys first; then its references to tables that have passed, its quotes and what its rules check
        a file (or a part of one) at a time; then its ids are kept (an event's section with it; the last row
        of an id wins).
        """
        self.keys.add_file(records, typed)
        self.check_references(records, typed)
        if self.quoted or self.notes:
            check_quotes(records, typed, self.quoted, self.notes, self.passed, self.problems)
        for rule in self.rules:
            rule.file(records, typed)
        if self.is_events:
            self.passed.event_sections.update(zip(typed.column("id"), typed.column("section_id"), strict=True))
        elif self.is_referenced:
            self.passed.ids[self.table.name].update(typed.column("id"))

    def row(self, record, values):
        for name, required in self.requiring:
            if values.get(name) is not None and values.get(required) is None:
                self.problems.append(Problem(record.path, record.line_of(name), name, f"is set, so {required} is required too"))
        for rule in self.rules:
            rule.row(record, values)
        if self.linking_later:
            self.keep_later_references(record, values)
        if self.keeps_rows:
            self.rows.append((record, values))

    def end(self):
        for rule in self.rules:
            rule.end(self.rows)
        if self.table.name == SECTIONS:
            self.passed.cut_sections(self.rows)
        if self.keeps_rows:
            self.passed.whole[self.table.name] = self.rows

    def check_references(self, records, typed):
        """Every reference of a file's rows names an existing id (references into unreadable files are not re-reported).

        A column is checked whole, its distinct ids against the target's; only a column naming an unknown id is
        read row by row, to report each row that names one.
        """
        passed = self.passed
        for name, target, is_list in self.linking:
            if target in passed.unreadable:
                continue
            column = typed.column(name)
            named = set(itertools.chain.from_iterable(filter(None, column))) if is_list else set(column)
            named.discard(None)
            known = passed.ids[target]
            if not named.difference(known):
                continue
            for record, value in zip(records, column, strict=True):
                if value is None:
                    continue
                for item in value if is_list else (value,):
                    if item not in known:
                        self.problems.append(Problem(record.path, record.line_of(name), name, reference_message(item, target)))

    def keep_later_references(self, record, values):
        """References to a table that has not passed yet, checked when every table has (PassedRows.check_later_references)."""
        passed = self.passed
        for name, target, is_list in self.linking_later:
            value = values.get(name)
            if value is None or target in passed.unreadable:
                continue
            passed.later_references.extend(
                (item, record.path, record.line_of(name), name, target) for item in (value if is_list else (value,))
            )


class UniqueKeys:
    """The keys of one table's rows, each with the location of the first row that has it, in the scratch database.

    A file's keys go in at once (`add_file`), through the scratch table's
    primary key: a key already there is left as it is, so it keeps the first
    row's location. Only when a file's keys are not all new are its rows looked
    up one by one, to report each row whose key another row has.
    """

    def __init__(self, table, scratch, problems):
        self.scratch, self.problems = scratch, problems
        self.key_columns = table.primary_key
        self.paths, self.file_numbers = [], {}  # the files of locations, and each one's number
        # The scratch table's name and columns are the declaration's position and numbers, never a value of the sources.
        name = f"keys_{POSITION[table.name]}"
        parts = [f"part_{number}" for number in range(len(self.key_columns))]
        scratch.execute(f"create table {name} ({', '.join(parts)}, location integer, primary key ({', '.join(parts)})) without rowid")
        self.insert_sql = f"insert or ignore into {name} values ({', '.join('?' * (len(parts) + 1))})"
        self.first_sql = f"select location from {name} where {' and '.join(f'{part} = ?' for part in parts)}"

    def add_file(self, records, typed):
        """Add the keys of one file's records (typed: their values); report each key that another row has.

        A key with an empty part (an invalid value, reported already) is left out by the primary key, which
        is NOT NULL; a file whose rows did not all go in is then read row by row.
        """
        if not records:
            return
        number = self.file_number(records.path)
        locations = [line << FILE_BITS | number for line in records.lines]
        before = self.scratch.total_changes
        self.scratch.executemany(self.insert_sql, zip(*map(typed.column, self.key_columns), locations, strict=True))
        if self.scratch.total_changes - before != len(records):
            self.report_taken(records, typed, locations)

    def report_taken(self, records, typed, locations):
        """Report each record whose key was first seen in another row (its location is not the one kept)."""
        for record, key, location in zip(records, typed.tuples(self.key_columns), locations, strict=True):
            if None in key:
                continue
            (first,) = self.scratch.execute(self.first_sql, key).fetchone()
            if first == location:
                continue
            label = "/".join(str(part) for part in key)
            name = self.key_columns[0]
            path, line = self.paths[first & FILE_MASK], first >> FILE_BITS
            self.problems.append(
                Problem(record.path, record.line_of(name), name, f"{label!r} is already used at {path}:{line}; ids must be unique")
            )

    def file_number(self, path):
        """The number of a file, which a location holds below its line: an int holds far less than a tuple."""
        number = self.file_numbers.get(path)
        if number is None:
            number = self.file_numbers[path] = len(self.paths)
            self.paths.append(path)
        return number


def reference_message(item, target):
    return f"{item!r} is not an id in {target}; add it there or fix the spelling"


# ---------------------------------------------------------------- the dataset file


def check_dataset(dataset, problems):
    if dataset is None:
        return
    for name in dataset.values:
        if name not in DATASET_NAMES:
            problems.append(
                Problem(
                    dataset.path,
                    dataset.line_of(name),
                    name,
                    f"is not a field of {DATASET_FILE}; expected one of: {', '.join(DATASET_NAMES)}",
                )
            )
    for column in DATASET_FIELDS:
        value = dataset.values.get(column.name)
        if not isinstance(value, str) or not value:
            problems.append(Problem(dataset.path, dataset.line_of(column.name), column.name, "is required"))
            continue
        _, message = read_value(column, value, None)
        if message:
            problems.append(Problem(dataset.path, dataset.line_of(column.name), column.name, message))
    version = dataset.values.get("version")
    if isinstance(version, str) and not SEMVER.match(version):
        problems.append(Problem(dataset.path, dataset.line_of("version"), "version", f"{version!r} is not a SemVer version like 1.2.0"))


# ---------------------------------------------------------------- rules of single tables
#
# Each rule is checked row by row as the rows pass (`row`) and, where it needs more than one row, when the
# whole table has passed (`end`, given the table's rows only for the rules of WHOLE_TABLE_RULES).


class RowRule:
    def __init__(self, rule, table, passed, problems):
        self.rule, self.table, self.passed, self.problems = rule, table, passed, problems

    def file(self, records, typed):
        pass

    def row(self, record, values):
        pass

    def end(self, rows):
        pass


class DateRangeCheck(RowRule):
    def row(self, record, values):
        rule, problems = self.rule, self.problems
        start, end = values.get(rule.start), values.get(rule.end)
        if end and not start:
            problems.append(Problem(record.path, record.line_of(rule.end), rule.end, f"is set but {rule.start} is empty"))
        elif start and end and end < start[: len(end)]:
            problems.append(Problem(record.path, record.line_of(rule.end), rule.end, f"{end} is before {rule.start} {start}"))
        elif start and end and end == start:
            problems.append(
                Problem(record.path, record.line_of(rule.end), rule.end, f"equals {rule.start}; leave it empty for a one-day event")
            )


def fold(text):
    """Case- and accent-insensitive form, for alias collisions."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


class UniqueNamesCheck(RowRule):
    """No spelling may name two people (or two organizations, or two mechanisms)."""

    def __init__(self, *arguments):
        super().__init__(*arguments)
        self.owner = {}  # folded spelling -> (id, path, line) of the first row that uses it

    def row(self, record, values):
        rule = self.rule
        for spelling in (values.get(rule.name), *(values.get(rule.aliases) or ())):
            if spelling is None:
                continue
            key = fold(spelling)
            previous = self.owner.get(key)
            if previous and previous[0] != values.get("id"):
                first_id, first_path, first_line = previous
                self.problems.append(
                    Problem(
                        record.path,
                        record.line_of(rule.aliases),
                        rule.aliases,
                        f"{spelling!r} also names {first_id!r} ({first_path}:{first_line}); an alias must name one {rule.entity}",
                    )
                )
            self.owner.setdefault(key, (values.get("id"), record.path, record.line))


class AcyclicCheck(RowRule):
    """No row links to itself, and following the links never leads back to where it began."""

    def __init__(self, *arguments):
        super().__init__(*arguments)
        self.links = {}  # start -> [(end, path, line of end)], every link of the table

    def row(self, record, values):
        rule = self.rule
        start, end = values.get(rule.start), values.get(rule.end)
        if start is None or end is None:
            return
        if start == end:
            self.problems.append(Problem(record.path, record.line_of(rule.end), rule.end, f"{end!r} links an event to itself"))
            return
        self.links.setdefault(start, []).append((end, record.path, record.line_of(rule.end)))

    def end(self, rows):
        links = self.links
        # Depth-first, iteratively: a link to an event whose links are still being followed closes a cycle.
        state = {}  # event id -> "open" while its links are followed, "done" after
        for root in links:
            if root in state:
                continue
            state[root] = "open"
            stack = [(root, iter(links[root]))]
            while stack:
                node, pending = stack[-1]
                step = next(pending, None)
                if step is None:
                    state[node] = "done"
                    stack.pop()
                    continue
                end, path, line = step
                if state.get(end) == "open":
                    self.problems.append(
                        Problem(
                            path,
                            line,
                            self.rule.end,
                            f"{end!r} already leads to {node!r} through other links, so this link closes a cycle; "
                            "an event cannot be part of its own parts",
                        )
                    )
                elif end not in state:
                    state[end] = "open"
                    stack.append((end, iter(links.get(end, ()))))


class RepresentedByCheck(RowRule):
    """Who represented a person is named only for someone not there, and that representative was there.

    Whether the representative was there is known once every row has passed, so the rule keeps the
    (event, person) pair of every row with a present role, in the scratch database (a file's pairs at a
    time), and the few rows that name a representative, in memory.
    """

    def __init__(self, *arguments):
        super().__init__(*arguments)
        self.scratch = self.passed.scratch
        # NULL-safe: an invalid event id is None, and a None pair is found by another None pair, as in a set of tuples.
        self.scratch.execute("create table present (event_id, person_id)")
        self.represented = []  # (event id, representative, path, line) of every row that names one

    def file(self, records, typed):
        column = self.rule.column
        event_ids, roles = typed.column("event_id"), typed.column("role")
        pairs = zip(event_ids, typed.column("person_id"), strict=True)
        present = map(PRESENT_ROLES.__contains__, roles)
        self.scratch.executemany("insert into present values (?, ?)", itertools.compress(pairs, present))
        lines = records.lines_of(column)
        for line, event_id, role, representative in zip(lines, event_ids, roles, typed.column(column), strict=True):
            if representative is not None:
                self.representative(records.path, line, event_id, role, representative)

    def representative(self, path, line, event_id, role, representative):
        column = self.rule.column
        if role in PRESENT_ROLES:
            self.problems.append(
                Problem(
                    path,
                    line,
                    column,
                    f"is set on a row whose role {role!r} places the person at the event; "
                    "use it on the represented person's row (role represented)",
                )
            )
        else:
            self.represented.append((event_id, representative, path, line))

    def end(self, rows):
        if not self.represented:
            return
        # Indexed once every pair is in: a sort, cheaper than keeping the index while millions of pairs go in.
        self.scratch.execute("create index present_pairs on present (event_id, person_id)")
        for event_id, representative, path, line in self.represented:
            if not self.scratch.execute(
                "select exists (select 1 from present where event_id is ? and person_id is ?)", (event_id, representative)
            ).fetchone()[0]:
                self.problems.append(
                    Problem(
                        path,
                        line,
                        self.rule.column,
                        f"{representative!r} has no row with a present role in event {event_id!r}; add the representative's row",
                    )
                )


class ReportSnapshotCheck(RowRule):
    def row(self, record, values):
        problems = self.problems
        if values.get("id") is not None and values.get("id") != record.edition:
            problems.append(Problem(record.path, record.line_of("id"), "id", f"must equal the folder name {record.edition!r}"))
        digest = self.passed.parsed.editions[record.edition].snapshot_sha256
        if digest is not None and values.get("sha256") != digest:
            problems.append(
                Problem(
                    record.path,
                    record.line_of("sha256"),
                    "sha256",
                    f"the snapshot's sha256 is {digest}; the snapshot must not be edited (update sha256 only for a new snapshot)",
                )
            )


class SectionHeadingsCheck(RowRule):
    """Sections must point at their headings, and every heading must be a section."""

    def end(self, rows):
        for edition in self.passed.parsed.editions.values():
            if edition.snapshot_sha256 is not None:
                edition_rows = [(record, values) for record, values in rows if record.edition == edition.id]
                check_edition_headings(edition, edition_rows, str(Path(edition.report.path).with_name(self.table.source)), self.problems)


def check_edition_headings(edition, rows, sections_path, problems):
    lines = edition.lines
    starts, first_body = {}, None
    for record, values in rows:
        line = values.get("line")
        if line is None:
            continue
        if not 1 <= line <= len(lines):
            problems.append(Problem(record.path, record.line_of("line"), "line", f"{line} is outside the report (1-{len(lines)})"))
            continue
        actual = report.heading_text(lines[line - 1])
        heading = values.get("heading")
        if heading and actual != heading:
            problems.append(
                Problem(
                    record.path,
                    record.line_of("heading"),
                    "heading",
                    f"line {line} of the report reads {actual or lines[line - 1][:60]!r}, not {heading!r}",
                )
            )
        if not heading and actual is not None:
            problems.append(
                Problem(record.path, record.line_of("heading"), "heading", f"line {line} is the heading {actual!r}; copy it here")
            )
        starts[values.get("id")] = line
        if values.get("chapter") is not None:
            first_body = line if first_body is None else min(first_body, line)
    if len(set(starts.values())) != len(starts):
        problems.append(Problem(sections_path, 1, "line", "two sections start on the same line"))
    used = set(starts.values())
    for number in report.heading_lines(lines, first_body or len(lines) + 1):
        if number not in used:
            problems.append(
                Problem(
                    sections_path,
                    1,
                    "line",
                    f"report line {number} is the heading {report.heading_text(lines[number - 1])!r} but no section starts there; add it",
                )
            )


RULES = {
    DateRange: DateRangeCheck,
    UniqueNames: UniqueNamesCheck,
    Acyclic: AcyclicCheck,
    RepresentedBy: RepresentedByCheck,
    ReportSnapshot: ReportSnapshotCheck,
    SectionHeadings: SectionHeadingsCheck,
}


# ---------------------------------------------------------------- quotes


def shorten(text, limit=80):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote_found(quote, text):
    return report.normalize_space(quote) in text


def check_quote(path, line, field_name, section_id, quote, texts, passed, problems):
    """A quote is verbatim in the section named, unless either is missing or the section's report could not be read."""
    if quote is None or section_id is None:
        return
    text = texts.get(section_id)
    # A section's searchable text holds no white space but single spaces: a quote found in it as it is, is found
    # normalized too (it is the quote stripped of single spaces at its ends), so the normalizing is left for the rest.
    if text is None or quote in text or quote_found(quote, text):
        return
    hint = "it occurs in another section; fix section_id" if quote_found(quote, passed.anywhere) else "copy it exactly from the report"
    problems.append(
        Problem(
            path,
            line,
            field_name,
            f"is not verbatim in section {section_id}: {shorten(quote)!r}; {hint}",
        )
    )


def quote_sections(quoted_in, typed, passed):
    """The section each row's quote is looked for in, for a column quoted in its row's or its event's section."""
    if quoted_in == IN_ROW_SECTION:
        return typed.column("section_id")
    events = map(passed.event_sections.get, typed.column("event_id"))
    if quoted_in == IN_EVENT_SECTION:
        return events
    return [own or event for own, event in zip(typed.column("section_id"), events, strict=True)]  # IN_ROW_OR_EVENT_SECTION


def check_quotes(records, typed, quoted, notes, passed, problems):
    """Every quote of a file's rows is verbatim in the section its row names (or its event's, or anywhere in the report).

    Quotes from the sections in `passed.unread` (of a report that could not be
    read) are not checked, and while any report is unread neither are the
    quotes that may come from anywhere: the unread file is the one problem to report.
    A column is checked whole, each quote looked for as it is first (check_quote).
    """
    for name, quoted_in in quoted:
        quotes = typed.column(name)
        lines = records.lines_of(name)
        if quoted_in == ANYWHERE:
            for line, quote in zip(lines, quotes, strict=True):
                if quote is not None and not passed.unread and not quote_found(quote, passed.anywhere):
                    problems.append(Problem(records.path, line, name, f"is not verbatim in the report: {shorten(quote)!r}"))
            continue
        sections = list(quote_sections(quoted_in, typed, passed))
        texts = passed.texts.of(set(sections))
        for line, section_id, quote in zip(lines, sections, quotes, strict=True):
            check_quote(records.path, line, name, section_id, quote, texts, passed, problems)
    for name in notes:
        items = [item for quotes in typed.column(name) for item in quotes or ()]  # each knows its line
        texts = passed.texts.of({item.section_id for item in items})
        for item in items:
            if item.section_id is not None and item.section_id not in texts and item.section_id not in passed.unread:
                problems.append(Problem(records.path, item.line, f"{name}.section_id", f"{item.section_id!r} is not an id in sections"))
            check_quote(records.path, item.line, f"{name}.quote", item.section_id, item.quote, texts, passed, problems)
