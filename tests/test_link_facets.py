"""The events' list facets (topics, countries, people) count the link tables (plugins/link_facets.py).

Their counts must be those of a plain GROUP BY over the link tables for the same
filter, on a synthetic edition of 10,000 events with random filters (fixed seed),
and those of Datasette's array facet on the real dataset. The synthetic build also passes SQLite's
integrity and foreign-key checks.
"""

import random
import sqlite3
from urllib.parse import urlencode

import pytest
from site_client import Site

import build
from bench.synth import Synth

DB = "binational"
LISTS = ("topics", "countries", "people")
# The plain GROUP BY of each list over its link table; people are counted by name, once per event.
GROUP_BY = {
    "topics": "select topic_id, count(*) from event_topics where event_id in (select id from events e where {where}) group by topic_id",
    "countries": "select country_id, count(*) from event_countries where event_id in (select id from events e where {where}) "
    "group by country_id",
    "people": "select p.name, count(distinct ep.event_id) from event_people ep join people p on p.id = ep.person_id "
    "where ep.event_id in (select id from events e where {where}) group by p.name",
}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    Synth(10_000, seed=13, per_edition=10_000).write(folder / "sources")
    build.write_database(build.load_sources(folder / "sources"), folder / "binational.db")
    site = Site(folder / "binational.db")
    connection = sqlite3.connect(folder / "binational.db")
    yield site, connection
    connection.close()
    site.close()


def facets(site, query):
    """{list: {value: count}} of the events page for a query string; every value (_facet_size=max)."""
    data = site.json(f"/{DB}/events.json?_size=0&_facet_size=max&{query}")
    assert set(LISTS) <= set(data["facet_results"])  # a facet that timed out would be missing
    assert all(not data["facet_results"][name]["truncated"] for name in LISTS)
    return {name: {item["value"]: item["count"] for item in data["facet_results"][name]["results"]} for name in LISTS}


def random_filters(connection, rng):
    """One to three filters as (query pairs, SQL condition on events e, parameters), drawn from the data."""

    def pick(sql):
        return rng.choice([row[0] for row in connection.execute(sql)])

    makers = [
        lambda: ("year", str(pick("select distinct year from events where year is not null")), "e.year = :{p}"),
        lambda: ("event_type", pick("select distinct event_type from events"), "e.event_type = :{p}"),
        lambda: ("place_id", pick("select distinct place_id from events where place_id is not null"), "e.place_id = :{p}"),
        lambda: (
            "topics__arraycontains",
            pick("select id from topics"),
            "e.id in (select event_id from event_topics where topic_id = :{p})",
        ),
        lambda: (
            "countries__arraycontains",
            pick("select id from countries where id in (select country_id from event_countries)"),
            "e.id in (select event_id from event_countries where country_id = :{p})",
        ),
        lambda: (
            "people__arraycontains",
            pick("select name from people where id in (select person_id from event_people) order by id"),
            "e.id in (select ep.event_id from event_people ep join people pp on pp.id = ep.person_id where pp.name = :{p})",
        ),
        lambda: ("_search", rng.choice([w for w in pick("select summary from events").split() if w.isalpha() and len(w) > 4]), None),
    ]
    pairs, conditions, params = [], [], {}
    for number, make in enumerate(rng.sample(makers, rng.randint(1, 3))):
        key, value, condition = make()
        name = f"v{number}"
        pairs.append((key, value))
        params[name] = value
        if condition is None:  # full-text search, as Datasette's _search asks it
            condition = f"e.rowid in (select rowid from events_fts where events_fts match escape_fts(:{name}))"
        conditions.append(condition.format(p=name))
    return pairs, " and ".join(conditions), params


def test_link_facets_count_like_a_group_by_over_the_link_tables(synthetic):
    site, connection = synthetic
    connection.create_function("escape_fts", 1, lambda q: " ".join(f'"{t}"' for t in q.split()))
    rng = random.Random(13)
    cases = [([], "1", {})] + [random_filters(connection, rng) for _ in range(30)]
    matched = 0
    for pairs, where, params in cases:
        got = facets(site, urlencode(pairs))
        for name in LISTS:
            expected = dict(connection.execute(GROUP_BY[name].format(where=where), params).fetchall())
            assert got[name] == {str(k): v for k, v in expected.items()}, (pairs, name)
        matched += bool(got["topics"])
    assert matched >= 20  # most random filters select some events: the comparison is not of empty facets


def test_link_facets_equal_the_array_facets_on_the_real_dataset(site):
    lists = "&".join(f"_facet_array={name}" for name in LISTS)
    for query in ["", "year=2023", "topics__arraycontains=security", "_search=water", "people__arraycontains=Alicia+B%C3%A1rcena+Ibarra"]:
        results = site.json(f"/{DB}/events.json?_size=0&_facet_size=max&{lists}&{query}")["facet_results"].values()
        by_type = {(facet["name"], facet["type"]): [(v["value"], v["count"], v["selected"]) for v in facet["results"]] for facet in results}
        for name in LISTS:
            assert by_type[(name, "link")] == by_type[(name, "array")], (query, name)
            assert by_type[(name, "link")], (query, name)


def test_a_synthetic_build_passes_sqlites_integrity_and_foreign_key_checks(synthetic):
    _, connection = synthetic
    assert connection.execute("pragma integrity_check").fetchall() == [("ok",)]
    assert connection.execute("pragma foreign_key_check").fetchall() == []
    assert connection.execute("select count(*) from events").fetchone() == (10_000,)
