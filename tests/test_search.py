"""Search that finds what people type: through the events table's search box, the search canned query and the
site-wide search, with stemming, accent folding, prefixes, the names of an event's people, places and
institutions, and any input read as plain text."""

import sqlite3
from urllib.parse import quote

import pytest
from site_client import load_plugin

DB = "binational"
search_queries = load_plugin("search_queries")


def event_search(site, text, table="events"):
    return [row["id"] for row in site.json(f"/{DB}/{table}.json?_shape=array&_size=max&_col=id&_search={quote(text)}")]


def canned_search(site, text):
    return [(row["kind"], row["id"]) for row in site.json(f"/{DB}/search.json?_shape=array&q={quote(text)}")]


@pytest.mark.parametrize(
    "text, query",
    [
        ("Sherwood", '"Sherwood"*'),
        # The letters after "educ", the stem of "education", could begin a porter suffix ("ation").
        ("educa", '("educa"* OR "educ")'),
        ("cooperati", '("cooperati"* OR "cooperat" OR "coopera" OR "cooper")'),
        ("GOVERNM", '("GOVERNM"* OR "GOVERN")'),
        # "tee" begins no suffix: "committee" does not also find "commit".
        ("committee", '("committee"* OR "committe" OR "committ")'),
        ("Lopez Obr", '"Lopez"* AND "Obr"*'),
        ("López", '"López"*'),
        # Combining accents are composed first, so the word is not split at the accent.
        ("Lo\u0301pez", '"López"*'),
        ("fent", '"fent"*'),
        ('NEAR("a" "b") OR *', '"NEAR"* AND "a"* AND "b"* AND "OR"*'),
        # "all" could begin the suffix "alli": "Randall" is also tried as "Rand".
        ("Sherwood-Randall", '"Sherwood"* AND ("Randall"* OR "Rand")'),
        ("snake_case", '("snake"* OR "snak") AND "case"*'),
        ('"', '""'),
        ("", '""'),
        ("- * ^ : ( ) ; %", '""'),
        (None, '""'),
    ],
)
def test_fts_query(text, query):
    assert search_queries.fts_query(text) == query


def test_fts_query_keeps_at_most_32_words():
    assert search_queries.fts_query(" ".join(f"w{n}" for n in range(40))) == " AND ".join(f'"w{n}"*' for n in range(32))


def test_a_participant_finds_every_event_that_lists_them(site, connection):
    # The case: Sherwood found 4 of her 5 events when only an event's own words were searched.
    assert sorted(event_search(site, "Sherwood")) == [
        "cbi-2023-amlo-sherwood-randall-migration-meeting",
        "cbi-2023-bicentennial-white-house-meeting",
        "cbi-2023-tfc-1",
        "cbi-2023-tfc-2",
        "cbi-2023-tfc-3",
    ]
    missing = {}
    for person_id, name in connection.execute("select id, name from people where id in (select person_id from event_people)"):
        listed = {row[0] for row in connection.execute("select event_id from event_people where person_id = :p", {"p": person_id})}
        found = set(event_search(site, name))
        if listed - found:
            missing[name] = sorted(listed - found)
    assert missing == {}


def test_an_alias_finds_the_events_too(site):
    # "Homeland Security Advisor Liz Sherwood-Randall hosted 3rd Trilateral Fentanyl Committee Meeting" uses the short name;
    # the other four events use "Dr. Elizabeth Sherwood-Randall".
    assert len(event_search(site, "Liz Sherwood-Randall")) == 5
    assert event_search(site, "Ciudad Juarez") == ["cbi-2023-verma-mexico-trip"]
    assert sorted(event_search(site, "Bicentennial")) == [
        "cbi-2023-bicentennial-framework-established",
        "cbi-2023-bicentennial-national-palace-meeting",
        "cbi-2023-bicentennial-phase-2-launch",
        "cbi-2023-bicentennial-white-house-meeting",
        "cbi-2023-ebrard-us-lawmakers-2023-02",
        "cbi-2023-hlsd-2023",
        "cbi-2023-stolen-funds-return",
    ]


def test_singular_and_plural_and_accents_find_the_same(site):
    assert event_search(site, "aquifer") == event_search(site, "aquifers") == ["cbi-2023-transboundary-aquifers-map"]
    assert event_search(site, "committee") == event_search(site, "committees")
    assert event_search(site, "Lopez Obrador") == event_search(site, "López Obrador")
    assert sorted(event_search(site, "Lopez Obrador")) == [
        "cbi-2023-amlo-buttigieg-aifa",
        "cbi-2023-amlo-sherwood-randall-migration-meeting",
        "cbi-2023-amlo-us-delegation-jul-24",
        "cbi-2023-amlo-us-lawmakers-2023-03-13",
        "cbi-2023-apep-summit-nov",
        "cbi-2023-barcena-washington-nov",
        "cbi-2023-biden-amlo-call-2023-05",
        "cbi-2023-cornyn-codel-national-palace",
        "cbi-2023-declaration-of-north-america",
        "cbi-2023-kerry-mexico-visit-march",
        "cbi-2023-nals-10",
        "cbi-2023-tfc-establishment",
    ]


