"""The facts a reader checks first, pinned to what the report says."""

import pytest


def rows(connection, sql, params=()):
    return [tuple(row) for row in connection.execute(sql, params).fetchall()]


def test_events_per_chapter(connection):
    assert rows(connection, "select chapter, count(*) from events group by chapter") == [
        (2, 20),
        (3, 10),
        (4, 13),
        (5, 10),
        (6, 4),
        (8, 2),
    ]


def test_numbered_meetings_and_their_dates(connection):
    sql = "select id, ordinal, start_date, end_date from events where ordinal is not null order by start_date, id"
    assert rows(connection, sql) == [
        ("cbi-2023-nals-10", 10, "2023-01-10", None),
        ("cbi-2023-kerry-mexico-visit-march", 7, "2023-03-20", "2023-03-22"),
        ("cbi-2023-tfc-1", 1, "2023-04-13", None),
        ("cbi-2023-southeast-governors-meeting-7", 7, "2023-04-18", None),
        ("cbi-2023-tfc-2", 2, "2023-07-25", None),
        ("cbi-2023-ceo-dialogue-13", 13, "2023-09-28", None),
        ("cbi-2023-hled-2023", 3, "2023-09-28", None),
        ("cbi-2023-probem-30", 30, "2023-10-08", "2023-10-10"),
        ("cbi-2023-consular-dialogue-21", 21, "2023-10-31", None),
        ("cbi-2023-apep-summit-nov", 1, "2023-11-05", None),
        ("cbi-2023-tfc-3", 3, "2023-12-19", None),
    ]


def test_who_led_each_delegation(connection):
    sql = """
        select ep.event_id, ep.person_id, ep.title from event_people ep join events e on e.id = ep.event_id
        where ep.role = 'delegation-leader' order by e.start_date, ep.event_id, ep.person_id
    """
    assert rows(connection, sql) == [
        ("cbi-2023-cornyn-codel-national-palace", "john-cornyn", "Republican Senator from Texas"),
        ("cbi-2023-bicentennial-white-house-meeting", "rosa-icela-rodriguez", "Secretary of Security Citizen Protection"),
        ("cbi-2023-mx-delegation-washington-2023-05", "laura-carrillo", None),
        ("cbi-2023-mx-delegation-washington-2023-05", "roberto-velasco", None),
        ("cbi-2023-mx-delegation-white-house-2023-05", "laura-carrillo", None),
        ("cbi-2023-mx-delegation-white-house-2023-05", "roberto-velasco", None),
        ("cbi-2023-barcena-washington-aug", "alicia-barcena", "Foreign Secretary"),
    ]


def test_trilateral_fentanyl_committee_co_chairs(connection):
    sql = "select event_id, person_id, role from event_people where event_id like 'cbi-2023-tfc-%' order by event_id, rowid"
    assert rows(connection, sql) == [
        ("cbi-2023-tfc-1", "elizabeth-sherwood-randall", "co-chair"),
        ("cbi-2023-tfc-1", "rosa-icela-rodriguez", "co-chair"),
        ("cbi-2023-tfc-1", "jody-thomas", "co-chair"),
        ("cbi-2023-tfc-2", "rosa-icela-rodriguez", "host"),
        ("cbi-2023-tfc-2", "elizabeth-sherwood-randall", "co-chair"),
        ("cbi-2023-tfc-2", "jody-thomas", "co-chair"),
        ("cbi-2023-tfc-2", "richard-verma", "participant"),
        ("cbi-2023-tfc-3", "elizabeth-sherwood-randall", "host"),
        ("cbi-2023-tfc-establishment", "joseph-biden", "founder"),
        ("cbi-2023-tfc-establishment", "andres-manuel-lopez-obrador", "founder"),
        ("cbi-2023-tfc-establishment", "justin-trudeau", "founder"),
    ]


