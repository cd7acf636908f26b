"""Each page rendered once, then served from memory.

The database is immutable and the site's metadata, plugins and templates are fixed while the server
runs, so the 200 response to a GET of a given URL is the same every time it is rendered. Datasette 0.65
renders the events table (59 rows of 23 columns and nine facets) in 30-45 ms and a canned query of a
thousand linked cells in about 30; from memory, any page takes about a millisecond. nginx in front
(deploy/nginx.conf) caches the same way; `server.py publish` deploys without it, and `make serve` too.

What is kept: complete 200 responses to GET, without Set-Cookie, whose body is at most MAX_PAGE_BYTES,
up to MAX_CACHE_BYTES in all (the least recently used page goes first). Errors, redirects, larger
bodies (a long streamed CSV) and HEAD pass through. A request with `Cache-Control: no-cache` or `no-store` (a browser's hard
reload; the serving benchmark's render timings) is rendered again and replaces what was kept.
The `x-page-cache` header says which it was: `hit` or `miss`.
"""

from collections import OrderedDict

from datasette import hookimpl

MAX_PAGE_BYTES = 2_000_000  # the real site's largest page, the annotated report, is 0.4 MB
MAX_CACHE_BYTES = 64_000_000
HIT = (b"x-page-cache", b"hit")
MISS = (b"x-page-cache", b"miss")


class PageCache:
    """Responses by URL, least recently used first out, bounded by the bytes of their bodies."""

    def __init__(self, max_bytes=MAX_CACHE_BYTES, max_page_bytes=MAX_PAGE_BYTES):
        self.max_bytes, self.max_page_bytes = max_bytes, max_page_bytes
        self.pages = OrderedDict()  # key -> (headers, body)
        self.size = 0

    def get(self, key):
        page = self.pages.get(key)
        if page is not None:
            self.pages.move_to_end(key)
        return page

    def put(self, key, headers, body):
        if len(body) > self.max_page_bytes:
            return
        self.discard(key)
        self.pages[key] = (headers, body)
        self.size += len(body)
        while self.size > self.max_bytes:
            self.discard(next(iter(self.pages)))

    def discard(self, key):
        page = self.pages.pop(key, None)
        if page is not None:
            self.size -= len(page[1])


def header_values(headers, name):
    return [bytes(value) for key, value in headers if bytes(key).lower() == name]


def wants_fresh(scope):
    """Whether the request asks not to be answered from a cache (RFC 9111 request directives)."""
    directives = b",".join(header_values(scope.get("headers", []), b"cache-control")).lower()
    return b"no-cache" in directives or b"no-store" in directives


def cache_key(scope):
    return (scope.get("root_path", ""), scope["path"], scope.get("query_string", b""))


def cached_pages(app, cache):
    async def serve(scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET":
            return await app(scope, receive, send)
        key = cache_key(scope)
        page = None if wants_fresh(scope) else cache.get(key)
        if page is not None:
            headers, body = page
            await send({"type": "http.response.start", "status": 200, "headers": [*headers, HIT]})
            await send({"type": "http.response.body", "body": body})
            return
        start, chunks, size = None, [], 0

        async def keeping_send(message):
            nonlocal start, chunks, size
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                keep = message["status"] == 200 and not header_values(headers, b"set-cookie")
                start = headers if keep else None
                message = {**message, "headers": [*headers, MISS]}
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if size > cache.max_page_bytes:
                    start, chunks = None, []  # too large to keep; it is still sent as it comes
                elif not message.get("more_body"):
                    cache.put(key, start, b"".join(chunks))
            await send(message)

        await app(scope, receive, keeping_send)

    return serve


# tryfirst: the innermost wrapper, so what it keeps is Datasette's own response, and the ETag,
# security headers and error handling of the other wrappers apply to every answer, kept or not.
@hookimpl(tryfirst=True)
def asgi_wrapper():
    cache = PageCache()
    return lambda app: cached_pages(app, cache)
