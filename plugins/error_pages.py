"""Error pages: working when `rich` is installed, and 400 (not 500) for bad parameters.

Datasette 0.65's default error handler calls rich's print_exception() outside
an `except` block whenever rich can be imported; rich then raises, and every
404 or 400 turns into a 500. The release tooling (frictionless, through typer)
installs rich, so this project's environment has it. Disabling that one call
leaves the handler itself, and its error pages, untouched.
"""

import datasette.handle_exception
from datasette import hookimpl
from datasette.views.base import DatasetteError

datasette.handle_exception.rich = None


@hookimpl(tryfirst=True)
def handle_exception(exception):
    """A request Datasette cannot answer because of its parameters is a 400, not a 500.

    Datasette 0.65 raises DatasetteError without a status for some bad
    parameters (`?_sort=no_such_column`); it then defaults to 500. Returning
    None lets Datasette's own handler render the page with the new status.
    """
    if isinstance(exception, DatasetteError) and exception.status == 500:
        exception.status = 400
