"""Cached serving: deploy/nginx.conf in front of the real `make serve`, beside static files.

    python -m bench.proxy_bench [--seconds 20] [--concurrency 10]

Warms the cache, then drives the same page mix through the proxy and, as the
baseline, the same bodies as static files from nginx, with one asyncio httpx
client loop. Reports requests per second and p50/p99 for each, and the cached
path's throughput as a fraction of the static one. Measures, asserts nothing.
"""

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.load import PAGES, free_port, start_server
from bench.serve_bench import NGINX_STATIC, start_nginx

ROOT = Path(__file__).resolve().parent.parent


def proxy_config(work, port, upstream):
    """deploy/nginx.conf with its ports and paths moved into the folder `work` (for tests and benchmarks)."""
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in {
        "pid /run/nginx-binational.pid;": f"pid {work}/nginx.pid;",
        "error_log /var/log/nginx/binational-error.log;": f"error_log {work}/error.log;",
        "/var/cache/nginx/binational": f"{work}/cache",
        "server 127.0.0.1:8001;": f"server 127.0.0.1:{upstream};",
        "listen 127.0.0.1:8080;": f"listen 127.0.0.1:{port};",
        "http {": f"http {{\n    client_body_temp_path {work}/body;\n    proxy_temp_path {work}/proxy;",
    }.items():
        if old not in config:
            raise ValueError(f"deploy/nginx.conf no longer contains {old!r}")
        config = config.replace(old, new)
    return config


async def drive(base, paths, seconds, concurrency):
    latencies, errors = [], 0

    async def client(offset):
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=True) as http:
            index, deadline = offset, time.monotonic() + seconds
            while time.monotonic() < deadline:
                started = time.perf_counter()
                response = await http.get(paths[index % len(paths)])
                latencies.append(time.perf_counter() - started)
                errors += response.status_code != 200
                index += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(concurrency)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "rps": len(ordered) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[int(len(ordered) * 0.99)] * 1000,
        "errors": errors,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results-proxy.md")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="binational-proxy-"))
    work.chmod(0o777)
    upstream = free_port()
    server = start_server(upstream)
    proxy_port, static_port = free_port(), free_port()
    proxy = start_nginx(proxy_config(work, proxy_port, upstream), work, proxy_port)
    static_work = work / "static-site"
    (static_work / "static").mkdir(parents=True)
    static = None
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{proxy_port}", timeout=30, follow_redirects=True) as http:
            bodies, addresses = {}, []
            for number, page in enumerate(PAGES):
                http.get(page)
                response = http.get(page)
                bodies[f"/page-{number}.json"] = response.content
                addresses.append(response.url.raw_path.decode())
        for name, body in bodies.items():
            (static_work / "static" / name.lstrip("/")).write_bytes(body)
        static = start_nginx(NGINX_STATIC.format(work=static_work, port=static_port), static_work, static_port)
        cached = asyncio.run(drive(f"http://127.0.0.1:{proxy_port}", addresses, args.seconds, args.concurrency))
        baseline = asyncio.run(drive(f"http://127.0.0.1:{static_port}", list(bodies), args.seconds, args.concurrency))
    finally:
        for process in (proxy, static):
            if process:
                process.send_signal(signal.SIGQUIT)
                process.wait(timeout=10)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    text = "\n".join(
        [
            "## Cached serving: nginx in front of Datasette",
            "",
            f"`make bench` (bench/proxy_bench.py): deploy/nginx.conf in front of `make serve`, cache warmed, the {len(PAGES)}-page mix of",
            f"`make bench-load`, {args.concurrency} concurrent clients for {args.seconds} s; static = the same",
            "bodies as files from nginx, driven by the same client.",
            "",
            "| path | req/s | p50 ms | p99 ms | errors |",
            "|---|---:|---:|---:|---:|",
            f"| through the cache | {cached['rps']:.0f} | {cached['p50']:.2f} | {cached['p99']:.2f} | {cached['errors']} |",
            f"| static files | {baseline['rps']:.0f} | {baseline['p50']:.2f} | {baseline['p99']:.2f} | {baseline['errors']} |",
            "",
            f"The cached path serves **{cached['rps'] / baseline['rps']:.0%}** of the static baseline's throughput.",
            "",
        ]
    )
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
