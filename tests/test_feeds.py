"""Calendar feeds as calendars read them: parsed with the icalendar library, fetched from the real server."""

import datetime
import urllib.request

import icalendar
import pytest
from site_client import load_plugin

DB = "binational"
FEEDS = {
    "": "select id from events where date_precision = 'day' order by start_date, id",
    "?mechanism_id=trilateral-fentanyl-committee": (
        "select id from events where date_precision = 'day' and mechanism_id = 'trilateral-fentanyl-committee' order by start_date, id"
    ),
    "?person_id=alicia-barcena": (
        "select id from events where date_precision = 'day' and id in (select event_id from event_people where person_id = 'alicia-barcena') "
        "order by start_date, id"
    ),
}

calendar_feed = load_plugin("calendar_feed")


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["content-type"], response.read()


@pytest.fixture(scope="module", params=list(FEEDS), ids=["all", "institution", "person"])
def feed(request, server, connection):
    status, content_type, body = fetch(f"{server}/{DB}/calendar.ics{request.param}")
    assert (status, content_type) == (200, "text/calendar; charset=utf-8")
    expected = [row[0] for row in connection.execute(FEEDS[request.param])]
    return body, icalendar.Calendar.from_ical(body), expected


def test_every_dated_event_and_only_those(feed, server):
    _, calendar, expected = feed
    host = server.split("//", 1)[1].split(":", 1)[0]
    assert [str(event["UID"]) for event in calendar.walk("VEVENT")] == [f"{event_id}@{host}" for event_id in expected]
    assert len(expected) > 0


def test_events_are_all_day_on_the_reports_dates(feed, connection):
    _, calendar, _ = feed
    for event in calendar.walk("VEVENT"):
        event_id = str(event["UID"]).split("@", 1)[0]
        start, end = connection.execute(
            "select start_date, coalesce(end_date, start_date) from events where id = :id", {"id": event_id}
        ).fetchone()
        assert type(event.decoded("DTSTART")) is datetime.date
        assert event.decoded("DTSTART") == datetime.date.fromisoformat(start)
        assert event.decoded("DTEND") == datetime.date.fromisoformat(end) + datetime.timedelta(days=1)
        assert event.decoded("DTSTAMP") == datetime.datetime(2026, 11, 29, tzinfo=datetime.UTC)


def test_each_event_links_back_to_its_page(feed, server):
    _, calendar, _ = feed
    for event in calendar.walk("VEVENT"):
        page = f"{server}/{DB}/events/{str(event['UID']).split('@', 1)[0]}"
        assert str(event["URL"]) == page
        assert str(event["DESCRIPTION"]).endswith(f"\n\n{page}")
        status, _, _ = fetch(page)
        assert status == 200


def test_lines_are_folded_at_75_octets(feed):
    body, _, _ = feed
    lines = body.split(b"\r\n")
    assert lines[-1] == b""
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # long descriptions are folded, not cut


def test_the_second_fentanyl_committee_meeting_is_on_july_25_everywhere(server):
    _, _, body = fetch(f"{server}/{DB}/calendar.ics?mechanism_id=trilateral-fentanyl-committee")
    unfolded = body.replace(b"\r\n ", b"").decode("utf-8")
    assert "DTSTART;VALUE=DATE:20230725\r\nDTEND;VALUE=DATE:20230726\r\n" in unfolded
    assert "DTSTART:2023" not in unfolded


def test_a_multi_day_event_ends_the_day_after_its_last_day(server):
    _, _, body = fetch(f"{server}/{DB}/calendar.ics")
    calendar = icalendar.Calendar.from_ical(body)
    kerry = next(event for event in calendar.walk("VEVENT") if str(event["UID"]).startswith("cbi-2023-kerry-mexico-visit-march@"))
    assert (kerry.decoded("DTSTART"), kerry.decoded("DTEND")) == (datetime.date(2023, 3, 20), datetime.date(2023, 3, 23))
    assert str(kerry["SUMMARY"]) == "John Kerry's seventh trip to Mexico"


def test_month_and_year_dated_events_are_left_out(server, connection):
    _, _, body = fetch(f"{server}/{DB}/calendar.ics")
    undated = [row[0] for row in connection.execute("select id from events where date_precision is not 'day'")]
    assert len(undated) == 19
    assert not [event_id for event_id in undated if f"UID:{event_id}@".encode() in body.replace(b"\r\n ", b"")]


def test_text_is_escaped():
    row = {
        "id": "x-1",
        "title": "Talks; trade, water\\energy",
        "start_date": "2023-05-01",
        "end_date": None,
        "summary": "One",
        "quote": "a, b; c",
        "citation": "CBI 2023, section 2.a",
    }
    text = calendar_feed.calendar_text([row], name="Feed", base_url="https://example.org", released="2024-01-31").decode()
    assert "SUMMARY:Talks\\; trade\\, water\\\\energy\r\n" in text
    assert "UID:x-1@example.org\r\n" in text
    assert "DTSTAMP:20240131T000000Z\r\n" in text
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:One — “a\\, b\\; c” (CBI 2023\\, section 2.a)\\n\\nhttps://example.org/binational/events/x-1\r\n" in unfolded


@pytest.mark.parametrize(
    "path",
    [
        "/binational/events.ics",
        "/binational/events/cbi-2023-tfc-2.ics",
        "/binational/sections/cbi-2023~3A4~2Eb~2Eii.ics",
        "/binational/people.ics",
    ],
)
def test_pages_without_a_calendar_form_are_not_found(site, path):
    response = site.get(path)
    assert (response.status_code, response.text) == (404, calendar_feed.NOT_A_CALENDAR)
