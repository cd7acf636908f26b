"""The README: its data dictionary matches the database, and every example prints what it says."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
HEADING = re.compile(r"^#### `(\w+)` \((table|view), (\d+) rows\)$", re.MULTILINE)


def documented():
    """{table: (kind, count, [columns])} from the README's data dictionary."""
    result = {}
    for match in HEADING.finditer(README):
        body = README[match.end() :].split("\n#### ", 1)[0].split("\n## ", 1)[0]
        result[match.group(1)] = (match.group(2), int(match.group(3)), re.findall(r"^\| `(\w+)` \|", body, re.MULTILINE))
    return result


def test_dictionary_matches_the_database(connection):
    actual = {}
    for name, kind in connection.execute(
        "select name, type from sqlite_master where type in ('table', 'view') and name not like '%\\_fts%' escape '\\'"
    ):
        count = connection.execute(f"select count(*) from [{name}]").fetchone()[0]
        columns = [row[1] for row in connection.execute(f"pragma table_info('{name}')")]
        actual[name] = (kind, count, columns)
    assert documented() == actual


# ---------------------------------------------------------------- the examples, run verbatim

# A code block directly followed by a `text` block with its output; neither contains a fence.
EXAMPLE = re.compile(r"```(sh|python)\n((?:(?!```).)*)```\n\n```text\n((?:(?!```).)*)```", re.DOTALL)
DOCUMENTED_BASE = "http://127.0.0.1:8001"
MORE = "…"


def examples():
    """(language, code, expected output) of every example followed by its output in the README."""
    return [match.groups() for match in EXAMPLE.finditer(README)]


def run_example(language, code, base, folder):
    """Run an example as a reader would, against the server at `base`, in `folder`; its standard output."""
    code = code.replace(DOCUMENTED_BASE, base)
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    command = ["bash", "-e", "-o", "pipefail", "-c", code] if language == "sh" else [sys.executable, "-c", code]
    result = subprocess.run(command, cwd=folder, env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, (code, result.stderr)
    return result.stdout


def printed_as_documented(actual, expected):
    expected_lines = expected.splitlines()
    if expected_lines and expected_lines[-1] == MORE:
        return actual.splitlines()[: len(expected_lines) - 1] == expected_lines[:-1]
    return actual.rstrip("\n") == expected.rstrip("\n")


@pytest.fixture(scope="module")
def reader_folder(tmp_path_factory, database):
    """A reader's working folder, with the database downloaded as binational.db."""
    folder = tmp_path_factory.mktemp("reader")
    shutil.copy(database, folder / "binational.db")
    return folder


def test_the_readme_has_its_examples():
    assert len(examples()) == 10
    assert all(expected.strip() for _, _, expected in examples())


@pytest.mark.parametrize("language, code, expected", examples(), ids=[f"example-{n}" for n in range(1, len(examples()) + 1)])
def test_readme_example_prints_what_it_says(server, reader_folder, language, code, expected):
    actual = run_example(language, code, server, reader_folder)
    assert printed_as_documented(actual, expected), actual


def test_readme_sql_queries_each_return_rows(connection):
    block = re.search(r"```sql\n(.*?)```", README, re.DOTALL).group(1)
    statements = [s.strip() for s in re.sub(r"^--.*$", "", block, flags=re.MULTILINE).split(";") if s.strip()]
    assert len(statements) == 8
    for statement in statements:
        assert connection.execute(statement).fetchall(), statement
