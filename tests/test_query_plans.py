"""Query plans: facets and canned queries read indexes or summary tables, searches use full-text indexes.

Deterministic checks of how queries will scale (SQLite's plans for this schema),
apart from the timings in BENCHMARKS.md.
"""

import re

import pytest
from site_client import METADATA, load_plugin

QUERIES = METADATA["databases"]["binational"]["queries"]
counted_facets = load_plugin("counted_facets")
EVENT_FACETS = counted_facets.declared_facets(METADATA["databases"]["binational"]["tables"]["events"])
EVENT_FACET_COLUMNS = sorted(column for column, declaration in EVENT_FACETS.items() if not declaration.get("through"))
SAMPLE_PARAMETERS = {
    "name": "Barcena",
    "q": "fentanyl",
    "year": "2023",
    "place": "Mexico",
    "unit": "USD",
    "kind": "date-conflict",
    "mechanism_id": "trilateral-fentanyl-committee",
    "person_id": "alicia-barcena",
    "place_id": "mexico-city",
    "mechanism": "Bicentennial",
    "event": "visit",
}
# Scanning these whole is fine: registries and summaries whose size does not grow with the number of events.
SMALL_TABLES = {"places", "topics", "countries", "mechanisms", "reports", "dataset_info"}
# SQLite's plans name a table by its alias: `from places p`, `left join places city`.
ALIAS = re.compile(
    r"\b(?:from|join)\s+(\w+)(?:\s+as)?\s+(?!on\b|where\b|join\b|left\b|group\b|order\b|limit\b|union\b)(\w+)", re.IGNORECASE
)


# A common table expression: its own plan steps are checked where it is built, so reading it back is not a scan.
CTE = re.compile(r"(?:\bwith|,)\s+(\w+)\s+as\s+(?:not\s+)?(?:materialized\s+)?\(", re.IGNORECASE)


def aliases(sql):
    """alias -> table for every `from TABLE ALIAS` and `join TABLE ALIAS` in the SQL."""
    return {alias: table for table, alias in ALIAS.findall(sql)}


def plan(connection, sql, params=None):
    return [row[3] for row in connection.execute("explain query plan " + sql, params or {})]


def full_scans(steps, sql="", covering_index_scans=False):
    """Plan steps that read a whole table without an index (aliases resolved to their tables).

    With covering_index_scans, also those that read the whole of one of its indexes: as slow, for a
    page about one row, as reading the table.
    """
    names = aliases(sql)
    expressions = set(CTE.findall(sql))
    scans = []
    for step in steps:
        match = re.match(r"SCAN (\w+)", step)
        if not match or "VIRTUAL TABLE" in step or step == "SCAN CONSTANT ROW" or match.group(1) in expressions:
            continue
        reads_index = "INDEX" in step and not (covering_index_scans and "COVERING INDEX" in step)
        if not reads_index and names.get(match.group(1), match.group(1)) not in SMALL_TABLES:
            scans.append(step)
    return scans


def test_aliases_are_resolved():
    sql = "select * from places p left join places city on city.id = p.parent_id join events e on e.place_id = p.id"
    assert aliases(sql) == {"p": "places", "city": "places", "e": "events"}
    assert full_scans(["SCAN p", "SCAN city", "SCAN e"], sql) == ["SCAN e"]


def test_common_table_expressions_are_read_back_not_scanned():
    sql = "with shown as (select event_id from event_people limit 5), kept as materialized (select 1) select * from shown, kept, events"
    assert full_scans(["SCAN shown", "SCAN kept", "SCAN events"], sql) == ["SCAN events"]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_canned_query_uses_indexes(connection, name):
    sql = QUERIES[name]["sql"]
    params = {p: SAMPLE_PARAMETERS[p] for p in set(re.findall(r"(?<!:):([a-z_]+)", sql))}
    assert full_scans(plan(connection, sql, params), sql) == []


@pytest.mark.parametrize("column", EVENT_FACET_COLUMNS)
def test_datasettes_facet_of_an_event_column_reads_an_index(connection, column):
    sql = (
        f"select {column} as value, count(*) as count from (select * from events) "
        f"where {column} is not null group by {column} order by count desc, value limit 31"
    )
    steps = plan(connection, sql)
    assert any("USING COVERING INDEX" in step for step in steps), steps


