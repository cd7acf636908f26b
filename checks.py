"""Check parsed sources against the declarations in schema.py: return every problem, change nothing.

`check_sources` reads each record's values through values.read_record (a
pure function), then runs the checks across records: unique keys,
references, each table's rules (schema.DateRange, UniqueNames, Acyclic,
RepresentedBy, ReportSnapshot, SectionHeadings), columns that require another,
and every quote against the report. It can run any number of times on the same sources and finds the same
problems.
"""

import functools
import re
import unicodedata
from pathlib import Path

import report
from schema import (
    ANYWHERE,
    DATASET_FIELDS,
    IN_EVENT_SECTION,
    IN_ROW_OR_EVENT_SECTION,
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
from sourcetree import DATASET_FILE
from values import read_record, read_value

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
DATASET_NAMES = tuple(column.name for column in DATASET_FIELDS)


def problem_order(problem):
    return (problem.path, problem.line, problem.field, problem.message)


def check_sources(parsed):
    """Every problem of a parsed source tree (sourcetree.ParsedSources), sorted; an empty list when it is valid."""
    problems = []
    check_dataset(parsed.dataset, problems)
    typed = read_tables(parsed, problems)
    texts = section_texts(parsed.editions, typed["sections"])
    for table in SOURCE_TABLES:
        check_unique(typed[table.name], table.primary_key, problems)
        check_requires(typed[table.name], table, problems)
        for rule in table.rules:
            RULES[type(rule)](rule, table, typed, parsed, problems)
    check_references(typed, parsed.unreadable, problems)
    check_quotes(typed, texts, unread_sections(parsed.editions, typed["sections"]), problems)
    # What stopped a file from being read comes first: nothing in that file was checked.
    unread = sorted(set(parsed.problems), key=problem_order)
    return unread + sorted(set(problems) - set(unread), key=problem_order)


def read_tables(parsed, problems):
    """table name -> [(record, typed values)] for every source table."""
    return {
        table.name: [(record, read_record(record, table, problems)) for record in parsed.records[table.name]] for table in SOURCE_TABLES
    }


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


# ---------------------------------------------------------------- keys and references


def check_unique(rows, key_columns, problems):
    seen = {}
    for record, values in rows:
        key = tuple(values.get(name) for name in key_columns)
        if None in key:
            continue
        if key in seen:
            first = seen[key]
            label = "/".join(str(part) for part in key)
            problems.append(
                Problem(
                    record.path,
                    record.line_of(key_columns[0]),
                    key_columns[0],
                    f"{label!r} is already used at {first.path}:{first.line}; ids must be unique",
                )
            )
        else:
            seen[key] = record


def check_references(typed, unreadable, problems):
    """Every reference names an existing id (references into unreadable files are not re-reported)."""
    ids = {name: {values.get("id") for _, values in rows} for name, rows in typed.items()}
    for table in SOURCE_TABLES:
        linking = [
            (column, column.references or column.item_references)
            for column in table.source_columns
            if (column.references or column.item_references) and (column.references or column.item_references) not in unreadable
        ]
        for record, values in typed[table.name]:
            for column, target in linking:
                value = values.get(column.name)
                if value is None:
                    continue
                known = ids[target]
                for item in value if column.item_references else (value,):
                    if item not in known:
                        problems.append(
                            Problem(
                                record.path,
                                record.line_of(column.name),
                                column.name,
                                f"{item!r} is not an id in {target}; add it there or fix the spelling",
                            )
                        )


def check_requires(rows, table, problems):
    """A column declared with `requires` needs that other column set too."""
    for column in (c for c in table.source_columns if c.requires):
        for record, values in rows:
            if values.get(column.name) is not None and values.get(column.requires) is None:
                problems.append(
                    Problem(record.path, record.line_of(column.name), column.name, f"is set, so {column.requires} is required too")
                )


# ---------------------------------------------------------------- rules of single tables


def check_date_range(rule, table, typed, parsed, problems):
    for record, values in typed[table.name]:
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


def check_unique_names(rule, table, typed, parsed, problems):
    """No spelling may name two people (or two organizations, or two mechanisms)."""
    owner = {}
    for record, values in typed[table.name]:
        for spelling in (values.get(rule.name), *(values.get(rule.aliases) or ())):
            if spelling is None:
                continue
            key = fold(spelling)
            previous = owner.get(key)
            if previous and previous[1].get("id") != values.get("id"):
                first, first_values = previous
                problems.append(
                    Problem(
                        record.path,
                        record.line_of(rule.aliases),
                        rule.aliases,
                        f"{spelling!r} also names {first_values.get('id')!r} ({first.path}:{first.line}); an alias must name one {rule.entity}",
                    )
                )
            owner.setdefault(key, (record, values))


def check_acyclic(rule, table, typed, parsed, problems):
    """No row links to itself, and following the links never leads back to where it began."""
    links = {}
    for record, values in typed[table.name]:
        start, end = values.get(rule.start), values.get(rule.end)
        if start is None or end is None:
            continue
        if start == end:
            problems.append(Problem(record.path, record.line_of(rule.end), rule.end, f"{end!r} links an event to itself"))
            continue
        links.setdefault(start, []).append((end, record))
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
            end, record = step
            if state.get(end) == "open":
                problems.append(
                    Problem(
                        record.path,
                        record.line_of(rule.end),
                        rule.end,
                        f"{end!r} already leads to {node!r} through other links, so this link closes a cycle; "
                        "an event cannot be part of its own parts",
                    )
                )
            elif end not in state:
                state[end] = "open"
                stack.append((end, iter(links.get(end, ()))))


def check_represented_by(rule, table, typed, parsed, problems):
    """Who represented a person is named only for someone not there, and that representative was there."""
    present = {(values.get("event_id"), values.get("person_id")) for _, values in typed[table.name] if values.get("role") in PRESENT_ROLES}
    for record, values in typed[table.name]:
        representative = values.get(rule.column)
        if representative is None:
            continue
        if values.get("role") in PRESENT_ROLES:
            problems.append(
                Problem(
                    record.path,
                    record.line_of(rule.column),
                    rule.column,
                    f"is set on a row whose role {values.get('role')!r} places the person at the event; "
                    "use it on the represented person's row (role represented)",
                )
            )
        elif (values.get("event_id"), representative) not in present:
            problems.append(
                Problem(
                    record.path,
                    record.line_of(rule.column),
                    rule.column,
                    f"{representative!r} has no row with a present role in event {values.get('event_id')!r}; add the representative's row",
                )
            )


def check_report_snapshot(rule, table, typed, parsed, problems):
    for record, values in typed[table.name]:
        if values.get("id") is not None and values.get("id") != record.edition:
            problems.append(Problem(record.path, record.line_of("id"), "id", f"must equal the folder name {record.edition!r}"))
        digest = parsed.editions[record.edition].snapshot_sha256
        if digest is not None and values.get("sha256") != digest:
            problems.append(
                Problem(
                    record.path,
                    record.line_of("sha256"),
                    "sha256",
                    f"the snapshot's sha256 is {digest}; the snapshot must not be edited (update sha256 only for a new snapshot)",
                )
            )


def check_section_headings(rule, table, typed, parsed, problems):
    """Sections must point at their headings, and every heading must be a section."""
    for edition in parsed.editions.values():
        if edition.snapshot_sha256 is not None:
            rows = [(record, values) for record, values in typed[table.name] if record.edition == edition.id]
            check_edition_headings(edition, rows, str(Path(edition.report.path).with_name(table.source)), problems)


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
    DateRange: check_date_range,
    UniqueNames: check_unique_names,
    Acyclic: check_acyclic,
    RepresentedBy: check_represented_by,
    ReportSnapshot: check_report_snapshot,
    SectionHeadings: check_section_headings,
}


