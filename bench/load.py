"""Load benchmark: the real `make serve` on 127.0.0.1, driven by an asyncio httpx loop.

    python -m bench.load [--seconds 60] [--concurrency 1 10 50] [--output BENCHMARKS-load.md]

Each client requests the page mix users hit (home, tables with facets, search,
canned queries, the JSON API) in a fixed rotation for the given time,
as a browser does: after the first round, most answers come from the page cache
(plugins/page_cache.py), as repeat visits to popular pages would. Reports
requests per second, p50 and p99 latency and the error count per concurrency.
A benchmark, not a test: it measures and reports, it asserts nothing.
"""

import argparse
import asyncio
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "/",
    "/binational",
    "/binational/events",
    "/binational/events?event_type=meeting",
    "/binational/events.json?_shape=array&_labels=on",
    "/binational/events/cbi-2023-tfc-2",
    "/binational/people?_search=Lopez",
    "/binational/search?q=fentanyl",
    "/binational/attended_by?name=Barcena",
    "/binational/who_met_whom?name=",
    "/binational/timeline?year=",
    "/binational/events_per_month.json",
    "/binational/figures_with_quotes?unit=",
    "/binational/sections.json?_search=migration",
    "/-/search?q=Obrador",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port):
    process = subprocess.Popen(
        ["make", "-s", "serve", f"PORT={port}"], cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/-/versions.json", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    raise RuntimeError("the server did not start")


async def client(base, seconds, offset, latencies, errors):
    async with httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=True) as http:
        deadline = time.monotonic() + seconds
        index = offset
        while time.monotonic() < deadline:
            page = PAGES[index % len(PAGES)]
            index += 1
            started = time.perf_counter()
            try:
                response = await http.get(page)
                await response.aread()
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {page}")
            except httpx.HTTPError as error:
                errors.append(f"{type(error).__name__} {page}")
            latencies.append(time.perf_counter() - started)


async def run(base, seconds, concurrency):
    latencies, errors = [], []
    started = time.perf_counter()
    await asyncio.gather(*(client(base, seconds, n, latencies, errors) for n in range(concurrency)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
    }


def report(results, seconds):
    lines = [
        "## Load: the page mix on the real server",
        "",
        f"`make bench-load`: `make serve` on 127.0.0.1, {len(PAGES)} pages in rotation (home, tables with facets, row page,",
        f"search, canned queries, JSON API), {seconds} s per concurrency level, on {platform.machine()} with {os.cpu_count()} cores,",
        f"Python {platform.python_version()}.",
        "",
        "| concurrent clients | requests | req/s | p50 ms | p99 ms | errors |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r['concurrency']} | {r['requests']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results-load.md")
    args = parser.parse_args(argv)
    port = free_port()
    process = start_server(port)
    try:
        results = [asyncio.run(run(f"http://127.0.0.1:{port}", args.seconds, c)) for c in args.concurrency]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    text = report(results, args.seconds)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    for r in results:
        if r["error_samples"]:
            print(f"errors at {r['concurrency']}: {r['error_samples']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
