"""The event model, pinned to what the report says: places and mechanisms per event, visits and their parts,
who was there, basis markers, the CBI's four types, and the corrections each with the report's words."""

import json

import pytest
from helpers import SOURCES


def rows(connection, sql, params=()):
    return [tuple(row) for row in connection.execute(sql, params).fetchall()]


# ---------------------------------------------------------------- places and mechanisms per event


def test_verma_trip_went_to_mexico_city_and_ciudad_juarez(connection):
    # "Deputy Secretary of State Richard R. Verma's visit to Mexico City and Ciudad Juárez from July 24-26" (2.h)
    assert rows(connection, "select place_id, role from event_places where event_id = 'cbi-2023-verma-mexico-trip' order by rowid") == [
        ("mexico-city", "visited"),
        ("ciudad-juarez", "visited"),
    ]
    assert rows(connection, "select place_id from events where id = 'cbi-2023-verma-mexico-trip'") == [("mexico-city",)]
    assert rows(connection, "select events, recent_events from summary_events_by_place where place_id = 'ciudad-juarez'") == [
        (1, '["Deputy Secretary of State Verma\'s trip to Mexico City and Ciudad Juárez"]')
    ]


def test_a_city_counts_the_events_in_its_buildings(connection):
    assert rows(connection, "select place_id, events from summary_events_by_place where events > 0 order by events desc, place_id") == [
        ("mexico-city", 12),
        ("washington-dc", 9),
        ("white-house", 3),
        ("foreign-ministry", 2),
        ("national-palace", 2),
        ("ciudad-juarez", 1),
        ("felipe-angeles-international-airport", 1),
        ("matamoros", 1),
        ("zacatecas", 1),
    ]


def test_the_bicentennial_framework_has_every_event_linked_to_it(connection):
    sql = """
        select em.event_id, em.role, e.start_date from event_mechanisms em join events e on e.id = em.event_id
        where em.mechanism_id = 'bicentennial-framework' order by e.start_date, e.id
    """
    assert rows(connection, sql) == [
        ("cbi-2023-bicentennial-phase-2-launch", "under", None),
        ("cbi-2023-stolen-funds-return", "under", None),
        ("cbi-2023-bicentennial-framework-established", "establishes", "2021"),
        ("cbi-2023-ebrard-us-lawmakers-2023-02", "discusses", "2023-02-20"),
        ("cbi-2023-bicentennial-national-palace-meeting", "under", "2023-03-09"),
        ("cbi-2023-bicentennial-white-house-meeting", "under", "2023-04-13"),
        ("cbi-2023-hlsd-2023", "under", "2023-10-13"),
    ]
    assert rows(
        connection, "select cbi_type, events, first, last from summary_events_by_mechanism where mechanism_id = 'bicentennial-framework'"
    ) == [("agreement", 7, "2021", "2023-10-13")]
    # "reaffirmed their partnership ... through the U.S.-Mexico Bicentennial Framework ... at the 2023 High-Level Security Dialogue"
    assert rows(connection, "select mechanism_id, role from event_mechanisms where event_id = 'cbi-2023-hlsd-2023' order by rowid") == [
        ("high-level-security-dialogue", "meeting-of"),
        ("bicentennial-framework", "under"),
    ]


@pytest.mark.parametrize(
    "event_id, place_id, mechanism_id",
    [
        ("cbi-2023-hlsd-2023", None, "high-level-security-dialogue"),
        ("cbi-2023-consular-dialogue-intermediary-meeting", "foreign-ministry", "consular-dialogue"),
        ("cbi-2023-codel-foreign-ministry-velasco", "foreign-ministry", None),
        ("cbi-2023-amlo-sherwood-randall-migration-meeting", "mexico-city", "joint-humanitarian-plan-on-migration"),
        # Only discussed there: neither the Bicentennial Framework nor the Sonora Plan is its mechanism.
        ("cbi-2023-ebrard-us-lawmakers-2023-02", None, None),
        # Only about Utah: a subject is never the event's place.
        ("cbi-2023-jump-announcement", None, "joint-utah-mexico-partnership"),
    ],
)
def test_the_primary_place_and_mechanism_are_derived_from_the_links(connection, event_id, place_id, mechanism_id):
    assert rows(connection, "select place_id, mechanism_id from events where id = :id", {"id": event_id}) == [(place_id, mechanism_id)]


