"""The real server under the slowest requests it accepts: it stops each in time, keeps answering others, and stops on SIGTERM."""

import signal
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from helpers import start_server
from site_client import SETTINGS

DB = "binational"
TIME_LIMIT = SETTINGS["sql_time_limit_ms"] / 1000
RUNAWAY = "with recursive counter(x) as (select 1 union all select x + 1 from counter) select count(*) from counter"
# The slowest single function calls the limits of plugins/sqlite_limits.py allow: one SQLite
# instruction each, so the time limit cannot interrupt them.
SLOWEST_CALLS = [
    "select instr(printf('%.*c', 99999, 'a'), printf('%.*c', 50000, 'a') || 'b')",
    "select replace(printf('%.*c', 99999, 'a'), printf('%.*c', 50000, 'a') || 'b', 'c') is null",
    "select printf('%.*c', 99999, 'a') glob '*' || replace(printf('%.*c', 164, 'a'), 'a', '[a-z]') || 'b'",
    "select printf('%.*c', 99999, 'a') like '%' || printf('%.*c', 998, 'a') || 'b'",
]


def status_of(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def timed_status(url):
    started = time.monotonic()
    status = status_of(url)
    return status, time.monotonic() - started


@pytest.mark.parametrize("sql", SLOWEST_CALLS)
def test_no_single_function_call_holds_a_core_past_the_time_limit(server, sql):
    status, seconds = timed_status(f"{server}/{DB}.json?sql={quote(sql)}")
    assert status == 200
    assert seconds < TIME_LIMIT + 2


def test_other_readers_are_answered_during_slow_queries(server):
    slow = [f"{server}/{DB}.json?sql={quote(RUNAWAY)}", f"{server}/{DB}.json?sql={quote(SLOWEST_CALLS[0])}"]
    results = {}
    threads = [threading.Thread(target=lambda url=url: results.setdefault(url, timed_status(url))) for url in slow]
    for thread in threads:
        thread.start()
    time.sleep(0.1)
    readers = [timed_status(f"{server}{path}") for path in ("/-/static/app.css", f"/{DB}/topics.json", "/-/versions.json")]
    for thread in threads:
        thread.join()
    # Each reader is answered while the runaway query still runs, well before its time limit.
    assert [status for status, _ in readers] == [200, 200, 200]
    assert max(seconds for _, seconds in readers) < TIME_LIMIT
    assert [results[url][0] for url in slow] == [400, 200]


# Without the limits on values and patterns, this one function call ran for 36 s, and SIGTERM waited for it.
GLOB_OF_8000_SETS = "select printf('%.*c', 99999, 'a') glob '*' || replace(printf('%.*c', 8000, 'a'), 'a', '[a-z]') || 'b'"


def test_sigterm_stops_the_server_within_two_seconds_during_slow_queries(database, tmp_path):
    base, process = start_server(database, tmp_path)
    try:
        for sql in (RUNAWAY, GLOB_OF_8000_SETS):
            threading.Thread(target=status_of, args=(f"{base}/{DB}.json?sql={quote(sql)}",), daemon=True).start()
        time.sleep(0.3)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        assert time.monotonic() - started < 2
        # uvicorn shuts down gracefully, then ends with the signal it received.
        assert process.returncode == -signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
