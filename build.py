"""Validate sources/ and build the binational SQLite database.

    python build.py [--sources DIR] [--output FILE]   validate, then build
    python build.py --check                            validate only
    python build.py lint [--fix]                       show (or apply) canonical formatting
    python build.py diff OLD.db NEW.db                 what changed between two builds

Every problem in the sources is reported at once as `file:line: field: message`
and the build exits 1 without touching the existing database. The database is
written to a temporary file beside the output and renamed into place only when
complete.
"""

import argparse
import csv
import datetime
import difflib
import functools
import hashlib
import io
import math
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import dbdiff
import report
from database import write_database
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
            problems.append(
                Problem(display_path(root, path), 1, "file", "is a symbolic link; sources must be regular files inside sources/")
            )
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
    if value.__class__ is str:
        if field_spec.kind in CACHED_KINDS:
            return convert_cached(field_spec.kind, value, edition)
        return convert_text(field_spec.kind, value, edition)
    if field_spec.kind == "list":
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return check_items(tuple(item.strip() for item in value))
        return None, "must be a list of text values"
    if field_spec.kind == "quotes":
        if not isinstance(value, list) or not value or not all(isinstance(item, dict) for item in value):
            return None, "must be a list of entries with section_id and quote"
        return value, None
    return None, "must be a single text value"


def check_items(items):
    if any(not item for item in items):
        return None, "has an empty item; remove the stray ';' or empty list entry"
    if len(set(items)) != len(items):
        return None, "lists an item twice"
    return items, None


def convert_text(kind, value, edition):
    if CONTROL.search(value):
        return None, "contains a control character; remove it"
    if value != value.strip():
        return None, "has leading or trailing white space; remove it"
    if kind == "list":
        return check_items(tuple(item.strip() for item in value.split(";")))
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


# Ids, codes, dates and lists repeat across rows (every link names an event, a person, a section):
# their conversion is a pure function of (kind, value, edition), worth remembering.
PLAIN_TEXT_KINDS = frozenset({"text", "quote"})
CACHED_KINDS = frozenset({"slug", "country", "section", "date", "int", "flag", "list"})
convert_cached = functools.lru_cache(maxsize=500_000)(convert_text)


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
    values = record.values
    names = spec.names
    if len(values) != len(names) or not values.keys() <= set(names):
        for name in values:
            if name != LINE_KEY and name not in names:
                problems.append(
                    Problem(
                        record.path, record.line_of(name), name, f"is not a field of {spec.filename}; expected one of: {', '.join(names)}"
                    )
                )
    typed = {}
    for field_spec, name, plain in field_plan(spec):
        value = values.get(name)
        if value is None or value == "" or value == []:
            if field_spec.required:
                problems.append(Problem(record.path, record.line_of(name), name, "is required"))
            typed[name] = None
        elif plain and value.__class__ is str and value == value.strip() and not CONTROL.search(value):
            typed[name] = value  # the common case, without the general conversion
        else:
            converted, message = convert(field_spec, value, record.edition)
            if message is None and field_spec.choices and converted not in field_spec.choices:
                message = f"{converted!r} is not one of: {', '.join(field_spec.choices)}"
            if message:
                problems.append(Problem(record.path, record.line_of(name), name, message))
                converted = None
            typed[name] = converted
    record.values = typed


@functools.cache
def field_plan(spec):
    """(field, name, is plain text) for each field of a source file, computed once."""
    return tuple((f, f.name, f.kind in PLAIN_TEXT_KINDS and not f.choices) for f in spec.fields)


# ---------------------------------------------------------------- validation across records


def check_unique(records, key_fields, problems):
    seen = {}
    for record in records:
        values = record.values
        key = tuple(values.get(name) for name in key_fields)
        if None in key:
            continue
        if key in seen:
            first = seen[key]
            label = "/".join(str(part) for part in key)
            problems.append(
                Problem(
                    record.path,
                    record.line_of(key_fields[0]),
                    key_fields[0],
                    f"{label!r} is already used at {first.path}:{first.line}; ids must be unique",
                )
            )
        else:
            seen[key] = record


