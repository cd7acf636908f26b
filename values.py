"""Read the raw values of a source record as typed values of their declared kind.

Pure functions: a raw value (a string, or a YAML list or mapping) and its
column give a typed value and the problems found; nothing is changed in place.
The checks (checks.py) read each file's records through `read_file_records`:
a CSV file a column at a time (`read_csv_records`), which gives what
`read_record` gives record by record, as TypedValues (by column, and by row
when asked). The writer reads the same files through `read_file_unchecked`,
which converts without checking: for records the checks pass, the same values.
"""

import datetime
import functools
import itertools
import math
import re
from dataclasses import dataclass
from operator import itemgetter

from sourcefiles import LINE_KEY, Problem

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WHOLE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # for fullmatch: unlike SLUG's $, nothing may follow, not even a newline
COUNTRY = re.compile(r"^[A-Z]{2}$")
SECTION_NUMBER = re.compile(r"^[a-z0-9]+(?:\.[a-z0-9]+)*$")
QUALIFIED_SECTION = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*):([a-z0-9]+(?:\.[a-z0-9]+)*)$")
DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
INTEGER = re.compile(r"^\d+$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
PLAIN_TEXT_KINDS = frozenset({"text", "quote"})
NOTE_QUOTE_FIELDS = frozenset({"section_id", "quote", LINE_KEY})


@dataclass(frozen=True)
class NoteQuote:
    """One quote of a data note, with its qualified section and the line it is on."""

    section_id: str | None
    quote: str | None
    line: int


def check_date(value):
    if not DATE.match(value):
        return "must be an ISO date: YYYY-MM-DD, YYYY-MM or YYYY"
    parts = [int(p) for p in value.split("-")]
    try:
        datetime.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as error:
        return f"is not a real date ({error})"
    return None


def check_items(items):
    if any(not item for item in items):
        return None, "has an empty item; remove the stray ';' or empty list entry"
    if len(set(items)) != len(items):
        return None, "lists an item twice"
    return items, None


def qualify_section(value, edition):
    """Section ids are local (`2.a`) in an edition's files and qualified (`cbi-2023:2.a`) elsewhere."""
    if QUALIFIED_SECTION.match(value):
        return value, None
    if edition and SECTION_NUMBER.match(value):
        return f"{edition}:{value}", None
    if edition:
        return None, f"{value!r} is not a section id like 2.a"
    return None, f"{value!r} must name the edition and section, like cbi-2023:2.a"


def read_text(kind, value, edition):
    """(typed value, None) or (None, message) for one string value of a kind."""
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
# their reading is a pure function of (kind, value, edition), worth remembering. A CSV file's column is
# read a distinct value at a time anyway (read_csv_column), so the cache need not hold every event's id.
CACHED_KINDS = frozenset({"slug", "country", "section", "date", "int", "flag", "list"})
read_cached = functools.lru_cache(maxsize=100_000)(read_text)


def read_value(column, value, edition):
    """(typed value, None) or (None, message) for one raw value that is not empty."""
    if value.__class__ is str:
        if column.kind in CACHED_KINDS:
            return read_cached(column.kind, value, edition)
        return read_text(column.kind, value, edition)
    if column.kind == "list":
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return check_items(tuple(item.strip() for item in value))
        return None, "must be a list of text values"
    if column.kind == "quotes":
        if not isinstance(value, list) or not value or not all(isinstance(item, dict) for item in value):
            return None, "must be a list of entries with section_id and quote"
        return value, None
    return None, "must be a single text value"


def read_note_quotes(record, items, problems):
    """A data note's quotes as NoteQuotes; problems with an entry name the entry's line."""
    quotes = []
    for item in items:
        line = item.get(LINE_KEY, record.line_of("quotes"))
        unknown = sorted(set(item) - NOTE_QUOTE_FIELDS)
        if unknown:
            problems.append(
                Problem(record.path, line, "quotes", f"unknown field {', '.join(unknown)}; each quote has section_id and quote")
            )
        raw_section = item.get("section_id")
        section, message = (
            qualify_section(raw_section, record.edition) if isinstance(raw_section, str) and raw_section else (None, "is required")
        )
        if message:
            problems.append(Problem(record.path, line, "quotes.section_id", message))
        quote = item.get("quote")
        if not isinstance(quote, str) or not quote:
            problems.append(Problem(record.path, line, "quotes.quote", "is required"))
            quote = None
        quotes.append(NoteQuote(section, quote, line))
    return tuple(quotes)


@dataclass(frozen=True)
class ReadingPlan:
    """How a table's records are read, worked out once per table rather than for every record."""

    names: tuple  # the source columns' names, in order
    known: frozenset  # the same, for lookups
    # (column, name, how it is read, its choices): PLAIN text is taken as it is when clean, CACHED kinds through
    # read_cached, the others through read_value.
    columns: tuple


PLAIN, CACHED, GENERAL = "plain", "cached", "general"


@functools.cache
def reading_plan(table):
    def how(column):
        if column.kind in PLAIN_TEXT_KINDS and not column.choices:
            return PLAIN
        return CACHED if column.kind in CACHED_KINDS else GENERAL

    columns = tuple((c, c.name, how(c), frozenset(c.choices)) for c in table.source_columns)
    return ReadingPlan(table.source_names, frozenset(table.source_names), columns)


def read_record(record, table, problems):
    """The record's typed values by column name (None where empty or invalid); problems are appended."""
    values = record.values
    plan = reading_plan(table)
    names = plan.names
    if len(values) != len(names) or not values.keys() <= plan.known:
        for name in values:
            if name != LINE_KEY and name not in names:
                problems.append(
                    Problem(
                        record.path, record.line_of(name), name, f"is not a field of {table.source}; expected one of: {', '.join(names)}"
                    )
                )
    return {name: read_cell(record, column, how, choices, values.get(name), problems) for column, name, how, choices in plan.columns}


def read_cell(record, column, how, choices, value, problems):
    """One value of a record, typed (None where empty or invalid); problems are appended."""
    name = column.name
    if value is None or value == "" or value == []:
        if column.required:
            problems.append(Problem(record.path, record.line_of(name), name, "is required"))
        return None
    if value.__class__ is str:
        if how is PLAIN and value == value.strip() and not CONTROL.search(value):
            return value  # the common case, without the general reading
        converted, message = (
            read_cached(column.kind, value, record.edition) if how is CACHED else read_text(column.kind, value, record.edition)
        )
    else:
        converted, message = read_value(column, value, record.edition)
    if message is None and choices and converted not in choices:
        message = f"{converted!r} is not one of: {', '.join(column.choices)}"
    if message is None and column.kind == "quotes":
        converted = read_note_quotes(record, converted, problems)
    if message:
        problems.append(Problem(record.path, record.line_of(name), name, message))
        return None
    return converted


# ---------------------------------------------------------------- a CSV file's records, column by column

# The bytes of CONTROL's characters, and every other byte. In UTF-8 each of them is one byte, never part of
# another character's bytes: deleting every other byte from a text's bytes leaves its control characters.
CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
NOT_CONTROL_BYTES = bytes(byte for byte in range(256) if byte not in CONTROL_BYTES)


def any_control(texts):
    """Whether any of the texts holds a control character (as CONTROL finds them), many times faster than CONTROL."""
    return bool("".join(texts).encode("utf-8").translate(None, NOT_CONTROL_BYTES))


class TypedValues:
    """The typed values of a file's records (or of a part of a file), by column: a column's values at once
    (`column`), or each record's values by name (`rows`, in file order; made when first asked for)."""

    __slots__ = ("names", "columns", "cached_rows")

    def __init__(self, names, columns, rows=None):
        self.names, self.columns, self.cached_rows = names, columns, rows

    @classmethod
    def of_rows(cls, names, rows):
        return cls(names, {name: list(map(itemgetter(name), rows)) for name in names}, rows)

    def __len__(self):
        return len(next(iter(self.columns.values())))

    def column(self, name):
        return self.columns[name]

    @property
    def rows(self):
        if self.cached_rows is None:
            # Each row's dict built by map, without a Python loop: the same dicts as dict(zip(names, row)) for each row.
            self.cached_rows = list(map(dict, map(zip, itertools.repeat(self.names), self.tuples(self.names))))
        return self.cached_rows

    def tuples(self, names):
        """Each record's values of the columns `names`, in that order, as a tuple."""
        return zip(*(self.columns[name] for name in names), strict=True)


def read_file_records(records, table, problems):
    """The typed values of the records of one file (TypedValues), as read_record gives them record by record."""
    if table.format == "csv":
        return read_csv_records(records, table, problems)
    return TypedValues.of_rows(reading_plan(table).names, [read_record(record, table, problems) for record in records])


# Kinds whose valid text is their typed value as it is.
AS_WRITTEN_KINDS = frozenset({"text", "quote", "slug", "country", "date"})


def read_file_unchecked(records, table):
    """The typed values of one file's records (TypedValues), read without checking them: for records the checks
    pass, what read_file_records gives, in less time. A CSV file's columns are converted whole (ids, codes, dates
    and text are their typed values as they are); others are read by read_file_records, their problems ignored.
    """
    if table.format != "csv":
        return read_file_records(records, table, [])
    edition = records.edition
    columns = {}
    for column, name, how, _ in reading_plan(table).columns:
        raw = records.columns[name]
        if column.kind in AS_WRITTEN_KINDS:
            columns[name] = [value or None for value in raw]
        elif how is CACHED:
            typed = {value: read_cached(column.kind, value, edition)[0] for value in set(raw) if value}
            columns[name] = list(map(typed.get, raw))  # an empty value is not among them: None
        else:
            columns[name] = [read_text(column.kind, value, edition)[0] if value else None for value in raw]
    return TypedValues(reading_plan(table).names, columns)


def read_csv_records(records, table, problems):
    """The typed values of one CSV file's records (TypedValues), as read_record gives them, read a column at a time.

    `records` is a sourcefiles.CsvPart: every row has exactly the table's columns, as text. A column
    whose values are all clean is read at once (its plain text and choices
    checked over the whole column, its ids matched a distinct value at a
    time, its other ids, dates and lists read through read_cached); a column with any empty required value or any problem is read
    value by value, by read_cell, which reports each problem.
    """
    plan = reading_plan(table)
    return TypedValues(
        plan.names, {name: read_csv_column(records, column, how, choices, problems) for column, name, how, choices in plan.columns}
    )


def read_csv_column(records, column, how, choices, problems):
    raw = records.columns[column.name]
    present = [value for value in raw if value]
    if column.required and len(present) != len(raw):
        return read_cells(records, column, how, choices, raw, problems)
    if column.kind == "slug" and all(map(WHOLE_SLUG.fullmatch, set(present))) and (not choices or choices.issuperset(present)):
        # Ids, the commonest column, are clean when each distinct one is a slug (no white space or control
        # character then): read_text would give each back as it is, so none is looked up in read_cached.
        return [value or None for value in raw]
    if how is CACHED:
        # Each distinct value read once (ids and dates repeat down a column); an empty one is None.
        edition = records.edition
        readings = {value: read_cached(column.kind, value, edition) for value in set(present)}
        typed = {value: converted for value, (converted, _) in readings.items()}
        if any(message for _, message in readings.values()) or (choices and not choices.issuperset(typed.values())):
            return read_cells(records, column, how, choices, raw, problems)
        return list(map(typed.get, raw))
    plain_text = column.kind in PLAIN_TEXT_KINDS  # text with choices is read as text, then checked against them
    clean = plain_text and list(map(str.strip, present)) == present and not any_control(present)
    if not clean or (choices and not choices.issuperset(present)):
        return read_cells(records, column, how, choices, raw, problems)
    return [value or None for value in raw]


def read_cells(records, column, how, choices, raw, problems):
    return [read_cell(record, column, how, choices, value, problems) for record, value in zip(records, raw, strict=True)]
