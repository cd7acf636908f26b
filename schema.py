"""Every table of the database, declared once.

A table's columns, their kinds, which are required, their choices and
references, the primary key, the indexes, full-text search and the
descriptions readers see all live here. Everything else is derived from these
declarations: the source-file checks (checks.py), the typed rows (convert.py),
the DDL, foreign keys and indexes (database.py), Datasette's descriptions
(metadata.yml), the data dictionaries (README.md, sources/README.md), the data
package (release.py) and the synthetic sources (bench/synth.py). `make docs`
rewrites the generated files; a test fails when one is stale.

Three sorts of table:
- source tables (`source=` a file name): one row per record of a source file,
  plus derived columns (`derived=True`) that the build computes;
- derived tables (no source, no sql): rows the build derives from the source
  tables (convert.py names the function for each);
- summary tables and views (`sql=`): rows from a query over the others.
"""

import functools
from dataclasses import dataclass, field

# Bumped when a public table or column is renamed or removed (PRAGMA user_version).
SCHEMA_VERSION = 2

REGISTRY = "registry"  # one file at the top of sources/, shared by every edition
EDITION = "edition"  # one file in each edition's folder, sources/<edition>/


class DeclarationError(Exception):
    """A table declaration is inconsistent: raised when this module is loaded."""


@dataclass(frozen=True)
class Kind:
    sqlite: type  # the Python type sqlite-utils maps to the column's SQLite type
    frictionless: str  # the Frictionless Table Schema type
    meaning: str  # what a source file may hold, for sources/README.md


KINDS = {
    "text": Kind(str, "string", "text"),
    "slug": Kind(str, "string", "an id: lowercase letters, digits and single hyphens"),
    "country": Kind(str, "string", "an ISO 3166-1 alpha-2 code"),
    "section": Kind(str, "string", "a section id (`2.a` in an edition's files, `cbi-2023:2.a` elsewhere)"),
    "date": Kind(str, "string", "an ISO date: YYYY-MM-DD, YYYY-MM or YYYY"),
    "int": Kind(int, "integer", "a whole number"),
    "real": Kind(float, "number", "a number"),
    "flag": Kind(int, "integer", "0 or 1"),
    "list": Kind(str, "string", "a list (`;`-separated in CSV, a YAML list in YAML); a JSON array in the database"),
    "quote": Kind(str, "string", "verbatim words of the report"),
    "quotes": Kind(str, "string", "a list of entries with `section_id` and `quote`; a JSON array in the database"),
    # No type affinity (BLOB): each value keeps the type it had where it came from (summary_event_facets.value).
    "any": Kind(bytes, "any", "any value, of the type it has where it comes from"),
}

# Where a quote column's words must be found.
IN_ROW_SECTION = "section_id"  # in the section this row names
IN_EVENT_SECTION = "event_id"  # in the section of the event this row names
# In the section this row names when it names one, else in its event's section: a link stated
# outside the event's own section (a visit in 2.h that included the meeting of 4.b.ii).
IN_ROW_OR_EVENT_SECTION = "section_id or event_id"
ANYWHERE = "report"  # anywhere in the report
QUOTED_IN = (IN_ROW_SECTION, IN_EVENT_SECTION, IN_ROW_OR_EVENT_SECTION, ANYWHERE)


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    kind: str = "text"
    required: bool = False
    choices: tuple = ()
    references: str | None = None  # the table whose primary key this column names (a foreign key)
    item_references: str | None = None  # for lists: the table whose ids the items name
    derived: bool = False  # computed by the build, not read from the source file
    quoted_in: str | None = None  # for quotes: IN_ROW_SECTION, IN_EVENT_SECTION or ANYWHERE
    requires: str | None = None  # another column that must be set whenever this one is

    def __post_init__(self):
        if self.kind not in KINDS:
            raise DeclarationError(f"column {self.name!r}: kind {self.kind!r} is not one of: {', '.join(KINDS)}")
        if self.item_references and self.kind != "list":
            raise DeclarationError(f"column {self.name!r}: item_references is for list columns")
        if self.kind == "quote" and self.quoted_in not in QUOTED_IN:
            raise DeclarationError(f"column {self.name!r}: a quote column says where it is quoted from (quoted_in)")

    @property
    def sqlite_type(self):
        return KINDS[self.kind].sqlite


@dataclass(frozen=True)
class DateRange:
    """Rule: `end` is empty, or after `start` (and not equal to it)."""

    start: str
    end: str


@dataclass(frozen=True)
class UniqueNames:
    """Rule: no spelling in `aliases` (or `name`) names two rows of this table.

    Also derives the `aliases` table: one row per alias, with `entity` as its type.
    """

    entity: str
    name: str = "name"
    aliases: str = "aliases"


@dataclass(frozen=True)
class Acyclic:
    """Rule: following the links from `start` to `end` (both naming rows of one table) never leads back to
    where it began, and no row links to itself: an event is not part of its own parts."""

    start: str
    end: str


@dataclass(frozen=True)
class RepresentedBy:
    """Rule: `column` names the person who stood in for the row's person at the event. It is set only on
    a row whose role is not a present one (see PERSON_ROLE_VOCABULARY), and that person has a row with a
    present role in the same event."""

    column: str = "represented_by"


@dataclass(frozen=True)
class ReportSnapshot:
    """Rule: the edition's `file` is its folder's report snapshot, with this sha256; its id is the folder name."""


@dataclass(frozen=True)
class SectionHeadings:
    """Rule: each section's `line` is its heading in the report, and every heading is a section."""


# Compared and hashed by identity: each table is declared once. Its derived column lists are computed once
# (cached_property), since the build asks for them for every row.
@dataclass(frozen=True, eq=False)
class Table:
    name: str
    description: str
    columns: tuple
    primary_key: tuple = ("id",)
    source: str | None = None  # the source file name (CSV or YAML)
    scope: str | None = None  # REGISTRY or EDITION, for source tables
    optional_file: bool = False  # an edition may leave this file out
    rules: tuple = ()  # table-specific checks: DateRange, UniqueNames, ReportSnapshot, SectionHeadings
    indexes: tuple = ()  # extra indexes (each a tuple of columns) beside those on every reference
    search: tuple = ()  # columns of the full-text index
    sql: str | None = None  # summary tables and views: the query that gives the rows
    view: bool = False
    datasette: dict = field(default_factory=dict)  # display options: label_column, sort, facets, units

    def __post_init__(self):
        if isinstance(self.primary_key, str):
            object.__setattr__(self, "primary_key", (self.primary_key,))
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise DeclarationError(f"table {self.name!r}: a column is declared twice")
        for name in (*self.primary_key, *(c for index in self.indexes for c in index), *self.search):
            if name not in names:
                raise DeclarationError(f"table {self.name!r}: {name!r} is not one of its columns")
        if self.source and self.scope not in (REGISTRY, EDITION):
            raise DeclarationError(f"table {self.name!r}: a source table's scope is REGISTRY or EDITION")
        for column in self.columns:
            if column.requires and column.requires not in names:
                raise DeclarationError(f"table {self.name!r}: {column.name!r} requires unknown column {column.requires!r}")

    def column(self, name):
        return next(c for c in self.columns if c.name == name)

    @functools.cached_property
    def column_names(self):
        return tuple(c.name for c in self.columns)

    @functools.cached_property
    def source_columns(self):
        """The columns of the source file, in the file's canonical order."""
        return tuple(c for c in self.columns if not c.derived)

    @functools.cached_property
    def source_names(self):
        return tuple(c.name for c in self.source_columns)

    @property
    def format(self):
        return "yaml" if self.source and self.source.endswith(".yml") else "csv"

    @functools.cached_property
    def foreign_keys(self):
        return tuple((c.name, c.references) for c in self.columns if c.references)

    @property
    def kind(self):
        return "view" if self.view else "table"


