"""Write a versioned release: the database, CSV and JSON per table, a Frictionless data package,
CITATION.cff and SHA256SUMS; or the files to publish the site as a container.

    python release.py [--sources DIR] [--output dist]
    python release.py publish-files [--output publish]

A release is reproducible: the same sources give byte-identical files. The only
date in it (CITATION.cff's date-released) comes from SOURCE_DATE_EPOCH, which
`make release` sets to the time of the last commit.
"""

import argparse
import csv
import datetime
import hashlib
import json
import os
import shlex
import shutil
import sqlite3
import sys
from pathlib import Path

import yaml
from datasette.utils import make_dockerfile

import build
from database import write_database

SOURCES_DIR = Path("sources")
RELEASE_DIR = Path("dist")
PUBLISH_DIR = Path("publish")
SETTINGS_FILE = Path("settings.json")
REQUIREMENTS_FILE = Path("requirements.in")  # the direct pins; requirements.txt adds their dependencies
DATABASE_NAME = "binational"
SQLITE_TO_FRICTIONLESS = {"TEXT": "string", "INTEGER": "integer", "FLOAT": "number", "REAL": "number"}


def sha256_file(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def data_tables(connection):
    sql = "select name from sqlite_master where type = 'table' and name not like '%\\_fts%' escape '\\' order by name"
    return [row[0] for row in connection.execute(sql)]


def table_schema(connection, table):
    """Frictionless table schema: fields, primary key and foreign keys."""
    info = list(connection.execute(f"pragma table_info([{table}])"))
    fields = [{"name": row[1], "type": SQLITE_TO_FRICTIONLESS.get(row[2].upper(), "string")} for row in info]
    primary_key = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
    foreign_keys = [
        {"fields": [row[3]], "reference": {"resource": row[2], "fields": [row[4]]}}
        for row in sorted(connection.execute(f"pragma foreign_key_list([{table}])"), key=lambda r: r[3])
    ]
    schema = {"fields": fields, "primaryKey": primary_key}
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def ordered_rows(connection, table, primary_key):
    order = ", ".join(f"[{column}]" for column in primary_key) or "rowid"
    cursor = connection.execute(f"select * from [{table}] order by {order}")
    return [d[0] for d in cursor.description], cursor.fetchall()


def write_csv(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def write_json(path, columns, rows):
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    Path(path).write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def release_date():
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date().isoformat() if epoch else None


def citation(dataset, version):
    cff = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below, with the report section of each row you use.",
        "type": "dataset",
        "title": dataset["title"],
        "version": version,
        "license": "CC-BY-4.0",
        "authors": [{"name": "binational contributors"}],
        "abstract": " ".join(dataset["description"].split()),
        "references": [
            {
                "type": "report",
                "title": "CBI 2023: U.S.-Mexico Binational Institutions Report",
                "authors": [{"name": "U.S.-Mexico Foundation, Center for Binational Institutions"}],
                "year": 2024,
                "month": 1,
                "url": dataset["source_url"],
            }
        ],
    }
    date = release_date()
    if date:
        cff["date-released"] = date
    return yaml.safe_dump(cff, allow_unicode=True, sort_keys=False, width=100)


def data_package(dataset, version, resources):
    return {
        "name": DATABASE_NAME,
        "title": dataset["title"],
        "description": " ".join(dataset["description"].split()),
        "version": version,
        "licenses": [{"name": "CC-BY-4.0", "path": dataset["license_url"], "title": "Creative Commons Attribution 4.0"}],
        "sources": [
            {
                "title": "CBI 2023: U.S.-Mexico Binational Institutions Report (U.S.-Mexico Foundation, January 2024)",
                "path": dataset["source_url"],
            }
        ],
        "resources": resources,
    }


def write_release(sources_dir, output):
    """Build the database into `output` and write every release file beside it; return the files written."""
    sources = build.load_sources(sources_dir)
    dataset = sources.dataset.values
    version = dataset["version"]
    output = Path(output)
    if output.exists():
        shutil.rmtree(output)
    (output / "csv").mkdir(parents=True)
    (output / "json").mkdir()
    database = output / f"{DATABASE_NAME}-{version}.db"
    write_database(sources, database)
    resources = []
    connection = sqlite3.connect(database)
    try:
        for table in data_tables(connection):
            schema = table_schema(connection, table)
            columns, rows = ordered_rows(connection, table, schema["primaryKey"])
            csv_path = output / "csv" / f"{table}.csv"
            write_csv(csv_path, columns, rows)
            write_json(output / "json" / f"{table}.json", columns, rows)
            resources.append(
                {
                    "name": table.replace("_", "-"),
                    "path": f"csv/{table}.csv",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "bytes": csv_path.stat().st_size,
                    "hash": f"sha256:{sha256_file(csv_path)}",
                    "schema": schema,
                }
            )
    finally:
        connection.close()
    names = {r["name"].replace("-", "_"): r["name"] for r in resources}
    for resource in resources:
        for foreign_key in resource["schema"].get("foreignKeys", []):
            foreign_key["reference"]["resource"] = names[foreign_key["reference"]["resource"]]
    (output / "datapackage.json").write_text(
        json.dumps(data_package(dataset, version, resources), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (output / "CITATION.cff").write_text(citation(dataset, version), encoding="utf-8")
    files = sorted(p for p in output.rglob("*") if p.is_file())
    sums = "".join(f"{sha256_file(p)}  {p.relative_to(output).as_posix()}\n" for p in files)
    (output / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return [*files, output / "SHA256SUMS"]


def pinned_plugins(requirements=REQUIREMENTS_FILE):
    """The pinned requirements that a published instance installs besides Datasette itself."""
    lines = [line.strip() for line in Path(requirements).read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith("#") and not line.startswith("datasette==")]


def datasette_pin(requirements=REQUIREMENTS_FILE):
    lines = Path(requirements).read_text(encoding="utf-8").splitlines()
    return next(line.strip() for line in lines if line.startswith("datasette=="))


def settings_options(settings_file=SETTINGS_FILE):
    settings = json.loads(Path(settings_file).read_text(encoding="utf-8"))
    options = []
    for name, value in settings.items():
        options += ["--setting", name, str(value).lower() if isinstance(value, bool) else str(value)]
    return options


def write_publish_files(version, output):
    """A Dockerfile (from Datasette's own generator) for the release database, for review in a diff."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    release_file = f"{RELEASE_DIR.as_posix()}/{DATABASE_NAME}-{version}.db"
    database_file = f"{DATABASE_NAME}.db"  # served under the name the metadata and plugins use
    dockerfile = make_dockerfile(
        files=[database_file],
        metadata_file="metadata.yml",
        extra_options=" ".join(shlex.quote(o) for o in settings_options()),
        branch=None,
        template_dir="templates",
        plugins_dir="plugins",
        static=[],
        install=pinned_plugins(),
        spatialite=False,
        version_note=version,
        secret=None,
    )
    # Datasette's generator pins nothing, copies the whole folder and bakes a secret in: pin, copy
    # only what the site needs, and let DATASETTE_SECRET come from the environment at run time.
    dockerfile = dockerfile.replace("pip install -U datasette ", f"pip install {datasette_pin()} ")
    dockerfile = dockerfile.replace("--cors ", "")
    dockerfile = dockerfile.replace("ENV DATASETTE_SECRET 'None'\n", "")
    dockerfile = dockerfile.replace(
        "COPY . /app\n",
        f"COPY {release_file} /app/{database_file}\nCOPY metadata.yml /app/\nCOPY plugins /app/plugins\nCOPY templates /app/templates\n",
    )
    (output / "Dockerfile").write_text(dockerfile.lstrip(), encoding="utf-8")
    return output / "Dockerfile"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write a versioned release, or the files to publish it.")
    parser.add_argument("command", nargs="?", choices=("release", "publish-files"), default="release")
    parser.add_argument("--sources", type=Path, default=SOURCES_DIR)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "publish-files":
            version = build.load_sources(args.sources).dataset.values["version"]
            print(write_publish_files(version, args.output or PUBLISH_DIR))
            return 0
        files = write_release(args.sources, args.output or RELEASE_DIR)
    except build.ValidationFailed as failed:
        for problem in failed.problems:
            print(problem, file=sys.stderr)
        print(f"{len(failed.problems)} problem(s); no release written", file=sys.stderr)
        return 1
    print(f"wrote {len(files)} files to {args.output or RELEASE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
