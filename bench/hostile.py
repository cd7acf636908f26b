"""Hostile requests against the real server: status, time, the server's peak memory, and whether others are served meanwhile.

    python -m bench.hostile [--database binational.db] [--output bench/results-hostile.md]

Writes bench/results-hostile.md and .json, which bench.compose puts in BENCHMARKS.md.

Starts `server.py serve` (the configuration `make serve` uses) on a copy of
the database, then sends each request of HOSTILE alone, following any
redirect. For each it records the status, the seconds to the
end of the response, the growth of the server's peak resident memory over
its resident memory before the request (the peak is reset through
/proc/PID/clear_refs, Linux), the server's CPU seconds from the request's
start until one second after its end, and the slowest answer to a reader
fetching the site's stylesheet every 50 ms meanwhile. Last, it sends a slow
query, then SIGTERM, and times the server's exit. Measures, asserts nothing;
the tests assert the statuses and messages.
"""

import argparse
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from bench.load import free_port

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
DB = "/binational"


def rows(count):
    return f"(with recursive c(x) as (select 1 union all select x + 1 from c limit {count}) select x from c)"


def sql(text, suffix="", extra=""):
    return f"{DB}{suffix}?sql={quote(text)}{extra}"


RUNAWAY = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
QUOTE_CELLS = ", ".join(["'q' as quote"] * 24)
HOSTILE = [
    ("zeroblob(4999999) × 20 rows, JSON", sql(f"select zeroblob(4999999) from {rows(20)}", ".json")),
    ("zeroblob(4999999) × 20 rows, HTML", sql(f"select zeroblob(4999999) from {rows(20)}")),
    ("zeroblob(4999999) × 20 rows, CSV", sql(f"select zeroblob(4999999) from {rows(20)}", ".csv")),
    ("printf 4,999,999 × 'x', 20 rows, JSON", sql(f"select printf('%.*c', 4999999, 'x') from {rows(20)}", ".json")),
    ("printf 4,999,999 × 'x', 20 rows, HTML", sql(f"select printf('%.*c', 4999999, 'x') from {rows(20)}")),
    ("printf 99,999 × '\"', 1,000 rows, HTML", sql(f"select printf('%.*c', 99999, '\"') from {rows(1000)}")),
    # The largest results allowed, of the characters that grow most when escaped for HTML and JSON.
    ("printf 99,999 × '\"', 39 rows, HTML", sql(f"select printf('%.*c', 99999, '\"') from {rows(39)}")),
    ("printf 99,999 × char(1), 39 rows, JSON", sql(f"select printf('%.*c', 99999, char(1)) from {rows(39)}", ".json")),
    ("printf 99,999 × char(1), 39 rows, CSV", sql(f"select printf('%.*c', 99999, char(1)) from {rows(39)}", ".csv")),
    (
        "_json on 39 arrays of 33,333 objects",
        sql(f"select '[' || replace(printf('%.*c', 33332, 'x'), 'x', '{{}},') || '{{}}]' as x from {rows(39)}", ".json", "&_json=x"),
    ),
    ("105 columns × 1,000 rows (events × 5), HTML", sql("select * from events a, events b, events c, events d, events e limit 1000")),
    ("100 columns × 1,000 rows, HTML", sql("select " + ", ".join(f"{n} as c{n}" for n in range(100)) + f" from {rows(1000)}")),
    ("100 columns × 250 rows, HTML", sql("select " + ", ".join(f"{n} as c{n}" for n in range(100)) + f" from {rows(250)}")),
    ("24 quote cells × 1,000 rows citing events, HTML", sql(f"select {QUOTE_CELLS}, 'cbi-2023-tfc-' || x as event_id from {rows(1000)}")),
    ("600 × _facet=title (7 kB URL)", f"{DB}/events?" + "&".join(["_facet=title"] * 600)),
    ("10 facets, _facet_size=max, _size=max", f"{DB}/events?_size=max&_facet_size=max&" + "&".join(["_facet=title"] * 10)),
    ("instr() of 2 MB and 1 MB strings", sql("select instr(printf('%.*c', 2000000, 'a'), printf('%.*c', 1000000, 'a') || 'b')", ".json")),
    ("instr() of 99,999 and 50,000 bytes", sql("select instr(printf('%.*c', 99999, 'a'), printf('%.*c', 50000, 'a') || 'b')", ".json")),
    (
        "GLOB of 8,000 [a-z] sets over 99,999 bytes",
        sql("select printf('%.*c', 99999, 'a') glob '*' || replace(printf('%.*c', 8000, 'a'), 'a', '[a-z]') || 'b'", ".json"),
    ),
    (
        "GLOB of 164 [a-z] sets (1,000 bytes) over 99,999 bytes",
        sql("select printf('%.*c', 99999, 'a') glob '*' || replace(printf('%.*c', 164, 'a'), 'a', '[a-z]') || 'b'", ".json"),
    ),
    ("runaway recursive CTE", sql(RUNAWAY, ".json")),
    (
        "cartesian join of sections × 6",
        sql("select count(*) from sections a, sections b, sections c, sections d, sections e, sections f", ".json"),
    ),
    ("runaway query as CSV", sql(RUNAWAY, ".csv")),
    ("_json on an array nested 99,999 deep", sql("select printf('%.*c', 99999, '[') as x", ".json", "&_json=x")),
    ("/binational.csv", f"{DB}.csv"),
    ("failing query as CSV", sql("select nosuch", ".csv")),
    ("_through=1", f"{DB}/countries?_through=1"),
    ("_facet={}", f"{DB}/events?_facet=%7B%7D"),
    ("rowid__gt=99999999999999999999", f"{DB}/events?rowid__gt=99999999999999999999"),
    ("20 kB URL", f"{DB}/events?" + "&".join(["x=" + "y" * 100] * 200)),
]


