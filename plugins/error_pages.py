"""Error pages: 400 (not 500) for bad parameters, and words instead of SQLite's for a raw search it cannot read.

The server's environment must not have `rich`: Datasette 0.65's default error
handler calls rich's print_exception() outside an `except` block whenever rich
can be imported, and every 404 or 400 then turns into a 500. The tools that
bring rich (frictionless, pip-audit) live in their own environment
(requirements-tools.txt); a test checks the server's has none.
"""

import sqlite3

from datasette import Response, hookimpl
from datasette.views.base import DatasetteError


@hookimpl(tryfirst=True, specname="handle_exception")
def parameter_errors_are_bad_requests(exception):
    """A request Datasette cannot answer because of its parameters is a 400, not a 500.

    Datasette 0.65 raises DatasetteError without a status for some bad
    parameters (`?_sort=no_such_column`); it then defaults to 500. Returning
    None lets Datasette's own handler render the page with the new status.
    """
    if isinstance(exception, DatasetteError) and exception.status == 500:
        exception.status = 400


RAW_SEARCH_MESSAGE = (
    "This search asks for full-text query syntax (_searchmode=raw), and it could not be read that way. "
    "Search without _searchmode=raw to find the words as typed; quotes, operators and punctuation are then plain text."
)


@hookimpl(tryfirst=True, specname="handle_exception")
def raw_search_errors_in_words(request, exception):
    """A search box reads any input (plugins/search_queries.py); only `_searchmode=raw` passes text to FTS5 as
    query syntax, where SQLite refuses an unbalanced quote with "unterminated string". Say what to do instead.
    Returning None lets Datasette render the page with this message."""
    if (
        isinstance(exception, DatasetteError)
        and request is not None
        and request.args.get("_searchmode") == "raw"
        and any(key.startswith("_search") and key != "_searchmode" for key in request.args)
    ):
        exception.status = 400
        exception.title = "Search not understood"
        exception.message = RAW_SEARCH_MESSAGE
        exception.message_is_html = False


def is_parameter_error(exception, request):
    """Datasette 0.65 lets some malformed parameters escape: `?_next=x` on a view raises
    ValueError, `?_facet=%00` reaches SQLite, which refuses a NUL character."""
    return isinstance(exception, (ValueError, sqlite3.ProgrammingError)) and request is not None and bool(request.args)


@hookimpl(specname="handle_exception")
def value_errors_from_parameters(datasette, request, exception):
    if not is_parameter_error(exception, request):
        return None

    async def bad_request():
        message = "A parameter of this request is not valid."
        if request.path.endswith(".json"):
            return Response.json({"ok": False, "error": message, "status": 400, "title": "Bad request"}, status=400)
        html = await datasette.render_template("error.html", {"status": 400, "error": message, "title": "Bad request"}, request=request)
        return Response.html(html, status=400)

    return bad_request
