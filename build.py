"""Validate sources/ and build the binational SQLite database.

    python build.py [build] [--sources DIR] [--output FILE]   parse, check, convert, write
    python build.py check [--sources DIR]                     parse and check only; write nothing
    python build.py lint [--sources DIR] [--fix]              show (or apply) the canonical form of every file
    python build.py diff OLD.db NEW.db                        what changed between two builds

A build runs four steps, each in its own module, streamed by pipeline.py so
that the records of the largest files pass a part of a file at a time, never
all held; the checks run in a process of their own while the rows are written:

    parse    sourcetree.parse_sources    files -> records that remember file and line
    check    checks.checked_files        records -> every problem (changes nothing)
    convert  convert.Conversion          checked records -> typed rows of every table
    write    database.RowWriter,         rows -> binational.db, via a temporary file
             database.complete_database

One build at a time writes an output: a second one started meanwhile stops at
once and says so (database.build_lock).

Every problem is reported at once as `file:line: field: message` and the
command exits 1 without touching the existing database. Tables are declared
in schema.py.
"""

import argparse
import sys
from pathlib import Path

import dbdiff
import lint
from database import BuildRunning, build_lock, output_problem, write_database
from pipeline import ValidationFailed, build_database, check_sources_streamed, load_sources
from schema import SCHEMA_VERSION
from sourcetree import source_digest

SOURCES_DIR = Path("sources")
OUTPUT = Path("binational.db")
COMMANDS = ("build", "check", "lint", "diff")

__all__ = ["ValidationFailed", "load_sources", "main", "source_digest", "write_database"]


def report_problems(problems, outcome):
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} problem(s); {outcome}", file=sys.stderr)


def run_build(args):
    problem = output_problem(args.output)
    if problem:
        print(f"build.py: {problem}", file=sys.stderr)
        return 2
    try:
        with build_lock(args.output):
            sources = build_database(args.sources, args.output)
    except ValidationFailed as failed:
        report_problems(failed.problems, f"{args.output} was not changed")
        return 1
    except BuildRunning as running:
        print(f"build.py: {running}", file=sys.stderr)
        return 1
    print(f"wrote {args.output} (dataset {sources.dataset['version']}, schema {SCHEMA_VERSION})")
    return 0


def run_check(args):
    try:
        records = check_sources_streamed(args.sources)
    except ValidationFailed as failed:
        report_problems(failed.problems, f"{OUTPUT} was not changed")
        return 1
    print(f"{args.sources}: ok ({records} records)")
    return 0


def run_lint(args):
    result = lint.lint(args.sources, fix=args.fix)
    print(result.diff, end="")
    if result.problems:
        report_problems(result.problems, "fix them, then run lint again")
        return 1
    if result.differing and not args.fix:
        print(f"{len(result.differing)} source file(s) are not in canonical form; run: python build.py lint --fix", file=sys.stderr)
        return 1
    return 0


def run_diff(args):
    missing = [str(path) for path in (args.old, args.new) if not path.is_file()]
    if missing:
        print(f"build.py diff: not a database file: {', '.join(missing)}", file=sys.stderr)
        return 2
    print(dbdiff.format_diff(dbdiff.diff_databases(args.old, args.new)), end="")
    return 0


def parser():
    main_parser = argparse.ArgumentParser(prog="build.py", description="Validate sources/ and build the binational SQLite database.")
    commands = main_parser.add_subparsers(dest="command", required=True)

    def sources_option(command):
        command.add_argument("--sources", type=Path, default=SOURCES_DIR, help="the sources folder (default: sources)")

    build = commands.add_parser("build", help="check the sources, then write the database")
    sources_option(build)
    build.add_argument("--output", type=Path, default=OUTPUT, help="the database to write (default: binational.db)")
    build.set_defaults(run=run_build)
    check = commands.add_parser("check", help="check the sources; write nothing")
    sources_option(check)
    check.set_defaults(run=run_check)
    lint_command = commands.add_parser("lint", help="show the canonical form of every source file that differs")
    sources_option(lint_command)
    lint_command.add_argument("--fix", action="store_true", help="rewrite the files in canonical form")
    lint_command.set_defaults(run=run_lint)
    diff = commands.add_parser("diff", help="what changed between two builds, as Markdown")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.set_defaults(run=run_diff)
    return main_parser


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
        argv.insert(0, "build")  # `python build.py --output x.db` builds
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
