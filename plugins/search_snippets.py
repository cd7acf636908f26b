"""Show the search query's match markers (⟦…⟧) as highlighted text."""

from datasette import hookimpl
from markupsafe import Markup, escape

OPEN, CLOSE = "⟦", "⟧"


def highlight(snippet):
    """Escape the snippet, then turn the markers into <mark> elements."""
    escaped = str(escape(snippet))
    return Markup(escaped.replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


@hookimpl
def render_cell(value, column):
    if column == "snippet" and isinstance(value, str) and OPEN in value:
        return highlight(value)
    return None
