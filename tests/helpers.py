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