def evidence(first_appears):
    """The section and verbatim quote that back a registry row."""
    return (
        Column("section_id", first_appears, "section", required=True, references="sections"),
        Column("quote", "The report's words naming it.", "quote", required=True, quoted_in=IN_ROW_SECTION),
    )


def link_evidence(quote_description):
    """The section and verbatim quote that back a link to an event: the event's own section unless `section_id` names another."""
    return (
        Column("section_id", "The section that states it, when not the event's own section.", "section", references="sections"),
        Column("quote", quote_description, "quote", required=True, quoted_in=IN_ROW_OR_EVENT_SECTION),
    )


def event_link_table(name, description, linked, role):
    """An edition table linking each event to rows of another table (`linked`: column, table, noun), with a role."""
    column, table, noun = linked
    return Table(
        name,
        description,
        columns=(
            Column("event_id", "The event.", "slug", required=True, references="events"),
            Column(column, f"The {noun}.", "slug", required=True, references=table),
            role,
            *link_evidence(f"The report's words that link the {noun} to the event."),
        ),
        primary_key=("event_id", column, "role"),
        source=f"{name}.csv",
        scope=EDITION,
        optional_file=True,
        datasette={"facets": ["role"]},
    )


# ---------------------------------------------------------------- vocabularies

BASES = ("public-knowledge",)
# The basis of a classification that is this dataset's reading, not a fact the report states.
CLASSIFICATION_BASES = ("dataset-classification",)
PLACE_KINDS = ("city", "building", "port-of-entry", "state", "region")
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
    "incident",
)
EVENT_MODES = ("in-person", "virtual", "phone")
EVENT_STATUSES = ("occurred", "referenced", "planned")


@dataclass(frozen=True)
class Role:
    id: str
    present: bool  # the role places the person at the event (or makes them a party to its act)
    description: str


# The roles of people at events. Who met whom (people_pairs) pairs only people whose roles are present ones.
PERSON_ROLE_VOCABULARY = (
    Role("host", True, "Hosted the event or received the others."),
    Role("co-host", True, "Hosted the event with others."),
    Role("chair", True, "Chaired the event."),
    Role("co-chair", True, "Chaired or led the event with others."),
    Role("leader", True, "Led the event, the trip or the visit, or took part in it as a head of government or minister."),
    Role("delegation-leader", True, "Led a delegation at the event."),
    Role("delegation-member", True, "Was a member of a delegation at the event."),
    Role("attendee", True, "Attended the event."),
    Role("participant", True, "Took part in the event; the report says so without saying how."),
    Role("met-with", True, "Met the host or the others at the event."),
    Role("keynote", True, "Gave the keynote address."),
    Role("speaker", True, "Spoke at the event."),
    Role("author", True, "Wrote or published it: a party to the act."),
    Role("announcer", True, "Made the announcement: a party to the act."),
    Role("founder", True, "Established it: a party to the act."),
    Role("represented", False, "Was not there: someone represented them (represented_by names whom)."),
    Role("mentioned", False, "Was not there: named in connection with the event only."),
    Role("sent-message", False, "Was not there: took part through a message only."),
)
PERSON_ROLES = tuple(role.id for role in PERSON_ROLE_VOCABULARY)
PRESENT_ROLES = frozenset(role.id for role in PERSON_ROLE_VOCABULARY if role.present)
ORGANIZATION_ROLES = ("host", "organizer", "participant", "delegation", "announcer", "funder", "author", "venue", "subject")
# Where an event took place (venue, city, visited) or what place it concerns (subject). The event's
# single place_id is its first place in this order of roles: the most specific place where it was held.
PLACE_ROLES = ("venue", "city", "visited", "subject")
PRIMARY_PLACE_ROLES = ("venue", "city", "visited")
# How an event belongs to a mechanism. The event's single mechanism_id is its first mechanism in this
# order of roles; a mechanism the event only discusses is never its mechanism_id.
MECHANISM_ROLES = ("meeting-of", "establishes", "under", "discusses")
PRIMARY_MECHANISM_ROLES = ("meeting-of", "establishes", "under")
EVENT_RELATIONS = ("part-of", "follows", "held-as")
# The four types of binational institutions that the Center for Binational Institutions studies.
CBI_TYPES = ("agreement", "organization", "dialogue-mechanism", "program")
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
    "unstated-link",
)


def cbi_type_columns(description, required=False):
    """The CBI's type of an institution and the marker that it is this dataset's classification."""
    return (
        Column("cbi_type", description, required=required, choices=CBI_TYPES, requires="cbi_type_basis"),
        Column(
            "cbi_type_basis",
            "dataset-classification: cbi_type is this dataset's reading, not the report's words.",
            choices=CLASSIFICATION_BASES,
        ),
    )


def listed(choices):
    return ", ".join(choices[:-1]) + " or " + choices[-1]


@dataclass(frozen=True)
class CountedFacet:
    """A facet of the events page, counted by plugins/counted_facets.py: a column of events, or a list column
    (`through` its link table, whose `key` names each item) whose items are ids, or names `named_from` a registry.
    Unfiltered, its counts are read from summary_event_facets; filtered, they are counted for the matching events."""

    column: str
    through: str = ""
    key: str = ""
    named_from: str = ""

    def config(self):
        """Its entry in the events table's `facets` (metadata.yml), which the plugin reads."""
        config = {"column": self.column, "through": self.through, "key": self.key, "named_from": self.named_from}
        return {"counted": {name: value for name, value in config.items() if value}}

    def counts_sql(self):
        """Each of its values and the number of events having it, over all events (what Datasette's facets count)."""
        if not self.through:
            return (
                f"select '{self.column}', [{self.column}], count(*) from events where [{self.column}] is not null group by [{self.column}]"
            )
        if self.named_from:
            return (
                f"select '{self.column}', r.name, count(distinct l.event_id) from [{self.through}] l "
                f"join [{self.named_from}] r on r.id = l.[{self.key}] group by r.name"
            )
        return f"select '{self.column}', [{self.key}], count(*) from [{self.through}] group by [{self.key}]"


