"""The events page's facets are counted once per page (plugins/counted_facets.py).

On a synthetic edition of 10,000 events with random filters (fixed seed), the list facets' counts
must be those of a plain GROUP BY over the link tables for the same filter, and every column facet
must be exactly Datasette's own column facet (values, labels, counts, toggles); on the real dataset
the list facets must be exactly Datasette's array facets. The synthetic build also passes SQLite's
integrity and foreign-key checks, and its busiest pairs of people list their first event ids.
"""

import json
import random
from urllib.parse import urlencode

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


COLUMNS = ("chapter", "event_type", "mechanism_id", "mode", "month", "place_id")
DATASETTE_FACETS = "&".join(f"_facet={column}" for column in COLUMNS)


def facet_results(site, query, extra=""):
    """{(name, type): [(value, label, count, selected, toggle_url)]} of the events page; every value (_facet_size=max)."""
    data = site.json(f"/{DB}/events.json?_size=0&_facet_size=max&{extra}&{query}")
    return {
        (facet["name"], facet["type"]): [(v["value"], v["label"], v["count"], v["selected"], v["toggle_url"]) for v in facet["results"]]
        for facet in data["facet_results"].values()
    }


def facets(site, query):
    """{list: {value: count}} of the events page's counted list facets for a query string."""
    results = facet_results(site, query)
    assert {name for name, kind in results if kind == "counted"} == set(COLUMNS) | set(LISTS)  # nine, none timed out
    return {name: {value: count for value, _, count, _, _ in results[(name, "counted")]} for name in LISTS}


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


def test_list_facets_count_like_a_group_by_over_the_link_tables(synthetic):
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


def test_column_facets_are_exactly_datasettes_column_facets(synthetic):
    site, connection = synthetic
    connection.create_function("escape_fts", 1, lambda q: " ".join(f'"{t}"' for t in q.split()))
    rng = random.Random(17)
    cases = [[]] + [random_filters(connection, rng)[0] for _ in range(20)]
    for pairs in cases:
        results = facet_results(site, urlencode(pairs), DATASETTE_FACETS)
        for column in COLUMNS:
            assert results[(column, "counted")] == results[(column, "column")], (pairs, column)


def test_list_facets_are_exactly_datasettes_array_facets_on_the_real_dataset(site):
    lists = "&".join(f"_facet_array={name}" for name in LISTS)
    for query in ["", "year=2023", "topics__arraycontains=security", "_search=water", "people__arraycontains=Alicia+B%C3%A1rcena+Ibarra"]:
        results = facet_results(site, query, lists)
        for name in LISTS:
            assert results[(name, "counted")] == results[(name, "array")], (query, name)
            assert results[(name, "counted")], (query, name)


def test_column_facets_are_exactly_datasettes_column_facets_on_the_real_dataset(site):
    for query in ["", "year=2023", "place_id=mexico-city", "_search=water", "mechanism_id=high-level-economic-dialogue"]:
        results = facet_results(site, query, DATASETTE_FACETS)
        for column in COLUMNS:
            assert results[(column, "counted")] == results[(column, "column")], (query, column)
        assert any(results[(column, "counted")] for column in COLUMNS), query


def test_the_unfiltered_page_reads_the_summary_and_a_filtered_page_the_events(site):
    unfiltered = facet_results(site, "")
    assert unfiltered[("event_type", "counted")][0][:4] == ("meeting", "meeting", 21, False)
    assert [count for _, _, count, _, _ in unfiltered[("countries", "counted")]] == [55, 54, 11]
    filtered = facet_results(site, "event_type=meeting")
    assert filtered[("event_type", "counted")] == [
        ("meeting", "meeting", 21, True, "http://localhost/binational/events.json?_size=0&_facet_size=max")
    ]


def test_a_synthetic_build_passes_sqlites_integrity_and_foreign_key_checks(synthetic):
    _, connection = synthetic
    assert connection.execute("pragma integrity_check").fetchall() == [("ok",)]
    assert connection.execute("pragma foreign_key_check").fetchall() == []
    assert connection.execute("select count(*) from events").fetchone() == (10_000,)


def test_a_pair_that_shared_many_events_lists_the_first_of_them_and_counts_them_all(synthetic):
    _, connection = synthetic
    busiest = connection.execute(
        "select person_a_id, person_b_id, events, event_ids from people_pairs where events > 100 order by events desc, person_a_id"
    ).fetchall()
    assert len(busiest) == 36
    for a, b, events, event_ids in busiest[:3] + busiest[-3:]:
        shared = [
            row[0]
            for row in connection.execute(
                "select a.event_id from event_people a join event_people b on b.event_id = a.event_id "
                "where a.person_id = ? and b.person_id = ? and a.present and b.present group by a.event_id order by a.event_id",
                (a, b),
            )
        ]
        assert (len(shared), json.loads(event_ids)) == (events, shared[:100])
