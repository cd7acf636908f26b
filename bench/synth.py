"""Write a synthetic, valid sources/ tree of any size, for benchmarks.

    python -m bench.synth --events N --out DIR [--seed 0] [--per-edition 10000]

Same formats and validation as the real sources; deterministic for a seed.
Distributions are meant to look like real data: words drawn from a Zipf
distribution, people who attend many events (also Zipf), dates over four
decades, several people, organizations, topics and countries per event. Each
edition is a synthetic report (Markdown) whose sentences every row quotes, so
`build.py --sources DIR` checks every quote as it does for the real report.
"""

import argparse
import csv
import hashlib
import itertools
import random
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

import yaml

from schema import ALL

SYLLABLES = ["ba", "ca", "de", "fi", "go", "hu", "ja", "ke", "li", "mo", "nu", "pa", "qui", "ro", "sa", "te", "vi", "xo", "ya", "zu"]
COUNTRIES = ["US", "MX", "CA", "GT", "HN", "SV", "CO", "PA", "CU", "HT", "NI", "VE", "BR", "AR", "CL", "PE", "EC", "BO", "UY", "PY"]
TOPICS = [
    "migration",
    "fentanyl",
    "arms-trafficking",
    "trade",
    "clean-energy",
    "climate",
    "labor",
    "education",
    "public-health",
    "infrastructure",
    "aviation",
    "water",
    "culture",
    "human-rights",
    "security",
    "consular-affairs",
    "diplomacy",
]
EVENT_TYPES = ["meeting", "summit", "dialogue", "visit", "phone-call", "announcement", "conference", "committee-meeting"]
MODES = ["in-person", "in-person", "in-person", "virtual", "phone", ""]
ROLES = ["host", "attendee", "met-with", "delegation-leader", "delegation-member", "co-chair", "speaker"]
SECTION_SIZE = 50  # events per report section
REGISTRY_SECTION_SIZE = 200  # names per appendix section
START = date(1990, 1, 1)
DAYS = (date(2029, 12, 31) - START).days


class Zipf:
    """Draws indexes 0..n-1 with probability proportional to 1 / (rank + 1) ** s."""

    def __init__(self, rng, n, s=1.1):
        self.rng = rng
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) ** s for rank in range(n)))
        self.n = n

    def draw(self, k=1):
        return self.rng.choices(range(self.n), cum_weights=self.cumulative, k=k)


def word(index):
    """A pronounceable word for an index, unique per index."""
    letters = []
    index += len(SYLLABLES)
    while index:
        index, rest = divmod(index, len(SYLLABLES))
        letters.append(SYLLABLES[rest])
    return "".join(reversed(letters))


def proper(index, prefix):
    return f"{prefix} {word(index).capitalize()} {word(index * 7 + 3).capitalize()}"


def write_csv(path, table, rows):
    """Rows as dicts by column name; the header is the table's declared source columns, absent values empty."""
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=ALL[table].source_names, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_yaml_mapping(path, mapping):
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


def write_yaml(path, entries):
    path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False), encoding="utf-8")


