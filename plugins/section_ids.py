"""Section ids as the README tells readers to cite them open that section.

Datasette reads the last `.part` of a row URL as a format, so /binational/sections/cbi-2023:4.b.ii
would show section 4.b (format "ii") with status 200. Under /binational/sections/, a path that
holds a dot is answered here:

- a section's id, as cited (cbi-2023:4.b.ii): 302 to its row page at Datasette's tilde-encoded
  address (/binational/sections/cbi-2023~3A4~2Eb~2Eii), the query string kept;
- an id followed by an output format (cbi-2023:4.b.ii.json, .csv): passed on to Datasette, which
  reads it as that section in that format (or answers 404 in that format);
- anything else (cbi-2023:4.b.iv, a section that does not exist): Datasette's 404 page, never
  another section (the path is passed on tilde-encoded whole, so Datasette looks for that id).
"""

from datasette import hookimpl
from datasette.utils import tilde_encode

DATABASE = "binational"
PREFIX = f"/{DATABASE}/sections/"


def decide(rest, section_ids, formats):
    """("redirect", id), ("pass", None) or ("missing", None) for the path after PREFIX."""
    if "." not in rest or "/" in rest:
        return "pass", None
    if rest in section_ids:
        return "redirect", rest
    if rest.rpartition(".")[2] in formats:  # Datasette reads the rest before the format as the id
        return "pass", None
    return "missing", None


def location(section_id, query_string):
    return PREFIX + tilde_encode(section_id) + (f"?{query_string}" if query_string else "")


async def redirect(send, target):
    await send({"type": "http.response.start", "status": 302, "headers": [(b"location", target.encode("latin-1"))]})
    await send({"type": "http.response.body", "body": b""})


def resolve_section_ids(app, datasette):
    section_ids = None

    async def resolved(scope, receive, send):
        nonlocal section_ids
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(PREFIX):
            return await app(scope, receive, send)
        if section_ids is None:
            rows = (await datasette.get_database(DATABASE).execute("select id from sections")).rows
            section_ids = frozenset(row[0] for row in rows)
        action, section_id = decide(path[len(PREFIX) :], section_ids, {"json", "csv", *datasette.renderers})
        if action == "redirect":
            return await redirect(send, location(section_id, scope.get("query_string", b"").decode("latin-1")))
        if action == "missing":
            whole = PREFIX + tilde_encode(path[len(PREFIX) :])
            scope = {**scope, "path": whole, "raw_path": whole.encode("ascii")}
        return await app(scope, receive, send)

    return resolved


@hookimpl
def asgi_wrapper(datasette):
    return lambda app: resolve_section_ids(app, datasette)
