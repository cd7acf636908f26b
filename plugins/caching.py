"""Validators for caches: an ETag on every successful GET, and 304 Not Modified when it still matches.

The database is immutable, so a URL's response changes only when the dataset
(its source digest) or the site's code (metadata, plugins, templates) changes.
The ETag is a digest of both, computed once at start-up; a client or proxy
that sends it back in If-None-Match gets a 304 without the page being
rendered again. Cache-Control stays Datasette's (`default_cache_ttl`).
"""

import hashlib
from pathlib import Path

from datasette import hookimpl

SITE_FILES = ("metadata.yml", "settings.json", "plugins", "templates", "static")


def site_digest(root):
    """sha256 over the files that shape the site's pages."""
    digest = hashlib.sha256()
    for name in SITE_FILES:
        path = Path(root) / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def entity_tag(source_digest, site):
    return '"' + hashlib.sha256(f"{source_digest}:{site}".encode()).hexdigest()[:32] + '"'


def matches(if_none_match, tag):
    """Whether an If-None-Match header names `tag` (weak comparison, as RFC 9110 asks for GET)."""
    if if_none_match.strip() == "*":
        return True
    return any(candidate.strip().removeprefix("W/") == tag for candidate in if_none_match.split(","))


def header(scope, name):
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def add_entity_tag(app, tag):
    async def with_entity_tag(scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await app(scope, receive, send)
        if_none_match = header(scope, b"if-none-match")
        if if_none_match and matches(if_none_match, tag):
            await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", tag.encode())]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_tag(message):
            if message["type"] == "http.response.start" and message["status"] == 200:
                message = {**message, "headers": [*message.get("headers", []), (b"etag", tag.encode())]}
            await send(message)

        await app(scope, receive, send_with_tag)

    return with_entity_tag


@hookimpl
def asgi_wrapper(datasette):
    root = Path(datasette.plugins_dir).parent if datasette.plugins_dir else Path.cwd()
    site = site_digest(root)

    def wrap(app):
        tagged_app = None  # built on the first request, when the database can be read

        async def tagged(scope, receive, send):
            nonlocal tagged_app
            if tagged_app is None:
                database = datasette.get_database("binational")
                row = (await database.execute("select value from dataset_info where key = 'source_digest'")).first()
                tagged_app = add_entity_tag(app, entity_tag(row[0], site))
            return await tagged_app(scope, receive, send)

        return tagged

    return wrap
