"""The canonical form of each source file, written from the records the build parsed.

CSV: the declared columns in declaration order, `\\n` line ends, minimal
quoting. YAML: each entry's declared fields in declaration order, empty fields
left out, block style. A file that cannot be parsed gets the build's own
`file:line: field: message` instead of a diff; a YAML file with comments is
never rewritten, since the canonical form cannot keep them.
"""

import csv
import difflib
import io
from dataclasses import dataclass
from pathlib import Path

import yaml

from schema import SOURCE_TABLES
from sourcefiles import LINE_KEY, Problem
from sourcetree import EDITION_MARKER, display_path, edition_folders, read_file, source_paths


@dataclass(frozen=True)
class LintResult:
    differing: tuple  # display paths of files not in canonical form
    problems: tuple  # files that could not be read or rewritten
    diff: str


def canonical_csv(records, table):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=table.source_names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(record.values for record in records)
    return out.getvalue()


def plain(value):
    """A parsed YAML value without the line bookkeeping of nested mappings."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items() if key != LINE_KEY}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def canonical_yaml(records, table):
    names = table.source_names
    entries = []
    for record in records:
        values = record.values
        known = {name: plain(values[name]) for name in names if values.get(name) not in (None, "", [])}
        entries.append(known | {key: plain(value) for key, value in values.items() if key not in names})
    return yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)


def comment_line(text):
    """The line (1-based) of the first YAML comment in `text`, or None.

    PyYAML's scanner skips comments, so a `#` outside every token that starts
    a line or follows white space is one.
    """
    covered = []
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if token.start_mark.index < token.end_mark.index:
            covered.append((token.start_mark.index, token.end_mark.index))
    covered.sort()
    position, spans = 0, iter(covered)
    span = next(spans, None)
    while (position := text.find("#", position)) != -1:
        while span and span[1] <= position:
            span = next(spans, None)
        inside = span is not None and span[0] <= position < span[1]
        if not inside and (position == 0 or text[position - 1] in " \t\n"):
            return text.count("\n", 0, position) + 1
        position += 1
    return None


def lint(root, fix=False):
    """Compare every source file with its canonical form; with `fix`, rewrite those that differ and can be."""
    root = Path(root)
    differing, problems, diff = [], [], []
    folders = edition_folders(root)
    for table in SOURCE_TABLES:
        if table.source == EDITION_MARKER:
            continue  # one mapping per edition, written by hand
        for _, path in source_paths(root, table, folders):
            if not path.is_file():
                continue
            name = display_path(root, path)
            found = []
            records = read_file(path, name, table, found)
            if found or records is None:
                problems.extend(found)
                continue
            current = path.read_text(encoding="utf-8")
            canonical = canonical_csv(records, table) if table.format == "csv" else canonical_yaml(records, table)
            if current == canonical:
                continue
            differing.append(name)
            diff.extend(difflib.unified_diff(current.splitlines(True), canonical.splitlines(True), name, name + " (canonical)"))
            comment = comment_line(current) if table.format == "yaml" else None
            if fix and comment:
                problems.append(
                    Problem(
                        name,
                        comment,
                        "file",
                        "has a YAML comment, which the canonical form cannot keep; move it into a field or remove it, then run lint --fix again",
                    )
                )
            elif fix:
                path.write_text(canonical, encoding="utf-8")
    return LintResult(tuple(differing), tuple(problems), "".join(diff))
