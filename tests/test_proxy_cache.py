"""deploy/nginx.conf, run for real in front of `make serve`: it caches, and serves what Datasette serves."""

import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers import free_port

from bench.proxy_bench import proxy_config

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def proxy(server):
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: run `make install-system` (make test does this)")
    # nginx's workers run as an unprivileged user: the cache must be in a folder they can reach.
    work = Path(tempfile.mkdtemp(prefix="binational-nginx-"))
    work.chmod(0o777)
    port = free_port()
    (work / "nginx.conf").write_text(proxy_config(work, port, server.rsplit(":", 1)[1]))
    subprocess.run([NGINX, "-t", "-c", str(work / "nginx.conf")], check=True, capture_output=True)
    process = subprocess.Popen([NGINX, "-c", str(work / "nginx.conf"), "-g", "daemon off;"])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
            break
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None, "nginx did not start"
            time.sleep(0.1)
    yield base
    process.send_signal(signal.SIGQUIT)
    process.wait(timeout=10)
    shutil.rmtree(work)


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
