"""Bound the memory a single query can take.

Datasette 0.65 bounds query time (sql_time_limit_ms) but not size: without
these limits `select randomblob(200000000)` or a group_concat over a large
table is built in full in the server's memory.
"""

import sqlite3

from datasette import hookimpl

MAX_VALUE_BYTES = 5_000_000  # the largest string or blob a query may produce
MAX_SQL_BYTES = 100_000  # the longest SQL text accepted
MAX_COLUMNS = 500


def limit_connection(connection):
    connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    connection.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
    connection.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, MAX_COLUMNS)
    connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)


@hookimpl
def prepare_connection(conn):
    limit_connection(conn)
