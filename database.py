"""Write the database: tables, rows, search, indexes, summaries, views.

Every table, summary and view is declared in schema.py; this module turns the
declarations into DDL, foreign keys and indexes, inserts the rows that
convert.py gives as they come (RowWriter), and completes a database whose
tables hold their rows (complete_database). The database is written to a
temporary file and renamed into place only when complete; `build_lock` keeps
a second build from writing the same temporary file at the same time.
"""

import contextlib
import fcntl
import os
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from schema import SCHEMA_VERSION, SUMMARIES, TABLES, VIEWS

TEMPORARY_SUFFIX = ".tmp"
SUMMARIES_SUFFIX = ".summaries"  # the copy a build summarizes beside its full-text index
LOCK_SUFFIX = ".lock"
# Stemming over accent folding: "aquifer" finds "aquifers", "Lopez" finds "López".
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
# Prefix indexes for the prefix queries the search boxes make of every typed word (search.py).
FTS_PREFIX = "2 3 4"


class BuildRunning(Exception):
    """Another process holds the lock on this output: it is writing the same database now."""


def output_problem(output):
    """Why the database cannot be written at `output`, or None; checked before any source is read."""
    output = Path(output)
    if not output.parent.is_dir():
        return f"cannot write {output}: the folder {output.parent} does not exist"
    if os.path.lexists(output) and not output.is_file():
        return f"cannot write {output}: it is a folder or special file, not a database file"
    return None


