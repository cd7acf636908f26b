"""A table page sorted by a column the reader left out (`_col`, `_nocol`) pages on as Datasette means it to.

To link the next page, Datasette 0.65.5 reads the last row's sort value and, when the sort column
was not selected, catches the IndexError that sqlite3.Row raises and looks the value up by the
row's primary key. With labels expanded (any table with a foreign key, such as events) the rows are
CustomRow, which raises KeyError instead: `/binational/events?_col=title` was a 500 whenever there
was a next page (upstream: simonw/datasette#1773, pull request #2600).

A missing column now raises MissingColumn, both a KeyError and an IndexError, so callers expecting
either still catch it.
"""

from datasette import hookimpl
from datasette.utils import CustomRow


class MissingColumn(KeyError, IndexError):
    """A row lacks the column asked for."""


def row_item(row, key):
    """CustomRow.__getitem__, raising MissingColumn for a column the row does not have."""
    try:
        return dict.__getitem__(row, row.columns[key] if isinstance(key, int) else key)
    except KeyError as error:
        raise MissingColumn(*error.args) from None


@hookimpl
def startup(datasette):
    if CustomRow.__getitem__ is not row_item:
        CustomRow.__getitem__ = row_item