@pytest.mark.parametrize(
    "sql",
    [
        "select rowid from events_fts where events_fts match :q",
        "select e.id from events e where e.rowid in (select rowid from events_fts where events_fts match :q)",
        "select s.id from sections s join sections_fts on sections_fts.rowid = s.rowid where sections_fts match :q",
    ],
)
def test_search_uses_the_full_text_index(connection, sql):
    steps = plan(connection, sql, {"q": "fentanyl"})
    assert any("VIRTUAL TABLE INDEX" in step for step in steps), steps
    assert full_scans(steps, sql) == []


def facet_parameters(declarations, params):
    return {**params, **{f"f{number}": d["column"] for number, d in enumerate(declarations)}, "limit": 31}


def test_unfiltered_facets_read_the_summary_through_its_index(connection):
    declarations = list(EVENT_FACETS.values())
    sql = counted_facets.summary_sql(declarations)
    steps = plan(connection, sql, facet_parameters(declarations, {}))
    assert full_scans(steps, sql) == [], steps
    assert sum("SEARCH summary_event_facets USING" in step for step in steps) == len(declarations), steps


@pytest.mark.parametrize(
    "filtered, params",
    [
        ('select * from [events] where "year" = :p0', {"p0": 2023}),
        ("select * from [events] where rowid in (select rowid from [events_fts] where [events_fts] match :search)", {"search": "water"}),
    ],
)
def test_filtered_facets_read_the_matching_events_once_and_their_links_by_key(connection, filtered, params):
    declarations = list(EVENT_FACETS.values())
    sql = counted_facets.filtered_sql(filtered, declarations)
    steps = plan(connection, sql, facet_parameters(declarations, params))
    # `matched` is not a table: it holds the page's matching events, read once by each facet.
    assert [step for step in full_scans(steps, sql) if step != "SCAN matched"] == [], steps
    assert sum(step.startswith("MATERIALIZE matched") for step in steps) == 1, steps
    # Each matching event's links are looked up by the link table's primary key (event_id first).
    lists = [d for d in declarations if d.get("through")]
    assert sum(bool(re.match(r"SEARCH l USING (COVERING )?INDEX sqlite_autoindex_", step)) for step in steps) == len(lists), steps


entity_pages = load_plugin("entity_pages")
ENTITY_SECTIONS = [(table, section) for table, page in sorted(entity_pages.PAGES.items()) for section in page.sections]


# Statements name their topics in a JSON list, with no link table: a topic's page reads them all
# (200,000 statements at 10^6 synthetic events: about 0.2 s for a topic in none of them).
READS_EVERY_STATEMENT = {("topics", "What the report says on it")}


@pytest.mark.parametrize("table, section", ENTITY_SECTIONS, ids=[f"{table}: {section.title}" for table, section in ENTITY_SECTIONS])
def test_entity_page_sections_read_only_the_rows_of_their_entity(connection, table, section):
    scans = full_scans(plan(connection, section.sql, {"id": "x"}), section.sql, covering_index_scans=True)
    assert scans == (["SCAN s"] if (table, section.title) in READS_EVERY_STATEMENT else [])


def test_a_scan_of_a_whole_index_is_a_full_scan_for_an_entity_page(connection):
    # How the place page read every event's place before it asked for the place and the places inside it.
    sql = "select x.event_id from event_places x join places pl on pl.id = x.place_id where x.place_id = :id or pl.parent_id = :id"
    assert full_scans(plan(connection, sql, {"id": "x"}), sql) == []
    assert full_scans(plan(connection, sql, {"id": "x"}), sql, covering_index_scans=True) == [
        "SCAN x USING COVERING INDEX sqlite_autoindex_event_places_1"
    ]


IN_DATE_ORDER = [(table, section) for table, section in ENTITY_SECTIONS if section.in_date_order]


@pytest.mark.parametrize("table, section", IN_DATE_ORDER, ids=[f"{table}: {section.title}" for table, section in IN_DATE_ORDER])
def test_an_entity_in_many_events_walks_the_date_index_and_looks_up_each_link(connection, table, section):
    steps = plan(connection, section.in_date_order.sql, {"id": "x"})
    link = {"people": "ep", "topics": "et"}[table]
    assert steps[0] == "SCAN e USING INDEX idx_events_date_order"
    assert re.fullmatch(rf"SEARCH {link} USING (COVERING )?INDEX sqlite_autoindex_\w+_1 \(event_id=\? AND \w+_id=\?\)", steps[1]), steps
    assert "USE TEMP B-TREE FOR ORDER BY" not in steps  # only for the right part: the first rows come without sorting them all
    assert plan(connection, section.in_date_order.count_sql, {"id": "x"})[0].startswith("SEARCH summary_events_by_")
