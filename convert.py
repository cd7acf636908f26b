"""Turn checked sources into the typed rows of every table: the one step that converts.

Runs only on sources that checks.check_sources found valid. Each source table's
row is its record's typed values (lists and note quotes as JSON) plus the
derived columns its table declares; derived tables (dataset_info, link tables,
aliases, note quotes) are built from the source tables. `CONVERTERS` names the
function for every table that is not a plain copy of its source.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from checks import section_texts
from schema import (
    EDITION,
    PERSON_ROLE_VOCABULARY,
    PRESENT_ROLES,
    PRIMARY_MECHANISM_ROLES,
    PRIMARY_PLACE_ROLES,
    SCHEMA_VERSION,
    SOURCE_TABLES,
    TABLES,
    UniqueNames,
)
from values import read_record

DATE_PRECISION = {4: "year", 7: "month", 10: "day"}
UNDATED = "~"  # sorts after every ISO date, so undated events come last


@dataclass(frozen=True)
class Sources:
    """Checked, converted sources, ready for database.write_database."""

    root: Path
    dataset: dict  # the fields of dataset.yml
    digest: str  # sha256 over every source file
    typed: dict  # source table name -> list of typed values (dicts), in file order
    texts: dict  # qualified section id -> report.SectionText

    def rows(self, table):
        """The rows of a declared table (not a summary or view), as dicts by column name."""
        return CONVERTERS.get(table.name, source_rows)(self, table)


def convert(parsed):
    """Sources from a parsed tree (sourcetree.ParsedSources) that checks found valid."""
    typed = {}
    for table in SOURCE_TABLES:
        typed[table.name] = rows = []
        for record in parsed.records[table.name]:
            values = read_record(record, table, [])  # the checks have reported every problem already
            if table.scope == EDITION and "report_id" in table.column_names:
                values["report_id"] = record.edition
            rows.append(values)
    with_records = list(zip(parsed.records["sections"], typed["sections"], strict=True))
    texts = section_texts(parsed.editions, with_records)
    return Sources(parsed.root, dict(parsed.dataset.values), parsed.digest, typed, texts)


def json_list(items):
    return json.dumps(list(items or []), ensure_ascii=False)


def stored(column, value):
    """A typed value as the database stores it: lists and note quotes as JSON text."""
    if column.kind == "list":
        return json_list(value)
    if column.kind == "quotes":
        return json.dumps([{"section_id": q.section_id, "quote": q.quote} for q in value], ensure_ascii=False)
    return value


def source_rows(sources, table):
    columns = table.source_columns
    json_columns = [c for c in columns if c.kind in ("list", "quotes")]
    for values in sources.typed[table.name]:
        row = dict(values)
        for column in json_columns:
            row[column.name] = stored(column, row[column.name])
        yield row


def date_precision(value):
    return DATE_PRECISION.get(len(value)) if value else None


# ---------------------------------------------------------------- derived columns and tables


def dataset_info_rows(sources, table):
    dataset = sources.dataset
    info = {
        "dataset_version": dataset["version"],
        "dataset_released": dataset["released"],
        "schema_version": str(SCHEMA_VERSION),
        "source_digest": sources.digest,
        "title": dataset["title"],
        "description": dataset["description"],
        "creator": dataset["creator"],
        "license": dataset["license"],
        "license_id": dataset["license_id"],
        "license_url": dataset["license_url"],
        "citation": dataset["citation"].replace("{version}", dataset["version"]),
        "source_url": dataset["source_url"],
    }
    for values in sources.typed["reports"]:
        info[f"report_sha256:{values['id']}"] = values["sha256"]
    return ({"key": key, "value": value} for key, value in info.items())


def report_rows(sources, table):
    counts = {}
    for values in sources.typed["sections"]:
        counts[values["report_id"]] = counts.get(values["report_id"], 0) + 1
    for row in source_rows(sources, table):
        yield {**row, "section_count": counts.get(row["id"], 0)}


def section_rows(sources, table):
    positions = {}
    for values in sources.typed["sections"]:
        number = values["id"].split(":", 1)[1]
        positions[values["report_id"]] = position = positions.get(values["report_id"], 0) + 1
        yield {
            **values,
            "number": number,
            "level": number.count(".") + 1,
            "position": position,
            "title": values["heading"] or values["index_title"] or number,
            "body": sources.texts[values["id"]].body,
        }


def primary(links, key, roles):
    """event id -> the id its first link in the order of `roles` names (file order within a role)."""
    rank = {role: position for position, role in enumerate(roles)}
    best = {}
    for link in links:
        position = rank.get(link["role"])
        if position is not None and (link["event_id"] not in best or position < best[link["event_id"]][0]):
            best[link["event_id"]] = (position, link[key])
    return {event_id: value for event_id, (_, value) in best.items()}


def names_of(values, *columns):
    """The names a registry row is known by: its name, acronym and aliases, as present."""
    names = []
    for column in columns:
        value = values.get(column)
        names.extend(value if isinstance(value, tuple) else (value,) if value else ())
    return names


def search_words(sources):
    """event id -> the names of its people, organizations, mechanisms and places (with their aliases) and its topics."""
    typed = sources.typed
    registries = {
        "event_people": ("person_id", {v["id"]: names_of(v, "name", "aliases") for v in typed["people"]}),
        "event_organizations": (
            "organization_id",
            {v["id"]: names_of(v, "name", "acronym", "aliases") for v in typed["organizations"]},
        ),
        "event_mechanisms": ("mechanism_id", {v["id"]: names_of(v, "name", "acronym", "aliases") for v in typed["mechanisms"]}),
        "event_places": ("place_id", {v["id"]: names_of(v, "name", "aliases") for v in typed["places"]}),
    }
    words = {}
    for link_table, (key, names) in registries.items():
        for link in typed[link_table]:
            words.setdefault(link["event_id"], []).extend(names[link[key]])
    topics = {v["id"]: v["name"] for v in typed["topics"]}
    for values in typed["events"]:
        words.setdefault(values["id"], []).extend(topics[t] for t in values["topics"] or ())
    return {event_id: "; ".join(dict.fromkeys(items)) or None for event_id, items in words.items()}


def event_rows(sources, table):
    chapters = {values["id"]: values["chapter"] for values in sources.typed["sections"]}
    names = {values["id"]: values["name"] for values in sources.typed["people"]}
    attendees = {}
    for link in sources.typed["event_people"]:
        listed_people = attendees.setdefault(link["event_id"], [])
        if names[link["person_id"]] not in listed_people:
            listed_people.append(names[link["person_id"]])
    places = primary(sources.typed["event_places"], "place_id", PRIMARY_PLACE_ROLES)
    mechanisms = primary(sources.typed["event_mechanisms"], "mechanism_id", PRIMARY_MECHANISM_ROLES)
    words = search_words(sources)
    for row in source_rows(sources, table):
        start = row["start_date"]
        row.update(
            chapter=chapters[row["section_id"]],
            date_precision=date_precision(start),
            month=start[:7] if start and len(start) >= 7 else None,
            year=int(start[:4]) if start else None,
            mechanism_id=mechanisms.get(row["id"]),
            place_id=places.get(row["id"]),
            people=json_list(attendees.get(row["id"])),
            search_text=words.get(row["id"]),
            date_order=start or UNDATED,
        )
        yield row


def person_role_rows(sources, table):
    for role in PERSON_ROLE_VOCABULARY:
        yield {"id": role.id, "present": int(role.present), "description": role.description}


def event_people_rows(sources, table):
    for row in source_rows(sources, table):
        yield {**row, "present": int(row["role"] in PRESENT_ROLES)}


def list_links(source, list_column, key_column, item_column):
    """Rows of a link table: one per item of a list column of a source table."""

    def rows(sources, table):
        for values in sources.typed[source]:
            for item in values[list_column] or ():
                yield {key_column: values["id"], item_column: item}

    return rows


def alias_rows(sources, table):
    for source in TABLES:
        for rule in (r for r in source.rules if isinstance(r, UniqueNames)):
            for values in sources.typed[source.name]:
                for alias in values[rule.aliases] or ():
                    yield {"entity_type": rule.entity, "entity_id": values["id"], "alias": alias}


def note_quote_rows(sources, table):
    for values in sources.typed["data_notes"]:
        for position, quote in enumerate(values["quotes"], 1):
            yield {"note_id": values["id"], "position": position, "section_id": quote.section_id, "quote": quote.quote}


CONVERTERS = {
    "dataset_info": dataset_info_rows,
    "reports": report_rows,
    "sections": section_rows,
    "mechanism_members": list_links("mechanisms", "members", "mechanism_id", "country_id"),
    "aliases": alias_rows,
    "events": event_rows,
    "person_roles": person_role_rows,
    "event_people": event_people_rows,
    "event_topics": list_links("events", "topics", "event_id", "topic_id"),
    "event_countries": list_links("events", "countries", "event_id", "country_id"),
    "data_note_quotes": note_quote_rows,
}

# Every table is either a plain copy of its source file or has a converter.
UNCONVERTED = [t.name for t in TABLES if t.name not in CONVERTERS and (not t.source or any(c.derived for c in t.columns))]
if UNCONVERTED:
    raise RuntimeError(f"tables without a converter: {', '.join(UNCONVERTED)}")