# ---------------------------------------------------------------- quotes


def shorten(text, limit=80):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote_found(quote, text):
    return report.normalize_space(quote) in text


def check_quotes(typed, texts, unread, problems):
    """Every quote is verbatim in the section its row names (or its event's, or anywhere in the report).

    Quotes from the sections in `unread` (of a report that could not be read)
    are not checked, and while any report is unread neither are the quotes
    that may come from anywhere: the unread file is the one problem to report.
    """
    searchable = {section_id: text.searchable for section_id, text in texts.items()}
    # The whole report as one string, only when a quote needs looking for anywhere.
    anywhere = functools.cache(lambda: " \n ".join(searchable.values()))
    event_sections = {values.get("id"): values.get("section_id") for _, values in typed["events"]}

    def check(record, field_name, section_id, quote, line=None):
        if quote is None or section_id is None or section_id not in searchable:
            return
        if not quote_found(quote, searchable[section_id]):
            hint = "it occurs in another section; fix section_id" if quote_found(quote, anywhere()) else "copy it exactly from the report"
            problems.append(
                Problem(
                    record.path,
                    line or record.line_of(field_name),
                    field_name,
                    f"is not verbatim in section {section_id}: {shorten(quote)!r}; {hint}",
                )
            )

    for table in SOURCE_TABLES:
        quoted = [c for c in table.source_columns if c.quoted_in]
        notes = [c for c in table.source_columns if c.kind == "quotes"]
        for record, values in typed[table.name]:
            for column in quoted:
                quote = values.get(column.name)
                if column.quoted_in == IN_ROW_SECTION:
                    check(record, column.name, values.get("section_id"), quote)
                elif column.quoted_in == IN_EVENT_SECTION:
                    check(record, column.name, event_sections.get(values.get("event_id")), quote)
                elif column.quoted_in == IN_ROW_OR_EVENT_SECTION:
                    check(record, column.name, values.get("section_id") or event_sections.get(values.get("event_id")), quote)
                elif column.quoted_in == ANYWHERE and quote is not None and not unread and not quote_found(quote, anywhere()):
                    problems.append(
                        Problem(record.path, record.line_of(column.name), column.name, f"is not verbatim in the report: {shorten(quote)!r}")
                    )
            for column in notes:
                for item in values.get(column.name) or ():
                    if item.section_id is not None and item.section_id not in searchable and item.section_id not in unread:
                        problems.append(
                            Problem(record.path, item.line, f"{column.name}.section_id", f"{item.section_id!r} is not an id in sections")
                        )
                    check(record, f"{column.name}.quote", item.section_id, item.quote, item.line)