def check_references(tables, unreadable, problems):
    """Every reference names an existing id (references into unreadable files are not re-reported)."""
    ids = {table: {r.values.get("id") for r in records} for table, records in tables.items()}
    for spec in SOURCES:
        linking = [(f, f.ref or f.item_ref) for f in spec.fields if (f.ref or f.item_ref) and (f.ref or f.item_ref) not in unreadable]
        for record in tables[spec.table]:
            for field_spec, target in linking:
                value = record.values.get(field_spec.name)
                if value is None:
                    continue
                known = ids[target]
                for item in value if field_spec.item_ref else (value,):
                    if item not in known:
                        problems.append(
                            Problem(
                                record.path,
                                record.line_of(field_spec.name),
                                field_spec.name,
                                f"{item!r} is not an id in {target}; add it there or fix the spelling",
                            )
                        )


def check_dates(events, problems):
    for event in events:
        start, end = event.get("start_date"), event.get("end_date")
        if end and not start:
            problems.append(Problem(event.path, event.line_of("end_date"), "end_date", "is set but start_date is empty"))
        elif start and end and end < start[: len(end)]:
            problems.append(Problem(event.path, event.line_of("end_date"), "end_date", f"{end} is before start_date {start}"))
        elif start and end and end == start:
            problems.append(
                Problem(event.path, event.line_of("end_date"), "end_date", "equals start_date; leave it empty for a one-day event")
            )


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
                        Problem(
                            record.path,
                            record.line_of("aliases"),
                            "aliases",
                            f"{spelling!r} also names {previous.get('id')!r} ({previous.path}:{previous.line}); an alias must name one {table[:-1] if table != 'people' else 'person'}",
                        )
                    )
                owner.setdefault(key, record)


def quote_found(quote, text):
    return report.normalize_space(quote) in text


