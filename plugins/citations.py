"""Render every `quote` cell as a citation that links to its report section."""

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup

QUOTE_COLUMNS = {"quote", "established_quote"}


def section_url(database, section_id):
    return f"/{tilde_encode(database)}/sections/{tilde_encode(section_id)}"


def citation_html(quote, section_id, database):
    """A quote as a <blockquote> citing its section, everything escaped."""
    if not section_id:
        return Markup('<blockquote class="citation">“{}”</blockquote>').format(quote)
    number = section_id.split(":", 1)[-1]
    return Markup('<blockquote class="citation">“{}” <cite><a href="{}">§&nbsp;{}</a></cite></blockquote>').format(
        quote, section_url(database, section_id), number
    )


def row_value(row, key):
    """A cell of the row; foreign keys expanded by the table view arrive as {"value", "label"}."""
    try:
        value = row[key]
    except (KeyError, IndexError):
        return None
    return value.get("value") if isinstance(value, dict) else value


async def section_of_event(datasette, database, event_id):
    result = await datasette.get_database(database).execute("select section_id from events where id = :id", {"id": event_id})
    first = result.first()
    return first["section_id"] if first else None


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if column not in QUOTE_COLUMNS or not isinstance(value, str) or database != "binational":
        return None

    async def render():
        section_id = row_value(row, "section_id")
        if section_id is None and row_value(row, "event_id"):
            section_id = await section_of_event(datasette, database, row_value(row, "event_id"))
        return citation_html(value, section_id, database)

    return render