# ---------------------------------------------------------------- visits and their parts


def test_every_link_between_events(connection):
    assert rows(connection, "select event_id, relation, linked_event_id, section_id from event_links order by rowid") == [
        ("cbi-2023-nals-10", "follows", "cbi-2023-nabls-2023", "cbi-2023:3.a"),
        ("cbi-2023-declaration-of-north-america", "part-of", "cbi-2023-nals-10", None),
        ("cbi-2023-codel-foreign-ministry-velasco", "follows", "cbi-2023-cornyn-codel-national-palace", None),
        ("cbi-2023-mx-delegation-white-house-2023-05", "part-of", "cbi-2023-mx-delegation-washington-2023-05", None),
        ("cbi-2023-tfc-2", "part-of", "cbi-2023-verma-mexico-trip", "cbi-2023:2.h"),
        ("cbi-2023-sullivan-barcena-white-house", "part-of", "cbi-2023-barcena-washington-aug", None),
        ("cbi-2023-apep-summit-nov", "part-of", "cbi-2023-barcena-washington-nov", None),
        ("cbi-2023-barcena-yellen", "part-of", "cbi-2023-barcena-washington-nov", None),
        ("cbi-2023-hled-midterm-review", "follows", "cbi-2023-hled-ministerial-2022", None),
        ("cbi-2023-hled-ministerial-2023-planned", "held-as", "cbi-2023-hled-2023", "cbi-2023:3.c.ii"),
        ("cbi-2023-bicentennial-phase-2-launch", "follows", "cbi-2023-nals-10", None),
        ("cbi-2023-mx-decree-drugs-firearms-commission", "part-of", "cbi-2023-bicentennial-white-house-meeting", None),
        ("cbi-2023-tfc-establishment", "part-of", "cbi-2023-nals-10", None),
        ("cbi-2023-lgbti-political-leaders-conference", "part-of", "cbi-2023-stern-mexico-city-visit", None),
        ("cbi-2023-stern-lgbtqi-leaders-meetings", "part-of", "cbi-2023-stern-mexico-city-visit", None),
    ]
    assert rows(connection, "select quote from event_links where event_id = 'cbi-2023-codel-foreign-ministry-velasco'") == [
        (
            "After they met with President López Obrador, a U.S. congressional delegation engaged with the Mexican Chief "
            "Officer for North America, Roberto Velasco, at the Foreign Ministry on March 19",
        )
    ]


def test_each_visit_rolls_up_its_parts(connection):
    sql = "select event_id, parts, part_ids, people, places from summary_event_parts order by start_date, event_id"
    assert [(i, n, json.loads(ids), json.loads(people), json.loads(places)) for i, n, ids, people, places in rows(connection, sql)] == [
        (
            "cbi-2023-nals-10",
            2,
            ["cbi-2023-tfc-establishment", "cbi-2023-declaration-of-north-america"],
            ["Andrés Manuel López Obrador", "Joseph R. Biden", "Justin Trudeau"],
            ["Mexico City"],
        ),
        (
            "cbi-2023-bicentennial-white-house-meeting",
            1,
            ["cbi-2023-mx-decree-drugs-firearms-commission"],
            ["Elizabeth Sherwood-Randall", "Rosa Icela Rodríguez Velázquez"],
            ["White House"],
        ),
        (
            "cbi-2023-mx-delegation-washington-2023-05",
            1,
            ["cbi-2023-mx-delegation-white-house-2023-05"],
            ["Laura Carrillo", "Roberto Velasco Álvarez"],
            ["Washington, D.C.", "White House"],
        ),
        (
            "cbi-2023-stern-mexico-city-visit",
            2,
            ["cbi-2023-stern-lgbtqi-leaders-meetings", "cbi-2023-lgbti-political-leaders-conference"],
            ["Jessica Stern"],
            ["Mexico City"],
        ),
        (
            "cbi-2023-verma-mexico-trip",
            1,
            ["cbi-2023-tfc-2"],
            ["Elizabeth Sherwood-Randall", "Jody Thomas", "Richard R. Verma", "Rosa Icela Rodríguez Velázquez"],
            ["Ciudad Juárez", "Mexico City"],
        ),
        (
            "cbi-2023-barcena-washington-aug",
            1,
            ["cbi-2023-sullivan-barcena-white-house"],
            ["Alicia Bárcena Ibarra", "Jake Sullivan"],
            ["Washington, D.C.", "White House"],
        ),
        # López Obrador is not among the people: Bárcena represented him at the summit.
        (
            "cbi-2023-barcena-washington-nov",
            2,
            ["cbi-2023-barcena-yellen", "cbi-2023-apep-summit-nov"],
            ["Alicia Bárcena Ibarra", "Janet Yellen"],
            ["Washington, D.C."],
        ),
    ]


