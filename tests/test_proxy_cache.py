"""deploy/nginx.conf, run for real in front of `make serve`: it caches, and serves what Datasette serves."""

import contextlib
import http.server
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers import free_port

from bench.proxy_bench import proxy_config

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@contextlib.contextmanager
def running_proxy(upstream_port):
    """deploy/nginx.conf, run for real in front of 127.0.0.1:`upstream_port`; yields its base URL."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: run `make install-system` (make test does this)")
    # nginx's workers run as an unprivileged user: the cache must be in a folder they can reach.
    work = Path(tempfile.mkdtemp(prefix="binational-nginx-"))
    work.chmod(0o777)
    port = free_port()
    (work / "nginx.conf").write_text(proxy_config(work, port, upstream_port))
    subprocess.run([NGINX, "-t", "-c", str(work / "nginx.conf")], check=True, capture_output=True)
    process = subprocess.Popen([NGINX, "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                break
            except urllib.error.HTTPError:
                break  # nginx answers, with the upstream's status
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "nginx did not start"
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=10)
        shutil.rmtree(work)


@pytest.fixture(scope="module")
def proxy(server):
    with running_proxy(server.rsplit(":", 1)[1]) as base:
        yield base


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_second_request_is_a_cache_hit_with_the_same_body(proxy, server):
    path = "/binational/events.json?_shape=array&_size=5"
    first = fetch(proxy + path)
    second = fetch(proxy + path)
    direct = fetch(server + path)
    assert first[0] == second[0] == 200
    assert first[1]["X-Cache-Status"] == "MISS"
    assert second[1]["X-Cache-Status"] == "HIT"
    assert first[2] == second[2] == direct[2]


def test_cached_pages_keep_their_security_headers(proxy):
    path = "/binational/figures"
    fetch(proxy + path)
    status, headers, _ = fetch(proxy + path)
    assert status == 200
    assert headers["X-Cache-Status"] == "HIT"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_a_reader_with_the_etag_gets_not_modified_through_the_proxy(proxy):
    path = "/binational/events.json?_shape=array&_size=3"
    _, headers, _ = fetch(proxy + path)
    tag = headers["ETag"]
    request = urllib.request.Request(proxy + path, headers={"If-None-Match": tag})
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=10)
    assert answer.value.code == 304
    assert answer.value.headers["ETag"] == tag


def fetch_error(url):
    """Status, headers and body of a URL that answers with an error status."""
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(url, timeout=10)
    return error.value.code, error.value.headers, error.value.read()


@pytest.mark.parametrize(
    "path, status",
    [
        ("/binational/no-such-table", 404),
        ("/binational.json?sql=select+nosuch", 400),
        ("/binational.json?sql=with+recursive+c(x)+as+(select+1+union+all+select+x%2B1+from+c)+select+count(*)+from+c", 400),
        ("/binational/countries?_through=1", 400),
    ],
)
def test_errors_are_never_served_from_the_cache(proxy, path, status):
    first = fetch_error(proxy + path)
    second = fetch_error(proxy + path)
    assert (first[0], second[0]) == (status, status)
    assert (first[1]["X-Cache-Status"], second[1]["X-Cache-Status"]) == ("MISS", "MISS")
    assert second[1].get_all("Cache-Control") == ["no-store"]


class CacheableErrors(http.server.BaseHTTPRequestHandler):
    """An upstream that marks every answer cacheable for a year, errors included, as datasette-hashed-urls did."""

    protocol_version = "HTTP/1.1"
    statuses = {"/ok": 200, "/missing": 404, "/timed-out": 400, "/broken": 500}

    def do_GET(self):
        body = f"{self.path} answered at {time.monotonic_ns()}".encode()
        self.send_response(self.statuses.get(self.path, 404))
        self.send_header("Cache-Control", "max-age=31536000, public")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        """Quiet: the test reads the answers, not the log."""


@pytest.fixture(scope="module")
def cacheable_errors_upstream():
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CacheableErrors)
    thread = threading.Thread(target=upstream.serve_forever, daemon=True)
    thread.start()
    yield upstream.server_address[1]
    upstream.shutdown()
    thread.join(timeout=10)
    upstream.server_close()


@pytest.mark.parametrize("path, status", [("/missing", 404), ("/timed-out", 400), ("/broken", 500)])
def test_proxy_never_caches_errors_even_when_the_upstream_allows_it(cacheable_errors_upstream, path, status):
    with running_proxy(cacheable_errors_upstream) as base:
        first, second = fetch_error(base + path), fetch_error(base + path)
        assert (first[0], second[0]) == (status, status)
        assert (first[1]["X-Cache-Status"], second[1]["X-Cache-Status"]) == ("MISS", "MISS")
        assert first[2] != second[2]  # each answer came from the upstream afresh
        cached = [fetch(base + "/ok") for _ in range(2)]
        assert [response[1]["X-Cache-Status"] for response in cached] == ["MISS", "HIT"]
        assert cached[0][2] == cached[1][2]