EVENTS_PAGE_SIZE = 60  # rows of a page of the events table, in HTML and JSON, unless `_size` asks for another number
# The events page's facets, in the order they are shown.
EVENT_FACETS = (
    CountedFacet("chapter"),
    CountedFacet("event_type"),
    CountedFacet("mechanism_id"),
    CountedFacet("mode"),
    CountedFacet("month"),
    CountedFacet("place_id"),
    CountedFacet("countries", through="event_countries", key="country_id"),
    CountedFacet("topics", through="event_topics", key="topic_id"),
    CountedFacet("people", through="event_people", key="person_id", named_from="people"),
)


# ---------------------------------------------------------------- the dataset file

# sources/dataset.yml: facts about the whole dataset, written to dataset_info, the release and the site.
DATASET_FIELDS = (
    Column(
        "version",
        "The dataset version (SemVer), the one place it lives: MAJOR when the public schema breaks, MINOR when data is added, PATCH for corrections.",
        required=True,
    ),
    Column("released", "The date this version was released (YYYY-MM-DD); calendar feeds use it as their timestamp.", "date", required=True),
    Column("title", "Title of the dataset.", required=True),
    Column("description", "What the dataset holds, in a few sentences.", required=True),
    Column("creator", "Who compiles the dataset (the author in citations and the data package).", required=True),
    Column("license", "The licence, as readers see it.", required=True),
    Column("license_id", "The licence's SPDX identifier (e.g. CC-BY-4.0).", required=True),
    Column("license_title", "The licence's full name.", required=True),
    Column("license_url", "Where the licence is published.", required=True),
    Column("citation", "How to cite the dataset; {version} is replaced by the version.", required=True),
    Column("source_url", "Where the source reports are published.", required=True),
)


# ---------------------------------------------------------------- tables, in the order they are written

