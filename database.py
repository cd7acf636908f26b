"""Write the database from converted sources: tables, search, indexes, summaries, views.

Every table, summary and view is declared in schema.py; this module turns the
declarations into DDL, foreign keys and indexes, and inserts the rows that
convert.py gives. The database is written to a temporary file and renamed
into place only when complete.
"""

import contextlib
import os
import sqlite3
from pathlib import Path

import sqlite_utils

from schema import SCHEMA_VERSION, SUMMARIES, TABLES, VIEWS

TEMPORARY_SUFFIX = ".tmp"
# Stemming over accent folding: "aquifer" finds "aquifers", "Lopez" finds "López".
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
# Prefix indexes for the prefix queries the search boxes make of every typed word (search.py).
FTS_PREFIX = "2 3 4"


def column_types(table):
    return {column.name: column.sqlite_type for column in table.columns}


def primary_key(table):
    return table.primary_key[0] if len(table.primary_key) == 1 else table.primary_key


def foreign_keys(table):
    return [(name, target, "id") for name, target in table.foreign_keys]


def create_tables(db):
    for table in TABLES:
        db[table.name].create(column_types(table), pk=primary_key(table), foreign_keys=foreign_keys(table))


def create_indexes(db, tables=TABLES):
    """An index on every reference, then the declared ones."""
    for table in tables:
        for column, _ in table.foreign_keys:
            db[table.name].create_index([column], find_unique_name=True)
        for columns in table.indexes:
            db[table.name].create_index(list(columns), find_unique_name=True)


def insert_rows(connection, sources):
    """Every table's rows, with plain executemany: sqlite-utils' insert_all costs several times more per row."""
    for table in TABLES:
        columns = table.column_names
        sql = f"insert into [{table.name}] ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})"
        connection.executemany(sql, (tuple(row.get(c) for c in columns) for row in sources.rows(table)))


def create_search_sql(table):
    """The full-text index of a table: FTS5 over its `search` columns, reading their text from the table itself.

    Written here rather than with sqlite-utils' enable_fts, which has no prefix option. Datasette finds the
    index by its `content=[table]`.
    """
    columns = ", ".join(f"[{column}]" for column in table.search)
    return (
        f"create virtual table [{table.name}_fts] using fts5 ({columns}, tokenize='{FTS_TOKENIZER}', "
        f"prefix='{FTS_PREFIX}', content=[{table.name}])",
        f"insert into [{table.name}_fts] (rowid, {columns}) select rowid, {columns} from [{table.name}]",
    )


def build_search(db):
    for table in TABLES:
        if table.search:
            for sql in create_search_sql(table):
                db.execute(sql)


def build_summaries(db):
    for table in SUMMARIES:
        db[table.name].create(column_types(table), pk=primary_key(table), foreign_keys=foreign_keys(table))
        columns = ", ".join(f"[{c}]" for c in table.column_names)
        db.execute(f"insert into [{table.name}] ({columns}) {table.sql.strip()}")
    create_indexes(db, SUMMARIES)


def finalize(db):
    for view in VIEWS:
        db.create_view(view.name, view.sql.strip())
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    problems = [tuple(row) for row in db.execute("PRAGMA foreign_key_check").fetchall()]
    if problems:
        raise RuntimeError(f"foreign key check failed: {problems[:5]}")
    db.execute("VACUUM")


def open_new(path):
    connection = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(connection)
    db.execute("PRAGMA page_size = 4096")
    db.execute("PRAGMA journal_mode = OFF")
    # Rows are inserted parents first and checked once at the end (foreign_key_check in finalize).
    db.execute("PRAGMA foreign_keys = OFF")
    return connection, db


def write_database(sources, output, timer=None):
    """Write the database to a temporary file and rename it over `output`.

    `timer`, if given, is a context-manager factory called with each phase's
    name (insert, search, indexes, summaries, finalize), for benchmarks.
    """
    output = Path(output)
    temporary = output.with_name(output.name + TEMPORARY_SUFFIX)
    temporary.unlink(missing_ok=True)
    phase = timer or (lambda name: contextlib.nullcontext())
    try:
        connection, db = open_new(temporary)
        with phase("insert"):
            with db.atomic():
                create_tables(db)
                insert_rows(connection, sources)
        with phase("search"):
            build_search(db)
        with phase("indexes"):
            create_indexes(db)
        with phase("summaries"):
            with db.atomic():
                build_summaries(db)
        with phase("finalize"):
            finalize(db)
        connection.close()
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)
