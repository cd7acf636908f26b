"""Turn the vendored Markdown snapshot of a report into plain section texts.

Quotes in the sources are checked against this plain text, so the rules here
are the rules a quote must follow: Markdown markup removed, runs of white
space counted as one space.
"""

import re
from dataclasses import dataclass

HEADING = re.compile(r"^(#+)\s*(.*?)\s*$")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
ESCAPE = re.compile(r"\\([^\w\s])")
EMPHASIS = re.compile(r"(^|\s)\*(\S[^*]*\S|\S)\*")
PAGE_BREAK = "---"


MARKUP = frozenset("#[\\*<\t")


def plain_line(line):
    """One Markdown line as plain text: no heading marks, links, escapes or emphasis."""
    if line.strip() == PAGE_BREAK:
        return ""
    if MARKUP.isdisjoint(line):
        return line.strip()
    line = HEADING.sub(r"\2", line) if line.startswith("#") else line
    line = LINK.sub(r"\1", line)
    line = ESCAPE.sub(r"\1", line)
    line = line.replace("<b>", "").replace("</b>", "").replace("**", "")
    line = EMPHASIS.sub(r"\1\2", line)
    return line.replace("\t", " ").strip()


def normalize_space(text):
    return " ".join(text.split())


def heading_text(line):
    """The text of a Markdown heading line, or None when the line is no heading."""
    match = HEADING.match(line)
    return plain_line(line) if match else None


def paragraphs(lines):
    """Plain-text paragraphs of Markdown lines (blank lines separate them)."""
    result, current = [], []
    for line in lines:
        text = plain_line(line)
        if text:
            current.append(text)
        elif current:
            result.append(" ".join(current))
            current = []
    if current:
        result.append(" ".join(current))
    return result


@dataclass(frozen=True)
class SectionText:
    heading: str
    paragraphs: tuple

    @property
    def body(self):
        return "\n\n".join(self.paragraphs)

    @property
    def searchable(self):
        """Heading and body as one whitespace-normalized string, for quote checks."""
        return normalize_space(" ".join((self.heading, *self.paragraphs)))


def split_sections(lines, starts):
    """Cut report lines into sections.

    `starts` maps a section id to the 1-based line where it begins; a section
    runs to the line before the next start. A section that begins on a
    heading keeps that heading apart from its body.
    """
    ordered = sorted(starts.items(), key=lambda item: item[1])
    texts = {}
    for index, (section_id, start) in enumerate(ordered):
        end = ordered[index + 1][1] - 1 if index + 1 < len(ordered) else len(lines)
        chunk = lines[start - 1 : end]
        heading = heading_text(chunk[0]) if chunk else None
        if heading is not None:
            texts[section_id] = SectionText(heading, tuple(paragraphs(chunk[1:])))
        else:
            texts[section_id] = SectionText("", tuple(paragraphs(chunk)))
    return texts


def section_texts(lines, sections):
    """Qualified id -> SectionText for sections given as (id, heading line or None, heading).

    Sections with a line inside the report are cut from it; the others get
    their heading and no body.
    """
    starts = {section_id: line for section_id, line, _ in sections if line is not None and 1 <= line <= len(lines)}
    texts = split_sections(lines, starts)
    for section_id, _, heading in sections:
        texts.setdefault(section_id, SectionText(heading or "", ()))
    return texts


def heading_lines(lines, first):
    """Line numbers (1-based) of every Markdown heading from line `first` on."""
    return [number for number, line in enumerate(lines, 1) if number >= first and HEADING.match(line)]