def check_quotes(sources, problems):
    texts = {}
    for edition in sources.editions.values():
        texts.update({sid: t.searchable for sid, t in edition.texts.items()})
    # The whole report as one string, only when a quote needs looking for anywhere.
    anywhere = functools.cache(lambda: " \n ".join(texts.values()))
    events = {e.get("id"): e for e in sources.tables["events"]}

    def check(record, field_name, section_id, quote, line=None):
        if quote is None or section_id is None or section_id not in texts:
            return
        if not quote_found(quote, texts[section_id]):
            hint = "it occurs in another section; fix section_id" if quote_found(quote, anywhere()) else "copy it exactly from the report"
            problems.append(
                Problem(
                    record.path,
                    line or record.line_of(field_name),
                    field_name,
                    f"is not verbatim in section {section_id}: {shorten(quote)!r}; {hint}",
                )
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
                if not quote_found(record.get("established_quote"), anywhere()):
                    problems.append(
                        Problem(
                            record.path,
                            record.line_of("established_quote"),
                            "established_quote",
                            f"is not verbatim in the report: {shorten(record.get('established_quote'))!r}",
                        )
                    )
            if spec.table == "mechanisms" and record.get("established") and not record.get("established_quote"):
                problems.append(
                    Problem(
                        record.path,
                        record.line_of("established"),
                        "established",
                        "needs established_quote, the report's words that give the date",
                    )
                )
    for note in sources.tables["data_notes"]:
        for item in note.get("quotes") or []:
            check_note_quote(note, item, texts, check, problems)


def check_note_quote(note, item, texts, check, problems):
    line = item.get(LINE_KEY, note.line_of("quotes"))
    unknown = sorted(set(item) - {"section_id", "quote", LINE_KEY})
    if unknown:
        problems.append(Problem(note.path, line, "quotes", f"unknown field {', '.join(unknown)}; each quote has section_id and quote"))
    section, message = (
        qualify_section(item.get("section_id") or "", note.edition) if isinstance(item.get("section_id"), str) else (None, "is required")
    )
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
                Problem(
                    record.path,
                    record.line_of("heading"),
                    "heading",
                    f"line {line} of the report reads {actual or edition.lines[line - 1][:60]!r}, not {record.get('heading')!r}",
                )
            )
        if not record.get("heading") and actual is not None:
            problems.append(
                Problem(record.path, record.line_of("heading"), "heading", f"line {line} is the heading {actual!r}; copy it here")
            )
        starts[record.get("id")] = line
        if record.get("chapter") is not None:
            first_body = line if first_body is None else min(first_body, line)
    used = set(starts.values())
    if len(used) != len(starts):
        problems.append(Problem(records[0].path if records else edition.report.path, 1, "line", "two sections start on the same line"))
    for number in report.heading_lines(edition.lines, first_body or len(edition.lines) + 1):
        if number not in used:
            problems.append(
                Problem(
                    display_sections_path(edition),
                    1,
                    "line",
                    f"report line {number} is the heading {report.heading_text(edition.lines[number - 1])!r} but no section starts there; add it",
                )
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
        problems.append(
            Problem(
                report_record.path,
                report_record.line_of("file"),
                "file",
                f"{report_record.get('file')!r} is not a file in {display_path(root, folder)}",
            )
        )
        return Edition(folder.name, folder, report_record, [])
    data = snapshot.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if report_record.get("sha256") != digest:
        problems.append(
            Problem(
                report_record.path,
                report_record.line_of("sha256"),
                "sha256",
                f"the snapshot's sha256 is {digest}; the snapshot must not be edited (update sha256 only for a new snapshot)",
            )
        )
    return Edition(folder.name, folder, report_record, data.decode("utf-8").split("\n"))


def validate_dataset(dataset, problems):
    if dataset is None:
        return
    for name in dataset.values:
        if name not in DATASET_FIELDS:
            problems.append(
                Problem(
                    dataset.path,
                    dataset.line_of(name),
                    name,
                    f"is not a field of {DATASET_FILE}; expected one of: {', '.join(DATASET_FIELDS)}",
                )
            )
    for name in DATASET_FIELDS:
        if not isinstance(dataset.values.get(name), str) or not dataset.values.get(name):
            problems.append(Problem(dataset.path, dataset.line_of(name), name, "is required"))
    version = dataset.values.get("version")
    if isinstance(version, str) and not SEMVER.match(version):
        problems.append(Problem(dataset.path, dataset.line_of("version"), "version", f"{version!r} is not a SemVer version like 1.2.0"))


def load_sources(root=SOURCES_DIR):
    """Parse and validate the whole tree; raise ValidationFailed listing every problem."""
    return validate_sources(root, parse_sources(root))


def validate_sources(root, parsed):
    """Validate what parse_sources read; raise ValidationFailed listing every problem."""
    root = Path(root)
    dataset, tables, edition_folders, unreadable, problems = parsed
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
    parser.add_argument("command", nargs="?", choices=("build", "lint", "diff"), default="build")
    parser.add_argument("databases", nargs="*", type=Path, help="with diff: the old and the new database")
    parser.add_argument("--sources", type=Path, default=SOURCES_DIR, help="the sources folder (default: sources)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="the database to write (default: binational.db)")
    parser.add_argument("--check", action="store_true", help="validate only; write nothing")
    parser.add_argument("--fix", action="store_true", help="with lint: rewrite files in canonical form")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.command == "diff":
        if len(args.databases) != 2 or not all(path.is_file() for path in args.databases):
            print("usage: python build.py diff OLD.db NEW.db (two existing database files)", file=sys.stderr)
            return 2
        print(dbdiff.format_diff(dbdiff.diff_databases(*args.databases)), end="")
        return 0
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
