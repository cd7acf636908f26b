"""Find and parse every file of a sources/ tree.

The first step of a build: the dataset file, each source table's file (one at
the top for a registry, one per edition folder for an edition table) and each
edition's report snapshot, read into records that remember their file and
line. Problems that stop a file from being read are collected, never raised.

The files of the tables named in `parse_sources(..., defer=...)` are found
but left unread: `table_files` reads them one at a time as the checks pass
over them, a CSV file's records CHUNK_RECORDS at a time, so that a build never
holds every record of its largest tables, nor every record of one file.
"""

import hashlib
import itertools
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from schema import EDITION, REGISTRY, SOURCE_TABLES
from sourcefiles import (
    Problem,
    Records,
    SourceError,
    checked_text,
    csv_parts,
    parse_csv,
    parse_yaml,
    parse_yaml_mapping,
    read_bytes,
    read_text,
)

DATASET_FILE = "dataset.yml"
EDITION_MARKER = next(table.source for table in SOURCE_TABLES if table.name == "reports")
SOURCE_README = "README.md"
# The records of a deferred CSV file are read this many at a time: a build holds a part of its largest files, never a whole one.
CHUNK_RECORDS = 20_000


class NotASourceFolder(Exception):
    def __init__(self, problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Edition:
    """One edition folder: its id (the folder name), its report record and its report snapshot."""

    id: str
    folder: Path
    report: object  # the Record of report.yml
    snapshot_sha256: str | None  # None when the snapshot could not be read
    # Where the snapshot was read from, and its path as problems show it. Its text is not kept: the reports are the
    # largest text a build reads, and each is needed once or twice (lines), an edition at a time.
    snapshot_file: Path | None = None
    snapshot_display: str = ""

    @property
    def lines(self):
        """The snapshot's lines, read again from its file at each call; SourceError if it has changed since it was parsed."""
        if self.snapshot_sha256 is None:
            return ()
        data = read_bytes(self.snapshot_file, self.snapshot_display)
        if hashlib.sha256(data).hexdigest() != self.snapshot_sha256:
            raise SourceError(Problem(self.snapshot_display, 1, "file", "changed while the build was reading it; build again"))
        return tuple(data.decode("utf-8").split("\n"))


@dataclass(frozen=True)
class ParsedSources:
    root: Path
    dataset: object  # the Record of dataset.yml, or None
    records: dict  # table name -> the records of each of its files (sourcefiles.Records or CsvPart), raw values as in the files
    editions: dict  # edition id -> Edition
    unreadable: frozenset  # tables with a file that could not be read at all
    problems: tuple  # what stopped a file from being read
    digest: str  # sha256 over every file of the tree
    deferred: dict = field(default_factory=dict)  # table name -> [(folder, path)] of files left to table_files


def display_path(root, path):
    return str(Path(root) / Path(path).relative_to(root)) if Path(path).is_relative_to(root) else str(path)


def is_regular_file(path):
    """A regular file itself, not a symbolic link to one (nor a folder, FIFO or device)."""
    return stat.S_ISREG(os.lstat(path).st_mode)


def source_digest(root):
    """sha256 over every regular file in the sources tree, by relative path.

    Symbolic links, FIFOs and devices are left out: they are problems of the
    tree, reported by parse_sources, and reading them could block or leave it.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(root).rglob("*") if is_regular_file(p)):
        relative = path.relative_to(root).as_posix()
        with open(path, "rb") as file:
            file_digest = hashlib.file_digest(file, "sha256").hexdigest()
        digest.update(relative.encode() + b"\0" + file_digest.encode() + b"\n")
    return digest.hexdigest()


def edition_folders(root):
    """Folders of the tree with a report.yml; a symbolic link to a folder is none (it is reported, never read)."""
    return sorted(path.parent for path in Path(root).glob(f"*/{EDITION_MARKER}") if not path.parent.is_symlink())


def source_paths(root, table, folders):
    """(folder, path) of each file a source table is read from."""
    for folder in [Path(root)] if table.scope == REGISTRY else folders:
        yield folder, folder / table.source


def read_file(path, display, table, problems):
    """Records of one source file, or None when it cannot be read; problems are appended, never raised."""
    try:
        text = read_text(path, display)
        if table.format == "csv":
            records, found = parse_csv(text, display, table.source_names)
        elif table.source == EDITION_MARKER:
            records, found = Records([parse_yaml_mapping(text, display)], display), []
        else:
            records, found = parse_yaml(text, display)
    except SourceError as error:
        problems.append(error.problem)
        return None
    problems.extend(found)
    return records


def find_unexpected_files(root, folders, problems):
    expected = {root / DATASET_FILE, root / SOURCE_README}
    for table in SOURCE_TABLES:
        expected |= {path for _, path in source_paths(root, table, folders)}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            problems.append(
                Problem(display_path(root, path), 1, "file", "is a symbolic link; sources must be regular files inside sources/")
            )
        elif not path.is_dir() and path not in expected:
            if path.parent in folders and path.suffix == ".md":
                continue  # a report snapshot, checked against its report.yml
            problems.append(
                Problem(display_path(root, path), 1, "file", "is not a known source file; see sources/README.md for the layout")
            )


def read_dataset(root, problems):
    path = root / DATASET_FILE
    try:
        return parse_yaml_mapping(read_text(path, display_path(root, path)), display_path(root, path))
    except FileNotFoundError:
        problems.append(Problem(display_path(root, path), 1, "file", "is missing"))
    except SourceError as error:
        problems.append(error.problem)
    return None


def snapshot_name_problem(name):
    """Why report.yml's `file` cannot name the snapshot, or None: it must be a file name in the edition folder itself."""
    if "/" in name or "\\" in name or "\0" in name or name in (".", ".."):
        return f"{name!r} must be the name of a file in this folder, without any folder or path"
    return None


def read_snapshot(root, folder, report, problems):
    """The edition of a folder, with its report snapshot's digest when the snapshot can be read.

    The snapshot is read like any source file (size limit, byte-order mark,
    NUL bytes, UTF-8, regular file), and only from the edition folder.
    """
    name = report.values.get("file")
    unreadable = Edition(folder.name, folder, report, None)
    if not isinstance(name, str) or not name:
        return unreadable  # reported by the checks of report.yml's values: `file` is a required text field
    problem = snapshot_name_problem(name)
    if problem:
        problems.append(Problem(report.path, report.line_of("file"), "file", problem))
        return unreadable
    snapshot = folder / name
    if not os.path.lexists(snapshot):
        problems.append(Problem(report.path, report.line_of("file"), "file", f"{name!r} is not a file in {display_path(root, folder)}"))
        return unreadable
    try:
        data = read_bytes(snapshot, display_path(root, snapshot))
        checked_text(data, display_path(root, snapshot))  # read again as bytes (Edition.lines), once they are known to be text
    except SourceError as error:
        problems.append(error.problem)
        return unreadable
    return Edition(folder.name, folder, report, hashlib.sha256(data).hexdigest(), snapshot, display_path(root, snapshot))


def parse_sources(root, defer=frozenset()):
    """Read every file of the tree into records, except those of the tables in `defer`; raise NotASourceFolder when `root` is no folder."""
    root = Path(root)
    if not root.is_dir():
        raise NotASourceFolder(Problem(str(root), 1, "file", "is not a folder of sources"))
    problems = []
    folders = edition_folders(root)
    find_unexpected_files(root, set(folders), problems)
    dataset = read_dataset(root, problems)
    records = {table.name: [] for table in SOURCE_TABLES}
    deferred = {name: [] for name in defer}
    unreadable = set()
    for table in SOURCE_TABLES:
        for folder, path in source_paths(root, table, folders):
            if not os.path.lexists(path):
                if table.scope == REGISTRY or not table.optional_file:
                    problems.append(Problem(display_path(root, path), 1, "file", "is missing"))
                    unreadable.add(table.name)
                continue
            if table.name in deferred:
                deferred[table.name].append((folder, path))
                continue
            found = read_table_file(root, folder, path, table, problems)
            if found is None:
                unreadable.add(table.name)
                continue
            records[table.name].append(found)
    reports = itertools.chain.from_iterable(records["reports"])
    editions = {report.edition: read_snapshot(root, root / report.edition, report, problems) for report in reports}
    return ParsedSources(root, dataset, records, editions, frozenset(unreadable), tuple(problems), source_digest(root), deferred)


def file_edition(folder, table):
    """The edition a file's records come from: its folder's, for an edition table."""
    return folder.name if table.scope == EDITION else None


def read_table_file(root, folder, path, table, problems):
    """The records of one file of a table (Records or CsvPart), knowing their edition, or None when the file cannot be read."""
    found = read_file(path, display_path(root, path), table, problems)
    if found is not None:
        with_edition(found, file_edition(folder, table))
    return found


def with_edition(records, edition):
    """The records of a file or a part of one, and each of them, given the edition they come from."""
    records.edition = edition
    if isinstance(records, Records):
        for record in records:
            record.edition = edition
    return records


def table_files(parsed, table, problems, unreadable):
    """The records of a table, a file at a time: those parse_sources read, then those of its deferred files,
    read one at a time, a CSV file's in parts of at most CHUNK_RECORDS rows.

    What stops a deferred file from being read is appended to `problems`, and the table added to `unreadable`;
    a CSV file's ragged rows are appended to `problems` as its records are read.
    """
    yield from (records for records in parsed.records[table.name] if records)
    for folder, path in parsed.deferred.get(table.name, ()):
        chunks = read_table_chunks(parsed.root, folder, path, table, problems)
        if chunks is None:
            unreadable.add(table.name)
        else:
            yield from chunks


def read_table_chunks(root, folder, path, table, problems):
    """The records of one file of a table in parts of at most CHUNK_RECORDS (a YAML file's in one), or None when it cannot be read."""
    if table.format != "csv":
        found = read_table_file(root, folder, path, table, problems)
        return None if found is None else [found] if found else []
    display = display_path(root, path)
    try:
        parts = csv_parts(read_text(path, display), display, table.source_names, problems, CHUNK_RECORDS)
    except SourceError as error:
        problems.append(error.problem)
        return None
    edition = file_edition(folder, table)
    return (with_edition(part, edition) for part in parts)
