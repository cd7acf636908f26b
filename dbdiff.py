"""What changed between two builds of the database: schema, and rows by primary key."""

import sqlite3
from dataclasses import dataclass, field

SKIPPED_TABLE_PATTERNS = ("%\\_fts", "%\\_fts\\_%", "sqlite\\_%")


@dataclass
class TableDiff:
    name: str
    added: list = field(default_factory=list)  # primary keys
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)  # (primary key, [changed columns])

    @property
    def empty(self):
        return not (self.added or self.removed or self.changed)


@dataclass
class DatabaseDiff:
    schema_added: list
    schema_removed: list
    schema_changed: list
    tables: list

    @property
    def empty(self):
        return not (self.schema_added or self.schema_removed or self.schema_changed) and all(t.empty for t in self.tables)


def schema(connection):
    """{name: sql} for tables, views and indexes, leaving out full-text search internals."""
    where = " and ".join("name not like ? escape '\\'" for _ in SKIPPED_TABLE_PATTERNS)
    sql = f"select name, sql from sqlite_master where sql is not null and {where} order by name"
    return dict(connection.execute(sql, SKIPPED_TABLE_PATTERNS).fetchall())


def data_tables(connection):
    where = " and ".join("name not like ? escape '\\'" for _ in SKIPPED_TABLE_PATTERNS)
    sql = f"select name from sqlite_master where type = 'table' and {where} order by name"
    return [row[0] for row in connection.execute(sql, SKIPPED_TABLE_PATTERNS)]


def primary_key(connection, table):
    """The table's primary key columns; for a table without one, every column (its rows are compared whole)."""
    info = list(connection.execute(f"pragma table_info([{table}])"))
    columns = sorted((row[5], row[1]) for row in info if row[5])
    return [name for _, name in columns] or [row[1] for row in info]


def rows_by_key(connection, table):
    key = primary_key(connection, table)
    cursor = connection.execute(f"select * from [{table}]")
    names = [d[0] for d in cursor.description]
    result = {}
    for row in cursor:
        record = dict(zip(names, row, strict=True))
        result[tuple(record[k] for k in key)] = record
    return result


def diff_table(old, new, table):
    before, after = rows_by_key(old, table), rows_by_key(new, table)
    result = TableDiff(table)
    result.added = sorted(k for k in after if k not in before)
    result.removed = sorted(k for k in before if k not in after)
    for key in sorted(k for k in after if k in before):
        columns = sorted(c for c in after[key].keys() | before[key].keys() if after[key].get(c) != before[key].get(c))
        if columns:
            result.changed.append((key, columns))
    return result


def diff_databases(old_path, new_path):
    old, new = sqlite3.connect(old_path), sqlite3.connect(new_path)
    try:
        old_schema, new_schema = schema(old), schema(new)
        shared = sorted(set(data_tables(old)) & set(data_tables(new)))
        return DatabaseDiff(
            schema_added=sorted(set(new_schema) - set(old_schema)),
            schema_removed=sorted(set(old_schema) - set(new_schema)),
            schema_changed=sorted(n for n in set(old_schema) & set(new_schema) if old_schema[n] != new_schema[n]),
            tables=[diff_table(old, new, table) for table in shared],
        )
    finally:
        old.close()
        new.close()


def key_text(key):
    return "/".join(str(part) for part in key)


def format_diff(diff):
    """The diff as Markdown, usable as a changelog entry."""
    if diff.empty:
        return "No changes.\n"
    lines = []
    if diff.schema_added or diff.schema_removed or diff.schema_changed:
        lines.append("### Schema")
        lines += [f"- added: `{name}`" for name in diff.schema_added]
        lines += [f"- removed: `{name}`" for name in diff.schema_removed]
        lines += [f"- changed: `{name}`" for name in diff.schema_changed]
        lines.append("")
    for table in diff.tables:
        if table.empty:
            continue
        lines.append(f"### {table.name}: {len(table.added)} added, {len(table.removed)} removed, {len(table.changed)} changed")
        lines += [f"- added `{key_text(key)}`" for key in table.added]
        lines += [f"- removed `{key_text(key)}`" for key in table.removed]
        lines += [f"- changed `{key_text(key)}`: {', '.join(columns)}" for key, columns in table.changed]
        lines.append("")
    return "\n".join(lines)
