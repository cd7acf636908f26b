"""Bound the memory and the time a single query can take.

Datasette 0.65 bounds query time (sql_time_limit_ms) with a progress handler,
which SQLite calls between virtual-machine instructions, and nothing else:

- One C function call is one instruction, so it runs to its end: `instr()`
  and `replace()` are quadratic in their arguments' length, LIKE and GLOB
  are proportional to the text's length times the pattern's. Measured
  (BENCHMARKS.md, "Hostile requests"): the worst `instr` takes 7.9 s on 1 MB
  strings and 0.07 s on 100 kB ones; the worst GLOB pattern of SQLite's
  default 50,000 bytes takes 20 s on a 100 kB text, one of 1,000 bytes 0.4 s.
  So values are limited to 100 kB (the longest value in the dataset is a
  3 kB section body) and patterns to 1,000 bytes.
- The size of a value is limited, not of a result: 1,000 rows of 100 kB
  each, or of many columns, would be built in full in the server's memory,
  then rendered, with the interpreter held (HTML costs about 14 µs a cell,
  30 µs a quote cell). So every row a query returns is counted as it is
  fetched, and the query fails with a clear error once the result would pass
  MAX_RESULT_BYTES or MAX_RESULT_CELLS: Datasette answers that with a 400,
  before the response is built. The largest results of the real data take
  0.1 MB; of the 10^6-event benchmark data, 1.6 MB and 21,021 cells (the
  events table with `_size=max`). At these limits the worst result allowed
  (values that grow sixfold when escaped for JSON) grows the server by about
  100 MB and takes under a second to render.
"""

import sqlite3
import sys
import weakref

from datasette import hookimpl

MAX_VALUE_BYTES = 100_000  # the largest string or blob a query may produce
MAX_LIKE_PATTERN_BYTES = 1_000  # the longest LIKE or GLOB pattern
MAX_SQL_BYTES = 100_000  # the longest SQL text accepted
MAX_COLUMNS = 100  # columns of a result (the widest table has 21)
MAX_RESULT_BYTES = 4_000_000  # memory of all the values one query returns, as Python objects
MAX_RESULT_CELLS = 25_000  # rows × columns of one query's result

RESULT_TOO_LARGE = (
    "The result is too large to send: over {limit} of values. Ask for fewer rows (limit, _size) or columns, or shorter values (substr)."
)


class ResultTooLarge(sqlite3.OperationalError):
    """An OperationalError, so that Datasette reports it as it reports any failing query (a 400)."""


class ResultBudget:
    """Counts the rows each cursor has fetched; refuses the row that passes a limit."""

    def __init__(self, max_bytes=MAX_RESULT_BYTES, max_cells=MAX_RESULT_CELLS):
        self.max_bytes, self.max_cells = max_bytes, max_cells
        self.spent = weakref.WeakKeyDictionary()  # cursor -> (bytes, cells)

    def charge(self, cursor, values):
        spent_bytes, spent_cells = self.spent.get(cursor, (0, 0))
        spent_bytes += sum(map(sys.getsizeof, values))
        spent_cells += len(values)
        if spent_bytes > self.max_bytes:
            raise ResultTooLarge(RESULT_TOO_LARGE.format(limit=f"{self.max_bytes:,} bytes"))
        if spent_cells > self.max_cells:
            raise ResultTooLarge(RESULT_TOO_LARGE.format(limit=f"{self.max_cells:,} cells"))
        self.spent[cursor] = (spent_bytes, spent_cells)

    def row_factory(self, cursor, values):
        """A connection's row_factory: Datasette's sqlite3.Row, once the row is within the budget."""
        self.charge(cursor, values)
        return sqlite3.Row(cursor, values)


def limit_connection(connection):
    connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    connection.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERN_BYTES)
    connection.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
    connection.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, MAX_COLUMNS)
    connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    connection.row_factory = ResultBudget().row_factory


@hookimpl
def prepare_connection(conn):
    limit_connection(conn)
