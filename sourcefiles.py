"""Read source files into records that remember the file and line of every field.

Pure functions: nothing here writes. CSV is read with the standard library;
YAML is composed with PyYAML's C loader where available and turned into plain
Python values here, so that line numbers survive, duplicate keys are caught
(PyYAML silently keeps the last one) and every scalar stays a string
(a country code `NO` must not become `False`).
"""

import csv
import io
import itertools
import os
import stat
from dataclasses import dataclass

import yaml

YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_YAML_DEPTH = 10
NULL_TAG = "tag:yaml.org,2002:null"
# Nested mappings (e.g. a data note's quotes) keep their line under this key.
LINE_KEY = "__line__"


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class SourceError(Exception):
    """A file cannot be read at all; carries the problem to report."""

    def __init__(self, problem):
        super().__init__(str(problem))
        self.problem = problem


class Record:
    """One row of a CSV file or one mapping of a YAML list (CSV rows have one line for all fields)."""

    __slots__ = ("path", "line", "values", "lines", "edition")

    def __init__(self, path, line, values, lines=None, edition=None):
        self.path, self.line, self.values, self.lines, self.edition = path, line, values, lines, edition

    def __repr__(self):
        return f"Record({self.path!r}, {self.line}, {self.values!r})"

    def line_of(self, name):
        return self.lines.get(name, self.line) if self.lines else self.line

    def get(self, name):
        return self.values.get(name)


def kind_problem(mode, display):
    """Why a file system entry of this mode cannot be a source file, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return Problem(display, 1, "file", "is a symbolic link; sources must be regular files inside sources/")
    if stat.S_ISDIR(mode):
        return Problem(display, 1, "file", "is a folder; a regular file is expected here")
    kind = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return Problem(display, 1, "file", f"is {kind}; a regular file is expected here")


def read_bytes(path, display):
    """The bytes of a regular file, refused without reading when it is anything else or too large.

    The file is opened without following a symbolic link and without waiting
    for a writer (a FIFO would otherwise block forever), then checked again
    on the open descriptor, so it cannot be swapped between check and read.
    """
    problem = kind_problem(os.lstat(path).st_mode, display)
    if problem:
        raise SourceError(problem)
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(descriptor)
        problem = kind_problem(status.st_mode, display)
        if problem:
            raise SourceError(problem)
        # Read one byte past the limit, in case the file grows after fstat.
        data = file.read(MAX_FILE_BYTES + 1) if status.st_size <= MAX_FILE_BYTES else b""
    size = max(status.st_size, len(data))
    if size > MAX_FILE_BYTES:
        raise SourceError(Problem(display, 1, "file", f"is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for a source file"))
    return data


def read_text(path, display):
    """Return the file's text, refusing what no editor should have saved."""
    return checked_text(read_bytes(path, display), display)


