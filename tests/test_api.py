"""The API as outside clients see it: plain URLs answer directly, any origin may call, caches can revalidate."""

import io
import json
import subprocess

import pandas
import pytest

DB = "binational"
PLAIN = [
    f"/{DB}/events.json",
    f"/{DB}/figures.csv",
    f"/{DB}.json?sql=select+count(*)+as+n+from+events",
    f"/{DB}/attended_by.json?name=Barcena",
    f"/{DB}/events/cbi-2023-tfc-2.json",
]


def curl(*arguments):
    """curl as a reader runs it: no -L, so a redirect would print nothing."""
    result = subprocess.run(["curl", "--silent", "--show-error", "--include", *arguments], capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    head, _, body = result.stdout.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize("path", PLAIN)
def test_plain_urls_answer_directly_to_any_origin(server, path):
    status, headers, body = curl(server + path)
    assert status == 200
    assert "location" not in headers
    assert headers["access-control-allow-origin"] == "*"
    assert len(body) > 0


def test_sql_counts_through_a_plain_url(server, connection):
    _, _, body = curl(server + f"/{DB}.json?sql=select+count(*)+as+n+from+events&_shape=array")
    assert json.loads(body) == [{"n": connection.execute("select count(*) from events").fetchone()[0]}]


def test_csv_export_is_the_whole_table(server, connection):
    _, headers, body = curl(server + f"/{DB}/figures.csv?_size=max")
    frame = pandas.read_csv(io.BytesIO(body))
    assert len(frame) == connection.execute("select count(*) from figures").fetchone()[0] == 22
    assert list(frame.columns) == [row[1] for row in connection.execute("pragma table_info(figures)")]


def test_pandas_reads_json_from_the_url(server, connection):
    frame = pandas.read_json(server + f"/{DB}/events.json?_shape=array&_size=max")
    assert sorted(frame["id"]) == sorted(row[0] for row in connection.execute("select id from events"))


def test_labels_expand_references(server):
    _, _, body = curl(server + f"/{DB}/events.json?id=cbi-2023-tfc-2&_col=mechanism_id&_labels=on&_shape=array")
    assert json.loads(body) == [
        {
            "id": "cbi-2023-tfc-2",
            "mechanism_id": {"value": "trilateral-fentanyl-committee", "label": "North America Trilateral Fentanyl Committee"},
        }
    ]


def test_an_unchanged_page_is_not_sent_again(server):
    status, headers, _ = curl(server + f"/{DB}/events.json?_size=3")
    tag = headers["etag"]
    assert status == 200 and tag.startswith('"') and len(tag) == 34
    status, headers, body = curl("--header", f"If-None-Match: {tag}", server + f"/{DB}/events.json?_size=3")
    assert (status, headers["etag"], body) == (304, tag, b"")
    status, _, body = curl("--header", 'If-None-Match: "another"', server + f"/{DB}/events.json?_size=3")
    assert status == 200 and body


def test_errors_carry_no_entity_tag(server):
    status, headers, _ = curl(server + f"/{DB}/no_such_table.json")
    assert status == 404
    assert "etag" not in headers


def pages_of(site, path):
    """Every row of a table's JSON pages, following next_url from the first."""
    rows = []
    while path:
        page = site.get(path).json()
        rows.extend(page["rows"])
        path = page["next_url"] and page["next_url"].split("://", 1)[-1].partition("/")[2]
        path = path and "/" + path
    return rows


def test_pages_without_the_sort_column_hold_every_row_in_order(site, connection):
    # The events are sorted by date_order; each page's next link is made from a row without it, a row
    # with labels expanded as on the HTML page.
    expected = [row[0] for row in connection.execute("select id from events order by date_order, id")]
    rows = pages_of(site, f"/{DB}/events.json?_col=title&_col=place_id&_size=7&_labels=on&_shape=objects")
    assert [row["id"] for row in rows] == expected
    assert set(rows[0]) == {"id", "title", "place_id"}
