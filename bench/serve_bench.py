"""Serving benchmark: the real `make serve` on 127.0.0.1 at growing sizes, beside a static baseline.

    python -m bench.serve_bench [--sizes 1000 100000 1000000] [--work /tmp/binational-bench] [--requests 60]

Uses the databases that bench.build_bench wrote (run it first). For each size
it copies the database into its own folder as binational.db, writes its
inspect file, starts `make serve` with it and measures: start-up time (to the
first answer), then for each page p50, p99 and requests per second from one
client, and which of the configured facets came back. The same responses,
saved as files and served by nginx, are the static baseline. Writes
bench/results-serve.json and bench/results-serve.md; measures, asserts nothing.
"""

import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import httpx
import yaml
from datasette.utils import tilde_encode

from bench.load import free_port
from schema import EVENT_FACETS

ROOT = Path(__file__).resolve().parent.parent
METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
QUERIES = METADATA["databases"]["binational"]["queries"]
FACETS = [facet.column for facet in EVENT_FACETS]
NGINX_STATIC = """
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  types {{ text/html html; application/json json; }}
  server {{
    listen 127.0.0.1:{port};
    root {work}/static;
    location / {{ try_files $uri =404; }}
  }}
}}
"""


def start_nginx(config, work, port):
    """nginx in the foreground with `config` (written into `work`), once it answers on `port`."""
    (work / "nginx.conf").write_text(config)
    process = subprocess.Popen(
        ["nginx", "-c", str(work / "nginx.conf"), "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not start")


def words(database):
    """A word in few events and a word in most, from the events' summaries."""
    connection = sqlite3.connect(database)
    counts = Counter()
    for (summary,) in connection.execute("select summary from events limit 5000"):
        counts.update(set(summary.lower().replace(".", "").split()))
    connection.close()
    common = [w for w, _ in counts.most_common(40) if w.isalpha() and len(w) > 3 and w not in {"about", "engagement", "synthetic"}]
    rare = [w for w, c in counts.items() if c == 1 and w.isalpha() and len(w) > 5]
    return sorted(rare)[0], common[0]


def first(connection, sql):
    row = connection.execute(sql).fetchone()
    return row[0] if row else None


def html_pages(connection):
    """One HTML page of each type readers reach from the home page (tests/test_browser.py's PAGE_TYPES), beside
    the events table and an event's page, which pages() measures as "events table with facets" and "row page"."""
    candidates = {
        "page: home": "/",
        "page: about": "/about",
        "page: database": "/binational",
        "page: person": _row_page(connection, "people", "select person_id from event_people group by person_id order by count(*) desc"),
        "page: institution": _row_page(
            connection, "mechanisms", "select mechanism_id from event_mechanisms group by mechanism_id order by count(*) desc"
        ),
        "page: place": _row_page(connection, "places", "select place_id from event_places group by place_id order by count(*) desc"),
        "page: organization": _row_page(
            connection, "organizations", "select organization_id from event_organizations group by organization_id order by count(*) desc"
        ),
        "page: topic": _row_page(connection, "topics", "select topic_id from event_topics group by topic_id order by count(*) desc"),
        "page: section": _row_page(connection, "sections", "select section_id from events group by section_id order by count(*) desc"),
        "page: people table": "/binational/people",
        "page: institutions table": "/binational/mechanisms",
        "page: search": "/search?q=" + quote(first(connection, "select name from topics order by rowid limit 1").split()[0]),
        "page: annotated report": "/report/" + first(connection, "select id from reports order by rowid desc limit 1"),
    }
    for name in ("places_map", "events_per_mechanism", "people_network", "institutions_timeline", "who_met_whom"):
        candidates[f"page: {name}"] = f"/binational/{name}"
    candidates["page: timeline"] = "/binational/timeline?year=" + str(
        first(connection, "select year from events where year is not null order by year desc limit 1")
    )
    return {label: path for label, path in candidates.items() if path}


def _row_page(connection, table, busiest_ids):
    """The page of the row with the most events (the largest page of its kind)."""
    row_id = first(connection, busiest_ids + " limit 1")
    return f"/binational/{table}/{tilde_encode(row_id)}" if row_id is not None else None


def pages(database):
    rare, common = words(database)
    connection = sqlite3.connect(database)
    event_id = connection.execute("select id from events order by rowid limit 1 offset 7").fetchone()[0]
    # A person and a place of typical size: the median by number of events.
    person = connection.execute(
        "select p.name from people p join (select person_id, count(*) as n from event_people group by person_id) c on c.person_id = p.id "
        "order by c.n, p.id limit 1 offset (select count(distinct person_id) / 2 from event_people)"
    ).fetchone()[0]
    place = connection.execute(
        "select p.name from places p join (select place_id, count(*) as n from events group by place_id) c on c.place_id = p.id "
        "order by c.n, p.id limit 1 offset (select count(distinct place_id) / 2 from events)"
    ).fetchone()[0]
    html = html_pages(connection)
    connection.close()
    samples = {"name": person, "q": rare, "year": "2023", "place": place, "unit": "USD", "kind": "date-conflict"}
    result = {
        "events table with facets": "/binational/events",
        "events JSON with facets": "/binational/events.json",
        "row page": f"/binational/events/{tilde_encode(event_id)}",
        "JSON API (100 rows)": "/binational/events.json?_shape=array&_size=100&_facet_size=0",
        f"search, selective ({rare})": f"/binational/events.json?_search={quote(rare)}&_shape=array",
        f"search, common word ({common})": f"/binational/events.json?_search={quote(common)}&_shape=array",
        f"search page, common word ({common})": f"/search.json?q={quote(common)}",
        f"events table, searched ({common})": f"/binational/events?_search={quote(common)}",
    }
    for name, query in sorted(QUERIES.items()):
        params = "&".join(f"{p}={quote(samples[p])}" for p in sorted(samples) if f":{p}" in query["sql"])
        result[f"canned: {name}"] = f"/binational/{name}.json?_shape=array&{params}"
    return {**result, **html}


# Asks the server's page cache (plugins/page_cache.py) to render the page again: what a first visit costs.
RENDER_AGAIN = {"Cache-Control": "no-cache"}


def start(database_dir, port):
    started = time.perf_counter()
    process = subprocess.Popen(
        ["make", "-s", "serve", f"DB={database_dir}/binational.db", f"INSPECT={database_dir}/inspect-data.json", f"PORT={port}"],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/-/versions.json", timeout=2).status_code == 200:
                return process, time.perf_counter() - started
        except httpx.HTTPError:
            if process.poll() is not None or time.perf_counter() - started > 300:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.05)


def timed(client, path, count, headers=None):
    latencies, errors, body = [], 0, b""
    started = time.perf_counter()
    for _ in range(count):
        t = time.perf_counter()
        response = client.get(path, headers=headers)
        latencies.append(time.perf_counter() - t)
        errors += response.status_code != 200
        body = response.content
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "rps": count / elapsed,
        "errors": errors,
    }, body


