"""Reading CSV and YAML sources: exact values and the line of every field."""

import pytest

from sourcefiles import Problem, SourceError, csv_parts, parse_csv, parse_yaml, parse_yaml_mapping


def test_parse_csv_values_and_lines():
    text = 'id,name,quote\nmx,Mexico,"a, b"\nus,,"two\nlines"\nca,Canada,x\n'
    records, problems = parse_csv(text, "countries.csv", ["id", "name", "quote"])
    assert problems == []
    assert [(r.line, r.values) for r in records] == [
        (2, {"id": "mx", "name": "Mexico", "quote": "a, b"}),
        (3, {"id": "us", "name": "", "quote": "two\nlines"}),
        (5, {"id": "ca", "name": "Canada", "quote": "x"}),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "id,name\nmx,Mexico\nus,\nca,Canada\n",
        "id,name\nmx,Mexico\nus,\nca,Canada",  # no line break at the end
        "id,name\r\nmx,Mexico\r\nus,\r\nca,Canada\r\n",  # carriage returns
        "id,name\nmx,Mexico\nus,\n\nca,Canada\n",  # a blank line, skipped but counted
    ],
)
def test_parse_csv_gives_each_row_its_line_whatever_the_line_ends(text):
    records, problems = parse_csv(text, "c.csv", ["id", "name"])
    blank = 1 if "\n\n" in text else 0
    assert problems == []
    assert [(r.path, r.line, r.values) for r in records] == [
        ("c.csv", 2, {"id": "mx", "name": "Mexico"}),
        ("c.csv", 3, {"id": "us", "name": ""}),
        ("c.csv", 4 + blank, {"id": "ca", "name": "Canada"}),
    ]


def test_parse_csv_syntax_error_is_reported_with_its_line_and_the_rows_before_it_kept():
    records, problems = parse_csv('id,name\nmx,Mexico\nus,"United "States\nca,Canada\n', "c.csv", ["id", "name"])
    assert [(r.line, r.values["id"]) for r in records] == [(2, "mx")]
    assert problems == [Problem("c.csv", 3, "row", "CSV syntax error: ',' expected after '\"'")]


def test_parse_csv_columns_in_any_order():
    records, _ = parse_csv("name,id\nMexico,mx\n", "c.csv", ["id", "name"])
    assert records[0].values == {"name": "Mexico", "id": "mx"}


@pytest.mark.parametrize(
    "header, message",
    [
        ("id,name,extra", "unknown column 'extra'; expected columns: id,name"),
        ("id", "missing column 'name'; expected columns: id,name"),
        ("id,name,name", "duplicated column 'name'; expected columns: id,name"),
    ],
)
def test_parse_csv_bad_header(header, message):
    with pytest.raises(SourceError) as error:
        parse_csv(header + "\n", "c.csv", ["id", "name"])
    assert error.value.problem == Problem("c.csv", 1, "header", message)


def test_parse_csv_ragged_row_is_reported_with_its_line():
    records, problems = parse_csv("id,name\na,A\nb,B,extra\nc,C\n", "c.csv", ["id", "name"])
    assert [r.values["id"] for r in records] == ["a", "c"]
    assert problems == [Problem("c.csv", 3, "row", "has 3 fields, the header has 2; quote values that contain commas")]


def test_parse_yaml_values_lines_and_strings():
    text = "- id: norway\n  code: NO\n  established: 2013\n  aliases: [A, B]\n  empty:\n  quotes:\n    - quote: q\n"
    records, problems = parse_yaml(text, "m.yml")
    assert problems == []
    (record,) = records
    assert record.line == 1
    assert record.values == {
        "id": "norway",
        "code": "NO",
        "established": "2013",
        "aliases": ["A", "B"],
        "empty": None,
        "quotes": [{"quote": "q", "__line__": 7}],
    }
    assert record.lines == {"id": 1, "code": 2, "established": 3, "aliases": 4, "empty": 5, "quotes": 6}


