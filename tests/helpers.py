"""Paths, ports and the real server, shared by the tests (fixtures are in conftest.py)."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sources"
FIXTURE_SOURCES = ROOT / "tests" / "fixtures" / "sources"
TOOLS_BIN = ROOT / ".venv-tools" / "bin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


def start_server(database, folder):
    """server.py serve on a copy of `database` in `folder`, on a free port of 127.0.0.1.

    server.py replaces itself with `datasette serve`, so the process's pid is the server's.
    Returns (base URL, process).
    """
    copy = Path(folder) / "binational.db"
    shutil.copy(database, copy)
    port = free_port()
    command = [sys.executable, str(ROOT / "server.py"), "serve", "--database", str(copy), "--port", str(port)]
    process = subprocess.Popen(command, cwd=folder)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/-/versions.json", process)
    except (RuntimeError, TimeoutError):
        process.kill()
        raise
    return base, process


def serious_accessibility_problems(page):
    """axe-core's serious and critical violations on the page, one line each (WCAG 2.1 AA and best practices)."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: {[node['target'] for node in v['nodes'][:5]]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def overflows(page):
    """Whether the page is wider than its viewport (a horizontal scroll bar)."""
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
