"""One declaration per table: what is derived from it, checks that only check, lint from parsed records."""

import copy
import importlib.util
import sqlite3
import subprocess
import sys

import pytest
import yaml
from helpers import ROOT

import build
import docs
from checks import check_sources
from schema import ALL, SOURCE_TABLES, Column, DeclarationError, Table, check_declarations
from sourcetree import parse_sources


def test_generated_files_are_current():
    assert docs.stale_files() == [], "run: make docs"


def test_a_mistyped_kind_is_an_error_when_declared():
    with pytest.raises(DeclarationError) as error:
        Column("start_date", "When it began.", "daet")
    assert str(error.value) == (
        "column 'start_date': kind 'daet' is not one of: text, slug, country, section, date, int, real, flag, list, quote, quotes, any"
    )


def test_a_reference_to_an_undeclared_table_is_an_error():
    table = Table("visits", "Visits.", columns=(Column("id", "Id.", "slug"), Column("place_id", "Where.", "slug", references="plaeces")))
    with pytest.raises(DeclarationError) as error:
        check_declarations([*ALL.values(), table])
    assert str(error.value) == "table 'visits': column 'place_id' references unknown table 'plaeces'"


def test_a_key_or_index_on_an_undeclared_column_is_an_error():
    with pytest.raises(DeclarationError) as error:
        Table("visits", "Visits.", columns=(Column("id", "Id.", "slug"),), indexes=(("start",),))
    assert str(error.value) == "table 'visits': 'start' is not one of its columns"


def test_a_quote_column_says_where_it_is_quoted_from():
    with pytest.raises(DeclarationError) as error:
        Column("quote", "Words.", "quote")
    assert str(error.value) == "column 'quote': a quote column says where it is quoted from (quoted_in)"


def test_the_database_has_exactly_the_declared_tables_columns_and_keys(connection):
    for table in ALL.values():
        info = connection.execute(f"pragma table_info([{table.name}])").fetchall()
        assert [row[1] for row in info] == list(table.column_names), table.name
        if not table.view:
            assert tuple(row[1] for row in sorted(info, key=lambda row: row[5]) if row[5]) == table.primary_key, table.name
            references = connection.execute(f"pragma foreign_key_list([{table.name}])").fetchall()
            assert sorted((row[3], row[2]) for row in references) == sorted(table.foreign_keys), table.name
    declared = {table.name for table in ALL.values()}
    actual = {
        row[0]
        for row in connection.execute(
            "select name from sqlite_master where type in ('table', 'view') and name not like '%\\_fts%' escape '\\'"
        )
    }
    assert actual == declared


def test_every_reference_has_an_index(connection):
    for table in ALL.values():
        if table.view:
            continue
        indexed = {
            connection.execute(f"pragma index_info([{index[1]}])").fetchone()[2]
            for index in connection.execute(f"pragma index_list([{table.name}])")
        }
        for column, _ in table.foreign_keys:
            assert column in indexed, (table.name, column)


def test_every_declared_index_is_built(connection):
    # The build leaves out an index whose columns begin one the table already has (database.create_indexes):
    # a declaration it leaves out says an index is there that is not.
    for table in ALL.values():
        if table.view:
            continue
        built = {
            tuple(column[2] for column in connection.execute(f"pragma index_info([{index[1]}])"))
            for index in connection.execute(f"pragma index_list([{table.name}])")
        }
        for columns in table.indexes:
            assert tuple(columns) in built, (table.name, columns)


def test_datasette_describes_every_column_from_the_declarations():
    tables = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["binational"]["tables"]
    assert tables["events"]["columns"]["ordinal"] == "The report's numbering of the meeting (10 for the 10th)."
    assert {name: set(entry["columns"]) for name, entry in tables.items()} == {t.name: set(t.column_names) for t in ALL.values()}


# ---------------------------------------------------------------- checks that only check


def planted(fixture_sources):
    topics = fixture_sources / "topics.csv"
    topics.write_text(topics.read_text(encoding="utf-8") + "trade,Trade again,Twice.\n", encoding="utf-8")
    events = fixture_sources / "test-2023" / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace("2023-10-31", "2023-10-32", 1), encoding="utf-8")


def test_checking_twice_finds_the_same_problems_and_changes_nothing(fixture_sources):
    planted(fixture_sources)
    parsed = parse_sources(fixture_sources)
    before = {name: [copy.deepcopy(record.values) for part in parts for record in part] for name, parts in parsed.records.items()}
    first = check_sources(parsed)
    second = check_sources(parsed)
    assert [str(p).replace(str(fixture_sources), "sources") for p in first] == [
        "sources/test-2023/events.csv:3: start_date: is not a real date (day is out of range for month)",
        "sources/topics.csv:4: id: 'trade' is already used at sources/topics.csv:2; ids must be unique",
    ]
    assert second == first
    assert {name: [record.values for part in parts for record in part] for name, parts in parsed.records.items()} == before