def test_every_figure(connection):
    sql = "select id, value, unit, lower_bound, approximate, as_of from figures order by rowid"
    assert rows(connection, sql) == [
        ("dna-pillars", 6.0, "pillars", None, None, "2023-01-10"),
        ("mx-us-trade-2022-ebrard", 779300000000.0, "USD", None, None, "2022"),
        ("mexico-utah-trade-jobs", 51000.0, "jobs", 1, None, "2023"),
        ("us-mx-total-trade-2022-hled", 864000000000.0, "USD", None, None, "2022"),
        ("probem-2023-students", 6000.0, "students", 1, None, "2023"),
        ("probem-2023-teachers", 79.0, "teachers", None, None, "2023"),
        ("bicentennial-national-palace-delegations", 2.0, "delegations", None, None, "2023-03-09"),
        ("stolen-funds-returned-to-mexico", 25000000.0, "USD", None, 1, None),
        ("tfc-priority-areas", 4.0, "priority-areas", None, None, "2023-04-13"),
        ("tfc-1-governments", 3.0, "governments", None, None, "2023-04-13"),
        ("tfc-2-co-chairs", 3.0, "co-chairs", None, None, "2023-07-25"),
        ("tfc-founding-countries", 3.0, "countries", None, None, "2023-01"),
        ("transboundary-aquifers-total", 72.0, "aquifers", None, None, None),
        ("transboundary-aquifers-baja-california-california", 5.0, "aquifers", None, None, None),
        ("transboundary-aquifers-sonora-arizona", 26.0, "aquifers", None, None, None),
        ("transboundary-aquifers-texas-mexico", 33.0, "aquifers", None, None, None),
        ("transboundary-aquifers-good-moderate-share", 45.0, "percent", None, None, None),
        ("kerry-trips-to-mexico", 7.0, "trips", None, None, "2023-03"),
        ("southeast-governors-meetings", 7.0, "meetings", None, None, "2023-04-18"),
        ("california-artifacts-repatriated", 1294.0, "artifacts", None, None, "2023-09-19"),
        ("family-reunification-parole-people", 100000.0, "people", None, None, "2023-05-02"),
        ("consular-dialogue-meetings", 21.0, "meetings", None, None, "2023-10-31"),
    ]


def test_the_aquifer_parts_do_not_add_up_and_a_note_says_so(connection):
    parts = connection.execute(
        "select sum(value) from figures where id like 'transboundary-aquifers-%' and unit = 'aquifers' and id != 'transboundary-aquifers-total'"
    ).fetchone()[0]
    assert parts == 64.0
    assert rows(connection, "select kind, section_id from data_notes where id = 'aquifers-sum-mismatch'") == [
        ("sum-mismatch", "cbi-2023:5.a")
    ]


@pytest.mark.parametrize(
    "note, quotes",
    [
        (
            "ceo-dialogue-date",
            [
                (
                    "cbi-2023:3.e",
                    "On September 29, 2023, Mexican and U.S. business leaders and government officials gathered at the 13th U.S.-Mexico C.E.O. Dialogue",
                ),
                ("cbi-2023:3.e", "The event, held on September 28"),
            ],
        ),
        (
            "mx-us-trade-2022-two-totals",
            [
                (
                    "cbi-2023:2.b",
                    "in 2022, trade between Mexico and the U.S. had reached an unprecedented milestone of 779.3 billion dollars",
                ),
                ("cbi-2023:3.c.ii", "U.S.-Mexico total trade reaching an all-time high of $864 billion in 2022"),
            ],
        ),
        (
            "kerry-visit-dates",
            [
                ("cbi-2023:5.c", "On March 22, 2023, Presidential Climate Envoy John Kerry embarked on his seventh trip to Mexico."),
                ("cbi-2023:5.c", "During his March 20-22 visit"),
            ],
        ),
    ],
)
def test_data_note_quotes(connection, note, quotes):
    sql = "select section_id, quote from data_note_quotes where note_id = :note order by position"
    assert rows(connection, sql, {"note": note}) == quotes


def test_data_notes_by_kind(connection):
    assert dict(rows(connection, "select kind, count(*) from data_notes group by kind")) == {
        "date-conflict": 2,
        "detail-conflict": 1,
        "duplicated-text": 1,
        "first-not-first": 2,
        "garbled-text": 6,
        "heading-not-supported": 5,
        "index-body-mismatch": 11,
        "missing-date": 11,
        "missing-text": 4,
        "name-variant": 4,
        "sum-mismatch": 1,
        "total-conflict": 1,
        "unstated-link": 2,
    }