def test_parts_are_listed_however_deep(connection):
    assert rows(connection, "select whole_id, part_id, depth from event_parts where whole_id = 'cbi-2023-stern-mexico-city-visit'") == [
        ("cbi-2023-stern-mexico-city-visit", "cbi-2023-stern-lgbtqi-leaders-meetings", 1),
        ("cbi-2023-stern-mexico-city-visit", "cbi-2023-lgbti-political-leaders-conference", 1),
    ]
    assert rows(connection, "select count(*), max(depth) from event_parts") == [(10, 1)]


def test_parts_deeper_than_one_link_roll_up(tmp_path):
    """A part of a part belongs to the whole: built from the test sources with a two-level chain."""
    import shutil
    import sqlite3

    from helpers import FIXTURE_SOURCES

    import build

    sources = tmp_path / "sources"
    shutil.copytree(FIXTURE_SOURCES, sources)
    (sources / "test-2023" / "event_links.csv").write_text(
        "event_id,relation,linked_event_id,section_id,quote\n"
        "test-2023-consular-november,part-of,test-2023-consular-21,,The Consular Dialogue met again\n"
        "test-2023-consular-21,part-of,test-2023-palace-meeting,1.b,The 21st Mexico-U.S. Consular Dialogue\n",
        encoding="utf-8",
    )
    database = tmp_path / "binational.db"
    build.write_database(build.load_sources(sources), database)
    connection = sqlite3.connect(database)
    assert rows(connection, "select whole_id, part_id, depth from event_parts order by whole_id, depth") == [
        ("test-2023-consular-21", "test-2023-consular-november", 1),
        ("test-2023-palace-meeting", "test-2023-consular-21", 1),
        ("test-2023-palace-meeting", "test-2023-consular-november", 2),
    ]
    assert rows(connection, "select event_id, parts, part_ids, people from summary_event_parts order by event_id") == [
        ("test-2023-consular-21", 1, '["test-2023-consular-november"]', '["Vanessa Calva Ruiz"]'),
        (
            "test-2023-palace-meeting",
            2,
            '["test-2023-consular-21","test-2023-consular-november"]',
            '["Andrés Manuel López Obrador","Antony Blinken","Vanessa Calva Ruiz"]',
        ),
    ]


# ---------------------------------------------------------------- who was there


def test_the_role_vocabulary_says_who_was_there(connection):
    assert rows(connection, "select id from person_roles where present = 0 order by rowid") == [
        ("represented",),
        ("mentioned",),
        ("sent-message",),
    ]
    assert rows(connection, "select count(*) from person_roles where present = 1") == [(15,)]
    assert rows(connection, "select count(*) from event_people ep join person_roles r on r.id = ep.role where ep.present != r.present") == [
        (0,)
    ]


def test_barcena_represented_lopez_obrador_at_the_apep_summit(connection):
    sql = """
        select person_id, role, present, title, organization_id, represented_by, quote from event_people
        where event_id = 'cbi-2023-apep-summit-nov' order by rowid
    """
    assert rows(connection, sql) == [
        (
            "alicia-barcena",
            "speaker",
            1,
            "Foreign Secretary",
            "mx-sre",
            None,
            "Bárcena called for a partnership between public and private sectors in Latin America and the Caribbean",
        ),
        (
            "andres-manuel-lopez-obrador",
            "represented",
            0,
            "Mexico's President",
            None,
            "alicia-barcena",
            "Foreign Secretary Alicia Bárcena represented Mexico's President Andrés Manuel López Obrador",
        ),
    ]


