"""The steps of a build, streamed: parse, check, convert and write a part of a file at a time.

    stage_sources(root, path)       parse, check, convert and write every table's rows into a new database
    build_database(root, output)    stage into a temporary file, complete it, rename it over `output`
    check_sources_streamed(root)    parse and check only, writing nothing

A build checks and writes in two processes at once, each reading the sources
itself: one runs the checks (checked_sources, the same as `build.py check`),
the other (the caller's) converts and writes the rows as it reads them
(write_sources), and keeps them only if the checks find no problem. Both are
Python, so a thread would only wait on the other's lock; two processes use
both cores, and reading the files twice costs less than sending one's records
to the other. Rows that fail the checks may fail to convert or to go in (a
key that is taken, a section that is not there): the writer then stops, and
the checks say why.

The small files (the dataset, reports, sections and registries) are parsed
whole first; the files of the tables that stream (convert.STREAMED: events and
every link table, figures, statements, data notes) are read one at a time, a
CSV file's records CHUNK_RECORDS at a time (sourcetree.table_files), and each
part checked (checks.checked_files) or converted (convert.Conversion) and
written (database.RowWriter) before the next is read.

The checks keep what grows with the largest tables (the keys seen, the
present (event, person) pairs, the sections' text that quotes are searched in)
in a scratch SQLite file of their own, with a bounded page cache, removed when
they end (checks.open_scratch). What a build holds in memory is then the small
files and a part of one large file in each process, and each event's section
and the ids of the other referenced tables in the checks'. A report's text is
read again each time it is cut into sections (sourcetree.Edition.lines).
"""

import ctypes
import dataclasses
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from checks import Findings, checked_files
from convert import STREAMED, Conversion, write_event_link_columns
from database import TEMPORARY_SUFFIX, RowWriter, complete_database, create_tables, no_timer, open_new, summaries_copy
from schema import SOURCE_TABLES
from sourcefiles import Problem
from sourcetree import NotASourceFolder, parse_sources, table_files
from values import read_file_unchecked


class ValidationFailed(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s) in the sources")
        self.problems = problems


class ChecksEnded(Exception):
    """The checks' process ended without saying whether the sources have problems (it was killed, or failed)."""


def parse_streamed(root):
    """The tree parsed, the files of the tables that stream left to be read one at a time."""
    try:
        return parse_sources(root, defer=STREAMED)
    except NotASourceFolder as error:
        raise ValidationFailed([error.problem]) from None


def checked_sources(root):
    """(how many records the sources hold, every problem of them, sorted): the checks, writing nothing."""
    try:
        parsed = parse_streamed(root)
    except ValidationFailed as failed:
        return 0, failed.problems
    findings = Findings(parsed.problems)
    records = sum(len(records) for _, records, _ in checked_files(parsed, findings))
    return records, findings.sorted()


def check_sources_streamed(root):
    """Check the sources without writing anything; return how many records they hold, or raise ValidationFailed."""
    records, problems = checked_sources(root)
    if problems:
        raise ValidationFailed(problems)
    return records


class ChecksBeside:
    """The checks of a source tree, run by this file as a program of its own, while the caller writes the tree's rows.

    A new interpreter (it starts in a tenth of a second) rather than a fork: it inherits no lock that a thread
    of the caller held, and runs no part of the caller's program. It prints the problems as JSON, and ends
    when the caller ends, even killed outright (end_with_parent).
    """

    def __init__(self, root):
        command = [sys.executable, str(Path(__file__).resolve()), str(root), str(os.getpid())]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)

    def problems(self):
        """Every problem of the sources, sorted, once the checks have ended; raise ChecksEnded when they gave none."""
        output, _ = self.process.communicate()
        if self.process.returncode != 0:
            raise ChecksEnded(f"the checks of the sources ended without a result (exit code {self.process.returncode})")
        return [Problem(*problem) for problem in json.loads(output)]

    def raise_problems(self):
        """Raise ValidationFailed with every problem the checks found, if they found any."""
        problems = self.problems()
        if problems:
            raise ValidationFailed(problems) from None  # what the writer raised meanwhile follows from them

    def stop(self):
        """End the checks' process, whether or not it has finished."""
        self.process.kill()  # nothing, once it has ended
        self.process.wait()
        self.process.stdout.close()


def unchecked_files(parsed):
    """(table, records, their typed values) of every file of the tree, a part at a time, in checked_files' order, unchecked."""
    ignored = []  # the checks report every problem
    for table in SOURCE_TABLES:
        for records in table_files(parsed, table, ignored, set()):
            yield table, records, read_file_unchecked(records, table)


def write_sources(root, path, timer=no_timer):
    """Convert the sources' records and write their rows into a new database at `path`, unchecked; return convert.Sources."""
    with timer("parse"):
        parsed = parse_streamed(root)
    connection = open_new(path)
    try:
        writer = RowWriter(connection, timer)
        conversion = Conversion(parsed, writer)
        # One transaction for the tables and every row: each transaction is counted in the file's header.
        connection.execute("begin")
        create_tables(connection)
        with timer("stream"):
            for table, records, typed in unchecked_files(parsed):
                conversion.add_file(table, records, typed)
            whole = conversion.finish()
            writer.flush_all()
            with timer("insert"):
                write_event_link_columns(connection, whole)
        connection.execute("commit")
    finally:
        connection.close()
    return conversion.sources(Path(path))


def stage_sources(root, path, timer=no_timer):
    """Check the sources and write their rows into a new database at `path`; return convert.Sources.

    Raises ValidationFailed, listing every problem, when the sources have any;
    `path` is then left for the caller to remove. `timer` is called with the
    phases parse (the small files), stream (the rest: reading, converting,
    writing) and, many times within it, insert, for benchmarks; the checks run
    meanwhile, in their own process (ChecksBeside).
    """
    checks = ChecksBeside(root)
    try:
        try:
            sources = write_sources(root, path, timer)
        except Exception:
            # Rows that fail the checks may fail to convert or to go in; then the checks' problems are the answer.
            checks.raise_problems()
            raise
        checks.raise_problems()
        return sources
    finally:
        checks.stop()


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


PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when the thread that started it ends


def end_with_parent(parent):
    """Have the kernel kill this process when its parent (the process id `parent`) ends, however it ends (Linux).

    A build killed outright (SIGKILL, the machine's memory running out) cannot stop its checks; they would run
    on to their end for nothing. Elsewhere, nothing is asked: the checks then run to their end, writing nothing.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return  # not Linux
    if prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        os._exit(1)  # the parent ended before the request was made, or is not this process's parent


if __name__ == "__main__":
    # ChecksBeside's program: the problems of the sources at the path given, as JSON lists of path, line, field, message.
    # Ctrl-C reaches the build and this process alike: the build ends this one (ChecksBeside.stop), quietly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if len(sys.argv) > 2:
        end_with_parent(int(sys.argv[2]))  # the build's process id, which ChecksBeside gives
    json.dump([dataclasses.astuple(problem) for problem in checked_sources(sys.argv[1])[1]], sys.stdout)