class Synth:
    def __init__(self, events, seed, per_edition):
        self.rng = random.Random(seed)
        self.events = events
        self.per_edition = per_edition
        self.editions = max(1, -(-events // per_edition))
        self.people = max(50, events // 20)
        self.organizations = max(20, events // 50)
        self.mechanisms = max(10, min(500, events // 100))
        self.places = max(10, min(2000, events // 50))
        self.vocabulary = Zipf(self.rng, 5000)
        self.attendance = Zipf(self.rng, self.people, 1.05)
        self.registry_sections = {}  # (kind, index) -> qualified section id

    def words(self, count):
        return " ".join(word(i) for i in self.vocabulary.draw(count))

    def person(self, index):
        return proper(index, "Delegate")

    def organization(self, index):
        return proper(index, "Office")

    def mechanism(self, index):
        return proper(index, "Dialogue")

    def place(self, index):
        return proper(index, "Port")

    def appendix(self):
        """Lines naming every registry entity, in sections of the first edition."""
        lines, sections = [], []
        kinds = [
            ("person", self.people, self.person),
            ("organization", self.organizations, self.organization),
            ("mechanism", self.mechanisms, self.mechanism),
            ("place", self.places, self.place),
        ]
        number = 0
        for kind, count, name in kinds:
            for start in range(0, count, REGISTRY_SECTION_SIZE):
                number += 1
                section = f"a.{number}"
                sections.append(section)
                lines.append(f"### {section}. Register {number}")
                lines.append("")
                for index in range(start, min(count, start + REGISTRY_SECTION_SIZE)):
                    lines.append(f"Named in this register: {name(index)}.")
                    lines.append("")
                    self.registry_sections[(kind, index)] = f"synth-00:{section}"
        return lines, sections

    def write(self, out):
        out = Path(out)
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        write_yaml_mapping(
            out / "dataset.yml",
            {
                "version": "1.0.0",
                "released": "2024-01-01",
                "title": "Synthetic binational dataset",
                "description": "Generated for benchmarks.",
                "creator": "Benchmarks",
                "license": "CC0-1.0",
                "license_id": "CC0-1.0",
                "license_title": "Creative Commons Zero 1.0",
                "license_url": "https://creativecommons.org/publicdomain/zero/1.0/",
                "citation": "Synthetic dataset {version}.",
                "source_url": "https://example.org/",
            },
        )
        appendix_lines, appendix_sections = self.appendix()
        for edition in range(self.editions):
            first = edition * self.per_edition
            self.write_edition(
                out,
                edition,
                range(first, min(self.events, first + self.per_edition)),
                appendix_lines if edition == 0 else [],
                appendix_sections if edition == 0 else [],
            )
        self.write_registries(out)

    def write_registries(self, out):
        anchor = self.registry_sections
        write_csv(
            out / "countries.csv",
            "countries",
            [
                {"id": code, "name": f"Country {code}", "basis": "public-knowledge", "section_id": "synth-00:1", "quote": "Country"}
                for code in COUNTRIES
            ],
        )
        write_csv(
            out / "topics.csv",
            "topics",
            [{"id": t, "name": t.replace("-", " ").capitalize(), "description": f"Synthetic topic {t}."} for t in TOPICS],
        )
        write_csv(
            out / "places.csv",
            "places",
            [
                {
                    "id": f"place-{i}",
                    "name": self.place(i),
                    "kind": "city",
                    "country_id": COUNTRIES[i % len(COUNTRIES)],
                    "latitude": f"{self.rng.uniform(-50, 60):.4f}",
                    "longitude": f"{self.rng.uniform(-120, -40):.4f}",
                    "coordinates_basis": "public-knowledge",
                    "section_id": anchor[("place", i)],
                    "quote": self.place(i),
                }
                for i in range(self.places)
            ],
        )
        write_yaml(
            out / "people.yml",
            [
                {
                    "id": f"person-{i}",
                    "name": self.person(i),
                    "country_id": COUNTRIES[i % len(COUNTRIES)],
                    "aliases": [f"Envoy {word(i).capitalize()} {word(i * 7 + 3).capitalize()}"],
                    "section_id": anchor[("person", i)],
                    "quote": self.person(i),
                }
                for i in range(self.people)
            ],
        )
        write_yaml(
            out / "organizations.yml",
            [
                {
                    "id": f"org-{i}",
                    "name": self.organization(i),
                    "country_id": COUNTRIES[i % len(COUNTRIES)],
                    "kind": "agency",
                    "section_id": anchor[("organization", i)],
                    "quote": self.organization(i),
                }
                for i in range(self.organizations)
            ],
        )
        write_yaml(
            out / "mechanisms.yml",
            [
                {
                    "id": f"mechanism-{i}",
                    "name": self.mechanism(i),
                    "kind": "dialogue",
                    "cbi_type": "dialogue-mechanism",
                    "cbi_type_basis": "dataset-classification",
                    "members": ["US", "MX"],
                    "section_id": anchor[("mechanism", i)],
                    "quote": self.mechanism(i),
                }
                for i in range(self.mechanisms)
            ],
        )

    def write_edition(self, out, edition, numbers, appendix_lines, appendix_sections):
        edition_id = f"synth-{edition:02d}"
        folder = out / edition_id
        folder.mkdir()
        lines = [f"# SYNTHETIC REPORT {edition}", "", "## 1. EVENTS", "", "Country of every delegation.", ""]
        sections = [("title", "", "", 1, f"SYNTHETIC REPORT {edition}"), ("1", "", "1", 3, "1. EVENTS")]
        events, people, organizations, figures, statements = [], [], [], [], []
        links = {"places": [], "mechanisms": []}
        for offset in range(0, len(numbers), SECTION_SIZE):
            section = f"1.{offset // SECTION_SIZE + 1}"
            heading = f"{section}. Engagements {offset // SECTION_SIZE + 1}"
            lines += [f"### {heading}", ""]
            sections.append((section, "1", "1", len(lines) - 1, heading))
            for number in numbers[offset : offset + SECTION_SIZE]:
                sentence = self.event_rows(number, section, events, people, organizations, figures, statements, links)
                lines += [sentence, ""]
        if appendix_lines:
            lines += ["## A. REGISTER", ""]
            sections.append(("a", "", "9", len(lines) - 1, "A. REGISTER"))
            for line in appendix_lines:
                lines.append(line)
                if line.startswith("### "):
                    number = line[4:].split(".", 2)
                    sections.append((f"a.{number[1]}", "a", "9", len(lines), line[4:]))
        text = "\n".join(lines) + "\n"
        (folder / "report.md").write_text(text, encoding="utf-8")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        (folder / "report.yml").write_text(
            f"id: {edition_id}\ntitle: Synthetic report {edition}\nshort_title: Synthetic {edition}\npublisher: Benchmarks\npublished: 2024-01\n"
            f"year_covered: '2023'\nlanguage: en\nfile: report.md\nsha256: {digest}\n",
            encoding="utf-8",
        )
        write_csv(
            folder / "sections.csv",
            "sections",
            [{"id": s, "parent_id": p, "chapter": c, "line": line, "heading": h} for s, p, c, line, h in sections],
        )
        write_csv(folder / "events.csv", "events", events)
        write_csv(folder / "event_people.csv", "event_people", people)
        write_csv(folder / "event_organizations.csv", "event_organizations", organizations)
        write_csv(folder / "event_places.csv", "event_places", links["places"])
        write_csv(folder / "event_mechanisms.csv", "event_mechanisms", links["mechanisms"])
        write_csv(folder / "figures.csv", "figures", figures)
        write_csv(folder / "statements.csv", "statements", statements)
        (folder / "data_notes.yml").write_text("[]\n", encoding="utf-8")

    def event_rows(self, number, section, events, people, organizations, figures, statements, links):
        rng = self.rng
        day = START + timedelta(days=rng.randrange(DAYS))
        attendees = sorted(set(self.attendance.draw(rng.randint(1, 6))))
        host = self.person(attendees[0])
        place = rng.randrange(self.places)
        organization = rng.randrange(self.organizations)
        amount = rng.randint(1, 900) * 1000
        topic_words = self.words(rng.randint(4, 12))
        sentence = (
            f"On {day.isoformat()}, {host} met {', '.join(self.person(a) for a in attendees[1:]) or 'the delegation'} "
            f"in {self.place(place)} with the {self.organization(organization)} to discuss {topic_words}, "
            f"committing {amount} dollars (event {number})."
        )
        event_id = f"event-{number}"
        mechanism = f"mechanism-{rng.randrange(self.mechanisms)}" if rng.random() < 0.6 else ""
        countries = ";".join(sorted(set(rng.sample(COUNTRIES[:6], rng.randint(1, 3)))))
        topics = ";".join(sorted(set(rng.sample(TOPICS, rng.randint(1, 3)))))
        events.append(
            {
                "id": event_id,
                "section_id": section,
                "title": f"Meeting on {topic_words.split()[0]} {number}",
                "start_date": day.isoformat(),
                "event_type": rng.choice(EVENT_TYPES),
                "mode": rng.choice(MODES),
                "status": "occurred",
                "countries": countries,
                "topics": topics,
                "summary": f"Synthetic engagement {number} about {topic_words}.",
                "quote": sentence,
            }
        )
        links["places"].append({"event_id": event_id, "place_id": f"place-{place}", "role": "city", "quote": f"in {self.place(place)}"})
        if mechanism:
            links["mechanisms"].append({"event_id": event_id, "mechanism_id": mechanism, "role": "meeting-of", "quote": sentence})
        for position, attendee in enumerate(attendees):
            role = "host" if position == 0 else rng.choice(ROLES[1:])
            people.append(
                {"event_id": event_id, "person_id": f"person-{attendee}", "role": role, "title": "Delegate", "quote": self.person(attendee)}
            )
        organizations.append(
            {
                "event_id": event_id,
                "organization_id": f"org-{organization}",
                "role": "participant",
                "quote": f"with the {self.organization(organization)}",
            }
        )
        if number % 5 == 0:
            figures.append(
                {
                    "id": f"figure-{number}",
                    "section_id": section,
                    "event_id": event_id,
                    "value": amount,
                    "unit": "USD",
                    "description": f"Amount committed at event {number}",
                    "as_of": day.isoformat(),
                    "quote": f"committing {amount} dollars (event {number})",
                }
            )
            statements.append(
                {
                    "id": f"statement-{number}",
                    "section_id": section,
                    "kind": "commitment",
                    "event_id": event_id,
                    "topics": topics,
                    "summary": f"Commitment made at event {number}.",
                    "quote": f"to discuss {topic_words}",
                }
            )
        return sentence


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write a synthetic sources/ tree for benchmarks.")
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-edition", type=int, default=10000)
    args = parser.parse_args(argv)
    Synth(args.events, args.seed, args.per_edition).write(args.out)
    print(f"wrote {args.events} events to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
