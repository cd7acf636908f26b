"""Write a versioned release: the database, CSV and JSON per table, a Frictionless data package,
CITATION.cff and SHA256SUMS; or the files to publish the site as a container.

    python release.py [--sources DIR] [--output dist]
    python release.py publish-files [--output publish]

A release is reproducible: the same sources give byte-identical files. The only
date in it (CITATION.cff's date-released) comes from SOURCE_DATE_EPOCH, which
`make release` sets to the time of the last commit.
"""

import argparse
import calendar
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

import build
import server
from database import write_database
from schema import ALL, KINDS

SOURCES_DIR = Path("sources")
RELEASE_DIR = Path("dist")
PUBLISH_DIR = Path("publish")
DOCKER_PYTHON = "python:3.11.0-slim-bullseye"


def sha256_file(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def data_tables(connection):
    sql = "select name from sqlite_master where type = 'table' and name not like '%\\_fts%' escape '\\' order by name"
    return [row[0] for row in connection.execute(sql)]


def table_schema(name):
    """Frictionless table schema of a declared table: fields with types and descriptions, primary and foreign keys."""
    table = ALL[name]
    fields = [{"name": c.name, "type": KINDS[c.kind].frictionless, "description": c.description} for c in table.columns]
    schema = {"fields": fields, "primaryKey": list(table.primary_key)} if table.primary_key else {"fields": fields}
    foreign_keys = [
        {"fields": [column], "reference": {"resource": target.replace("_", "-"), "fields": ["id"]}} for column, target in table.foreign_keys
    ]
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


def report_reference(report):
    """A report edition as a CITATION.cff reference."""
    year, month = (int(part) for part in report["published"].split("-")[:2])
    return {"type": "report", "title": report["title"], "authors": [{"name": report["publisher"]}], "year": year, "month": month}


def report_source(report, url):
    """A report edition as a data package source: "Title (Publisher, Month Year)"."""
    year, month = (int(part) for part in report["published"].split("-")[:2])
    return {"title": f"{report['title']} ({report['publisher']}, {calendar.month_name[month]} {year})", "path": url}


def citation(dataset, reports):
    cff = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below, with the report section of each row you use.",
        "type": "dataset",
        "title": dataset["title"],
        "version": dataset["version"],
        "license": dataset["license_id"],
        "authors": [{"name": dataset["creator"]}],
        "abstract": " ".join(dataset["description"].split()),
        "references": [{**report_reference(report), "url": dataset["source_url"]} for report in reports],
    }
    date = release_date()
    if date:
        cff["date-released"] = date
    return yaml.safe_dump(cff, allow_unicode=True, sort_keys=False, width=100)


def data_package(dataset, reports, resources):
    return {
        "name": server.DATABASE_NAME,
        "title": dataset["title"],
        "description": " ".join(dataset["description"].split()),
        "version": dataset["version"],
        "licenses": [{"name": dataset["license_id"], "path": dataset["license_url"], "title": dataset["license_title"]}],
        "sources": [report_source(report, dataset["source_url"]) for report in reports],
        "resources": resources,
    }


def write_release(sources_dir, output):
    """Build the database into `output` and write every release file beside it; return the files written."""
    sources = build.load_sources(sources_dir)
    dataset = sources.dataset
    reports = sources.typed["reports"]
    version = dataset["version"]
    output = Path(output)
    if output.exists():
        shutil.rmtree(output)
    (output / "csv").mkdir(parents=True)
    (output / "json").mkdir()
    database = output / f"{server.DATABASE_NAME}-{version}.db"
    write_database(sources, database)
    resources = []
    connection = sqlite3.connect(database)
    try:
        for table in data_tables(connection):
            schema = table_schema(table)
            columns, rows = ordered_rows(connection, table, schema.get("primaryKey", []))
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
    (output / "datapackage.json").write_text(
        json.dumps(data_package(dataset, reports, resources), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (output / "CITATION.cff").write_text(citation(dataset, reports), encoding="utf-8")
    files = sorted(p for p in output.rglob("*") if p.is_file())
    sums = "".join(f"{sha256_file(p)}  {p.relative_to(output).as_posix()}\n" for p in files)
    (output / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return [*files, output / "SHA256SUMS"]


def dockerfile(version):
    """The container a published replica runs: the release database served with server.py's arguments."""
    database = f"{server.DATABASE_NAME}.db"  # served under the name the metadata and plugins use
    arguments = server.serve_arguments(
        database, host="0.0.0.0", port="PORT", inspect_file="inspect-data.json", root=Path("."), version=version
    )
    command = shlex.join(["datasette", *arguments[:-2]]) + " --port $PORT"  # the platform sets PORT
    return (
        f"FROM {DOCKER_PYTHON}\n"
        f"COPY {RELEASE_DIR.as_posix()}/{server.DATABASE_NAME}-{version}.db /app/{database}\n"
        f"COPY {server.METADATA} /app/\n"
        f"COPY {server.PLUGINS} /app/{server.PLUGINS}\n"
        f"COPY {server.TEMPLATES} /app/{server.TEMPLATES}\n"
        f"COPY {server.STATIC} /app/{server.STATIC}\n"
        "WORKDIR /app\n"
        "\n"
        f"RUN pip install {' '.join(server.runtime_pins())}\n"
        f"RUN datasette inspect {database} --inspect-file inspect-data.json\n"
        f"ENV PORT {server.PORT}\n"
        f"EXPOSE {server.PORT}\n"
        f"CMD {command}\n"
    )


def write_publish_files(version, output):
    """publish/Dockerfile, for review in a diff."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "Dockerfile").write_text(dockerfile(version), encoding="utf-8")
    return output / "Dockerfile"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write a versioned release, or the files to publish it.")
    parser.add_argument("command", nargs="?", choices=("release", "publish-files"), default="release")
    parser.add_argument("--sources", type=Path, default=SOURCES_DIR)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "publish-files":
            version = build.load_sources(args.sources).dataset["version"]
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