def checked_text(data, display):
    """The text of a file's bytes, refusing what no editor should have saved (a byte-order mark, NUL, not UTF-8, nothing)."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise SourceError(Problem(display, 1, "file", "starts with a byte-order mark; save it as UTF-8 without BOM"))
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise SourceError(Problem(display, line, "file", "contains a NUL byte; remove it"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SourceError(
            Problem(display, line, "file", f"is not valid UTF-8 (byte 0x{data[error.start]:02x}); save it as UTF-8")
        ) from None
    if not text.strip():
        raise SourceError(Problem(display, 1, "file", "is empty"))
    return text


class Records(list):
    """The records of one file, or of a part of one, in file order: a list of Records that knows their file and edition."""

    def __init__(self, records=(), path=None, edition=None):
        super().__init__(records)
        self.path, self.edition = path, edition

    @property
    def lines(self):
        """The line each record starts on."""
        return [record.line for record in self]

    def lines_of(self, name):
        """The line of each record's field `name` (its record's line when the field is not there)."""
        return [record.line_of(name) for record in self]


class CsvPart:
    """Consecutive rows of one CSV file, held a column at a time, with the line each row starts on.

    The checks and the writer read a CSV file by column (`columns`: each column's raw text, by name); a
    row's Record, with its values by name, is made only when asked for (iterating, indexing), to report it.
    """

    __slots__ = ("path", "names", "lines", "columns", "edition")

    def __init__(self, path, names, rows, lines, edition=None):
        self.path, self.names, self.lines, self.edition = path, tuple(names), lines, edition
        self.columns = dict(zip(self.names, zip(*rows, strict=True), strict=True)) if rows else {name: () for name in self.names}

    def __len__(self):
        return len(self.lines)

    def lines_of(self, name):
        """The line of each row's field `name`: a CSV row's fields are all on the line it starts on."""
        return self.lines

    def __iter__(self):
        rows = zip(*(self.columns[name] for name in self.names), strict=True)
        values = map(dict, map(zip, itertools.repeat(self.names), rows))
        return map(Record, itertools.repeat(self.path), self.lines, values, itertools.repeat(None), itertools.repeat(self.edition))

    def __getitem__(self, index):
        return Record(self.path, self.lines[index], {name: self.columns[name][index] for name in self.names}, None, self.edition)

    def __repr__(self):
        return f"CsvPart({self.path!r}, {len(self)} rows from line {self.lines[0] if self.lines else None})"


def parse_csv(text, display, columns):
    """Parse CSV text whose header must name exactly `columns` (any order).

    Returns (CsvPart of every row, problems); raises SourceError for a broken
    header and returns per-row problems for ragged rows (left out).
    """
    problems = []
    parts = list(csv_parts(text, display, columns, problems, size=None))
    return (parts[0] if parts else CsvPart(display, columns, [], [])), problems


def csv_parts(text, display, columns, problems, size):
    """The rows of CSV text in CsvParts of at most `size` rows (None: one part), its header checked first (SourceError, raised at once).

    Ragged rows and a syntax error (which ends the file) are appended to `problems` as the rows are read;
    a file with no row gives no part.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = csv_header(reader, display, columns)
    return csv_row_parts(reader, header, display, problems, size)


def csv_header(reader, display, columns):
    try:
        header = next(reader)
    except csv.Error as error:
        raise SourceError(Problem(display, 1, "header", f"CSV syntax error: {error}")) from None
    unknown = [name for name in header if name not in columns]
    missing = [name for name in columns if name not in header]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if unknown or missing or duplicated:
        parts = []
        if unknown:
            parts.append("unknown column " + ", ".join(repr(n) for n in unknown))
        if missing:
            parts.append("missing column " + ", ".join(repr(n) for n in missing))
        if duplicated:
            parts.append("duplicated column " + ", ".join(repr(n) for n in duplicated))
        raise SourceError(Problem(display, 1, "header", "; ".join(parts) + "; expected columns: " + ",".join(columns)))
    return header


def csv_row_parts(reader, header, display, problems, size):
    rows, lines = [], []
    start = reader.line_num + 1
    width = len(header)
    try:
        for row in reader:
            if len(row) == width:
                rows.append(row)  # empty cells ("") count as missing in validation
                lines.append(start)
                if len(rows) == size:
                    yield CsvPart(display, header, rows, lines)
                    rows, lines = [], []
            elif row:
                problems.append(
                    Problem(display, start, "row", f"has {len(row)} fields, the header has {width}; quote values that contain commas")
                )
            start = reader.line_num + 1
    except csv.Error as error:
        problems.append(Problem(display, start, "row", f"CSV syntax error: {error}"))
    if rows:
        yield CsvPart(display, header, rows, lines)


class YamlEvents:
    """The events of a YAML text, one at a time, each checked as it comes: what parse_yaml and parse_yaml_mapping read.

    Anchors, aliases and nesting deeper than MAX_YAML_DEPTH are refused event by event, linear in the text, so a
    "billion laughs" document or a deeply nested one is refused before any expansion or recursion happens. A
    list of entries is read an entry at a time, never composed whole: the node tree of a large registry takes
    many times the memory of the records made from it.
    """

    def __init__(self, text, display):
        self.loader, self.display, self.depth = YamlLoader(text), display, 0

    def next(self):
        try:
            event = self.loader.get_event()
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
            line = mark.line + 1 if mark else 1
            raise SourceError(
                Problem(self.display, line, "syntax", f"YAML syntax error: {getattr(error, 'problem', None) or error}")
            ) from None
        line = event.start_mark.line + 1
        if getattr(event, "anchor", None):
            raise SourceError(
                Problem(self.display, line, "syntax", "YAML anchors and aliases are not allowed; write the value out in full")
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self.depth += 1
            if self.depth > MAX_YAML_DEPTH:
                raise SourceError(Problem(self.display, line, "syntax", f"YAML is nested more than {MAX_YAML_DEPTH} levels deep"))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self.depth -= 1
        return event

    def root(self):
        """The first event of the text's one document, or None when it has no document."""
        self.next()  # the stream's start
        if isinstance(self.next(), yaml.StreamEndEvent):
            return None
        return self.next()  # the event after the document's start

    def end(self):
        """Read past the end of the document whose root has been read; a second document is a syntax error."""
        self.next()  # the document's end
        if isinstance(extra := self.next(), yaml.DocumentStartEvent):
            raise SourceError(Problem(self.display, extra.start_mark.line + 1, "syntax", "YAML syntax error: but found another document"))

    def refuse(self, root, problem):
        """Raise `problem` about the document's shape once the rest of it is read: a syntax error anywhere comes first."""
        if root is not None:
            self.value(root, [])
            self.end()
        raise SourceError(problem)

    def scalar(self, event):
        """A scalar's value: None for a plain null (`~`, `null` or nothing), else its text."""
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        return None if tag == NULL_TAG and not event.style else event.value

    def value(self, first, problems):
        """The value of the node that begins with `first`: text or None, a list, or a mapping's values with its line under LINE_KEY."""
        if isinstance(first, yaml.ScalarEvent):
            return self.scalar(first)
        if isinstance(first, yaml.SequenceStartEvent):
            items = []
            while not isinstance(event := self.next(), yaml.SequenceEndEvent):
                items.append(self.value(event, problems))
            return items
        values, _ = self.mapping(problems)
        values[LINE_KEY] = first.start_mark.line + 1
        return values

    def mapping(self, problems):
        """(values, line of each key) of a mapping whose start has been read; duplicate keys keep the first value."""
        values, lines = {}, {}
        while not isinstance(key := self.next(), yaml.MappingEndEvent):
            line = key.start_mark.line + 1
            if not isinstance(key, yaml.ScalarEvent):
                self.value(key, [])
                self.value(self.next(), [])
                problems.append(Problem(self.display, line, "key", "keys must be plain names"))
                continue
            name = key.value
            if name in values:
                problems.append(Problem(self.display, line, name, f"is given twice in this entry (first on line {lines[name]}); keep one"))
                self.value(self.next(), [])
                continue
            values[name] = self.value(self.next(), problems)
            lines[name] = line
        return values, lines

    def close(self):
        self.loader.dispose()


def parse_yaml(text, display):
    """Parse a YAML list of mappings into records with a line per field, an entry at a time (YamlEvents)."""
    events = YamlEvents(text, display)
    try:
        root = events.root()
        if root is None:
            raise SourceError(Problem(display, 1, "file", "is empty"))
        if not isinstance(root, yaml.SequenceStartEvent):
            events.refuse(
                root, Problem(display, root.start_mark.line + 1, "file", "must be a YAML list of entries (lines starting with '- ')")
            )
        records, problems = Records(path=display), []
        while not isinstance(item := events.next(), yaml.SequenceEndEvent):
            line = item.start_mark.line + 1
            if not isinstance(item, yaml.MappingStartEvent):
                events.value(item, [])
                problems.append(Problem(display, line, "entry", "must be a mapping of field: value"))
                continue
            values, lines = events.mapping(problems)
            records.append(Record(display, line, values, lines))
        events.end()
        return records, problems
    finally:
        events.close()


def parse_yaml_mapping(text, display):
    """Parse a YAML file whose top level is one mapping (e.g. dataset.yml)."""
    events = YamlEvents(text, display)
    try:
        root = events.root()
        if not isinstance(root, yaml.MappingStartEvent):
            events.refuse(root, Problem(display, 1, "file", "must be a YAML mapping of field: value"))
        problems = []
        values, lines = events.mapping(problems)
        events.end()
    finally:
        events.close()
    if problems:
        raise SourceError(problems[0])
    return Record(display, 1, values, lines)