def test_who_met_whom_pairs_only_people_who_were_there(connection):
    pairs_of = "select person_a_id, person_b_id from people_pairs where :id in (person_a_id, person_b_id) order by 1, 2"
    assert rows(connection, pairs_of, {"id": "alicia-barcena"}) == [
        ("alicia-barcena", "jake-sullivan"),
        ("alicia-barcena", "janet-yellen"),
        ("alicia-barcena", "spencer-cox"),
    ]
    assert rows(connection, "select count(*), sum(events) from people_pairs") == [(142, 158)]
    assert rows(
        connection,
        "select events, event_ids from people_pairs where person_a_id = 'andres-manuel-lopez-obrador' and person_b_id = 'joseph-biden'",
    ) == [
        (4, '["cbi-2023-nals-10","cbi-2023-declaration-of-north-america","cbi-2023-biden-amlo-call-2023-05","cbi-2023-tfc-establishment"]')
    ]


def test_lopez_obrador_attended_on_march_13(connection):
    # "Mexican attendees were Mexican President Andrés Manuel López Obrador" (2.c); the report names no venue.
    sql = "select role, present, title, quote from event_people where event_id = 'cbi-2023-amlo-us-lawmakers-2023-03-13' and person_id = :p"
    assert rows(connection, sql, {"p": "andres-manuel-lopez-obrador"}) == [
        ("attendee", 1, "Mexican President", "Mexican attendees were Mexican President Andrés Manuel López Obrador")
    ]
    assert rows(
        connection, "select count(*) from event_people where event_id = 'cbi-2023-amlo-us-lawmakers-2023-03-13' and role = 'host'"
    ) == [(0,)]
    assert rows(connection, "select place_id from events where id = 'cbi-2023-amlo-us-lawmakers-2023-03-13'") == [(None,)]


def test_verma_took_part_in_the_second_fentanyl_committee_meeting(connection):
    sql = "select * from event_people where event_id = 'cbi-2023-tfc-2' and person_id = 'richard-verma'"
    assert rows(connection, sql) == [
        (
            "cbi-2023-tfc-2",
            "richard-verma",
            "participant",
            1,
            "Deputy Secretary of State",
            "us-state-department",
            None,
            "cbi-2023:2.h",
            "Deputy Secretary of State Richard R. Verma's visit to Mexico City and Ciudad Juárez from July 24-26 included "
            "participation in the second meeting of the Trilateral Fentanyl Committee.",
        )
    ]


# ---------------------------------------------------------------- basis markers


@pytest.mark.parametrize(
    "table, column, ids",
    [
        ("people", "country_basis", ["eric-adams", "jake-sullivan", "rena-bitter", "spencer-cox", "vanessa-calva"]),
        (
            "organizations",
            "country_basis",
            [
                "carnegie-corporation",
                "mx-amexcid",
                "packard-foundation",
                "san-bernardino-county-museum",
                "texas-am-agrilife",
                "texas-am-law",
                "texas-water-resources-institute",
                "us-atf",
                "us-doj",
                "us-white-house",
                "utah-state-government",
            ],
        ),
        (
            "places",
            "location_basis",
            [
                "arizona",
                "baja-california",
                "calexico-east-port-of-entry",
                "california",
                "dallas-fort-worth",
                "felipe-angeles-international-airport",
                "matamoros",
                "sonora",
                "texas",
                "utah",
                "washington-dc",
                "white-house",
                "zacatecas",
            ],
        ),
        (
            "mechanisms",
            "members_basis",
            [
                "americas-partnership-for-economic-prosperity",
                "chnv-initiative",
                "h2-visa-program",
                "joint-humanitarian-plan-on-migration",
                "joint-utah-mexico-partnership",
            ],
        ),
    ],
)
def test_public_knowledge_is_marked(connection, table, column, ids):
    assert rows(connection, f"select id, {column} from {table} where {column} is not null order by id") == [
        (i, "public-knowledge") for i in ids
    ]


def test_every_basis_column_is_documented_in_the_sources_readme():
    from schema import ALL, BASES, CLASSIFICATION_BASES

    evidence = (SOURCES / "README.md").read_text(encoding="utf-8").split("## Conventions")[0]
    basis_columns = [f"{t.name}.{c.name}" for t in ALL.values() for c in t.columns if c.choices in (BASES, CLASSIFICATION_BASES)]
    assert len(basis_columns) == 9
    assert [name for name in basis_columns if f"`{name}`" not in evidence] == []


# ---------------------------------------------------------------- places, errors, notes and links


