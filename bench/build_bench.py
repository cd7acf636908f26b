"""Build benchmark: each build phase at growing sizes, beside the raw SQLite floor.

    python -m bench.build_bench [--sizes 1000 10000 100000 1000000] [--work /tmp/binational-bench]
                                [--no-peers] [--reuse-sources]

For each size N it writes a synthetic source tree (bench.synth), then, in a
fresh process so that peak memory is its own (with that of the process the
build runs its checks in, added), times the phases of `build.py`: parse (the
small files, read whole), validate (reading the large files and converting
their records as they stream, while the checks read and check the same files
in their own process), insert (the
executemany calls within the stream, and filling in the events' columns
derived from their links), search (FTS), indexes, summaries (made on a copy
of the database, with its own indexes and foreign-key check, in a second thread
while search and indexes run), finalize (the summaries copied in, views); the
build's time is the clock's, from start to end. In another fresh process it measures the floor:
the built database's rows, read into memory first, inserted with plain
`sqlite3.executemany` in one transaction into the same schema, plus the same
full-text and plain indexes. Then it runs `PRAGMA integrity_check` and `PRAGMA
foreign_key_check` on the built database.
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
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench import synth
from schema import TABLES

ROOT = Path(__file__).resolve().parent.parent


def measure(sources, output):
    """Run in a child process: the build's phase timings, as a dict."""
    import pipeline

    timings = {}

    @contextlib.contextmanager
    def timer(name):
        started = time.perf_counter()
        yield
        # Phases entered many times (each batch of inserts) add up.
        timings[name] = timings.get(name, 0) + time.perf_counter() - started

    started = time.perf_counter()
    pipeline.build_database(sources, output, timer)
    # The whole build, by the clock: the summaries are made beside the full-text and plain indexes, so the phases overlap.
    timings["build"] = time.perf_counter() - started
    # Insert time is measured within the stream: the rest of the stream is reading, checking and converting.
    timings["validate"] = timings.pop("stream") - timings["insert"]
    # The build's checks run in a process of their own, the build's only child: the peaks of the two added up
    # are at least their peak together (the kernel keeps each process's peak resident set; nothing is sampled).
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"timings": timings, "peak_kib": peak_kib}


def built_rows(database):
    """Every table's rows in the built database, in rowid order: what the floor inserts."""
    connection = sqlite3.connect(database)
    try:
        return {table.name: connection.execute(f"select * from [{table.name}]").fetchall() for table in TABLES}
    finally:
        connection.close()


def floor(database, path):
    """Run in a child process: the same rows, schema, full-text and plain indexes with nothing but sqlite3 calls."""
    import database as writing

    prepared = built_rows(database)
    path = Path(path)
    path.unlink(missing_ok=True)
    connection = writing.open_new(path)
    writing.create_tables(connection)
    started = time.perf_counter()
    connection.execute("begin")
    for table in TABLES:
        placeholders = ", ".join("?" * len(table.column_names))
        connection.executemany(f"insert into [{table.name}] values ({placeholders})", prepared[table.name])
    connection.execute("commit")
    insert = time.perf_counter() - started
    started = time.perf_counter()
    for table in (table for table in TABLES if table.search):
        for sql in writing.create_search_sql(table):
            connection.execute(sql)
    search = time.perf_counter() - started
    started = time.perf_counter()
    writing.create_indexes(connection)
    indexes = time.perf_counter() - started
    connection.close()
    path.unlink()
    return {"floor_insert": insert, "floor_search": search, "floor_indexes": indexes}


def integrity(database):
    """The built database's row counts and what PRAGMA integrity_check and foreign_key_check report: ok, or how many problems."""
    connection = sqlite3.connect(database)
    try:
        rows = {table.name: connection.execute(f"select count(*) from [{table.name}]").fetchone()[0] for table in TABLES}
        checked = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        connection.close()
    return {
        "rows": rows,
        "integrity_check": "ok" if checked == ["ok"] else f"{len(checked)} problem(s)",
        "foreign_key_check": "ok" if not foreign else f"{len(foreign)} problem(s)",
    }


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