TABLES = (
    Table(
        "dataset_info",
        "The dataset's version, schema version, source digest and the sha256 of each report snapshot: cite the dataset_version.",
        columns=(
            Column(
                "key",
                "Name of the setting: dataset_version, dataset_released, schema_version, source_digest, title, description, creator, license, license_id, license_url, citation, source_url, report_sha256:<report id>.",
            ),
            Column("value", "Its value."),
        ),
        primary_key="key",
    ),
    Table(
        "reports",
        "The report editions the dataset is built from; each is vendored verbatim and checked by sha256.",
        columns=(
            Column("id", "Report edition id, e.g. cbi-2023.", "slug", required=True),
            Column("title", "Title of the report.", required=True),
            Column("short_title", "Short name of the report for citations in running text, e.g. CBI 2023.", required=True),
            Column("publisher", "Who published it.", required=True),
            Column("published", "Publication date (ISO, year-month).", "date", required=True),
            Column("year_covered", "The year whose engagements the report reviews.", "int", required=True),
            Column("language", "Language of the report (ISO 639-1).", required=True),
            Column("file", "File name of the vendored snapshot in sources/<report id>/.", required=True),
            Column("sha256", "sha256 of the snapshot; the build refuses an edited snapshot.", required=True),
            Column("section_count", "Number of sections (headings) in the report.", "int", derived=True),
        ),
        source="report.yml",
        scope=EDITION,
        rules=(ReportSnapshot(),),
        datasette={"label_column": "title"},
    ),
    Table(
        "sections",
        "Every heading of the report with the plain text of its body; the index (table of contents) titles are kept beside the body headings.",
        columns=(
            Column("id", "Section id: report id and section number, e.g. cbi-2023:2.a.", "section", required=True),
            Column("report_id", "The report edition.", derived=True, references="reports"),
            Column(
                "number",
                "Section number within the report: chapter, letter, roman numeral (2.a, 3.c.ii); cover and index for the front matter.",
                derived=True,
            ),
            Column("parent_id", "The enclosing section.", "section", references="sections"),
            Column("chapter", "Chapter number (1–8); empty for the cover and the index.", "int"),
            Column("level", "Depth: 1 for a chapter, 2 for a lettered section, 3 for a sub-section.", "int", derived=True),
            Column("position", "Order of the section in the report.", "int", derived=True),
            Column("title", "The body heading, or the index title where the body has no heading.", derived=True),
            Column("heading", "The heading as printed in the body (empty where the body has none).", requires="line"),
            Column("index_label", "The letter or number the index gives the section."),
            Column("index_title", "The title as printed in the index."),
            Column("line", "Line of the heading in the vendored Markdown snapshot.", "int"),
            Column("body", "Plain text of the section, paragraphs separated by blank lines.", derived=True),
        ),
        source="sections.csv",
        scope=EDITION,
        rules=(SectionHeadings(),),
        indexes=(("chapter",),),
        search=("title", "body"),
        datasette={"label_column": "title", "sort": "position", "facets": ["chapter", "level"]},
    ),
    Table(
        "countries",
        "Countries named in the report, by ISO 3166-1 alpha-2 code.",
        columns=(
            Column("id", "ISO 3166-1 alpha-2 code.", "country", required=True),
            Column("name", "English name.", required=True),
            Column("name_es", "Spanish name (public knowledge, not from the report)."),
            Column("basis", "public-knowledge where the code and Spanish name are not stated by the report.", choices=BASES),
            *evidence("A section that names the country."),
        ),
        source="countries.csv",
        scope=REGISTRY,
        datasette={"label_column": "name"},
    ),
    Table(
        "topics",
        "The dataset's controlled topic vocabulary (a classification of this dataset, not a statement of the report).",
        columns=(
            Column("id", "Topic id.", "slug", required=True),
            Column("name", "Topic name.", required=True),
            Column("description", "What the topic covers.", required=True),
        ),
        source="topics.csv",
        scope=REGISTRY,
        datasette={"label_column": "name"},
    ),
    Table(
        "places",
        "Cities, buildings, ports of entry, states and regions the report names, with coordinates (public knowledge) where certain.",
        columns=(
            Column("id", "Place id.", "slug", required=True),
            Column("name", "Name as the report gives it.", required=True),
            Column("kind", f"{listed(PLACE_KINDS)}.", required=True, choices=PLACE_KINDS),
            Column("country_id", "Country of the place.", "country", required=True, references="countries"),
            Column("parent_id", "The place it lies in (e.g. the city of a building).", "slug", references="places"),
            Column(
                "location_basis",
                "public-knowledge where the report does not state the country (or the place it lies in).",
                choices=BASES,
            ),
            Column("aliases", "JSON array of other names the report uses for the place.", "list"),
            Column("latitude", "Latitude in decimal degrees (WGS 84), public knowledge; empty where not certain.", "real"),
            Column("longitude", "Longitude in decimal degrees (WGS 84), public knowledge; empty where not certain.", "real"),
            Column("coordinates_basis", "public-knowledge — coordinates are not stated by the report.", choices=BASES),
            *evidence("A section that names the place."),
        ),
        source="places.csv",
        scope=REGISTRY,
        rules=(UniqueNames("place"),),
        search=("name", "aliases"),
        datasette={"label_column": "name", "facets": ["kind"], "units": {"latitude": "degree", "longitude": "degree"}},
    ),
    Table(
        "people",
        "Every person the report names, once, with every spelling the report uses as aliases.",
        columns=(
            Column("id", "Person id.", "slug", required=True),
            Column("name", "The fullest form of the name the report uses.", required=True),
            Column("country_id", "The country the person serves or represents.", "country", references="countries"),
            Column(
                "country_basis",
                "public-knowledge where the report does not state the person's country.",
                choices=BASES,
                requires="country_id",
            ),
            Column("aliases", "JSON array of the other spellings the report uses (with titles, without second surnames…).", "list"),
            Column("section_id", "The section where the person first appears.", "section", required=True, references="sections"),
            Column("quote", "The report's words naming the person.", "quote", required=True, quoted_in=IN_ROW_SECTION),
        ),
        source="people.yml",
        scope=REGISTRY,
        rules=(UniqueNames("person"),),
        search=("name", "aliases"),
        datasette={"label_column": "name"},
    ),
    Table(
        "organizations",
        "Government bodies, legislatures, agencies, companies, universities, museums, banks, foundations and international organizations.",
        columns=(
            Column("id", "Organization id.", "slug", required=True),
            Column("name", "Name as the report gives it (English).", required=True),
            Column("acronym", "Acronym, where the report gives one."),
            Column("name_es", "Official Spanish name of a Mexican body (public knowledge, only where certain)."),
            Column("name_es_basis", "public-knowledge where name_es is not stated by the report.", choices=BASES),
            Column("country_id", "Country of the organization; empty for international bodies.", "country", references="countries"),
            Column(
                "country_basis",
                "public-knowledge where the report does not state the organization's country.",
                choices=BASES,
                requires="country_id",
            ),
            Column("kind", f"{listed(ORGANIZATION_KINDS)}.", required=True, choices=ORGANIZATION_KINDS),
            *cbi_type_columns(
                "For the binational institutions among organizations: organization, the CBI's type for them "
                "(this dataset's classification; see mechanisms.cbi_type). Empty for national bodies, companies and the like."
            ),
            Column("parent_id", "The organization it belongs to.", "slug", references="organizations"),
            Column("aliases", "JSON array of other spellings the report uses.", "list"),
            Column("section_id", "The section where it first appears.", "section", required=True, references="sections"),
            Column("quote", "The report's words naming it.", "quote", required=True, quoted_in=IN_ROW_SECTION),
        ),
        source="organizations.yml",
        scope=REGISTRY,
        rules=(UniqueNames("organization"),),
        indexes=(("kind",), ("cbi_type",)),
        search=("name", "acronym", "name_es", "aliases"),
        datasette={"label_column": "name", "facets": ["kind", "cbi_type", "country_id"]},
    ),
    Table(
        "mechanisms",
        "Standing binational and trilateral mechanisms — dialogues, frameworks, committees, partnerships, agreements, programs and operations.",
        columns=(
            Column("id", "Mechanism id.", "slug", required=True),
            Column("name", "Name as the report gives it.", required=True),
            Column("acronym", "Acronym, where the report gives one."),
            Column("kind", f"{listed(MECHANISM_KINDS)}.", required=True, choices=MECHANISM_KINDS),
            *cbi_type_columns(
                "The type of binational institution in the four types the Center for Binational Institutions studies: "
                f"{listed(CBI_TYPES)}. This dataset's classification (like topics), not the report's words.",
                required=True,
            ),
            Column("members", "JSON array of the member countries (ISO codes).", "list", item_references="countries"),
            Column(
                "members_basis",
                "public-knowledge where the report does not state every listed member.",
                choices=BASES,
                requires="members",
            ),
            Column("aliases", "JSON array of other spellings the report uses.", "list"),
            Column("established", "When it was established (ISO date), only where the report says.", "date", requires="established_quote"),
            Column("established_quote", "The report's words giving the establishment date.", "quote", quoted_in=ANYWHERE),
            Column("section_id", "The section where it first appears.", "section", required=True, references="sections"),
            Column("quote", "The report's words naming it.", "quote", required=True, quoted_in=IN_ROW_SECTION),
        ),
        source="mechanisms.yml",
        scope=REGISTRY,
        rules=(UniqueNames("mechanism"),),
        indexes=(("kind",), ("cbi_type",)),
        search=("name", "acronym", "aliases"),
        datasette={"label_column": "name", "facets": ["cbi_type", "kind"]},
    ),
    Table(
        "mechanism_members",
        "Member countries of each mechanism (one row per mechanism and country).",
        columns=(
            Column("mechanism_id", "The mechanism.", references="mechanisms"),
            Column("country_id", "A member country.", references="countries"),
        ),
        primary_key=("mechanism_id", "country_id"),
    ),
    Table(
        "aliases",
        "Every spelling of a person, organization, mechanism or place that the report uses, for lookup by name.",
        columns=(
            Column("entity_type", "person, organization, mechanism or place."),
            Column("entity_id", "Id in people, organizations, mechanisms or places."),
            Column("alias", "The spelling."),
        ),
        primary_key=("entity_type", "entity_id", "alias"),
        indexes=(("entity_id",), ("alias",)),
        datasette={"facets": ["entity_type"]},
    ),
    Table(
        "events",
        "Every engagement the report describes or refers to: meetings, summits, visits, calls, dialogues, launches, declarations, announcements, repatriations, publications. Click an event for its page: people, figures, statements, data notes and the report's paragraph.",
        columns=(
            Column("id", "Stable event id.", "slug", required=True),
            Column("report_id", "The report edition that describes it.", derived=True, references="reports"),
            Column("section_id", "The section that describes it.", "section", required=True, references="sections"),
            Column("chapter", "Chapter of that section.", "int", derived=True),
            Column("title", "Short title (this dataset's words).", required=True),
            Column(
                "start_date",
                "Date (ISO: YYYY-MM-DD, or YYYY-MM / YYYY when the report gives only that); empty when the report gives none.",
                "date",
            ),
            Column("end_date", "Last day of a multi-day event.", "date"),
            Column("date_precision", "day, month or year, from the form of start_date.", derived=True),
            Column("month", "Year and month of start_date (YYYY-MM), for faceting.", derived=True),
            Column("year", "Year of start_date.", "int", derived=True),
            Column("event_type", f"{listed(EVENT_TYPES)}.", required=True, choices=EVENT_TYPES),
            Column("mode", "in-person, virtual or phone; empty when the report does not say.", choices=EVENT_MODES),
            Column(
                "status",
                "occurred (in the year covered), referenced (an earlier event the report refers to) or planned.",
                required=True,
                choices=EVENT_STATUSES,
            ),
            Column("ordinal", "The report's numbering of the meeting (10 for the 10th).", "int"),
            Column(
                "mechanism_id",
                "Its primary mechanism, for facets: derived from event_mechanisms (the first of its mechanisms it is a "
                "meeting of, establishes, or is under; never one it only discusses). All its mechanisms are in event_mechanisms.",
                "slug",
                derived=True,
                references="mechanisms",
            ),
            Column(
                "place_id",
                "Its primary place, for facets: derived from event_places (the first venue, else city, else place visited). "
                "All its places are in event_places.",
                "slug",
                derived=True,
                references="places",
            ),
            Column("summary", "One sentence in this dataset's words.", required=True),
            Column("quote", "The report's words that state the event.", "quote", required=True, quoted_in=IN_ROW_SECTION),
            Column("topics", "JSON array of topic ids.", "list", item_references="topics"),
            Column("countries", "JSON array of the countries taking part (ISO codes).", "list", item_references="countries"),
            Column("people", "JSON array of the names of the people event_people lists for it, present or not.", "list", derived=True),
            Column(
                "search_text",
                "What the search box matches besides the title, summary and quote: the names and aliases of its people, "
                "organizations, mechanisms and places, and its topics (derived).",
                derived=True,
            ),
            Column("date_order", "Sort key: start_date, and after every dated event the undated ones.", derived=True),
        ),
        source="events.csv",
        scope=EDITION,
        rules=(DateRange("start_date", "end_date"),),
        indexes=(("start_date",), ("month",), ("year",), ("event_type",), ("mode",), ("status",), ("chapter",), ("date_order",)),
        search=("title", "summary", "quote", "search_text"),
        datasette={
            "label_column": "title",
            "sort": "date_order",
            # A page of 60 events: the report's 59 on one page, and each row of the compact table costs Datasette
            # a cell for each of the 23 columns (a page of a large edition renders in about 30 ms instead of 40).
            "size": EVENTS_PAGE_SIZE,
            "facets": [facet.config() for facet in EVENT_FACETS],
        },
    ),
    Table(
        "person_roles",
        "The roles of people at events, and whether each places the person there: who met whom counts only present roles.",
        columns=(
            Column("id", "The role, as event_people.role names it."),
            Column("present", "1 when the role places the person at the event (or makes them a party to its act), else 0.", "flag"),
            Column("description", "What the role means."),
        ),
        datasette={"label_column": "id"},
    ),
    Table(
        "event_people",
        "Who took part in each event, their role, whether they were there, and their title at the time.",
        columns=(
            Column("event_id", "The event.", "slug", required=True, references="events"),
            Column("person_id", "The person.", "slug", required=True, references="people"),
            Column("role", f"{listed(PERSON_ROLES)} (see person_roles).", required=True, choices=PERSON_ROLES),
            Column(
                "present",
                "1 when the role places the person at the event (or makes them a party to its act), 0 when the person "
                "is linked to it without being there; derived from the role (person_roles).",
                "flag",
                derived=True,
            ),
            Column("title", "The person's title for this event, as the report gives it."),
            Column(
                "organization_id", "The organization the person represented, where the report says.", "slug", references="organizations"
            ),
            Column(
                "represented_by",
                "For a person who was not there: who represented them at the event, where the report says.",
                "slug",
                references="people",
            ),
            *link_evidence("The report's words that place the person at the event."),
        ),
        primary_key=("event_id", "person_id", "role"),
        source="event_people.csv",
        scope=EDITION,
        optional_file=True,
        rules=(RepresentedBy(),),
        indexes=(("present",),),
        datasette={"facets": ["role", "present"]},
    ),
    Table(
        "event_organizations",
        "Organizations taking part in each event and their role.",
        columns=(
            Column("event_id", "The event.", "slug", required=True, references="events"),
            Column("organization_id", "The organization.", "slug", required=True, references="organizations"),
            Column("role", f"{listed(ORGANIZATION_ROLES)}.", required=True, choices=ORGANIZATION_ROLES),
            Column(
                "quote", "The report's words that link the organization to the event.", "quote", required=True, quoted_in=IN_EVENT_SECTION
            ),
        ),
        primary_key=("event_id", "organization_id", "role"),
        source="event_organizations.csv",
        scope=EDITION,
        optional_file=True,
        datasette={"facets": ["role"]},
    ),
    event_link_table(
        "event_places",
        "Every place of each event, with its role: the venue or city where it took place, the places a visit went to, "
        "or a place it concerns.",
        ("place_id", "places", "place"),
        Column(
            "role",
            "venue (the building or site where it took place), city (the city, state or region where it took place), "
            "visited (a place a visit or trip went to) or subject (a place it concerns, not where it took place).",
            required=True,
            choices=PLACE_ROLES,
        ),
    ),
    event_link_table(
        "event_mechanisms",
        "Every mechanism of each event, with its role: a meeting of it, its establishment, an action under it, or a discussion of it.",
        ("mechanism_id", "mechanisms", "mechanism"),
        Column(
            "role",
            "meeting-of (a meeting, session or summit of it), establishes (creates, declares or announces it), "
            "under (a step taken under it or toward its goals) or discusses (it is a subject of the event).",
            required=True,
            choices=MECHANISM_ROLES,
        ),
    ),
    Table(
        "event_links",
        "Links between events: a meeting within a visit, a declaration made at a summit (part-of); a meeting that "
        "follows on from another (follows); a planned meeting and the meeting that took place (held-as).",
        columns=(
            Column("event_id", "The event.", "slug", required=True, references="events"),
            Column(
                "relation",
                "part-of (the event is part of the linked event), follows (it follows on from the linked event) "
                "or held-as (the planned event took place as the linked event).",
                required=True,
                choices=EVENT_RELATIONS,
            ),
            Column("linked_event_id", "The linked event.", "slug", required=True, references="events"),
            *link_evidence("The report's words that link the two events."),
        ),
        primary_key=("event_id", "relation", "linked_event_id"),
        source="event_links.csv",
        scope=EDITION,
        optional_file=True,
        rules=(Acyclic("event_id", "linked_event_id"),),
        datasette={"facets": ["relation"]},
    ),
    Table(
        "event_topics",
        "Topics of each event (one row per event and topic).",
        columns=(Column("event_id", "The event.", references="events"), Column("topic_id", "The topic.", references="topics")),
        primary_key=("event_id", "topic_id"),
    ),
    Table(
        "event_countries",
        "Countries taking part in each event (one row per event and country).",
        columns=(Column("event_id", "The event.", references="events"), Column("country_id", "The country.", references="countries")),
        primary_key=("event_id", "country_id"),
    ),
    Table(
        "figures",
        "Every number with a unit that the report states, with what it measures and the report's words.",
        columns=(
            Column("id", "Figure id.", "slug", required=True),
            Column("section_id", "The section that states it.", "section", required=True, references="sections"),
            Column("event_id", "The event it belongs to, if any.", "slug", references="events"),
            Column("value", "The number, in the unit given (USD amounts in dollars, percentages as 45 for 45%).", "real", required=True),
            Column("unit", "USD, percent, jobs, students, teachers, artifacts, aquifers, people, pillars, priority-areas…", required=True),
            Column("description", "What the number measures.", required=True),
            Column("as_of", "The date or year the number refers to.", "date"),
            Column("lower_bound", '1 when the report says "over N" (the value is a lower bound).', "flag"),
            Column("approximate", '1 when the report says "approximately N".', "flag"),
            Column("quote", "The report's words stating the number.", "quote", required=True, quoted_in=IN_ROW_SECTION),
        ),
        source="figures.csv",
        scope=EDITION,
        optional_file=True,
        indexes=(("unit", "value"),),
        search=("description", "quote"),
        datasette={"label_column": "description", "facets": ["unit"]},
    ),
    Table(
        "statements",
        "Outcomes, commitments, purposes, descriptions and assessments that the report states about events, mechanisms and organizations.",
        columns=(
            Column("id", "Statement id.", "slug", required=True),
            Column("section_id", "The section that states it.", "section", required=True, references="sections"),
            Column("kind", f"{listed(STATEMENT_KINDS)}.", required=True, choices=STATEMENT_KINDS),
            Column("event_id", "The event it is about, if any.", "slug", references="events"),
            Column("mechanism_id", "The mechanism it is about, if any.", "slug", references="mechanisms"),
            Column("organization_id", "The organization it is about, if any.", "slug", references="organizations"),
            Column("topics", "JSON array of topic ids.", "list", item_references="topics"),
            Column("summary", "One sentence in this dataset's words.", required=True),
            Column("quote", "The report's words.", "quote", required=True, quoted_in=IN_ROW_SECTION),
        ),
        source="statements.csv",
        scope=EDITION,
        optional_file=True,
        indexes=(("kind",),),
        search=("summary", "quote"),
        datasette={"label_column": "summary", "facets": ["kind"]},
    ),
    Table(
        "data_notes",
        "Contradictions and oddities in the report (two dates, two totals, sums that do not add up, index and body that disagree…), with the report's words on each side and the value this dataset uses.",
        columns=(
            Column("id", "Note id.", "slug", required=True),
            Column("kind", f"{listed(NOTE_KINDS)}.", required=True, choices=NOTE_KINDS),
            Column("section_id", "The section the note is about.", "section", required=True, references="sections"),
            Column("title", "Short title.", required=True),
            Column("description", "What the report says and why it is odd.", required=True),
            Column("resolution", "Which value the dataset uses, and where.", required=True),
            Column("quotes", "JSON array of the report's words on each side, with their sections.", "quotes", required=True),
        ),
        source="data_notes.yml",
        scope=EDITION,
        optional_file=True,
        indexes=(("kind",),),
        datasette={"label_column": "title", "facets": ["kind"]},
    ),
    Table(
        "data_note_quotes",
        "The quotes of each data note, one row each.",
        columns=(
            Column("note_id", "The data note.", references="data_notes"),
            Column("position", "Order of the quote within the note.", "int"),
            Column("section_id", "The section the quote is from.", references="sections"),
            Column("quote", "The report's words."),
        ),
        primary_key=("note_id", "position"),
    ),
)