def test_the_start_of_a_word_is_enough(site):
    assert event_search(site, "Sherw") == event_search(site, "Sherwood")
    assert event_search(site, "fentan") == event_search(site, "fentanyl")
    # "education" is indexed by its stem, "educ": a partial word that runs past it still finds it.
    assert (
        event_search(site, "educa")
        == event_search(site, "education")
        == [
            "cbi-2023-usmf-policy-agenda-2018",
            "cbi-2023-apep-jan",
            "cbi-2023-probem-30",
        ]
    )
    rows = site.json(f"/{DB}/attended_by.json?_shape=array&name=Barc")
    assert {row["person"] for row in rows} == {"Alicia Bárcena Ibarra"}
    assert len(rows) == 6


def test_figures_and_statements_are_searchable(site):
    assert sorted(event_search(site, "aquifers", table="figures")) == [
        "transboundary-aquifers-baja-california-california",
        "transboundary-aquifers-good-moderate-share",
        "transboundary-aquifers-sonora-arizona",
        "transboundary-aquifers-texas-mexico",
        "transboundary-aquifers-total",
    ]
    assert event_search(site, "documentation", table="statements") == ["consular-21-discussions"]
    found = canned_search(site, "aquifers")
    assert [kind for kind, _ in found].count("figure") == 5
    assert ("statement", "aquifers-overlooked") in canned_search(site, "groundwater")
    assert ("event", "cbi-2023-transboundary-aquifers-map") in found
    assert ("section", "cbi-2023:5.a") in found


HOSTILE_INPUT = [
    '"',
    '"unbalanced',
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "-",
    "*",
    "()",
    "NEAR(",
    "^",
    ":",
    "a:b",
    '""',
    "'",
    "\\",
    "%",
    "_",
    "-fentanyl",
    "fent*",
    "+",
    "?!",
]


@pytest.mark.parametrize("text", HOSTILE_INPUT)
def test_any_input_gives_results_never_an_error(site, text):
    words = " ".join(search_queries.WORD.findall(text))
    for table in ("events", "people", "sections", "statements", "figures", "organizations", "mechanisms", "places"):
        assert event_search(site, text, table) == event_search(site, words, table), (table, text)
    assert canned_search(site, text) == canned_search(site, words)
    response = site.get(f"/-/search?q={quote(text)}")
    assert response.status_code == 200
    for name, parameter in (("attended_by", "name"), ("who_met_whom", "name"), ("events_of_mechanism", "mechanism")):
        assert site.get(f"/{DB}/{name}.json?_shape=array&{parameter}={quote(text)}").status_code == 200


def test_operators_are_plain_words(site):
    # "AND" is the word "and", which most events contain; "-fentanyl" finds fentanyl rather than excluding it.
    assert len(event_search(site, "AND")) == 56
    assert event_search(site, "-fentanyl") == event_search(site, "fentanyl")
    assert event_search(site, "*") == []
    assert canned_search(site, '"') == []


def test_raw_search_syntax_errors_are_explained(site):
    response = site.get(f"/{DB}/events.json?_searchmode=raw&_search=%22")
    assert response.status_code == 400
    assert response.json()["title"] == "Search not understood"
    assert response.json()["error"] == load_plugin("error_pages").RAW_SEARCH_MESSAGE
    page = site.get(f"/{DB}/events?_searchmode=raw&_search=%22")
    assert page.status_code == 400
    assert "Search without _searchmode=raw to find the words as typed" in page.text
    assert "unterminated string" not in page.text
    raw = site.json(f"/{DB}/events.json?_shape=array&_size=max&_col=id&_searchmode=raw&_search=fent*")
    assert [row["id"] for row in raw] == event_search(site, "fentanyl")


def test_a_common_word_is_ranked_among_the_latest_matches_only():
    site_search = load_plugin("site_search")
    connection = sqlite3.connect(":memory:")
    search_queries.prepare_connection(connection)
    connection.execute("create table people (id text, name text)")
    connection.execute("create virtual table people_fts using fts5 (name, content=people)")
    # 2,500 matches of "word"; the best (shortest) are the 500 oldest, which are outside the 2,000 ranked.
    names = ["word rare" if n in (0, 2499) else "word" if n < 500 else "word" + " filler" * 30 for n in range(2500)]
    rows = [(n + 1, f"p{n + 1}", name) for n, name in enumerate(names)]
    connection.executemany("insert into people (rowid, id, name) values (?, ?, ?)", rows)
    connection.execute("insert into people_fts (people_fts) values ('rebuild')")
    kind = next(kind for kind in site_search.KINDS if kind.table == "people")
    ids = [row[0] for row in connection.execute(site_search.kind_sql(kind), {"q": "word"})]
    assert site_search.CANDIDATES == 2000
    assert len(ids) == site_search.PER_KIND + 1
    assert ids[0] == "p2500"  # the shortest of the latest 2,000 matches
    assert min(int(i[1:]) for i in ids) == 501
    # Fewer matches than CANDIDATES: every one is ranked, the oldest too.
    assert [row[0] for row in connection.execute(site_search.kind_sql(kind), {"q": "rare"})] == ["p1", "p2500"]
