"""Validate sources/ and build the binational SQLite database.

    python build.py [--sources DIR] [--output FILE]   validate, then build
    python build.py --check                            validate only
    python build.py lint [--fix]                       show (or apply) canonical formatting

Every problem in the sources is reported at once as `file:line: field: message`
and the build exits 1 without touching the existing database. The database is
written to a temporary file beside the output and renamed into place only when
complete.
"""

import argparse
import csv
import datetime
import difflib
import hashlib
import io
import json
import math
import os
import re
import sqlite3
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils
import yaml

import report
from schema import EDITION, REGISTRY, SCHEMA_VERSION, SOURCES, SPECS
from sourcefiles import LINE_KEY, Problem, Record, SourceError, parse_csv, parse_yaml, parse_yaml_mapping, read_text

SOURCES_DIR = Path("sources")
OUTPUT = Path("binational.db")
DATASET_FILE = "dataset.yml"
EDITION_MARKER = "report.yml"
SOURCE_README = "README.md"
DATASET_FIELDS = ("version", "title", "description", "license", "license_url", "citation", "source_url")

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
SECTION_NUMBER = re.compile(r"^[a-z0-9]+(?:\.[a-z0-9]+)*$")
QUALIFIED_SECTION = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*):([a-z0-9]+(?:\.[a-z0-9]+)*)$")
DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
INTEGER = re.compile(r"^\d+$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
DATE_PRECISION = {4: "year", 7: "month", 10: "day"}
TEMPORARY_SUFFIX = ".tmp"


class ValidationFailed(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s) in the sources")
        self.problems = problems


@dataclass
class Edition:
    id: str
    folder: Path
    report: Record
    lines: list
    texts: dict = field(default_factory=dict)  # qualified section id -> report.SectionText


@dataclass
class Sources:
    root: Path
    dataset: Record
    tables: dict  # table name -> list of Records with typed values
    editions: dict  # edition id -> Edition
    digest: str


# ---------------------------------------------------------------- parsing


def display_path(root, path):
    return str(Path(root) / Path(path).relative_to(root)) if Path(path).is_relative_to(root) else str(path)


def source_digest(root):
    """sha256 over every file in the sources tree, by relative path."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(root).rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        digest.update(relative.encode() + b"\0" + hashlib.sha256(path.read_bytes()).hexdigest().encode() + b"\n")
    return digest.hexdigest()


def read_records(path, display, spec, problems):
    """Records of one source file; problems are appended, never raised."""
    try:
        text = read_text(path, display)
        if spec.format == "csv":
            records, found = parse_csv(text, display, spec.names)
        elif spec.filename == EDITION_MARKER:
            records, found = [parse_yaml_mapping(text, display)], []
        else:
            records, found = parse_yaml(text, display)
    except SourceError as error:
        problems.append(error.problem)
        return None
    problems.extend(found)
    return records


def find_unexpected_files(root, editions, problems):
    expected = {root / DATASET_FILE, root / SOURCE_README}
    expected |= {root / spec.filename for spec in SOURCES if spec.scope == REGISTRY}
    for folder in editions:
        expected |= {folder / spec.filename for spec in SOURCES if spec.scope == EDITION}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            problems.append(Problem(display_path(root, path), 1, "file", "is a symbolic link; sources must be regular files inside sources/"))
        elif path.is_file() and path not in expected:
            if path.parent in editions and path.suffix == ".md":
                continue  # the report snapshot, checked against report.yml
            problems.append(
                Problem(display_path(root, path), 1, "file", "is not a known source file; see sources/README.md for the layout")
            )


def parse_sources(root):
    """Read every source file.

    Returns the dataset record, raw records by table, edition folders, the
    tables with a file that could not be read at all, and the problems found.
    """
    root = Path(root)
    problems = []
    if not root.is_dir():
        raise ValidationFailed([Problem(str(root), 1, "file", "is not a folder of sources")])
    edition_folders = sorted(p.parent for p in root.glob(f"*/{EDITION_MARKER}"))
    find_unexpected_files(root, set(edition_folders), problems)

    dataset = None
    dataset_path = root / DATASET_FILE
    try:
        dataset = parse_yaml_mapping(read_text(dataset_path, display_path(root, dataset_path)), display_path(root, dataset_path))
    except FileNotFoundError:
        problems.append(Problem(display_path(root, dataset_path), 1, "file", "is missing"))
    except SourceError as error:
        problems.append(error.problem)

    raw = {spec.table: [] for spec in SOURCES}
    unreadable = set()
    for spec in SOURCES:
        folders = [root] if spec.scope == REGISTRY else edition_folders
        for folder in folders:
            path = folder / spec.filename
            if not path.exists():
                if spec.scope == REGISTRY or spec.table in ("reports", "sections"):
                    problems.append(Problem(display_path(root, path), 1, "file", "is missing"))
                    unreadable.add(spec.table)
                continue
            records = read_records(path, display_path(root, path), spec, problems)
            if records is None:
                unreadable.add(spec.table)
                continue
            for record in records:
                record.edition = folder.name if spec.scope == EDITION else None
                raw[spec.table].append(record)
    return dataset, raw, edition_folders, unreadable, problems


# ---------------------------------------------------------------- validation of single values


def fold(text):
    """Case- and accent-insensitive form, for alias collisions."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def check_date(value):
    if not DATE.match(value):
        return "must be an ISO date: YYYY-MM-DD, YYYY-MM or YYYY"
    parts = [int(p) for p in value.split("-")]
    try:
        datetime.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as error:
        return f"is not a real date ({error})"
    return None


def convert(field_spec, value, edition):
    """Return (typed value, error message or None) for one raw field value."""
    kind = field_spec.kind
    if kind == "list":
        if isinstance(value, str):
            items = [item.strip() for item in value.split(";")]
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            items = [item.strip() for item in value]
        else:
            return None, "must be a list of text values"
        if any(not item for item in items):
            return None, "has an empty item; remove the stray ';' or empty list entry"
        if len(set(items)) != len(items):
            return None, "lists an item twice"
        return items, None
    if kind == "quotes":
        if not isinstance(value, list) or not value or not all(isinstance(item, dict) for item in value):
            return None, "must be a list of entries with section_id and quote"
        return value, None
    if not isinstance(value, str):
        return None, "must be a single text value"
    if CONTROL.search(value):
        return None, "contains a control character; remove it"
    if value != value.strip():
        return None, "has leading or trailing white space; remove it"
    if kind == "slug" and not SLUG.match(value):
        return None, f"{value!r} is not an id: use lowercase letters, digits and single hyphens"
    if kind == "country" and not COUNTRY.match(value):
        return None, f"{value!r} is not an ISO 3166-1 alpha-2 code (two capital letters, e.g. MX)"
    if kind == "section":
        return qualify_section(value, edition)
    if kind == "date":
        message = check_date(value)
        return (None, message) if message else (value, None)
    if kind == "int":
        return (int(value), None) if INTEGER.match(value) else (None, f"{value!r} is not a whole number")
    if kind == "real":
        try:
            number = float(value)
        except ValueError:
            return None, f"{value!r} is not a number; write digits without separators, e.g. 779300000000"
        return (number, None) if math.isfinite(number) else (None, f"{value!r} is not a finite number")
    if kind == "flag":
        return (int(value), None) if value in ("0", "1") else (None, f"{value!r} must be 0 or 1")
    return value, None


def qualify_section(value, edition):
    """Section ids are local (`2.a`) in an edition's files and qualified (`cbi-2023:2.a`) elsewhere."""
    match = QUALIFIED_SECTION.match(value)
    if match:
        return value, None
    if edition and SECTION_NUMBER.match(value):
        return f"{edition}:{value}", None
    if edition:
        return None, f"{value!r} is not a section id like 2.a"
    return None, f"{value!r} must name the edition and section, like cbi-2023:2.a"


def validate_fields(record, spec, problems):
    """Check and convert the fields of one record in place."""
    typed = {}
    for name in record.values:
        if name == LINE_KEY:
            continue
        if name not in spec.names:
            problems.append(
                Problem(record.path, record.line_of(name), name, f"is not a field of {spec.filename}; expected one of: {', '.join(spec.names)}")
            )
    for field_spec in spec.fields:
        value = record.values.get(field_spec.name)
        if value is None or value == "" or value == []:
            if field_spec.required:
                problems.append(Problem(record.path, record.line_of(field_spec.name), field_spec.name, "is required"))
            typed[field_spec.name] = None
            continue
        converted, message = convert(field_spec, value, getattr(record, "edition", None))
        if message is None and field_spec.choices and converted not in field_spec.choices:
            message = f"{converted!r} is not one of: {', '.join(field_spec.choices)}"
        if message:
            problems.append(Problem(record.path, record.line_of(field_spec.name), field_spec.name, message))
            converted = None
        typed[field_spec.name] = converted
    record.values = typed


# ---------------------------------------------------------------- validation across records


def check_unique(records, key_fields, problems):
    seen = {}
    for record in records:
        key = tuple(record.get(name) for name in key_fields)
        if None in key:
            continue
        if key in seen:
            first = seen[key]
            label = "/".join(str(part) for part in key)
            problems.append(
                Problem(record.path, record.line_of(key_fields[0]), key_fields[0], f"{label!r} is already used at {first.path}:{first.line}; ids must be unique")
            )
        else:
            seen[key] = record


def check_references(tables, unreadable, problems):
    """Every reference names an existing id (references into unreadable files are not re-reported)."""
    ids = {table: {r.get("id") for r in records} for table, records in tables.items()}
    for spec in SOURCES:
        for record in tables[spec.table]:
            for field_spec in spec.fields:
                value = record.get(field_spec.name)
                if value is None:
                    continue
                if field_spec.ref in unreadable or field_spec.item_ref in unreadable:
                    continue
                if field_spec.ref and value not in ids[field_spec.ref]:
                    problems.append(
                        Problem(record.path, record.line_of(field_spec.name), field_spec.name, f"{value!r} is not an id in {field_spec.ref}; add it there or fix the spelling")
                    )
                if field_spec.item_ref:
                    for item in value:
                        if item not in ids[field_spec.item_ref]:
                            problems.append(
                                Problem(record.path, record.line_of(field_spec.name), field_spec.name, f"{item!r} is not an id in {field_spec.item_ref}; add it there or fix the spelling")
                            )


def check_dates(events, problems):
    for event in events:
        start, end = event.get("start_date"), event.get("end_date")
        if end and not start:
            problems.append(Problem(event.path, event.line_of("end_date"), "end_date", "is set but start_date is empty"))
        elif start and end and end < start[: len(end)]:
            problems.append(Problem(event.path, event.line_of("end_date"), "end_date", f"{end} is before start_date {start}"))
        elif start and end and end == start:
            problems.append(Problem(event.path, event.line_of("end_date"), "end_date", "equals start_date; leave it empty for a one-day event"))


def check_aliases(tables, problems):
    """No spelling may name two people (or two organizations, or two mechanisms)."""
    for table in ("people", "organizations", "mechanisms"):
        owner = {}
        for record in tables[table]:
            spellings = [record.get("name"), *(record.get("aliases") or [])]
            if record.get("acronym"):
                spellings.append(record.get("acronym"))
            for spelling in spellings:
                if spelling is None:
                    continue
                key = fold(spelling)
                previous = owner.get(key)
                if previous and previous.get("id") != record.get("id"):
                    problems.append(
                        Problem(record.path, record.line_of("aliases"), "aliases", f"{spelling!r} also names {previous.get('id')!r} ({previous.path}:{previous.line}); an alias must name one {table[:-1] if table != 'people' else 'person'}")
                    )
                owner.setdefault(key, record)


def quote_found(quote, text):
    return report.normalize_space(quote) in text


def check_quotes(sources, problems):
    texts = {}
    for edition in sources.editions.values():
        texts.update({sid: t.searchable for sid, t in edition.texts.items()})
    anywhere = " \n ".join(texts.values())
    events = {e.get("id"): e for e in sources.tables["events"]}

    def check(record, field_name, section_id, quote, line=None):
        if quote is None or section_id is None or section_id not in texts:
            return
        if not quote_found(quote, texts[section_id]):
            hint = "it occurs in another section; fix section_id" if quote_found(quote, anywhere) else "copy it exactly from the report"
            problems.append(
                Problem(record.path, line or record.line_of(field_name), field_name, f"is not verbatim in section {section_id}: {shorten(quote)!r}; {hint}")
            )

    for spec in SOURCES:
        for record in sources.tables[spec.table]:
            if "quote" in spec.names and "section_id" in spec.names:
                check(record, "quote", record.get("section_id"), record.get("quote"))
            elif "quote" in spec.names and "event_id" in spec.names:
                event = events.get(record.get("event_id"))
                if event:
                    check(record, "quote", event.get("section_id"), record.get("quote"))
            if spec.table == "mechanisms" and record.get("established_quote"):
                if not quote_found(record.get("established_quote"), anywhere):
                    problems.append(
                        Problem(record.path, record.line_of("established_quote"), "established_quote", f"is not verbatim in the report: {shorten(record.get('established_quote'))!r}")
                    )
            if spec.table == "mechanisms" and record.get("established") and not record.get("established_quote"):
                problems.append(Problem(record.path, record.line_of("established"), "established", "needs established_quote, the report's words that give the date"))
    for note in sources.tables["data_notes"]:
        for item in note.get("quotes") or []:
            check_note_quote(note, item, texts, check, problems)


def check_note_quote(note, item, texts, check, problems):
    line = item.get(LINE_KEY, note.line_of("quotes"))
    unknown = sorted(set(item) - {"section_id", "quote", LINE_KEY})
    if unknown:
        problems.append(Problem(note.path, line, "quotes", f"unknown field {', '.join(unknown)}; each quote has section_id and quote"))
    section, message = qualify_section(item.get("section_id") or "", note.edition) if isinstance(item.get("section_id"), str) else (None, "is required")
    if message:
        problems.append(Problem(note.path, line, "quotes.section_id", message))
    elif section not in texts:
        problems.append(Problem(note.path, line, "quotes.section_id", f"{section!r} is not an id in sections"))
    if not isinstance(item.get("quote"), str) or not item.get("quote"):
        problems.append(Problem(note.path, line, "quotes.quote", "is required"))
        return
    item["section_id"] = section
    check(note, "quotes.quote", section, item["quote"], line)


def shorten(text, limit=80):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_sections(edition, records, problems):
    """Sections must point at their headings, and every heading must be a section."""
    starts, first_body = {}, None
    for record in records:
        line = record.get("line")
        if line is None:
            if record.get("heading"):
                problems.append(Problem(record.path, record.line_of("line"), "line", "is required when heading is set"))
            continue
        if not 1 <= line <= len(edition.lines):
            problems.append(Problem(record.path, record.line_of("line"), "line", f"{line} is outside the report (1-{len(edition.lines)})"))
            continue
        actual = report.heading_text(edition.lines[line - 1])
        if record.get("heading") and actual != record.get("heading"):
            problems.append(
                Problem(record.path, record.line_of("heading"), "heading", f"line {line} of the report reads {actual or edition.lines[line - 1][:60]!r}, not {record.get('heading')!r}")
            )
        if not record.get("heading") and actual is not None:
            problems.append(Problem(record.path, record.line_of("heading"), "heading", f"line {line} is the heading {actual!r}; copy it here"))
        starts[record.get("id")] = line
        if record.get("chapter") is not None:
            first_body = line if first_body is None else min(first_body, line)
    used = set(starts.values())
    if len(used) != len(starts):
        problems.append(Problem(records[0].path if records else edition.report.path, 1, "line", "two sections start on the same line"))
    for number in report.heading_lines(edition.lines, first_body or len(edition.lines) + 1):
        if number not in used:
            problems.append(
                Problem(display_sections_path(edition), 1, "line", f"report line {number} is the heading {report.heading_text(edition.lines[number - 1])!r} but no section starts there; add it")
            )
    edition.texts = report.split_sections(edition.lines, starts)
    for record in records:
        edition.texts.setdefault(record.get("id"), report.SectionText(record.get("heading") or "", ()))


def display_sections_path(edition):
    return str(Path(edition.report.path).with_name(SPECS["sections"].filename))


def load_edition(root, folder, report_record, problems):
    edition_id = report_record.get("id")
    if edition_id != folder.name:
        problems.append(Problem(report_record.path, report_record.line_of("id"), "id", f"must equal the folder name {folder.name!r}"))
    snapshot = folder / (report_record.get("file") or "")
    if not report_record.get("file") or not snapshot.is_file() or snapshot.is_symlink():
        problems.append(Problem(report_record.path, report_record.line_of("file"), "file", f"{report_record.get('file')!r} is not a file in {display_path(root, folder)}"))
        return Edition(folder.name, folder, report_record, [])
    data = snapshot.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if report_record.get("sha256") != digest:
        problems.append(
            Problem(report_record.path, report_record.line_of("sha256"), "sha256", f"the snapshot's sha256 is {digest}; the snapshot must not be edited (update sha256 only for a new snapshot)")
        )
    return Edition(folder.name, folder, report_record, data.decode("utf-8").split("\n"))


def validate_dataset(dataset, problems):
    if dataset is None:
        return
    for name in dataset.values:
        if name not in DATASET_FIELDS:
            problems.append(Problem(dataset.path, dataset.line_of(name), name, f"is not a field of {DATASET_FILE}; expected one of: {', '.join(DATASET_FIELDS)}"))
    for name in DATASET_FIELDS:
        if not isinstance(dataset.values.get(name), str) or not dataset.values.get(name):
            problems.append(Problem(dataset.path, dataset.line_of(name), name, "is required"))
    version = dataset.values.get("version")
    if isinstance(version, str) and not SEMVER.match(version):
        problems.append(Problem(dataset.path, dataset.line_of("version"), "version", f"{version!r} is not a SemVer version like 1.2.0"))


def load_sources(root=SOURCES_DIR):
    """Parse and validate the whole tree; raise ValidationFailed listing every problem."""
    root = Path(root)
    dataset, tables, edition_folders, unreadable, problems = parse_sources(root)
    validate_dataset(dataset, problems)
    for spec in SOURCES:
        for record in tables[spec.table]:
            validate_fields(record, spec, problems)
    editions = {}
    for record in tables["reports"]:
        folder = root / record.edition
        edition = load_edition(root, folder, record, problems)
        sections = [s for s in tables["sections"] if s.edition == folder.name]
        check_sections(edition, sections, problems)
        editions[folder.name] = edition
    for record in tables["sections"]:
        record.values["number"] = record.get("id").split(":", 1)[1] if record.get("id") else None
    key_fields = {"event_people": ("event_id", "person_id", "role"), "event_organizations": ("event_id", "organization_id", "role")}
    for spec in SOURCES:
        check_unique(tables[spec.table], key_fields.get(spec.table, ("id",)), problems)
    check_references(tables, unreadable, problems)
    check_dates(tables["events"], problems)
    check_aliases(tables, problems)
    sources = Sources(root, dataset, tables, editions, source_digest(root))
    check_quotes(sources, problems)
    if problems:
        raise ValidationFailed(sorted(set(problems), key=problem_order))
    return sources


def problem_order(problem):
    return (problem.path, problem.line, problem.field, problem.message)


# ---------------------------------------------------------------- database


TABLES = {
    "dataset_info": ({"key": str, "value": str}, "key", []),
    "reports": (
        {"id": str, "title": str, "publisher": str, "published": str, "year_covered": int, "language": str,
         "file": str, "sha256": str, "section_count": int},
        "id", [],
    ),
    "sections": (
        {"id": str, "report_id": str, "number": str, "parent_id": str, "chapter": int, "level": int,
         "position": int, "title": str, "heading": str, "index_label": str, "index_title": str,
         "line": int, "body": str},
        "id", [("report_id", "reports", "id"), ("parent_id", "sections", "id")],
    ),
    "countries": (
        {"id": str, "name": str, "name_es": str, "basis": str, "section_id": str, "quote": str},
        "id", [("section_id", "sections", "id")],
    ),
    "topics": ({"id": str, "name": str, "description": str}, "id", []),
    "places": (
        {"id": str, "name": str, "kind": str, "country_id": str, "parent_id": str, "latitude": float,
         "longitude": float, "coordinates_basis": str, "section_id": str, "quote": str},
        "id", [("country_id", "countries", "id"), ("parent_id", "places", "id"), ("section_id", "sections", "id")],
    ),
    "people": (
        {"id": str, "name": str, "country_id": str, "aliases": str, "section_id": str, "quote": str},
        "id", [("country_id", "countries", "id"), ("section_id", "sections", "id")],
    ),
    "organizations": (
        {"id": str, "name": str, "acronym": str, "name_es": str, "name_es_basis": str, "country_id": str,
         "kind": str, "parent_id": str, "aliases": str, "section_id": str, "quote": str},
        "id", [("country_id", "countries", "id"), ("parent_id", "organizations", "id"), ("section_id", "sections", "id")],
    ),
    "mechanisms": (
        {"id": str, "name": str, "acronym": str, "kind": str, "members": str, "aliases": str,
         "established": str, "established_quote": str, "section_id": str, "quote": str},
        "id", [("section_id", "sections", "id")],
    ),
    "mechanism_members": (
        {"mechanism_id": str, "country_id": str},
        ("mechanism_id", "country_id"), [("mechanism_id", "mechanisms", "id"), ("country_id", "countries", "id")],
    ),
    "aliases": (
        {"entity_type": str, "entity_id": str, "alias": str},
        ("entity_type", "entity_id", "alias"), [],
    ),
    "events": (
        {"id": str, "report_id": str, "section_id": str, "chapter": int, "title": str, "start_date": str,
         "end_date": str, "date_precision": str, "month": str, "year": int, "event_type": str, "mode": str,
         "status": str, "ordinal": int, "mechanism_id": str, "place_id": str, "summary": str, "quote": str,
         "topics": str, "countries": str, "people": str},
        "id",
        [("report_id", "reports", "id"), ("section_id", "sections", "id"), ("mechanism_id", "mechanisms", "id"),
         ("place_id", "places", "id")],
    ),
    "event_people": (
        {"event_id": str, "person_id": str, "role": str, "title": str, "organization_id": str, "quote": str},
        ("event_id", "person_id", "role"),
        [("event_id", "events", "id"), ("person_id", "people", "id"), ("organization_id", "organizations", "id")],
    ),
    "event_organizations": (
        {"event_id": str, "organization_id": str, "role": str, "quote": str},
        ("event_id", "organization_id", "role"), [("event_id", "events", "id"), ("organization_id", "organizations", "id")],
    ),
    "event_topics": (
        {"event_id": str, "topic_id": str},
        ("event_id", "topic_id"), [("event_id", "events", "id"), ("topic_id", "topics", "id")],
    ),
    "event_countries": (
        {"event_id": str, "country_id": str},
        ("event_id", "country_id"), [("event_id", "events", "id"), ("country_id", "countries", "id")],
    ),
    "figures": (
        {"id": str, "section_id": str, "event_id": str, "value": float, "unit": str, "description": str,
         "as_of": str, "lower_bound": int, "approximate": int, "quote": str},
        "id", [("section_id", "sections", "id"), ("event_id", "events", "id")],
    ),
    "statements": (
        {"id": str, "section_id": str, "kind": str, "event_id": str, "mechanism_id": str, "organization_id": str,
         "topics": str, "summary": str, "quote": str},
        "id",
        [("section_id", "sections", "id"), ("event_id", "events", "id"), ("mechanism_id", "mechanisms", "id"),
         ("organization_id", "organizations", "id")],
    ),
    "data_notes": (
        {"id": str, "kind": str, "section_id": str, "title": str, "description": str, "resolution": str, "quotes": str},
        "id", [("section_id", "sections", "id")],
    ),
    "data_note_quotes": (
        {"note_id": str, "position": int, "section_id": str, "quote": str},
        ("note_id", "position"), [("note_id", "data_notes", "id"), ("section_id", "sections", "id")],
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
    "figures": (("unit",),),
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
    "people_pairs": """
select
  a.person_id as person_a_id, pa.name as person_a, b.person_id as person_b_id, pb.name as person_b,
  count(distinct a.event_id) as events, json_group_array(distinct a.event_id) as event_ids
from (select distinct event_id, person_id from event_people) a
join (select distinct event_id, person_id from event_people) b
  on a.event_id = b.event_id and a.person_id < b.person_id
join people pa on pa.id = a.person_id
join people pb on pb.id = b.person_id
group by a.person_id, b.person_id
order by events desc, person_a, person_b
""",
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
    yield "reports", (
        {**{n: r.get(n) for n in SPECS["reports"].names}, "section_count": sum(1 for s in tables["sections"] if s.edition == r.edition)}
        for r in tables["reports"]
    )
    yield "sections", section_rows(sources)
    yield "countries", plain_rows(tables["countries"], SPECS["countries"])
    yield "topics", plain_rows(tables["topics"], SPECS["topics"])
    yield "places", plain_rows(tables["places"], SPECS["places"])
    yield "people", plain_rows(tables["people"], SPECS["people"], ("aliases",))
    yield "organizations", plain_rows(tables["organizations"], SPECS["organizations"], ("aliases",))
    yield "mechanisms", plain_rows(tables["mechanisms"], SPECS["mechanisms"], ("aliases", "members"))
    yield "mechanism_members", (
        {"mechanism_id": r.get("id"), "country_id": c} for r in tables["mechanisms"] for c in r.get("members") or []
    )
    yield "aliases", alias_rows(sources)
    yield "events", event_rows(sources)
    yield "event_people", plain_rows(tables["event_people"], SPECS["event_people"])
    yield "event_organizations", plain_rows(tables["event_organizations"], SPECS["event_organizations"])
    yield "event_topics", ({"event_id": r.get("id"), "topic_id": t} for r in tables["events"] for t in r.get("topics") or [])
    yield "event_countries", (
        {"event_id": r.get("id"), "country_id": c} for r in tables["events"] for c in r.get("countries") or []
    )
    yield "figures", plain_rows(tables["figures"], SPECS["figures"])
    yield "statements", plain_rows(tables["statements"], SPECS["statements"], ("topics",))
    yield "data_notes", (
        {**{n: r.get(n) for n in SPECS["data_notes"].names if n != "quotes"},
         "quotes": json.dumps([{"section_id": q["section_id"], "quote": q["quote"]} for q in r.get("quotes")], ensure_ascii=False)}
        for r in tables["data_notes"]
    )
    yield "data_note_quotes", (
        {"note_id": r.get("id"), "position": position, "section_id": q["section_id"], "quote": q["quote"]}
        for r in tables["data_notes"] for position, q in enumerate(r.get("quotes"), 1)
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


def write_database(sources, output):
    """Write the database to a temporary file and rename it over `output`."""
    output = Path(output)
    temporary = output.with_name(output.name + TEMPORARY_SUFFIX)
    temporary.unlink(missing_ok=True)
    try:
        connection = sqlite3.connect(temporary, isolation_level=None)
        db = sqlite_utils.Database(connection)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA page_size = 4096")
        db.execute("PRAGMA journal_mode = OFF")
        with db.atomic():
            create_tables(db)
            for name, rows in table_rows(sources):
                db[name].insert_all(rows, batch_size=1000)
        for name, columns in FTS.items():
            db[name].enable_fts(columns, tokenize=FTS_TOKENIZER)
        create_indexes(db)
        for name, sql in VIEWS.items():
            db.create_view(name, sql.strip())
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        problems = [tuple(row) for row in db.execute("PRAGMA foreign_key_check").fetchall()]
        if problems:
            raise RuntimeError(f"foreign key check failed: {problems[:5]}")
        db.execute("VACUUM")
        connection.close()
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)


# ---------------------------------------------------------------- lint: canonical formatting


def canonical_csv(path, spec):
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"), newline="")))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=spec.names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def canonical_yaml(path, spec):
    entries = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    ordered = []
    for entry in entries:
        known = {name: entry[name] for name in spec.names if entry.get(name) not in (None, "", [])}
        ordered.append(known | {k: v for k, v in entry.items() if k not in spec.names})
    return yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)


def lint(root, fix=False, out=sys.stdout):
    """Print a diff for every source file that is not in canonical form; return how many."""
    root = Path(root)
    differing = 0
    for spec in SOURCES:
        folders = [root] if spec.scope == REGISTRY else sorted(p.parent for p in root.glob(f"*/{EDITION_MARKER}"))
        for folder in folders:
            path = folder / spec.filename
            if not path.is_file() or spec.table == "reports":
                continue
            current = path.read_text(encoding="utf-8")
            canonical = canonical_csv(path, spec) if spec.format == "csv" else canonical_yaml(path, spec)
            if current != canonical:
                differing += 1
                name = display_path(root, path)
                out.writelines(difflib.unified_diff(current.splitlines(True), canonical.splitlines(True), name, name + " (canonical)"))
                if fix:
                    path.write_text(canonical, encoding="utf-8")
    return differing


# ---------------------------------------------------------------- command line


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Validate sources/ and build the binational SQLite database.")
    parser.add_argument("command", nargs="?", choices=("build", "lint"), default="build")
    parser.add_argument("--sources", type=Path, default=SOURCES_DIR, help="the sources folder (default: sources)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="the database to write (default: binational.db)")
    parser.add_argument("--check", action="store_true", help="validate only; write nothing")
    parser.add_argument("--fix", action="store_true", help="with lint: rewrite files in canonical form")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.command == "lint":
        differing = lint(args.sources, fix=args.fix)
        if differing and not args.fix:
            print(f"{differing} source file(s) are not in canonical form; run: python build.py lint --fix", file=sys.stderr)
            return 1
        return 0
    try:
        sources = load_sources(args.sources)
    except ValidationFailed as failed:
        for problem in failed.problems:
            print(problem, file=sys.stderr)
        print(f"{len(failed.problems)} problem(s); {args.output} was not changed", file=sys.stderr)
        return 1
    if args.check:
        print(f"{args.sources}: ok ({sum(len(r) for r in sources.tables.values())} records)")
        return 0
    write_database(sources, args.output)
    print(f"wrote {args.output} (dataset {sources.dataset.values['version']}, schema {SCHEMA_VERSION})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