def static_baseline(bodies, count):
    """The same responses as files, served by nginx."""
    work = Path(tempfile.mkdtemp(prefix="binational-static-"))
    (work / "static").mkdir()
    paths = {}
    for number, (label, body) in enumerate(bodies.items()):
        name = f"page-{number}.json"
        (work / "static" / name).write_bytes(body)
        paths[label] = "/" + name
    port = free_port()
    nginx = start_nginx(NGINX_STATIC.format(work=work, port=port), work, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            return {label: timed(client, path, count)[0] for label, path in paths.items()}
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=10)
        shutil.rmtree(work)


def measure(database, count):
    work = Path(tempfile.mkdtemp(prefix="binational-serve-"))
    shutil.copy(database, work / "binational.db")
    subprocess.run(
        [str(ROOT / ".venv/bin/datasette"), "inspect", str(work / "binational.db"), "--inspect-file", str(work / "inspect-data.json")],
        check=True,
    )
    port = free_port()
    process, startup = start(work, port)
    try:
        results, bodies = {}, {}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60, follow_redirects=True) as client:
            facets = sorted(client.get("/binational/events.json").json().get("facet_results", {}))
            for label, path in pages(work / "binational.db").items():
                client.get(path)  # warm up: the first answer of a kind compiles its templates
                results[label], bodies[label] = timed(client, path, count, headers=RENDER_AGAIN)
                results[label]["served"] = timed(client, path, count)[0]
                results[label]["html"] = not path.split("?", 1)[0].endswith(".json")
        baseline = static_baseline(bodies, count)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        shutil.rmtree(work)
    return {"startup": startup, "facets_present": facets, "facets_configured": FACETS, "pages": results, "static": baseline}


def report(results):
    lines = ["## Serving: pages at growing sizes, beside static files", ""]
    lines.append("`make bench` (bench/serve_bench.py): one client, sequential requests over HTTP on loopback, after one warm-up")
    lines.append("request. *Rendered*: each request sent with `Cache-Control: no-cache`, so the server renders the page again")
    lines.append("(what a first visit to a URL costs); *served*: the same URL again, answered from the page cache")
    lines.append("(plugins/page_cache.py); static = the same response bodies served as files by nginx. Milliseconds.")
    lines.append("")
    for size, r in sorted(results.items(), key=lambda item: int(item[0])):
        missing = sorted(set(r["facets_configured"]) - set(r["facets_present"]))
        lines.append("### The real dataset (CBI 2023)" if size == "0" else f"### {int(size):,} events")
        lines.append("")
        lines.append(
            f"Start-up {r['startup']:.2f} s. Facets present: {len(r['facets_present'])} of {len(r['facets_configured'])}"
            + (f" (missing: {', '.join(missing)})" if missing else "")
            + "."
        )
        lines.append("")
        lines.append("| page | rendered p50 | rendered p99 | req/s | errors | served p50 | served p99 | static p50 | static p99 |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for label, m in r["pages"].items():
            s, served = r["static"][label], m.get("served")
            served_cells = f"{served['p50']:.1f} | {served['p99']:.1f}" if served else "– | –"
            lines.append(
                f"| {label} | {m['p50']:.1f} | {m['p99']:.1f} | {m['rps']:.0f} | {m['errors']} | {served_cells} | {s['p50']:.2f} | {s['p99']:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serving benchmark at growing sizes.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 1000, 100000, 1000000], help="0 is the real dataset")
    parser.add_argument("--work", type=Path, default=Path("/tmp/binational-bench"))
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args(argv)
    output = ROOT / "bench" / "results-serve.json"
    results = json.loads(output.read_text()) if output.exists() else {}  # sizes not measured now keep their results
    for size in args.sizes:
        database = ROOT / "binational.db" if size == 0 else args.work / f"binational-{size}.db"
        if not database.exists():
            print(f"{database} is missing: run python -m bench.build_bench first", file=sys.stderr)
            return 1
        results[str(size)] = measure(database, args.requests)
        print(f"{size}: measured", file=sys.stderr)
    output.write_text(json.dumps(results, indent=1) + "\n")
    (ROOT / "bench" / "results-serve.md").write_text(report(results))
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
