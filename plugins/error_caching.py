"""Error responses are never cached: `Cache-Control: no-store` on every response with a 4xx or 5xx status.

Datasette sends its `default_cache_ttl` (`max-age=3600`) with every response,
errors included, so a proxy or browser would keep a 500, a timed-out query or
a 404 for an hour. Deciding by status keeps every error out of every cache.
"""

from datasette import hookimpl

NO_STORE = b"no-store"


def error_headers(headers):
    """The headers of an error response: any Cache-Control replaced by no-store."""
    return [(key, value) for key, value in headers if bytes(key).lower() != b"cache-control"] + [(b"cache-control", NO_STORE)]


def uncached_errors(app):
    async def wrapped(scope, receive, send):
        async def checked_send(message):
            if message["type"] == "http.response.start" and message.get("status", 200) >= 400:
                message = {**message, "headers": error_headers(message.get("headers", []))}
            await send(message)

        await app(scope, receive, checked_send if scope["type"] == "http" else send)

    return wrapped


# trylast: outside the other plugins' wrappers, so it also sees the errors they send themselves.
@hookimpl(trylast=True)
def asgi_wrapper():
    return uncached_errors