def locked_file(lock_path):
    """The open lock file at `lock_path`, locked by this process, or None when another process holds it.

    A build removes its lock file when it ends; a process that opened that
    file just before sees, once it holds the lock, that the path now names
    another file (or none), and locks the file at the path afresh.
    """
    while True:
        lock = open(lock_path, "a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            return None
        held = os.fstat(lock.fileno())
        try:
            current = os.stat(lock_path)
        except FileNotFoundError:
            current = None
        if current is not None and (current.st_dev, current.st_ino) == (held.st_dev, held.st_ino):
            return lock
        lock.close()


@contextlib.contextmanager
def build_lock(output):
    """Hold `<output>.lock` for the duration of a build, or raise BuildRunning at once.

    The lock is the kernel's (flock): it is released when the process ends,
    even by SIGKILL, so a killed build never blocks the next one; the next
    build then removes the file it left.
    """
    lock_path = Path(output).with_name(Path(output).name + LOCK_SUFFIX)
    lock = locked_file(lock_path)
    if lock is None:
        raise BuildRunning(f"another build is writing {output} now ({lock_path} is locked); run this one when it has finished")
    try:
        yield
    finally:
        lock_path.unlink(missing_ok=True)  # while still locked, so that no other build locks this file once it is gone
        lock.close()


# The DDL is written here, in the form sqlite-utils writes it (the schema every earlier database has), rather
# than with sqlite-utils, whose import (it brings pandas when installed) took longer than checking 10^4 events.
SQLITE_TYPES = {str: "TEXT", int: "INTEGER", float: "REAL", bytes: "BLOB"}


def quoted(name):
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(table):
    single_key = table.primary_key[0] if len(table.primary_key) == 1 else None
    references = dict(table.foreign_keys)
    definitions = []
    for column in table.columns:
        extras = ["PRIMARY KEY"] if column.name == single_key else []
        if column.name in references:
            extras.append(f"REFERENCES {quoted(references[column.name])}({quoted('id')})")
        definitions.append(" ".join([f"   {quoted(column.name)}", SQLITE_TYPES[column.sqlite_type], *extras]))
    compound_key = f",\n   PRIMARY KEY ({', '.join(map(quoted, table.primary_key))})" if len(table.primary_key) > 1 else ""
    return f"CREATE TABLE {quoted(table.name)} (\n" + ",\n".join(definitions) + compound_key + "\n)"


def create_tables(connection, tables=TABLES):
    for table in tables:
        connection.execute(create_table_sql(table))


def create_index(connection, table, columns, names):
    """An index named after its table and columns, with a number after the name when that is taken."""
    base = f"idx_{table.name.replace(' ', '_')}_{'_'.join(columns)}"
    name = base
    number = 1
    while name in names:
        number += 1
        name = f"{base}_{number}"
    names.add(name)
    connection.execute(f"CREATE INDEX {quoted(name)}\n    ON {quoted(table.name)} ({', '.join(map(quoted, columns))})")


def create_indexes(connection, tables=TABLES):
    """An index on every reference, then the declared ones, each unless an index the table already has
    (its primary key's included) starts with the same columns and so serves the same lookups."""
    names = {row[0] for row in connection.execute("select name from sqlite_master where type = 'index'")}
    for table in tables:
        indexed = [tuple(table.primary_key)] if table.primary_key else []
        for columns in [(column,) for column, _ in table.foreign_keys] + [tuple(columns) for columns in table.indexes]:
            if any(existing[: len(columns)] == columns for existing in indexed):
                continue
            create_index(connection, table, list(columns), names)
            indexed.append(columns)


@contextlib.contextmanager
def transaction(connection):
    connection.execute("begin")
    try:
        yield
    except BaseException:
        connection.execute("rollback")
        raise
    connection.execute("commit")


def insert_sql(table):
    columns = table.column_names
    return f"insert into [{table.name}] ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})"


class RowWriter:
    """Rows into their tables as they come, with plain executemany a batch at a time (sqlite-utils' insert_all
    costs several times more per row); each table's rows keep the order they come in."""

    BATCH = 5_000

    def __init__(self, connection, timer):
        self.connection, self.timer = connection, timer
        self.tables = {table.name: (insert_sql(table), table.column_names) for table in TABLES}
        self.pending = {name: [] for name in self.tables}

    def write(self, name, row):
        rows = self.pending[name]
        rows.append(tuple(map(row.get, self.tables[name][1])))
        if len(rows) >= self.BATCH:
            self.flush(name)

    def write_tuples(self, name, rows):
        """Rows as tuples of every column of their table, in its order, a part of a file at a time."""
        pending = self.pending[name]
        pending.extend(rows)
        if len(pending) >= self.BATCH:
            self.flush(name)

    def flush(self, name):
        with self.timer("insert"):
            self.connection.executemany(self.tables[name][0], self.pending[name])
        self.pending[name] = []

    def flush_all(self):
        for name in self.pending:
            self.flush(name)


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


def build_search(connection):
    for table in TABLES:
        if table.search:
            for sql in create_search_sql(table):
                connection.execute(sql)


def build_summaries(connection):
    """The summary tables' rows, in a database that holds every table's rows and indexes."""
    create_tables(connection, SUMMARIES)
    for table in SUMMARIES:
        columns = ", ".join(f"[{c}]" for c in table.column_names)
        connection.execute(f"insert into [{table.name}] ({columns}) {table.sql.strip()}")


def check_foreign_keys(connection):
    problems = [tuple(row) for row in connection.execute("PRAGMA foreign_key_check").fetchall()]
    if problems:
        raise RuntimeError(f"foreign key check failed: {problems[:5]}")


def summarize(connection, timer):
    """In a copy of a database whose tables hold their rows: its indexes, the summary tables, the foreign-key check.

    Run on the copy beside the full-text index of the database itself (complete_database): the copy is a
    file of its own, so neither waits on the other's locks, and it has the same indexes, so each summary's
    query runs by the same plan as it would in the database.
    """
    create_indexes(connection)
    with timer("summaries"), transaction(connection):
        build_summaries(connection)
    check_foreign_keys(connection)


def copy_summaries(connection, copy):
    """The summary tables of `copy` (made by summarize) into the database, row for row, with their indexes."""
    connection.execute("ATTACH DATABASE ? AS summarized", (str(copy),))
    try:
        with transaction(connection):
            create_tables(connection, SUMMARIES)
            for table in SUMMARIES:
                connection.execute(f"insert into main.[{table.name}] select * from summarized.[{table.name}] order by rowid")
            create_indexes(connection, SUMMARIES)
    finally:
        connection.execute("DETACH DATABASE summarized")


def finalize(connection):
    for view in VIEWS:
        connection.execute(f"CREATE VIEW {quoted(view.name)} AS {view.sql.strip()}")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def open_new(path, **options):
    connection = sqlite3.connect(path, isolation_level=None, **options)
    connection.execute("PRAGMA page_size = 4096")
    connection.execute("PRAGMA journal_mode = OFF")
    # Rows are inserted in any order of tables and checked once at the end (check_foreign_keys).
    connection.execute("PRAGMA foreign_keys = OFF")
    return connection


def no_timer(name):
    return contextlib.nullcontext()


def summaries_copy(path):
    """Where complete_database copies the database at `path` to make its summaries; removed when it ends."""
    path = Path(path)
    return path.with_name(path.name + SUMMARIES_SUFFIX)


def complete_database(path, timer=no_timer):
    """Add search, indexes, summaries and views to a database whose tables hold their rows.

    The summaries are made on a copy of the database in a second thread
    (summarize), while this one builds the full-text and plain indexes:
    SQLite lets go of Python's lock while a statement runs, so the two use
    both cores. No VACUUM follows: nothing is deleted, so the file has no
    free pages, and the same statements in the same order write the same
    bytes. `timer` is a context-manager factory called with each phase's
    name (search, indexes, summaries, finalize), for benchmarks.
    """
    copy = summaries_copy(path)
    try:
        shutil.copyfile(path, copy)
        with contextlib.closing(open_new(path)) as connection, contextlib.closing(open_new(copy, check_same_thread=False)) as beside:
            with ThreadPoolExecutor(max_workers=1) as summarizer:
                summarized = summarizer.submit(summarize, beside, timer)
                try:
                    with timer("search"):
                        build_search(connection)
                    with timer("indexes"):
                        create_indexes(connection)
                except BaseException:
                    beside.interrupt()  # so that a failed or interrupted build does not wait for the summaries
                    raise
                summarized.result()
            with timer("finalize"):
                copy_summaries(connection, copy)
                finalize(connection)
    finally:
        copy.unlink(missing_ok=True)


def write_database(sources, output, timer=no_timer):
    """Write the database of staged sources (convert.Sources) to a temporary file and rename it over `output`."""
    output = Path(output)
    temporary = output.with_name(output.name + TEMPORARY_SUFFIX)
    try:
        shutil.copyfile(sources.staged, temporary)
        complete_database(temporary, timer)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)
