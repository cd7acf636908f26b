"""Error pages: a 400 (never a 500) for what a request asks, no exception text in any answer, and words
instead of SQLite's for a raw search it cannot read.

The server's environment must not have `rich`: Datasette 0.65's default error
handler calls rich's print_exception() outside an `except` block whenever rich
can be imported, and every 404 or 400 then turns into a 500. The tools that
bring rich (frictionless, pip-audit) live in their own environment
(requirements-tools.txt); a test checks the server's has none.

Datasette 0.65 answers with a 500, showing the exception's text, when:
- a parameter is malformed in a way it does not check (`?_next=x` on a view
  raises ValueError, `?_facet=%00` reaches SQLite, which refuses a NUL
  character, `rowid__gt=99999999999999999999` does not fit SQLite's 64-bit
  integers, `_json` on a value nested 100,000 deep recurses too far);
- a query runs past the time limit while a CSV file is being written (it
  shows `OperationalError('interrupted')` and the SQL; its HTML and JSON
  pages show the SQL again);
- the database is asked for as CSV without a query (`/binational.csv`);
- a row's address has fewer key values than its table's primary key
  (`/binational/event_people/1`): there is no such row, a 404.
It answers a CSV query that fails with an empty 200; `failed_csv_queries`
turns that into a 400 with SQLite's message.
"""

import sqlite3
from urllib.parse import parse_qsl, urlencode

from datasette import Response, hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError

NOT_VALID = "A parameter of this request is not valid."
TOO_LONG = "SQL query took too long: the time limit is {} ms. Ask for fewer rows, or filter on indexed columns."
NO_DATABASE_CSV = "A database has no CSV form: ask for a table's CSV (/binational/events.csv) or a query's (?sql=select …)."
NO_SUCH_ROW = "There is no row at this address."
SERVER_ERROR = "The server could not answer this request."


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


def timed_out(exception):
    """A query stopped at the time limit, or Datasette's error page about one (raised while handling it)."""
    return isinstance(exception, QueryInterrupted) or (
        isinstance(exception, DatasetteError) and isinstance(exception.__context__, QueryInterrupted)
    )


def parameter_error_message(exception):
    """What to tell the reader of a request whose parameters Datasette could not use, or None."""
    if isinstance(exception, OverflowError):
        return "A number in this request is too large: SQLite's integers have 64 bits."
    if isinstance(exception, RecursionError):
        return "A value this request asks to read is nested too deeply."
    # The database is read-only, so an IntegrityError comes from the request: a view's `_next` past
    # 2^63 becomes a real number in its OFFSET ("datatype mismatch").
    if isinstance(exception, (ValueError, sqlite3.ProgrammingError, sqlite3.IntegrityError)):
        return NOT_VALID
    return None


def is_database_csv_without_query(request):
    url_vars = request.url_vars
    return url_vars.get("format") == "csv" and "database" in url_vars and "table" not in url_vars and "sql" not in request.args


def is_row_address_error(exception, request):
    return "pks" in request.url_vars and isinstance(exception, sqlite3.ProgrammingError)


def error_answer(exception, request, time_limit_ms):
    """(status, title, message) for an exception Datasette would answer with its text, or None to let Datasette answer."""
    if timed_out(exception):
        return 400, "Query took too long", TOO_LONG.format(time_limit_ms)
    if isinstance(exception, (Base400, DatasetteError)):
        return None  # answered by Datasette with its intended message
    if request is not None and is_database_csv_without_query(request):
        return 400, "Bad request", NO_DATABASE_CSV
    if request is not None and is_row_address_error(exception, request):
        return 404, "Not found", NO_SUCH_ROW
    message = parameter_error_message(exception)
    if message and request is not None and request.args:
        return 400, "Bad request", message
    return 500, "Server error", SERVER_ERROR


async def error_response(datasette, request, status, title, message):
    if request.path.endswith(".json"):
        return Response.json({"ok": False, "error": message, "status": status, "title": title}, status=status)
    html = await datasette.render_template("error.html", {"status": status, "error": message, "title": title}, request=request)
    return Response.html(html, status=status)


@hookimpl(specname="handle_exception")
def answer_without_exception_text(datasette, request, exception):
    answer = error_answer(exception, request, datasette.setting("sql_time_limit_ms"))
    if answer is None:
        return None

    async def respond():
        return await error_response(datasette, request, *answer)

    return respond


def json_twin(path, query_string):
    """The JSON address of a CSV address, for the error of a query that failed."""
    pairs = [(name, value) for name, value in parse_qsl(query_string, keep_blank_values=True) if name not in ("_shape", "_stream", "_dl")]
    return path[: -len(".csv")] + ".json" + ("?" + urlencode(pairs) if pairs else "")


def failed_csv_queries(datasette):
    """Datasette writes a query that fails as an empty CSV with a 200: ask its JSON twin why, and answer 400 with that."""

    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope["type"] != "http" or not scope["path"].endswith(".csv"):
                await app(scope, receive, send)
                return
            held = []  # the start and the first, empty or line-end-only, body messages

            async def holding_send(message):
                if held is None:
                    await send(message)
                    return
                held.append(message)
                body = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
                if held[0].get("status") != 200 or body.strip(b"\r\n"):
                    await flush()
                elif message["type"] == "http.response.body" and not message.get("more_body"):
                    await answer_empty_csv()

            async def flush():
                nonlocal held
                messages, held = held, None
                for message in messages:
                    await send(message)

            async def answer_empty_csv():
                nonlocal held
                twin = await datasette.client.get(json_twin(scope["path"], scope["query_string"].decode("latin-1")), follow_redirects=True)
                error = twin.json().get("error") if twin.headers.get("content-type", "").startswith("application/json") else None
                if twin.status_code < 400 or not isinstance(error, str):
                    await flush()
                    return
                held = None
                await Response.text(error, status=twin.status_code).asgi_send(send)

            await app(scope, receive, holding_send)

        return wrapped

    return wrap


@hookimpl
def asgi_wrapper(datasette):
    return failed_csv_queries(datasette)
