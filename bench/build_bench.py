"""Build benchmark: each build phase at growing sizes, beside the raw SQLite floor.

    python -m bench.build_bench [--sizes 1000 10000 100000 1000000] [--work /tmp/binational-bench]

For each size N it writes a synthetic source tree (bench.synth), then, in a
fresh process so that peak memory is its own, times the phases of
`build.py`: parse, validate (check and convert), insert, search (FTS), indexes, summaries,
finalize (views, foreign-key check, VACUUM). In the same process it measures
the floor: the same rows inserted with plain `sqlite3.executemany` in one
transaction into the same schema, plus the same full-text and plain indexes.
Beside them, on the same files in the same run, two peers load the CSV files
(the YAML registries are left out: neither reads YAML): the sqlite3 shell's
`.import` (C, no checks, no full-text or other indexes) and `sqlite-utils insert
--csv`, one file at a time, each into a fresh database.
Writes bench/results-build.json and bench/results-build.md; measures, asserts nothing.
The plot (docs/build-scaling.png) is drawn by bench.plot, in the tools environment.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from schema import TABLES

ROOT = Path(__file__).resolve().parent.parent
PHASES = ["parse", "validate", "insert", "search", "indexes", "summaries", "finalize"]


def measure(sources, output):
    """Run in a child process: phase timings and the floor, as a dict."""
    import database
    from checks import check_sources
    from convert import convert
    from sourcetree import parse_sources

    timings = {}

    @contextlib.contextmanager
    def timer(name):
        started = time.perf_counter()
        yield
        timings[name] = time.perf_counter() - started

    with timer("parse"):
        parsed = parse_sources(sources)
    with timer("validate"):
        problems = check_sources(parsed)
        if problems:
            raise RuntimeError(f"the synthetic sources have {len(problems)} problem(s), the first: {problems[0]}")
        loaded = convert(parsed)
    database.write_database(loaded, output, timer)
    timings["build"] = sum(timings[p] for p in PHASES)
    timings.update(floor(loaded, Path(output).with_suffix(".floor.db")))
    rows = {table.name: sum(1 for _ in loaded.rows(table)) for table in TABLES}
    return {"timings": timings, "rows": rows, "bytes": Path(output).stat().st_size}


def floor(sources, path):
    """The same rows, schema, full-text and plain indexes with nothing but sqlite3 calls."""
    import database

    path.unlink(missing_ok=True)
    prepared = [
        (table.name, table.column_names, [tuple(row.get(c) for c in table.column_names) for row in sources.rows(table)]) for table in TABLES
    ]
    connection, db = database.open_new(path)
    database.create_tables(db)
    started = time.perf_counter()
    connection.execute("begin")
    for name, columns, rows in prepared:
        placeholders = ", ".join("?" * len(columns))
        connection.executemany(f"insert into [{name}] values ({placeholders})", rows)
    connection.execute("commit")
    insert = time.perf_counter() - started
    started = time.perf_counter()
    for table in (table for table in TABLES if table.search):
        for sql in database.create_search_sql(table):
            connection.execute(sql)
    search = time.perf_counter() - started
    started = time.perf_counter()
    database.create_indexes(db)
    indexes = time.perf_counter() - started
    connection.close()
    path.unlink()
    return {"floor_insert": insert, "floor_search": search, "floor_indexes": indexes}


def csv_files(sources):
    """Every CSV file of a source tree, each with a table name of its own (editions repeat file names)."""
    return [(path, "_".join(path.relative_to(sources).with_suffix("").parts).replace("-", "_")) for path in sorted(sources.rglob("*.csv"))]


def peers(sources, work):
    """Seconds for the sqlite3 shell's .import and for sqlite-utils insert --csv of every CSV file."""
    result = {}
    database = work / "peer.db"
    database.unlink(missing_ok=True)
    commands = "".join(f".import --csv '{path}' {table}\n" for path, table in csv_files(sources))
    started = time.perf_counter()
    subprocess.run(["sqlite3", str(database)], input=commands, text=True, check=True, stdout=subprocess.DEVNULL)
    result["peer_sqlite3_import"] = time.perf_counter() - started
    database.unlink()
    sqlite_utils = Path(sys.executable).parent / "sqlite-utils"
    started = time.perf_counter()
    for path, table in csv_files(sources):
        subprocess.run([str(sqlite_utils), "insert", str(database), table, str(path), "--csv"], check=True)
    result["peer_sqlite_utils"] = time.perf_counter() - started
    database.unlink()
    return result