def test_table_rules_are_declared_not_coded_by_table_name():
    source = (ROOT / "checks.py").read_text(encoding="utf-8") + (ROOT / "values.py").read_text(encoding="utf-8")
    for table in SOURCE_TABLES:
        assert f'name == "{table.name}"' not in source and f"table == '{table.name}'" not in source


# ---------------------------------------------------------------- the command line


def run_build(*arguments):
    return subprocess.run([sys.executable, "build.py", *arguments], cwd=ROOT, capture_output=True, text=True)


def test_an_option_of_another_command_is_a_usage_error():
    result = run_build("lint", "--output", "x.db")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "build.py: error: unrecognized arguments: --output x.db"
    assert not (ROOT / "x.db").exists()


def test_build_py_is_the_command_line_only():
    assert len((ROOT / "build.py").read_text(encoding="utf-8").splitlines()) <= 300


# ---------------------------------------------------------------- lint


def lint(fixture_sources, capsys, *options):
    status = build.main(["lint", "--sources", str(fixture_sources), *options])
    captured = capsys.readouterr()
    return status, captured.out, captured.err.replace(str(fixture_sources), "sources").splitlines()


def test_lint_reports_a_ragged_row_as_the_build_does(fixture_sources, capsys):
    figures = fixture_sources / "test-2023" / "figures.csv"
    figures.write_text(figures.read_text(encoding="utf-8").replace(",0,0,Trade", ",0,0,0,Trade", 1), encoding="utf-8")
    expected = "sources/test-2023/figures.csv:2: row: has 11 fields, the header has 10; quote values that contain commas"
    status, _, errors = lint(fixture_sources, capsys)
    assert (status, errors) == (1, [expected, "1 problem(s); fix them, then run lint again"])
    assert build.main(["check", "--sources", str(fixture_sources)]) == 1
    assert expected in capsys.readouterr().err.replace(str(fixture_sources), "sources").splitlines()


def test_lint_reports_bad_yaml_as_the_build_does(fixture_sources, capsys):
    people = fixture_sources / "people.yml"
    people.write_text(people.read_text(encoding="utf-8").replace("  country_id: US\n", "  country_id: [US\n", 1), encoding="utf-8")
    expected = "sources/people.yml:10: syntax: YAML syntax error: did not find expected ',' or ']'"
    status, _, errors = lint(fixture_sources, capsys)
    assert (status, errors) == (1, [expected, "1 problem(s); fix them, then run lint again"])


def test_lint_fix_writes_the_canonical_form_and_the_build_reads_the_same(fixture_sources, capsys, tmp_path):
    before, after = tmp_path / "before.db", tmp_path / "after.db"
    assert build.main(["build", "--sources", str(fixture_sources), "--output", str(before)]) == 0
    status, diff, errors = lint(fixture_sources, capsys)
    assert status == 1 and errors == ["4 source file(s) are not in canonical form; run: python build.py lint --fix"]
    assert "+++ sources/people.yml (canonical)" in diff.replace(str(fixture_sources), "sources")
    assert lint(fixture_sources, capsys, "--fix")[0] == 0
    assert lint(fixture_sources, capsys) == (0, "", [])
    assert build.main(["build", "--sources", str(fixture_sources), "--output", str(after)]) == 0
    capsys.readouterr()
    tables = [t.name for t in ALL.values() if t.name != "dataset_info"]
    for name in tables:
        query = f"select * from [{name}] order by 1, 2"
        assert sqlite3.connect(before).execute(query).fetchall() == sqlite3.connect(after).execute(query).fetchall(), name


def test_lint_fix_keeps_yaml_comments_by_refusing(fixture_sources, capsys):
    people = fixture_sources / "people.yml"
    text = people.read_text(encoding="utf-8").replace("  country_id: US\n", "  country_id: US  # serves the United States\n", 1)
    people.write_text(text, encoding="utf-8")
    status, _, errors = lint(fixture_sources, capsys, "--fix")
    assert status == 1
    assert errors == [
        "sources/people.yml:9: file: has a YAML comment, which the canonical form cannot keep; move it into a field or remove it, then run lint --fix again",
        "1 problem(s); fix them, then run lint again",
    ]
    assert people.read_text(encoding="utf-8") == text


# ---------------------------------------------------------------- where packages belong


def test_the_server_environment_has_no_package_that_changes_datasette():
    """rich makes Datasette 0.65's error handler turn every 404 into a 500; it comes with the tools, kept apart."""
    assert importlib.util.find_spec("rich") is None
    assert importlib.util.find_spec("frictionless") is None
    assert importlib.util.find_spec("matplotlib") is None