def test_parse_yaml_reports_each_entry_and_key_it_cannot_read_and_reads_the_rest():
    text = "- [a, b]\n- id: c\n  ? {k: v}\n  : [1]\n  kind: [x, {y: z, y: w}]\n  kind: again\n"
    records, problems = parse_yaml(text, "m.yml")
    assert [(record.line, record.values, record.lines) for record in records] == [
        (2, {"id": "c", "kind": ["x", {"y": "z", "__line__": 5}]}, {"id": 2, "kind": 5})
    ]
    assert problems == [
        Problem("m.yml", 1, "entry", "must be a mapping of field: value"),
        Problem("m.yml", 3, "key", "keys must be plain names"),
        Problem("m.yml", 5, "y", "is given twice in this entry (first on line 5); keep one"),
        Problem("m.yml", 6, "kind", "is given twice in this entry (first on line 5); keep one"),
    ]


def test_parse_yaml_duplicate_key_keeps_first_and_reports():
    records, problems = parse_yaml("- id: a\n  kind: x\n  kind: y\n", "m.yml")
    assert records[0].values == {"id": "a", "kind": "x"}
    assert problems == [Problem("m.yml", 3, "kind", "is given twice in this entry (first on line 2); keep one")]


@pytest.mark.parametrize(
    "text, problem",
    [
        ("id: a\n", Problem("m.yml", 1, "file", "must be a YAML list of entries (lines starting with '- ')")),
        ("- id: [a\n", Problem("m.yml", 2, "syntax", "YAML syntax error: did not find expected ',' or ']'")),
        ("- id: &x a\n- id: *x\n", Problem("m.yml", 1, "syntax", "YAML anchors and aliases are not allowed; write the value out in full")),
        ("- id: " + "[" * 11 + "]" * 11 + "\n", Problem("m.yml", 1, "syntax", "YAML is nested more than 10 levels deep")),
        ("id: [a\n", Problem("m.yml", 2, "syntax", "YAML syntax error: did not find expected ',' or ']'")),  # before its shape
        ("- id: a\n---\n- id: b\n", Problem("m.yml", 2, "syntax", "YAML syntax error: but found another document")),
    ],
)
def test_parse_yaml_refuses(text, problem):
    with pytest.raises(SourceError) as error:
        parse_yaml(text, "m.yml")
    assert error.value.problem == problem


def test_parse_yaml_mapping():
    record = parse_yaml_mapping("version: 1.0.0\ntitle: T\n", "dataset.yml")
    assert (record.values, record.lines) == ({"version": "1.0.0", "title": "T"}, {"version": 1, "title": 2})


def test_csv_parts_hold_a_file_a_part_at_a_time_by_column():
    text = 'id,name\nmx,Mexico\nus,"United\nStates"\n\nca,Canada\nbad\n'
    problems = []
    parts = list(csv_parts(text, "c.csv", ["id", "name"], problems, size=2))
    assert [(part.path, part.lines, part.columns) for part in parts] == [
        ("c.csv", [2, 3], {"id": ("mx", "us"), "name": ("Mexico", "United\nStates")}),
        ("c.csv", [6], {"id": ("ca",), "name": ("Canada",)}),
    ]
    assert problems == [Problem("c.csv", 7, "row", "has 1 fields, the header has 2; quote values that contain commas")]
    parts[0].edition = "cbi-2023"
    assert [(r.path, r.line, r.values, r.edition) for r in parts[0]] == [
        ("c.csv", 2, {"id": "mx", "name": "Mexico"}, "cbi-2023"),
        ("c.csv", 3, {"id": "us", "name": "United\nStates"}, "cbi-2023"),
    ]
    assert (parts[0][1].line, parts[0][1].values, len(parts[0]), parts[0].lines_of("name")) == (
        3,
        {"id": "us", "name": "United\nStates"},
        2,
        [2, 3],
    )
