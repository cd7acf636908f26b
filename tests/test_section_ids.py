"""Section ids as readers cite them (cbi-2023:4.b.ii) open exactly that section."""

import json

import pytest
from datasette.utils import tilde_encode
from site_client import load_plugin

DB = "binational"

section_ids = load_plugin("section_ids")


@pytest.mark.parametrize(
    "path, location",
    [
        ("cbi-2023:2.a", "/binational/sections/cbi-2023~3A2~2Ea"),
        ("cbi-2023:4.b", "/binational/sections/cbi-2023~3A4~2Eb"),
        ("cbi-2023:4.b.ii", "/binational/sections/cbi-2023~3A4~2Eb~2Eii"),
        ("cbi-2023%3A4.b.ii", "/binational/sections/cbi-2023~3A4~2Eb~2Eii"),
        ("cbi-2023:4.b.ii?_labels=on", "/binational/sections/cbi-2023~3A4~2Eb~2Eii?_labels=on"),
    ],
)
def test_a_cited_section_id_redirects_to_its_row(site, path, location):
    response = site.get(f"/{DB}/sections/{path}", follow=False)
    assert response.status_code == 302
    assert response.headers["location"] == location


@pytest.mark.parametrize(
    "path, section",
    [
        ("cbi-2023:4", "cbi-2023:4"),
        ("cbi-2023:4.json", "cbi-2023:4"),
        ("cbi-2023:2.a.json", "cbi-2023:2.a"),
        ("cbi-2023:4.b.ii.json", "cbi-2023:4.b.ii"),
        ("cbi-2023~3A4~2Eb~2Eii.json", "cbi-2023:4.b.ii"),
    ],
)
def test_a_section_and_its_json_answer_directly(site, path, section):
    response = site.get(f"/{DB}/sections/{path}", follow=False)
    assert response.status_code == 200
    if path.endswith(".json"):
        assert [row[0] for row in response.json()["rows"]] == [section]
    else:
        assert f"sections: {section}</h1>" in response.text


def test_a_section_csv_answers_directly(site):
    response = site.get(f"/{DB}/sections/cbi-2023:2.a.csv", follow=False)
    assert response.status_code == 200
    assert response.text.splitlines()[1].startswith("cbi-2023:2.a,cbi-2023,2.a,cbi-2023:2,")


@pytest.mark.parametrize("path", ["cbi-2023:4.b.iv", "cbi-2023:4.b.ii.x", "cbi-2023:4.b.zz.json", "cbi-2023:9.a"])
def test_an_id_that_is_no_section_is_not_found(site, path):
    response = site.get(f"/{DB}/sections/{path}", follow=False)
    assert response.status_code == 404
    assert "sections: " not in response.text


def test_every_section_id_as_cited_opens_exactly_that_section(site, connection):
    for (section_id,) in connection.execute("select id from sections"):
        response = site.get(f"/{DB}/sections/{section_id}", follow=False)
        if "." in section_id:
            assert (response.status_code, response.headers["location"]) == (302, f"/{DB}/sections/{tilde_encode(section_id)}")
            response = site.get(response.headers["location"] + ".json", follow=False)
        else:
            response = site.get(f"/{DB}/sections/{section_id}.json", follow=False)
        assert response.status_code == 200
        assert [row[0] for row in response.json()["rows"]] == [section_id]


def test_decide():
    ids = {"e:1", "e:1.a", "e:1.a.i"}
    formats = {"json", "csv"}
    assert section_ids.decide("e:1", ids, formats) == ("pass", None)
    assert section_ids.decide("e:1.a.i", ids, formats) == ("redirect", "e:1.a.i")
    assert section_ids.decide("e:1.a.i.json", ids, formats) == ("pass", None)
    assert section_ids.decide("e:1.a.ii", ids, formats) == ("missing", None)
    assert section_ids.decide("e~3A1~2Ea", ids, formats) == ("pass", None)


def test_a_cited_id_opens_its_section_in_the_browser(server, new_page, connection):
    title = connection.execute("select title from sections where id = 'cbi-2023:4.b.ii'").fetchone()[0]
    page = new_page(1400, 1000)
    response = page.goto(f"{server}/{DB}/sections/cbi-2023:4.b.ii")
    assert response.status == 200
    assert page.url == f"{server}/{DB}/sections/cbi-2023~3A4~2Eb~2Eii"
    assert title in page.locator("body").inner_text()
    data = json.loads(page.request.get(f"{server}/{DB}/sections/cbi-2023:4.b.ii.json").text())
    assert [row[0] for row in data["rows"]] == ["cbi-2023:4.b.ii"]
    assert page.errors == []