def run_child(mode, *arguments):
    """Run `mode` (--child or --floor) in a fresh process; returns its result and its peak memory."""
    command = [sys.executable, "-m", "bench.build_bench", mode, *map(str, arguments)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    result = json.loads(process.stdout.read())
    if status != 0:
        raise RuntimeError(f"{mode} {arguments} failed")
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def measure_size(size, work, with_peers=True, reuse_sources=False):
    sources = work / f"sources-{size}"
    database = work / f"binational-{size}.db"
    if not (reuse_sources and sources.is_dir()):
        synth.Synth(size, 0, 10000).write(sources)
    result = run_child("--child", sources, database)
    result["peak_rss_mb"] = result.pop("peak_kib") / 1024  # the build's and its checks' processes, added up
    result["timings"].update(run_child("--floor", database, work / f"floor-{size}.db"))
    result["timings"].pop("peak_rss_mb", None)
    result.update(integrity(database))
    result["bytes"] = database.stat().st_size
    if with_peers:
        result["timings"].update(peers(sources, work))
    return result


def report(results):
    lines = [
        "## Build: phases and the SQLite floor",
        "",
        "`make bench` (bench/build_bench.py): synthetic sources from `python -m bench.synth`; seconds per phase; the floor is",
        "plain `sqlite3.executemany` of the same rows in one transaction, then the same FTS5 and plain indexes.",
        "The summaries are made in a second thread while FTS and indexes run, so the phases add up to more than the build,",
        "which is timed by the clock from start to end. Parse, validate and insert are the writing process's; the checks run",
        "meanwhile in a process of their own, and peak memory is the two processes' peaks added up.",
        "",
        "| events | rows | parse | validate | insert | FTS | indexes | summaries | finalize | **build** | floor insert | insert ÷ floor | floor FTS + indexes | peak memory MB | db MB | integrity_check | foreign_key_check |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    peer_lines = []
    for events, r in sorted(results.items(), key=lambda item: int(item[0])):
        t = r["timings"]
        lines.append(
            f"| {int(events):,} | {sum(r['rows'].values()):,} | {t['parse']:.2f} | {t['validate']:.2f} | {t['insert']:.2f} | {t['search']:.2f} | "
            f"{t['indexes']:.2f} | {t['summaries']:.2f} | {t['finalize']:.2f} | **{t['build']:.2f}** | {t['floor_insert']:.2f} | "
            f"{t['insert'] / t['floor_insert']:.1f}× | {t['floor_search'] + t['floor_indexes']:.2f} | {r['peak_rss_mb']:.0f} | {r['bytes'] / 1e6:.0f} | "
            f"{r.get('integrity_check', 'not run')} | {r.get('foreign_key_check', 'not run')} |"
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
    parser.add_argument(
        "--no-peers", dest="peers", action="store_false", help="leave out the peers (sqlite-utils takes about 30 minutes at 10^6)"
    )
    parser.add_argument(
        "--reuse-sources",
        action="store_true",
        help="build from the synthetic trees a previous run left in --work (the same for a size: synth is deterministic)",
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--floor", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(*args.child)))
        return 0
    if args.floor:
        print(json.dumps(floor(*args.floor)))
        return 0

    output = ROOT / "bench" / "results-build.json"
    results = json.loads(output.read_text()) if output.exists() else {}  # sizes not measured now keep their results
    for size in args.sizes:
        results[str(size)] = measure_size(size, args.work, args.peers, args.reuse_sources)
        print(f"{size}: build {results[str(size)]['timings']['build']:.2f} s", file=sys.stderr)
    output.write_text(json.dumps(results, indent=1) + "\n")
    (ROOT / "bench" / "results-build.md").write_text(report(results))
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
