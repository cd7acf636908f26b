"""Render every `quote` cell as a citation that links to its report section.

A row without a section_id but with an event_id (event_people,
event_organizations, or any query) cites its event's section. Looking that
up once per cell let one page of user SQL run 50,000 queries outside the SQL
time limit; instead each such cell becomes an EventCitation, and the page's
events are looked up together, in one query, while the page is rendered:
Datasette calls render_cell for every cell, then extra_template_vars, then
renders the template, which asks each citation for its HTML.
"""

import contextvars
import json

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup, escape

DATABASE = "binational"
QUOTE_COLUMNS = {"quote", "established_quote"}
SECTIONS_OF_EVENTS_SQL = "select id, section_id from events where id in (select value from json_each(:ids))"
# Event ids are short slugs (48 characters at most); a longer value cannot be one. A JSON array of 400
# of them stays within the longest value SQLite accepts here (plugins/sqlite_limits.py): a page of the
# default 100 rows takes one query, the largest page of 1,000 rows three.
MAX_EVENT_ID = 200
EVENTS_PER_QUERY = 400

# The citations of the page being rendered; one list per request (each request runs in its own context).
page_citations = contextvars.ContextVar("page_citations")


def section_url(database, section_id):
    return f"/{tilde_encode(database)}/sections/{tilde_encode(section_id)}"


def citation_html(quote, section_id, database):
    """A quote as a <blockquote> citing its section, everything escaped."""
    if not section_id:
        return Markup(f'<blockquote class="citation">“{escape(quote)}”</blockquote>')
    number = section_id.split(":", 1)[-1]
    url = section_url(database, section_id)
    return Markup(
        f'<blockquote class="citation">“{escape(quote)}” <cite><a href="{escape(url)}">§&nbsp;{escape(number)}</a></cite></blockquote>'
    )


class EventCitation:
    """A quote citing its event's section, which is filled in before the page is rendered."""

    def __init__(self, quote, event_id, database):
        self.quote, self.event_id, self.database = quote, event_id, database
        self.section_id = None

    def __bool__(self):
        return True  # Datasette's table view keeps a plugin's cell only when it is true

    def __html__(self):
        return str(citation_html(self.quote, self.section_id, self.database))


def row_value(row, key):
    """A cell of the row; foreign keys expanded by the table view arrive as {"value", "label"}."""
    try:
        value = row[key]
    except (KeyError, IndexError):
        return None
    return value.get("value") if isinstance(value, dict) else value


def pending_citations():
    pending = page_citations.get(None)
    if pending is None:
        pending = []
        page_citations.set(pending)
    return pending


def event_id_batches(citations):
    """The distinct event ids the citations name, as JSON arrays of at most EVENTS_PER_QUERY ids."""
    ids = sorted({c.event_id for c in citations if isinstance(c.event_id, str) and len(c.event_id) <= MAX_EVENT_ID})
    return [json.dumps(ids[start : start + EVENTS_PER_QUERY]) for start in range(0, len(ids), EVENTS_PER_QUERY)]


async def fill_sections(db, citations):
    sections = {}
    for batch in event_id_batches(citations):
        sections.update({row["id"]: row["section_id"] for row in (await db.execute(SECTIONS_OF_EVENTS_SQL, {"ids": batch})).rows})
    for citation in citations:
        citation.section_id = sections.get(citation.event_id)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if column not in QUOTE_COLUMNS or not isinstance(value, str) or database != DATABASE:
        return None
    section_id, event_id = row_value(row, "section_id"), row_value(row, "event_id")
    if section_id is None and event_id:
        citation = EventCitation(value, event_id, database)
        pending_citations().append(citation)
        return citation
    return citation_html(value, section_id, database)


@hookimpl
def extra_template_vars(datasette):
    pending = page_citations.get(None)
    if not pending:
        return None

    async def variables():
        citations = list(pending)
        pending.clear()
        await fill_sections(datasette.get_database(DATABASE), citations)
        return {}

    return variables
