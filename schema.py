"""What each source file holds: its fields, their kinds, choices and references.

One place for the rules the build validates. The database tables built from
these files are created in build.py (`create_tables`); their descriptions for
readers are in metadata.yml.
"""

from dataclasses import dataclass

# Bumped when a public table or column is renamed or removed (PRAGMA user_version).
SCHEMA_VERSION = 2

REGISTRY = "registry"
EDITION = "edition"

ORGANIZATION_KINDS = (
    "ministry",
    "agency",
    "legislature",
    "executive-office",
    "state-government",
    "local-government",
    "embassy",
    "military",
    "company",
    "university",
    "research-institute",
    "museum",
    "development-bank",
    "international-organization",
    "ngo",
    "foundation",
    "business-association",
    "media",
)
MECHANISM_KINDS = (
    "summit",
    "dialogue",
    "framework",
    "committee",
    "partnership",
    "agreement",
    "program",
    "operation",
    "plan",
    "network",
    "board",
    "initiative",
    "campaign",
)
EVENT_TYPES = (
    "summit",
    "meeting",
    "dialogue",
    "committee-meeting",
    "visit",
    "phone-call",
    "launch",
    "declaration",
    "joint-statement",
    "announcement",
    "repatriation",
    "publication",
    "conference",
    "forum",
    "establishment",
    "review",
    "speech",
)
EVENT_MODES = ("in-person", "virtual", "phone")
EVENT_STATUSES = ("occurred", "referenced", "planned")
PERSON_ROLES = (
    "host",
    "co-host",
    "chair",
    "co-chair",
    "leader",
    "delegation-leader",
    "delegation-member",
    "attendee",
    "met-with",
    "keynote",
    "speaker",
    "represented",
    "author",
    "announcer",
    "founder",
)
ORGANIZATION_ROLES = (
    "host",
    "organizer",
    "participant",
    "delegation",
    "announcer",
    "funder",
    "author",
    "venue",
    "subject",
)
PLACE_KINDS = ("city", "building", "state", "region")
STATEMENT_KINDS = ("outcome", "commitment", "purpose", "description", "assessment")
NOTE_KINDS = (
    "date-conflict",
    "total-conflict",
    "sum-mismatch",
    "first-not-first",
    "heading-not-supported",
    "index-body-mismatch",
    "name-variant",
    "garbled-text",
    "duplicated-text",
    "missing-text",
    "missing-date",
    "detail-conflict",
)
BASES = ("public-knowledge",)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "text"  # text, slug, country, section, date, int, real, flag, list, quote, line
    required: bool = False
    choices: tuple = ()
    ref: str | None = None  # the table whose id this field names
    item_ref: str | None = None  # for lists: the table each item names


@dataclass(frozen=True)
class SourceSpec:
    table: str
    filename: str
    scope: str
    fields: tuple
    names: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "names", tuple(f.name for f in self.fields))

    @property
    def format(self):
        return "yaml" if self.filename.endswith(".yml") else "csv"


def evidence(required=True):
    return (Field("section_id", "section", required, ref="sections"), Field("quote", "quote", required))


