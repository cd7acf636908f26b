"""Read source files into records that remember the file and line of every field.

Pure functions: nothing here writes. CSV is read with the standard library;
YAML is composed with PyYAML's C loader where available and turned into plain
Python values here, so that line numbers survive, duplicate keys are caught
(PyYAML silently keeps the last one) and every scalar stays a string
(a country code `NO` must not become `False`).
"""

import csv
import io
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


def parse_csv(text, display, columns):
    """Parse CSV text whose header must name exactly `columns` (any order).

    Returns records keyed by column, empty cells as None; raises SourceError
    for a broken header and returns per-row problems for ragged rows.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems = []
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
    records = []
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(display, start, "row", f"CSV syntax error: {error}"))
            break
        if not row:
            start = reader.line_num + 1
            continue
        if len(row) != len(header):
            problems.append(
                Problem(display, start, "row", f"has {len(row)} fields, the header has {len(header)}; quote values that contain commas")
            )
        else:
            values = dict(zip(header, row, strict=True))  # empty cells ("") count as missing in validation
            records.append(Record(display, start, values))
        start = reader.line_num + 1
    return records, problems


def compose_yaml(text, display):
    """Compose YAML into a node tree after refusing anchors and deep nesting.

    Both checks run on the event stream, which is linear in the text, so a
    "billion laughs" document or a deeply nested one is refused before any
    expansion or recursion happens.
    """
    try:
        depth = 0
        for event in yaml.parse(text, Loader=YamlLoader):
            if getattr(event, "anchor", None):
                raise SourceError(
                    Problem(
                        display,
                        event.start_mark.line + 1,
                        "syntax",
                        "YAML anchors and aliases are not allowed; write the value out in full",
                    )
                )
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise SourceError(
                        Problem(display, event.start_mark.line + 1, "syntax", f"YAML is nested more than {MAX_YAML_DEPTH} levels deep")
                    )
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        return yaml.compose(text, Loader=YamlLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark else 1
        raise SourceError(Problem(display, line, "syntax", f"YAML syntax error: {getattr(error, 'problem', None) or error}")) from None


def parse_yaml(text, display):
    """Parse a YAML list of mappings into records with a line per field."""
    root = compose_yaml(text, display)
    if root is None:
        raise SourceError(Problem(display, 1, "file", "is empty"))
    if not isinstance(root, yaml.SequenceNode):
        raise SourceError(Problem(display, root.start_mark.line + 1, "file", "must be a YAML list of entries (lines starting with '- ')"))
    records, problems = [], []
    for item in root.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            problems.append(Problem(display, line, "entry", "must be a mapping of field: value"))
            continue
        values, lines = mapping_values(item, display, problems)
        records.append(Record(display, line, values, lines))
    return records, problems


def parse_yaml_mapping(text, display):
    """Parse a YAML file whose top level is one mapping (e.g. dataset.yml)."""
    root = compose_yaml(text, display)
    if not isinstance(root, yaml.MappingNode):
        raise SourceError(Problem(display, 1, "file", "must be a YAML mapping of field: value"))
    problems = []
    values, lines = mapping_values(root, display, problems)
    if problems:
        raise SourceError(problems[0])
    return Record(display, 1, values, lines)


def mapping_values(node, display, problems):
    """A mapping node as (values, line of each key); duplicate keys keep the first value."""
    values, lines = {}, {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(display, line, "key", "keys must be plain names"))
            continue
        key = key_node.value
        if key in values:
            problems.append(Problem(display, line, key, f"is given twice in this entry (first on line {lines[key]}); keep one"))
            continue
        values[key] = node_value(value_node, display, problems)
        lines[key] = line
    return values, lines


def node_value(node, display, problems):
    if isinstance(node, yaml.ScalarNode):
        if node.tag == NULL_TAG and not node.style:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [node_value(child, display, problems) for child in node.value]
    values, _ = mapping_values(node, display, problems)
    values[LINE_KEY] = node.start_mark.line + 1
    return values
