"""The steps of a build, streamed: parse, check, convert and write one record at a time.

    stage_sources(root, path)       parse, check, convert and write every table's rows into a new database
    build_database(root, output)    stage into a temporary file, complete it, rename it over `output`
    check_sources_streamed(root)    parse and check only, writing nothing

The small files (the dataset, reports, sections and registries) are parsed
whole first; the files of the tables that stream (convert.STREAMED: events and
every link table, figures, statements, data notes) are read one at a time as
the checks reach them, each file's records checked (checks.checked_files),
converted (convert.Conversion) and written (database.RowWriter) before the
next file is read. From the first problem on nothing more is converted: the checks go on to find every
problem, and the staged database is removed.

The checks keep what grows with the largest tables (the keys seen, the
present (event, person) pairs) in a scratch SQLite file of their own, with a
bounded page cache, removed when they end (checks.open_scratch); they check a
file's keys before it is yielded, so a row whose key is taken
never reaches the staged database's primary key. What a build holds in memory
is then the small files, one large file's records at a time, each event's
section and the ids of the other referenced tables, and the report's text
that quotes are searched in.
"""

import dataclasses
import tempfile
from pathlib import Path

from checks import Findings, checked_files
from convert import STREAMED, Conversion, write_event_link_columns
from database import TEMPORARY_SUFFIX, RowWriter, complete_database, create_tables, no_timer, open_new, summaries_copy
from sourcetree import NotASourceFolder, parse_sources


class ValidationFailed(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s) in the sources")
        self.problems = problems


def parse_streamed(root):
    """The tree parsed, the files of the tables that stream left for the checks to read one at a time."""
    try:
        return parse_sources(root, defer=STREAMED)
    except NotASourceFolder as error:
        raise ValidationFailed([error.problem]) from None


def check_sources_streamed(root):
    """Check the sources without writing anything; return how many records they hold, or raise ValidationFailed."""
    parsed = parse_streamed(root)
    findings = Findings(parsed.problems)
    records = sum(len(records) for _, records, _ in checked_files(parsed, findings))
    if findings:
        raise ValidationFailed(findings.sorted())
    return records


def stage_sources(root, path, timer=no_timer):
    """Check the sources and write their rows into a new database at `path`; return convert.Sources.

    Raises ValidationFailed, listing every problem, when the sources have any;
    `path` is then left for the caller to remove. `timer` is called with the
    phases parse (the small files), stream (the rest: reading, checking,
    converting, writing) and, many times within it, insert, for benchmarks.
    """
    with timer("parse"):
        parsed = parse_streamed(root)
    connection = open_new(path)
    try:
        findings = Findings(parsed.problems)
        writer = RowWriter(connection, timer)
        conversion = Conversion(parsed, writer)
        # One transaction for the tables and every row: each transaction is counted in the file's header.
        connection.execute("begin")
        create_tables(connection)
        with timer("stream"):
            for table, records, typed in checked_files(parsed, findings):
                if not findings:
                    conversion.add_file(table, records, typed)
            if not findings:
                whole = conversion.finish()
                writer.flush_all()
                with timer("insert"):
                    write_event_link_columns(connection, whole)
        connection.execute("commit")
    finally:
        connection.close()
    if findings:
        raise ValidationFailed(findings.sorted())
    return conversion.sources(Path(path))


def build_database(root, output, timer=no_timer):
    """Stage the sources into `<output>.tmp`, complete the database and rename it over `output`; return convert.Sources.

    A failed or interrupted build leaves `output` as it was.
    """
    output = Path(output)
    temporary = output.with_name(output.name + TEMPORARY_SUFFIX)
    # What a build killed midway left behind.
    temporary.unlink(missing_ok=True)
    summaries_copy(temporary).unlink(missing_ok=True)
    try:
        sources = stage_sources(root, temporary, timer)
        complete_database(temporary, timer)
        temporary.replace(output)
        return sources
    finally:
        temporary.unlink(missing_ok=True)


def load_sources(root):
    """The checked sources, staged in a temporary database that lives as long as the returned Sources does.

    For database.write_database, which completes a copy of it, as often as asked.
    """
    folder = tempfile.TemporaryDirectory(prefix="binational-")
    try:
        sources = stage_sources(root, Path(folder.name) / "staged.db")
    except ValidationFailed:
        folder.cleanup()
        raise
    # TemporaryDirectory removes the folder when the Sources holding it are no longer used.
    return dataclasses.replace(sources, folder=folder)