def test_the_places_the_report_names(connection):
    sql = """
        select id, name, kind, country_id, parent_id, location_basis, aliases, latitude, section_id from places
        where latitude is null order by id
    """
    assert rows(connection, sql) == [
        ("arizona", "Arizona", "state", "US", None, "public-knowledge", "[]", None, "cbi-2023:5.a"),
        ("baja-california", "Baja California", "state", "MX", None, "public-knowledge", "[]", None, "cbi-2023:5.a"),
        (
            "calexico-east-port-of-entry",
            "Calexico East Land Port of Entry",
            "port-of-entry",
            "US",
            None,
            "public-knowledge",
            "[]",
            None,
            "cbi-2023:6.a",
        ),
        ("california", "California", "state", "US", None, "public-knowledge", "[]", None, "cbi-2023:5.a"),
        ("dallas-fort-worth", "Dallas-Fort Worth", "region", "US", None, "public-knowledge", "[]", None, "cbi-2023:8.b"),
        (
            "foreign-ministry",
            "Foreign Ministry",
            "building",
            "MX",
            "mexico-city",
            None,
            '["Secretary of Foreign Affairs (S.R.E.)"]',
            None,
            "cbi-2023:6.b",
        ),
        ("sonora", "Sonora", "state", "MX", None, "public-knowledge", "[]", None, "cbi-2023:5.a"),
        ("texas", "Texas", "state", "US", None, "public-knowledge", "[]", None, "cbi-2023:5.a"),
        ("utah", "Utah", "state", "US", None, "public-knowledge", "[]", None, "cbi-2023:2.k"),
    ]
    assert rows(
        connection, "select place_id, role from event_places where event_id = 'cbi-2023-transboundary-aquifers-map' order by rowid"
    ) == [
        ("baja-california", "subject"),
        ("california", "subject"),
        ("sonora", "subject"),
        ("arizona", "subject"),
        ("texas", "subject"),
    ]
    assert rows(connection, "select event_id, role, quote from event_places where place_id = 'calexico-east-port-of-entry'") == [
        (
            "cbi-2023-amlo-sherwood-randall-migration-meeting",
            "subject",
            "The shared border underwent modernization, including the expansion of the Calexico East Land Port of Entry",
        )
    ]


@pytest.mark.parametrize(
    "event_id, expected",
    [
        # "Highlighting a recent presidential decree, the Mexican delegation introduced a commission" at the April 13 meeting
        (
            "cbi-2023-mx-decree-drugs-firearms-commission",
            ("cbi-2023:4.a.ii", "2023-04-13", "announcement", "occurred", None, None, '["fentanyl", "arms-trafficking", "security"]'),
        ),
        # The heading alone gives the meeting: no topics.
        ("cbi-2023-cox-barcena-meeting", ("cbi-2023:2.k", None, "meeting", "occurred", None, None, "[]")),
        (
            "cbi-2023-barcena-washington-nov",
            ("cbi-2023:2.l", "2023-11", "visit", "occurred", "washington-dc", None, '["diplomacy", "economic-development"]'),
        ),
        (
            "cbi-2023-hled-ministerial-2023-planned",
            ("cbi-2023:3.c.i", "2023", "meeting", "planned", None, "high-level-economic-dialogue", '["trade", "economic-development"]'),
        ),
        (
            "cbi-2023-matamoros-kidnapping",
            ("cbi-2023:4.a.i", None, "incident", "referenced", "matamoros", None, '["organized-crime", "security"]'),
        ),
    ],
)
def test_corrected_and_added_events(connection, event_id, expected):
    sql = "select section_id, start_date, event_type, status, place_id, mechanism_id, topics from events where id = :id"
    assert rows(connection, sql, {"id": event_id}) == [expected]


@pytest.mark.parametrize(
    "statement, quote",
    [
        (
            "kerry-talks-climate-urgency",
            "Emphasis was laid on the urgent need to address the climate crisis, referencing the recent report by the United "
            "Nations' Intergovernmental Panel on Climate Change.",
        ),
        (
            "consular-21-discussions",
            "the Mexican and U.S. delegations engaged in discussions that spanned the exchange of good consular practices, "
            "bilateral cooperation for protecting vulnerable children, and providing documentation and protection services to "
            "nationals of both countries",
        ),
        (
            "coppel-bilateral",
            "Coppel also promotes the U.S.-Mexico bilateral relationship through the granting of credits to migrants in the U.S. "
            "and its active participation in the negotiation processes of both the North American Free Trade Agreement and the "
            "North American Free Trade Agreement.",
        ),
        (
            "report-structure-first-chapters",
            "We begin by exploring the diplomatic encounters that have been instrumental in shaping the narrative of U.S.-Mexico "
            "relations. Then, we delve into the economic partnerships and summits that have propelled the two nations towards "
            "shared prosperity. Next, we focus on security and bilateral cooperation",
        ),
        (
            "conclusion-long-term",
            "Still, it has also set the stage for long-term cooperation. The joint efforts witnessed in 2023 exemplify a "
            "willingness on both sides to transcend traditional boundaries and work together in crafting innovative solutions "
            "to the complex challenges of our time.",
        ),
    ],
)
def test_statements_quote_all_they_summarize(connection, statement, quote):
    assert rows(connection, "select quote from statements where id = :id", {"id": statement}) == [(quote,)]


