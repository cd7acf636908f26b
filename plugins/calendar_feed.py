"""Calendar feeds: a query's events as iCalendar, at the query's URL with `.ics` (e.g. /binational/calendar.ics).

Events dated to the day are all-day events (`DTSTART;VALUE=DATE`), so a
calendar in any time zone shows them on the day the report gives; a multi-day
event ends on the day after its last day (`DTEND` is exclusive). Written by
the icalendar library, which escapes text and folds lines at 75 octets.
`DTSTAMP` is the dataset version's release date, so a feed is the same
whenever it is fetched. A query can be rendered as a feed when it returns the
columns in FEED_COLUMNS.
"""

import datetime
from urllib.parse import urlsplit

import icalendar
from datasette import Response, hookimpl

FEED_COLUMNS = ("id", "title", "start_date", "end_date", "summary", "quote", "citation")
PRODUCT = "-//binational//calendar feeds//EN"


def event_page(base_url, event_id):
    return f"{base_url}/binational/events/{event_id}"


def description(row, page):
    """The summary, the report's words with their citation, then the event page's address."""
    return f"{row['summary']} — “{row['quote']}” ({row['citation']})\n\n{page}"


def calendar_text(rows, *, name, base_url, released):
    """An iCalendar document (bytes) for rows with FEED_COLUMNS; `released` is the DTSTAMP date (YYYY-MM-DD)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = datetime.datetime.combine(datetime.date.fromisoformat(released), datetime.time(), datetime.UTC)
    domain = urlsplit(base_url).hostname
    for row in rows:
        start = datetime.date.fromisoformat(row["start_date"])
        last = datetime.date.fromisoformat(row["end_date"]) if row["end_date"] else start
        page = event_page(base_url, row["id"])
        event = icalendar.Event()
        event.add("uid", f"{row['id']}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", last + datetime.timedelta(days=1))
        event.add("summary", row["title"])
        event.add("description", description(row, page))
        event.add("url", page)
        calendar.add_component(event)
    return calendar.to_ical()


def can_render(columns):
    return set(FEED_COLUMNS) <= set(columns)


NOT_A_CALENDAR = "This page has no calendar form: the calendar feeds are /binational/calendar.ics (?mechanism_id=, ?person_id=)."


async def render(datasette, request, database, rows, columns, query_name):
    # Datasette offers the .ics form of any page when asked for it, whatever can_render said.
    if not can_render(columns):
        return Response.text(NOT_A_CALENDAR, status=404, headers={"Cache-Control": "no-store"})
    released = (await datasette.get_database(database).execute("select value from dataset_info where key = 'dataset_released'")).first()[0]
    base_url = f"{request.scheme}://{request.host}"
    queries = await datasette.get_canned_queries(database, request.actor)
    name = queries.get(query_name, {}).get("title") or "binational"
    body = calendar_text([dict(zip(columns, row, strict=True)) for row in rows], name=name, base_url=base_url, released=released)
    return Response(body, content_type="text/calendar; charset=utf-8")


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "ics", "render": render, "can_render": can_render}
