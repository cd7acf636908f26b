"""Bound what one request may ask for, and refuse malformed facet and `_through` parameters.

Datasette 0.65 runs one query per `_facet` parameter and renders every
result: 600 copies of `_facet=title` in a 7 kB URL took 16 s and 788 MB.
It parses JSON-shaped `_facet` and `_through` values without checking their
shape, so `_facet={}` or `_through=1` end in a 500. A URL is limited to the
8 kB that nginx accepts by default, facets to a few short ones, and the JSON
shapes are checked before Datasette reads them.
"""

import json
from urllib.parse import parse_qsl

from datasette import hookimpl
from datasette.utils.asgi import BadRequest

MAX_URL_BYTES = 8192
MAX_FACETS = 10  # a table page asks for 9 at most
MAX_FACET_BYTES = 200
# `_facet_size` sets how many values each facet shows; every other `_facet…` parameter asks for a facet.
FACET_SIZE = "_facet_size"


def url_too_long(path, query_string):
    """The message for a URL over the limit, or None."""
    size = len(path.encode("utf-8")) + len(query_string)
    if size > MAX_URL_BYTES:
        return f"This URL is {size:,} bytes long; the limit is {MAX_URL_BYTES:,}."
    return None


def is_facet(name):
    return (name == "_facet" or name.startswith("_facet_")) and name != FACET_SIZE


def facet_problem(name, value):
    if len(value) > MAX_FACET_BYTES:
        return f"{name} is longer than {MAX_FACET_BYTES} characters."
    if not value.startswith("{"):
        return None  # a column name
    try:
        config = json.loads(value)
    except ValueError:
        config = None
    column = (config.get("column") or config.get("simple")) if isinstance(config, dict) else None
    if not isinstance(column, str):
        return f'{name} must be a column name or a JSON object naming one, like {{"simple": "column"}}.'
    return None


def through_problem(value):
    try:
        through = json.loads(value)
    except ValueError:
        through = None
    if (
        not isinstance(through, dict)
        or not isinstance(through.get("table"), str)
        or not isinstance(through.get("column"), str)
        or not isinstance(through.get("value"), (str, int, float))
    ):
        return '_through must be a JSON object like {"table": "event_topics", "column": "topic_id", "value": "trade"}.'
    return None


def parameter_problem(pairs):
    """The first problem of a table request's parameters (name, value pairs), or None."""
    facets = [(name, value) for name, value in pairs if is_facet(name)]
    if len(facets) > MAX_FACETS:
        return f"At most {MAX_FACETS} facets may be asked for at once; this request asks for {len(facets)}."
    for name, value in facets:
        problem = facet_problem(name, value)
        if problem:
            return problem
    for name, value in pairs:
        problem = through_problem(value) if name == "_through" else None
        if problem:
            return problem
    return None


@hookimpl
def filters_from_request(request):
    # Raised while Datasette collects the table's filters, before any of them or any facet is read.
    problem = parameter_problem(parse_qsl(request.query_string, keep_blank_values=True))
    if problem:
        raise BadRequest(problem)


def limited(app):
    async def wrapped(scope, receive, send):
        problem = url_too_long(scope.get("path", ""), scope.get("query_string", b"")) if scope["type"] == "http" else None
        if problem is None:
            await app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 414, "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
        await send({"type": "http.response.body", "body": problem.encode("utf-8")})

    return wrapped


@hookimpl
def asgi_wrapper():
    return limited