@pytest.mark.parametrize(
    "note, kind, quotes",
    [
        (
            "carrillo-title-missing",
            "missing-text",
            [
                ("cbi-2023:2.f", "led by Dr. Laura Carrillo and Roberto Velasco"),
                ("cbi-2023:2.c", "the Chief Officer for North America of the Ministry of Foreign Affairs, Roberto Velasco Álvarez"),
            ],
        ),
        (
            "barcena-yellen-undated",
            "missing-date",
            [
                (
                    "cbi-2023:2.l",
                    "Bárcena met with U.S. Treasury Secretary Janet Yellen and other leaders to discuss economic growth challenges.",
                ),
                ("cbi-2023:2.l", "Foreign Secretary Alicia Bárcena Second Visit to Washington, D.C."),
            ],
        ),
        (
            "hled-fall-ministerial-held-as-third-meeting",
            "unstated-link",
            [
                ("cbi-2023:3.c.i", "setting the stage for the HLED ministerial meeting in the fall of 2023"),
                (
                    "cbi-2023:3.c.ii",
                    "Fast forward to September 28, 2023, senior government officials from the U.S. and Mexico met in Washington, "
                    "D.C., for the third U.S.-Mexico High-Level Economic Dialogue (HLED) meeting.",
                ),
            ],
        ),
        (
            "jul-24-meeting-not-linked-to-verma",
            "unstated-link",
            [
                ("cbi-2023:2.h", "Deputy Secretary of State Richard R. Verma's visit to Mexico City and Ciudad Juárez from July 24-26"),
                (
                    "cbi-2023:2.i",
                    "On July 24, 2023, President Andrés Manuel López Obrador and senior Mexican officials hosted a U.S. delegation",
                ),
            ],
        ),
        (
            "matamoros-kidnapping-undated",
            "missing-date",
            [("cbi-2023:4.a.i", "including those responsible for the recent kidnapping of U.S. citizens in Matamoros")],
        ),
    ],
)
def test_new_data_notes(connection, note, kind, quotes):
    assert rows(connection, "select kind from data_notes where id = :id", {"id": note}) == [(kind,)]
    assert rows(connection, "select section_id, quote from data_note_quotes where note_id = :id order by position", {"id": note}) == quotes


def test_the_july_24_meeting_stays_apart_from_verma(connection):
    assert rows(
        connection, "select count(*) from event_links where 'cbi-2023-amlo-us-delegation-jul-24' in (event_id, linked_event_id)"
    ) == [(0,)]
    assert rows(connection, "select person_id, role from event_people where event_id = 'cbi-2023-amlo-us-delegation-jul-24'") == [
        ("andres-manuel-lopez-obrador", "host")
    ]


# ---------------------------------------------------------------- the CBI's four types


def test_every_institution_has_a_cbi_type(connection):
    assert rows(connection, "select cbi_type, count(*) from mechanisms group by cbi_type order by cbi_type") == [
        ("agreement", 6),
        ("dialogue-mechanism", 12),
        ("organization", 2),
        ("program", 13),
    ]
    assert rows(connection, "select count(*) from mechanisms where cbi_type_basis is not 'dataset-classification'") == [(0,)]
    assert rows(connection, "select id, cbi_type, cbi_type_basis from organizations where cbi_type is not null order by id") == [
        ("north-american-development-bank", "organization", "dataset-classification"),
        ("usmf", "organization", "dataset-classification"),
    ]
    assert rows(connection, "select * from summary_events_by_cbi_type order by cbi_type") == [
        ("agreement", 6, 6, 0, 11),
        ("dialogue-mechanism", 12, 12, 0, 22),
        ("organization", 4, 2, 2, 5),
        ("program", 13, 13, 0, 7),
    ]