def run_child(sources, output):
    """Measure one size in a fresh process; returns the result and the child's peak memory."""
    command = [sys.executable, "-m", "bench.build_bench", "--child", str(sources), str(output)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    result = json.loads(process.stdout.read())
    if status != 0:
        raise RuntimeError(f"measuring {sources} failed")
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def report(results):
    lines = [
        "## Build: phases and the SQLite floor",
        "",
        "`make bench` (bench/build_bench.py): synthetic sources from `python -m bench.synth`; seconds per phase; the floor is",
        "plain `sqlite3.executemany` of the same rows in one transaction, then the same FTS5 and plain indexes.",
        "",
        "| events | rows | parse | validate | insert | FTS | indexes | summaries | finalize | **build** | floor insert | insert ÷ floor | floor FTS + indexes | peak memory MB | db MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    peer_lines = []
    for events, r in sorted(results.items(), key=lambda item: int(item[0])):
        t = r["timings"]
        lines.append(
            f"| {int(events):,} | {sum(r['rows'].values()):,} | {t['parse']:.2f} | {t['validate']:.2f} | {t['insert']:.2f} | {t['search']:.2f} | "
            f"{t['indexes']:.2f} | {t['summaries']:.2f} | {t['finalize']:.2f} | **{t['build']:.2f}** | {t['floor_insert']:.2f} | "
            f"{t['insert'] / t['floor_insert']:.1f}× | {t['floor_search'] + t['floor_indexes']:.2f} | {r['peak_rss_mb']:.0f} | {r['bytes'] / 1e6:.0f} |"
        )
        if "peer_sqlite3_import" in t:
            floor_total = t["floor_insert"] + t["floor_search"] + t["floor_indexes"]
            peer_lines.append(
                f"| {int(events):,} | {t['build']:.2f} | {floor_total:.2f} | {t['build'] / floor_total:.1f}× | {t['peer_sqlite3_import']:.2f} | "
                f"{t['build'] / t['peer_sqlite3_import']:.1f}× | {t['peer_sqlite_utils']:.2f} | {t['build'] / t['peer_sqlite_utils']:.2f}× |"
            )
    if peer_lines:
        lines += [
            "",
            "Peers on the same files in the same run: the raw floor (insert, FTS and indexes, from Python), the sqlite3 shell's",
            "`.import` of every CSV file (C; no checks, types, FTS or indexes; YAML registries left out) and `sqlite-utils insert",
            "--csv` file by file (the same files). Seconds, and the build as a multiple of each.",
            "",
            "| events | **build** | floor | build ÷ floor | sqlite3 .import | build ÷ .import | sqlite-utils | build ÷ sqlite-utils |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
            *peer_lines,
        ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build benchmark at growing sizes.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000, 1000000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/binational-bench"))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(*args.child)))
        return 0
    from bench import synth

    output = ROOT / "bench" / "results-build.json"
    results = json.loads(output.read_text()) if output.exists() else {}  # sizes not measured now keep their results
    for size in args.sizes:
        sources = args.work / f"sources-{size}"
        synth.Synth(size, 0, 10000).write(sources)
        results[str(size)] = run_child(sources, args.work / f"binational-{size}.db")
        results[str(size)]["timings"].update(peers(sources, args.work))
        print(f"{size}: build {results[str(size)]['timings']['build']:.2f} s", file=sys.stderr)
    output.write_text(json.dumps(results, indent=1) + "\n")
    (ROOT / "bench" / "results-build.md").write_text(report(results))
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