def status_value(pid, field):
    return int(re.search(rf"^{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE).group(1))


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks of 1/100 s


class Reader(threading.Thread):
    """Fetches the stylesheet every 50 ms and keeps the slowest answer."""

    def __init__(self, base):
        super().__init__(daemon=True)
        self.base, self.slowest, self.failures = base, 0.0, 0
        self.running = threading.Event()
        self.running.set()

    def run(self):
        with httpx.Client(base_url=self.base, timeout=TIMEOUT) as http:
            while self.running.is_set():
                started = time.perf_counter()
                try:
                    self.failures += http.get("/-/static/app.css").status_code != 200
                except httpx.HTTPError:
                    self.failures += 1
                self.slowest = max(self.slowest, time.perf_counter() - started)
                time.sleep(0.05)

    def stop(self):
        self.running.clear()
        self.join()


def start_server(database, folder):
    copy = Path(folder) / "binational.db"
    shutil.copy(database, copy)
    port = free_port()
    command = [sys.executable, str(ROOT / "server.py"), "serve", "--database", str(copy), "--port", str(port)]
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/-/versions.json", timeout=2).status_code == 200:
                return base, process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def measure(base, pid, path):
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset the peak resident memory to the current
    resident = status_value(pid, "VmRSS")
    cpu_before = cpu_seconds(pid)
    reader = Reader(base)
    reader.start()
    started = time.perf_counter()
    try:
        with httpx.Client(base_url=base, timeout=TIMEOUT, follow_redirects=True) as http:
            response = http.get(path)
        status, size = str(response.status_code), len(response.content)
    except httpx.HTTPError as error:
        status, size = type(error).__name__, 0
    seconds = time.perf_counter() - started
    time.sleep(1)
    reader.stop()
    return {
        "status": status,
        "bytes": size,
        "seconds": seconds,
        "peak_mb": (status_value(pid, "VmHWM") - resident) / 1024,
        "cpu": cpu_seconds(pid) - cpu_before,
        "reader": reader.slowest,
        "reader_failures": reader.failures,
    }


def get_quietly(url):
    """A request whose answer does not matter, only that it is running (the server may close it)."""
    try:
        httpx.get(url, timeout=TIMEOUT, follow_redirects=True)
    except httpx.HTTPError:
        return


def time_sigterm(base, process):
    """Seconds from SIGTERM, sent while the slowest queries run, to the server's exit."""
    for path in (sql(RUNAWAY, ".json"), dict(HOSTILE)["GLOB of 8,000 [a-z] sets over 99,999 bytes"]):
        threading.Thread(target=lambda path=path: get_quietly(base + path), daemon=True).start()
    time.sleep(0.3)
    started = time.perf_counter()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None
    return time.perf_counter() - started


def report(results, exit_seconds):
    lines = [
        "## Hostile requests",
        "",
        "`make bench-hostile` (bench/hostile.py): each request alone against `make serve`'s configuration on the real database;",
        "peak memory is the growth of the server's peak resident set over its resident set before the request; CPU is the",
        "server's CPU time from the request until one second after its answer; the reader fetched the stylesheet every 50 ms",
        "meanwhile. Targets: no request grows the server by more than 300 MB, each answers within 6 s, none holds a core more",
        "than 2 s past `sql_time_limit_ms` (1 s), and other readers are answered meanwhile. `printf` of more than the 100 kB a",
        "value may hold gives NULL, so the requests built on one answer 200 with no large value.",
        "",
        "| request | status | seconds | peak memory MB | server CPU s | slowest reader s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, r in results:
        failed = f" ({r['reader_failures']} failed)" if r["reader_failures"] else ""
        lines.append(
            f"| {label} | {r['status']} | {r['seconds']:.2f} | {max(r['peak_mb'], 0):.0f} | {r['cpu']:.2f} | {r['reader']:.2f}{failed} |"
        )
    stop = f"{exit_seconds:.2f} s" if exit_seconds is not None else "did not stop within 30 s"
    lines += ["", f"SIGTERM while a runaway query and the GLOB of 8,000 sets run: the server exited after **{stop}**.", ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=ROOT / "binational.db")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results-hostile.md")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="binational-hostile-"))
    base, process = start_server(args.database, folder)
    results = []
    try:
        httpx.get(base + DB + "/events", timeout=TIMEOUT, follow_redirects=True)  # warm up, as a first reader would
        for label, path in HOSTILE:
            results.append((label, measure(base, process.pid, path)))
            print(label, results[-1], flush=True)
        exit_seconds = time_sigterm(base, process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
    text = report(results, exit_seconds)
    args.output.write_text(text, encoding="utf-8")
    summary = {"requests": [{"label": label, **result} for label, result in results], "sigterm_seconds": exit_seconds}
    args.output.with_suffix(".json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