SOURCES = (
    SourceSpec(
        "countries",
        "countries.csv",
        REGISTRY,
        (
            Field("id", "country", True),
            Field("name", required=True),
            Field("name_es"),
            Field("basis", choices=BASES),
            *evidence(),
        ),
    ),
    SourceSpec(
        "topics",
        "topics.csv",
        REGISTRY,
        (
            Field("id", "slug", True),
            Field("name", required=True),
            Field("description", required=True),
        ),
    ),
    SourceSpec(
        "places",
        "places.csv",
        REGISTRY,
        (
            Field("id", "slug", True),
            Field("name", required=True),
            Field("kind", required=True, choices=PLACE_KINDS),
            Field("country_id", "country", True, ref="countries"),
            Field("parent_id", "slug", ref="places"),
            Field("latitude", "real"),
            Field("longitude", "real"),
            Field("coordinates_basis", choices=BASES),
            *evidence(),
        ),
    ),
    SourceSpec(
        "people",
        "people.yml",
        REGISTRY,
        (
            Field("id", "slug", True),
            Field("name", required=True),
            Field("country_id", "country", ref="countries"),
            Field("aliases", "list"),
            *evidence(),
        ),
    ),
    SourceSpec(
        "organizations",
        "organizations.yml",
        REGISTRY,
        (
            Field("id", "slug", True),
            Field("name", required=True),
            Field("acronym"),
            Field("name_es"),
            Field("name_es_basis", choices=BASES),
            Field("country_id", "country", ref="countries"),
            Field("kind", required=True, choices=ORGANIZATION_KINDS),
            Field("parent_id", "slug", ref="organizations"),
            Field("aliases", "list"),
            *evidence(),
        ),
    ),
    SourceSpec(
        "mechanisms",
        "mechanisms.yml",
        REGISTRY,
        (
            Field("id", "slug", True),
            Field("name", required=True),
            Field("acronym"),
            Field("kind", required=True, choices=MECHANISM_KINDS),
            Field("members", "list", item_ref="countries"),
            Field("aliases", "list"),
            Field("established", "date"),
            Field("established_quote", "quote"),
            *evidence(),
        ),
    ),
    SourceSpec(
        "reports",
        "report.yml",
        EDITION,
        (
            Field("id", "slug", True),
            Field("title", required=True),
            Field("publisher", required=True),
            Field("published", "date", True),
            Field("year_covered", "int", True),
            Field("language", required=True),
            Field("file", required=True),
            Field("sha256", required=True),
        ),
    ),
    SourceSpec(
        "sections",
        "sections.csv",
        EDITION,
        (
            Field("id", "section", True),
            Field("parent_id", "section", ref="sections"),
            Field("chapter", "int"),
            Field("line", "int"),
            Field("heading"),
            Field("index_label"),
            Field("index_title"),
        ),
    ),
    SourceSpec(
        "events",
        "events.csv",
        EDITION,
        (
            Field("id", "slug", True),
            Field("section_id", "section", True, ref="sections"),
            Field("title", required=True),
            Field("start_date", "date"),
            Field("end_date", "date"),
            Field("event_type", required=True, choices=EVENT_TYPES),
            Field("mode", choices=EVENT_MODES),
            Field("status", required=True, choices=EVENT_STATUSES),
            Field("ordinal", "int"),
            Field("mechanism_id", "slug", ref="mechanisms"),
            Field("place_id", "slug", ref="places"),
            Field("countries", "list", item_ref="countries"),
            Field("topics", "list", item_ref="topics"),
            Field("summary", required=True),
            Field("quote", "quote", True),
        ),
    ),
    SourceSpec(
        "event_people",
        "event_people.csv",
        EDITION,
        (
            Field("event_id", "slug", True, ref="events"),
            Field("person_id", "slug", True, ref="people"),
            Field("role", required=True, choices=PERSON_ROLES),
            Field("title"),
            Field("organization_id", "slug", ref="organizations"),
            Field("quote", "quote", True),
        ),
    ),
    SourceSpec(
        "event_organizations",
        "event_organizations.csv",
        EDITION,
        (
            Field("event_id", "slug", True, ref="events"),
            Field("organization_id", "slug", True, ref="organizations"),
            Field("role", required=True, choices=ORGANIZATION_ROLES),
            Field("quote", "quote", True),
        ),
    ),
    SourceSpec(
        "figures",
        "figures.csv",
        EDITION,
        (
            Field("id", "slug", True),
            Field("section_id", "section", True, ref="sections"),
            Field("event_id", "slug", ref="events"),
            Field("value", "real", True),
            Field("unit", required=True),
            Field("description", required=True),
            Field("as_of", "date"),
            Field("lower_bound", "flag"),
            Field("approximate", "flag"),
            Field("quote", "quote", True),
        ),
    ),
    SourceSpec(
        "statements",
        "statements.csv",
        EDITION,
        (
            Field("id", "slug", True),
            Field("section_id", "section", True, ref="sections"),
            Field("kind", required=True, choices=STATEMENT_KINDS),
            Field("event_id", "slug", ref="events"),
            Field("mechanism_id", "slug", ref="mechanisms"),
            Field("organization_id", "slug", ref="organizations"),
            Field("topics", "list", item_ref="topics"),
            Field("summary", required=True),
            Field("quote", "quote", True),
        ),
    ),
    SourceSpec(
        "data_notes",
        "data_notes.yml",
        EDITION,
        (
            Field("id", "slug", True),
            Field("kind", required=True, choices=NOTE_KINDS),
            Field("section_id", "section", True, ref="sections"),
            Field("title", required=True),
            Field("description", required=True),
            Field("resolution", required=True),
            Field("quotes", "quotes", True),
        ),
    ),
)

SPECS = {spec.table: spec for spec in SOURCES}