# Summary tables, computed once at build time, so that the pages and canned queries that
# aggregate the whole dataset read a few rows instead of scanning every event.
# A pair's event ids are one value, which the server refuses past 100 kB (plugins/sqlite_limits.py): about
# 5,000 ids. The real data's busiest pair shared 4 events; a large edition's may share tens of thousands.
PAIR_EVENT_IDS = 100
SUMMARIES = (
    Table(
        "summary_event_facets",
        "Number of events per value of each facet of the events page (computed at build time from events and the "
        "link tables): the page reads its unfiltered counts here instead of counting every event.",
        columns=(
            Column("facet", "The events column faceted on."),
            Column("value", "One of its values (for a list, one item), of the type it has in events.", "any"),
            Column("events", "Number of events with that value.", "int"),
        ),
        # No declared key: a value keeps its type (an integer chapter), which a row address (`chapter,2`) cannot name.
        primary_key=(),
        indexes=(("facet", "events"),),
        sql="\nunion all\n".join(facet.counts_sql() for facet in EVENT_FACETS) + "\norder by 1, 3 desc, 2",
        datasette={"facets": ["facet"]},
    ),
    Table(
        "people_pairs",
        "Who met whom — every pair of people present at the same event (event_people.present: a person represented by "
        "someone else is not paired), with how many events they shared (computed at build time).",
        columns=(
            Column("person_a_id", "First person's id (alphabetically by id).", references="people"),
            Column("person_a", "First person's name."),
            Column("person_b_id", "Second person's id.", references="people"),
            Column("person_b", "Second person's name."),
            Column("events", "Number of events both were present at.", "int"),
            Column(
                "event_ids",
                f"JSON array of those events' ids: for a pair that shared more than {PAIR_EVENT_IDS:,}, the first "
                f"{PAIR_EVENT_IDS:,} in id order (events counts them all).",
            ),
        ),
        primary_key=("person_a_id", "person_b_id"),
        indexes=(("events", "person_a", "person_b"),),  # person_b_id is indexed as a reference
        sql=f"""
select pairs.a, pa.name, pairs.b, pb.name, pairs.events,
  case when pairs.events <= {PAIR_EVENT_IDS} then pairs.event_ids
  else (select json_group_array(value) from (select value from json_each(pairs.event_ids) order by value limit {PAIR_EVENT_IDS}))
  end
from (
  select a.person_id as a, b.person_id as b, count(distinct a.event_id) as events,
    json_group_array(distinct a.event_id) as event_ids
  from event_people a join event_people b on b.event_id = a.event_id and a.person_id < b.person_id and b.present = 1
  where a.present = 1
  group by a.person_id, b.person_id
) pairs
join people pa on pa.id = pairs.a
join people pb on pb.id = pairs.b
order by pairs.events desc, pa.name, pb.name
""",
    ),
    Table(
        "summary_events_by_place",
        "Number of events held at each place or at a place inside it (a city counts the events in its buildings), "
        "from event_places, with the five latest (computed at build time). Places an event only concerns are not counted.",
        columns=(
            Column("place_id", "The place.", references="places"),
            Column("events", "Number of events held there or in a place inside it.", "int"),
            Column("recent_events", "JSON array of the titles of the five latest events there."),
        ),
        primary_key="place_id",
        # Ranked in one pass over `held`: a subquery per place read all of `held` once per place. json_group_array
        # takes the titles in the order of its subquery, latest first.
        sql="""
with held(event_id, place_id) as (
  select event_id, place_id from event_places where role != 'subject'
  union
  select ep.event_id, inner_place.parent_id from event_places ep join places inner_place on inner_place.id = ep.place_id
  where ep.role != 'subject' and inner_place.parent_id is not null
),
ranked(place_id, title, position, events) as (
  select h.place_id, e.title,
    row_number() over (partition by h.place_id order by e.start_date desc, e.id),
    count(*) over (partition by h.place_id)
  from held h join events e on e.id = h.event_id
),
latest(place_id, events, titles) as (
  select place_id, max(events), json_group_array(title)
  from (select * from ranked where position <= 5 order by place_id, position)
  group by place_id
)
select p.id, coalesce(l.events, 0), coalesce(l.titles, '[]')
from places p left join latest l on l.place_id = p.id
order by p.id
""",
    ),
    Table(
        "summary_events_by_month",
        "Number of events per month (computed at build time from events).",
        columns=(Column("month", "Year and month (YYYY-MM)."), Column("events", "Number of events starting that month.", "int")),
        primary_key="month",
        sql="select month, count(*) from events where month is not null group by month order by month",
    ),
    Table(
        "summary_events_by_mechanism",
        "Number of events per mechanism in any role (a meeting of it, its establishment, a step under it, a discussion of it), "
        "with its CBI type and the first and last date (computed at build time from event_mechanisms).",
        columns=(
            Column("mechanism_id", "The mechanism.", references="mechanisms"),
            Column("mechanism", "Its name."),
            Column("cbi_type", "Its CBI type (this dataset's classification)."),
            Column("events", "Number of its events.", "int"),
            Column("first", "Earliest start date of its events."),
            Column("last", "Latest start date of its events."),
        ),
        primary_key="mechanism_id",
        indexes=(("events",), ("cbi_type",)),
        sql="""
select m.id, m.name, m.cbi_type, count(distinct e.id), min(e.start_date), max(e.start_date)
from event_mechanisms em join mechanisms m on m.id = em.mechanism_id join events e on e.id = em.event_id
group by m.id order by m.id
""",
        datasette={"label_column": "mechanism", "facets": ["cbi_type"]},
    ),
    Table(
        "summary_events_by_cbi_type",
        "The four types of binational institutions the CBI studies (agreements, organizations, dialogue mechanisms, "
        "programs): how many institutions of each type the dataset holds and how many events they have "
        "(this dataset's classification; computed at build time).",
        columns=(
            Column("cbi_type", "The CBI type."),
            Column("institutions", "Number of mechanisms and organizations of that type.", "int"),
            Column("mechanisms", "Number of mechanisms of that type.", "int"),
            Column("organizations", "Number of organizations of that type.", "int"),
            Column("events", "Number of events linked to an institution of that type.", "int"),
        ),
        primary_key="cbi_type",
        sql="""
select t.cbi_type, count(distinct t.institution), count(distinct case when t.table_name = 'mechanisms' then t.institution end),
  count(distinct case when t.table_name = 'organizations' then t.institution end), count(distinct t.event_id)
from (
  select 'mechanisms' as table_name, m.cbi_type, m.id as institution, em.event_id
  from mechanisms m left join event_mechanisms em on em.mechanism_id = m.id
  union all
  select 'organizations', o.cbi_type, o.id, eo.event_id
  from organizations o left join event_organizations eo on eo.organization_id = o.id
  where o.cbi_type is not null
) t
group by t.cbi_type order by t.cbi_type
""",
    ),
    Table(
        "summary_events_by_topic",
        "Number of events per topic (computed at build time).",
        columns=(
            Column("topic_id", "The topic.", references="topics"),
            Column("topic", "Its name."),
            Column("events", "Number of events with that topic.", "int"),
        ),
        primary_key="topic_id",
        indexes=(("events",),),
        sql="select t.id, t.name, count(*) from event_topics et join topics t on t.id = et.topic_id group by t.id order by t.id",
        datasette={"label_column": "topic"},
    ),
    Table(
        "summary_events_by_country",
        "Number of events per country taking part (computed at build time).",
        columns=(
            Column("country_id", "The country.", references="countries"),
            Column("country", "Its name."),
            Column("events", "Number of events it takes part in.", "int"),
        ),
        primary_key="country_id",
        indexes=(("events",),),
        sql="select c.id, c.name, count(*) from event_countries ec join countries c on c.id = ec.country_id group by c.id order by c.id",
        datasette={"label_column": "country"},
    ),
    Table(
        "summary_events_by_person",
        "Number of events per person, present or not, whatever their roles (computed at build time).",
        columns=(
            Column("person_id", "The person.", references="people"),
            Column("person", "Their name."),
            Column("events", "Number of events event_people lists them for.", "int"),
        ),
        primary_key="person_id",
        indexes=(("events",),),
        sql="""
select p.id, p.name, count(distinct ep.event_id)
from event_people ep join people p on p.id = ep.person_id
group by p.id
order by p.id
""",
        datasette={"label_column": "person"},
    ),
    Table(
        "summary_events_by_chapter_topic",
        "Number of events per topic in each chapter of each report (computed at build time).",
        columns=(
            Column("report_id", "The report edition.", references="reports"),
            Column("chapter", "Chapter number.", "int"),
            Column("chapter_title", "Chapter title as printed."),
            Column("topic_id", "The topic.", references="topics"),
            Column("topic", "Its name."),
            Column("events", "Number of events of that chapter with that topic.", "int"),
        ),
        primary_key=("report_id", "chapter", "topic_id"),
        sql="""
select g.report_id, g.chapter,
  (select s.title from sections s where s.report_id = g.report_id and s.number = cast(g.chapter as text)),
  g.topic_id, t.name, g.events
from (
  select e.report_id, e.chapter, et.topic_id, count(*) as events
  from event_topics et join events e on e.id = et.event_id
  where e.chapter is not null
  group by e.report_id, e.chapter, et.topic_id
) g
join topics t on t.id = g.topic_id
order by g.report_id, g.chapter, g.topic_id
""",
    ),
    Table(
        "summary_events_by_mechanism_month",
        "Number of events per mechanism (in any role) and month (computed at build time from event_mechanisms).",
        columns=(
            Column("mechanism_id", "The mechanism.", references="mechanisms"),
            Column("mechanism", "Its name."),
            Column("year", "Year.", "int"),
            Column("month", "Year and month (YYYY-MM)."),
            Column("events", "Number of its events that month.", "int"),
        ),
        primary_key=("mechanism_id", "month"),
        indexes=(("year",),),
        sql="""
select m.id, m.name, e.year, e.month, count(distinct e.id)
from event_mechanisms em join mechanisms m on m.id = em.mechanism_id join events e on e.id = em.event_id
where e.month is not null
group by m.id, e.month
order by m.id, e.month
""",
    ),
    Table(
        "summary_event_parts",
        "Each event that has parts (a visit and its meetings, a summit and what was done at it), rolled up: its parts "
        "however deep, the people present at it or any part, and the places where they were held (computed at build time).",
        columns=(
            Column("event_id", "The event that has parts.", references="events"),
            Column("title", "Its title."),
            Column("start_date", "Its start date."),
            Column("end_date", "Its end date."),
            Column("parts", "Number of its parts, however deep.", "int"),
            Column("part_ids", "JSON array of the ids of its parts, in date order."),
            Column("people", "JSON array of the names of the people present at it or at any of its parts."),
            Column("places", "JSON array of the names of the places where it or any of its parts was held."),
        ),
        primary_key="event_id",
        indexes=(("start_date", "event_id"),),
        sql="""
with recursive parts(whole_id, part_id) as (
  select linked_event_id, event_id from event_links where relation = 'part-of'
  union
  select parts.whole_id, l.event_id from parts join event_links l on l.linked_event_id = parts.part_id and l.relation = 'part-of'
),
members(whole_id, event_id) as (select whole_id, part_id from parts union select whole_id, whole_id from parts)
select w.id, w.title, w.start_date, w.end_date,
  (select count(*) from parts p where p.whole_id = w.id),
  (select json_group_array(id) from (
     select e.id from parts p join events e on e.id = p.part_id where p.whole_id = w.id order by e.start_date, e.id)),
  (select json_group_array(name) from (
     select distinct pe.name from members m join event_people ep on ep.event_id = m.event_id and ep.present = 1
     join people pe on pe.id = ep.person_id where m.whole_id = w.id order by pe.name)),
  (select json_group_array(name) from (
     select distinct pl.name from members m join event_places ep on ep.event_id = m.event_id and ep.role != 'subject'
     join places pl on pl.id = ep.place_id where m.whole_id = w.id order by pl.name))
from events w
where w.id in (select whole_id from parts)
order by w.start_date, w.id
""",
        datasette={"label_column": "title"},
    ),
)

