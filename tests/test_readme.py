"""The README's data dictionary names every table and column, with current row counts."""

import re
from pathlib import Path

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
