"""CONTRIBUTING.md's recipes, each performed on a temporary copy of the project.

Each runs the same commands a contributor runs (`python docs.py`, which is
`make docs`, then `python build.py`, `python build.py lint` and `python
release.py`) and checks that one declaration reaches the database, Datasette's
descriptions, both READMEs and the data package.
"""

import csv
import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import sys

import pytest
import yaml
from helpers import ROOT

COPIED = shutil.ignore_patterns(
    ".venv*",
    ".git",
    "dist",
    "test-artifacts",
    "*.db",
    "*.db.tmp",
    "*.db.tmp.summaries",
    "inspect-data.json",
    "__pycache__",
    ".*cache*",
    ".hypothesis",
)


@pytest.fixture
def project(tmp_path):
    """A copy of the project, without environments, builds or history."""
    target = tmp_path / "project"
    shutil.copytree(ROOT, target, ignore=COPIED)
    return target


def run(project, *command):
    result = subprocess.run([sys.executable, *command], cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, (command, result.stdout, result.stderr)
    return result.stdout


def rebuild(project):
    """make docs, make build, make lint (sources), make release."""
    run(project, "docs.py")
    run(project, "build.py", "build", "--output", "binational.db")
    run(project, "build.py", "lint")
    run(project, "release.py", "--output", "dist")
    assert run(project, "docs.py", "--check") == ""


def snapshot(project):
    return {path.relative_to(project).as_posix(): path.read_bytes() for path in sorted(project.rglob("*")) if path.is_file()}


def changed(before, after):
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def insert_after(path, anchor, text):
    source = path.read_text(encoding="utf-8")
    assert source.count(anchor) == 1, anchor
    path.write_text(source.replace(anchor, anchor + text, 1), encoding="utf-8")


def add_csv_column(path, after, name, values):
    """Add a column to a CSV file after column `after`, with values by id."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = list(rows[0].keys())
    header.insert(header.index(after) + 1, name)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, name: values.get(row["id"], "")})
    path.write_text(out.getvalue(), encoding="utf-8")


def package_resource(project, name):
    package = json.loads((project / "dist" / "datapackage.json").read_text(encoding="utf-8"))
    return next(resource for resource in package["resources"] if resource["name"] == name)


def described_tables(project):
    return yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))["databases"]["binational"]["tables"]


def test_add_a_column(project):
    """One declaration line and the data: the column reaches every place that describes or holds it."""
    run(project, "docs.py")  # already current; makes the snapshot independent of generated files
    before = snapshot(project)
    description = "How the report says the meeting was held, in its words."
    declaration = f'            Column("format_note", "{description}"),\n'
    insert_after(
        project / "schema.py",
        '            Column("ordinal", "The report\'s numbering of the meeting (10 for the 10th).", "int"),\n',
        declaration,
    )
    add_csv_column(project / "sources" / "cbi-2023" / "events.csv", "ordinal", "format_note", {"cbi-2023-tfc-2": "virtually hosted"})
    rebuild(project)

    database = sqlite3.connect(project / "binational.db")
    assert database.execute("select format_note from events where id = 'cbi-2023-tfc-2'").fetchone() == ("virtually hosted",)
    assert database.execute("select count(*) from events where format_note is null").fetchone()[0] == 58
    assert described_tables(project)["events"]["columns"]["format_note"] == description
    assert f"| `format_note` | {description} |" in (project / "README.md").read_text(encoding="utf-8")
    assert f"| `format_note` | text |  | {description} |" in (project / "sources" / "README.md").read_text(encoding="utf-8")
    assert {"name": "format_note", "type": "string", "description": description} in package_resource(project, "events")["schema"]["fields"]

    after = snapshot(project)
    generated = ["README.md", "metadata.yml", "sources/README.md"]
    built = [name for name in after if name.startswith("dist/") or name.endswith(".pyc") or name == "binational.db"]
    assert [name for name in changed(before, after) if name not in built] == sorted(
        ["schema.py", "sources/cbi-2023/events.csv", *generated]
    )
    schema_diff = set(after["schema.py"].decode().splitlines()) - set(before["schema.py"].decode().splitlines())
    assert schema_diff == {declaration.rstrip("\n")}


SECTORS = """    Table(
        "sectors",
        "Economic sectors, a classification of this dataset.",
        columns=(
            Column("id", "Sector id.", "slug", required=True),
            Column("name", "Sector name.", required=True),
        ),
        source="sectors.csv",
        scope=REGISTRY,
        datasette={"label_column": "name"},
    ),
"""


def test_add_a_table(project):
    """A declaration and its source file: a new table, checked, built, described and packaged."""
    insert_after(project / "schema.py", "TABLES = (\n", SECTORS)
    (project / "sources" / "sectors.csv").write_text("id,name\nenergy,Energy\nsemiconductors,Semiconductors\n", encoding="utf-8")
    rebuild(project)

    database = sqlite3.connect(project / "binational.db")
    assert database.execute("select * from sectors order by id").fetchall() == [("energy", "Energy"), ("semiconductors", "Semiconductors")]
    assert described_tables(project)["sectors"] == {
        "description": "Economic sectors, a classification of this dataset.",
        "label_column": "name",
        "columns": {"id": "Sector id.", "name": "Sector name."},
    }
    assert "#### `sectors` (table, 2 rows)" in (project / "README.md").read_text(encoding="utf-8")
    assert "### sectors.csv" in (project / "sources" / "README.md").read_text(encoding="utf-8")
    assert package_resource(project, "sectors")["schema"]["primaryKey"] == ["id"]

    (project / "sources" / "sectors.csv").write_text("id,name\nEnergy,\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "build.py", "check"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "sources/sectors.csv:2: id: 'Energy' is not an id: use lowercase letters, digits and single hyphens",
        "sources/sectors.csv:2: name: is required",
        "2 problem(s); binational.db was not changed",
    ]


REPORT = """# CBI 2099 TEST EDITION

## 1. MEETINGS

On May 5, 2099, the Consular Dialogue met in Mexico City.
"""


def test_add_an_edition(project):
    """A second report edition is a folder of files: no code changes."""
    code = {name: text for name, text in snapshot(project).items() if name.endswith(".py")}
    edition = project / "sources" / "cbi-2099"
    edition.mkdir()
    (edition / "report.md").write_text(REPORT, encoding="utf-8")
    (edition / "report.yml").write_text(
        "id: cbi-2099\ntitle: 'CBI 2099: Test Edition'\nshort_title: CBI 2099\npublisher: Test Publisher\npublished: 2100-02\n"
        f"year_covered: '2099'\nlanguage: en\nfile: report.md\nsha256: {hashlib.sha256(REPORT.encode()).hexdigest()}\n",
        encoding="utf-8",
    )
    (edition / "sections.csv").write_text(
        "id,parent_id,chapter,heading,index_label,index_title,line\ntitle,,,CBI 2099 TEST EDITION,,,1\n1,,1,1. MEETINGS,,,3\n",
        encoding="utf-8",
    )
    header = (project / "sources" / "cbi-2023" / "events.csv").read_text(encoding="utf-8").splitlines()[0]
    row = {
        "id": "cbi-2099-consular",
        "section_id": "1",
        "title": "Consular Dialogue meets",
        "start_date": "2099-05-05",
        "event_type": "dialogue",
        "status": "occurred",
        "summary": "The Consular Dialogue met in Mexico City.",
        "quote": "On May 5, 2099, the Consular Dialogue met in Mexico City.",
        "topics": "consular-affairs",
        "countries": "MX;US",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header.split(","), restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    (edition / "events.csv").write_text(out.getvalue(), encoding="utf-8")
    (edition / "event_places.csv").write_text(
        "event_id,place_id,role,section_id,quote\ncbi-2099-consular,mexico-city,city,,met in Mexico City\n", encoding="utf-8"
    )
    (edition / "event_mechanisms.csv").write_text(
        "event_id,mechanism_id,role,section_id,quote\ncbi-2099-consular,consular-dialogue,meeting-of,,the Consular Dialogue met\n",
        encoding="utf-8",
    )
    rebuild(project)

    database = sqlite3.connect(project / "binational.db")
    assert database.execute("select id, short_title, section_count from reports order by id").fetchall() == [
        ("cbi-2023", "CBI 2023", 53),
        ("cbi-2099", "CBI 2099", 2),
    ]
    sql = "select report_id, section_id, chapter, month, place_id, mechanism_id from events where id = 'cbi-2099-consular'"
    assert database.execute(sql).fetchone() == ("cbi-2099", "cbi-2099:1", 1, "2099-05", "mexico-city", "consular-dialogue")
    citation = yaml.safe_load((project / "dist" / "CITATION.cff").read_text(encoding="utf-8"))
    assert [(r["title"], r["year"], r["month"]) for r in citation["references"]] == [
        ("CBI 2023: U.S.-Mexico Binational Institutions Report", 2024, 1),
        ("CBI 2099: Test Edition", 2100, 2),
    ]
    package = json.loads((project / "dist" / "datapackage.json").read_text(encoding="utf-8"))
    assert [source["title"] for source in package["sources"]] == [
        "CBI 2023: U.S.-Mexico Binational Institutions Report (U.S.-Mexico Foundation, Center for Binational Institutions, January 2024)",
        "CBI 2099: Test Edition (Test Publisher, February 2100)",
    ]
    metadata = yaml.safe_load((project / "metadata.yml").read_text(encoding="utf-8"))
    assert metadata["source"] == "; ".join(package_source["title"] for package_source in package["sources"])
    assert {name: text for name, text in snapshot(project).items() if name.endswith(".py") and not name.startswith("dist/")} == code