VIEWS = (
    Table(
        "events_detail",
        "One row per event with its primary mechanism and place, section, and its people (with roles, presence and titles), "
        "places, mechanisms, organizations, topics, countries and linked events as JSON arrays.",
        columns=(
            Column("id", "Event id."),
            Column("start_date", "Start date."),
            Column("end_date", "End date of a multi-day event."),
            Column("date_precision", "day, month or year."),
            Column("title", "Short title."),
            Column("event_type", "Type of event."),
            Column("mode", "in-person, virtual or phone."),
            Column("status", "occurred, referenced or planned."),
            Column("ordinal", "The report's numbering of the meeting.", "int"),
            Column("mechanism", "Name of its primary mechanism."),
            Column("place", "Name of its primary place."),
            Column("section", "Section number."),
            Column("section_title", "Section title."),
            Column("summary", "One sentence in this dataset's words."),
            Column("quote", "The report's words."),
            Column("people", "JSON array of {person, role, present, title}."),
            Column("places", "JSON array of {place, role}."),
            Column("mechanisms", "JSON array of {mechanism, role}."),
            Column("organizations", "JSON array of {organization, role}."),
            Column("topics", "JSON array of topic ids."),
            Column("countries", "JSON array of ISO country codes."),
            Column("part_of", "JSON array of the ids of the events it is part of."),
            Column("parts", "JSON array of the ids of its direct parts."),
        ),
        view=True,
        sql="""
select
  e.id, e.start_date, e.end_date, e.date_precision, e.title, e.event_type, e.mode, e.status, e.ordinal,
  m.name as mechanism, p.name as place, s.number as section, s.title as section_title,
  e.summary, e.quote,
  (select json_group_array(json_object('person', pe.name, 'role', ep.role, 'present', ep.present, 'title', ep.title))
     from event_people ep join people pe on pe.id = ep.person_id where ep.event_id = e.id) as people,
  (select json_group_array(json_object('place', pl.name, 'role', epl.role))
     from event_places epl join places pl on pl.id = epl.place_id where epl.event_id = e.id) as places,
  (select json_group_array(json_object('mechanism', me.name, 'role', em.role))
     from event_mechanisms em join mechanisms me on me.id = em.mechanism_id where em.event_id = e.id) as mechanisms,
  (select json_group_array(json_object('organization', o.name, 'role', eo.role))
     from event_organizations eo join organizations o on o.id = eo.organization_id where eo.event_id = e.id) as organizations,
  e.topics, e.countries,
  (select json_group_array(l.linked_event_id) from event_links l where l.event_id = e.id and l.relation = 'part-of') as part_of,
  (select json_group_array(l.event_id) from event_links l where l.linked_event_id = e.id and l.relation = 'part-of') as parts
from events e
left join mechanisms m on m.id = e.mechanism_id
left join places p on p.id = e.place_id
join sections s on s.id = e.section_id
order by e.start_date, e.id
""",
    ),
    Table(
        "person_events",
        "One row per person and event they are listed for, with role, presence, title, organization, primary place and mechanism.",
        columns=(
            Column("person_id", "Person id."),
            Column("person", "Person's name."),
            Column("event_id", "Event id."),
            Column("event", "Event title."),
            Column("start_date", "Event start date."),
            Column("end_date", "Event end date."),
            Column("role", "The person's role in the event."),
            Column("present", "1 when the role places the person at the event, 0 when not.", "int"),
            Column("title", "The person's title for the event."),
            Column("organization", "The organization the person represented."),
            Column("represented_by", "Who represented the person, when they were not there."),
            Column("place", "The event's primary place."),
            Column("mechanism", "The event's primary mechanism."),
            Column("quote", "The report's words placing the person at the event."),
            Column("section_id", "The section that states it."),
        ),
        primary_key=(),
        view=True,
        sql="""
select
  pe.id as person_id, pe.name as person, e.id as event_id, e.title as event, e.start_date, e.end_date,
  ep.role, ep.present, ep.title, o.name as organization, rep.name as represented_by,
  p.name as place, m.name as mechanism, ep.quote, coalesce(ep.section_id, e.section_id) as section_id
from event_people ep
join people pe on pe.id = ep.person_id
join events e on e.id = ep.event_id
left join organizations o on o.id = ep.organization_id
left join people rep on rep.id = ep.represented_by
left join places p on p.id = e.place_id
left join mechanisms m on m.id = e.mechanism_id
order by pe.name, e.start_date
""",
        datasette={"facets": ["person", "role", "present"]},
    ),
    Table(
        "event_parts",
        "Every part of every event, however deep: one row per event and each of its parts (a visit, the meetings "
        "within it, what was presented at them), with how many part-of links away the part is.",
        columns=(
            Column("whole_id", "The event that has the part."),
            Column("whole", "Its title."),
            Column("part_id", "The part."),
            Column("part", "The part's title."),
            Column("depth", "1 for a direct part, 2 for a part of a part…", "int"),
            Column("start_date", "The part's start date."),
            Column("event_type", "The part's type of event."),
        ),
        primary_key=(),
        view=True,
        sql="""
with recursive parts(whole_id, part_id, depth) as (
  select linked_event_id, event_id, 1 from event_links where relation = 'part-of'
  union
  select parts.whole_id, l.event_id, parts.depth + 1
  from parts join event_links l on l.linked_event_id = parts.part_id and l.relation = 'part-of'
)
select parts.whole_id, w.title as whole, parts.part_id, e.title as part, parts.depth, e.start_date, e.event_type
from parts join events w on w.id = parts.whole_id join events e on e.id = parts.part_id
order by w.start_date, parts.whole_id, parts.depth, e.start_date, parts.part_id
""",
    ),
)

# Every declaration, in the order the data dictionaries list them.
ALL = {table.name: table for table in (*TABLES, *SUMMARIES, *VIEWS)}
SOURCE_TABLES = tuple(table for table in TABLES if table.source)


def check_declarations(tables):
    """References name declared tables, and primary keys exist on the tables they name."""
    names = {table.name: table for table in tables}
    for table in tables:
        for column in table.columns:
            for target in filter(None, (column.references, column.item_references)):
                if target not in names:
                    raise DeclarationError(f"table {table.name!r}: column {column.name!r} references unknown table {target!r}")
                if len(names[target].primary_key) != 1:
                    raise DeclarationError(f"table {table.name!r}: column {column.name!r} references {target!r}, which has no single key")
        for rule in table.rules:
            for name in (getattr(rule, a) for a in ("start", "end", "name", "aliases", "column") if hasattr(rule, a)):
                if name not in table.column_names:
                    raise DeclarationError(f"table {table.name!r}: rule {rule!r} names unknown column {name!r}")


check_declarations(ALL.values())
