"""Error pages: 400 (not 500) for bad parameters.

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
