"""Facets of the events' lists (topics, countries, people) counted from the link tables through their indexes.

Datasette's array facet reads the JSON list of every row of the page's query and
counts its items: at 100,000 events it runs past `facet_time_limit_ms` and the
facet silently disappears. A link facet (`{"link": "topics"}` in a table's
facets, or `_facet_link=topics`) gives the same counts from the link table
(`event_topics`, `event_countries`, `event_people`): for a filtered page it
wraps the page's SQL and looks up each matching event's links through the link
table's primary key; for the unfiltered page it reads the summary table the
build writes of each item's number of events (summary_events_by_topic, _country,
_person), without reading any event or link. Its
values and toggles are those of the array facet (`topics__arraycontains=…`),
so links, templates and filters do not change.
"""

from dataclasses import dataclass

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import path_with_added_args, path_with_removed_args


@dataclass(frozen=True)
class Link:
    table: str  # the link table: one row per event and linked item
    key: str  # its column naming the linked item
    # The facet's values are what the events column holds: ids, or (people) names read from a registry.
    registry: str | None = None
    summary: str = ""  # the summary table of the unfiltered counts: one row per item, its number of events in `events`
    summary_value: str = ""  # the summary's column holding the facet's value


LINKS = {
    "events": {
        "topics": Link("event_topics", "topic_id", summary="summary_events_by_topic", summary_value="topic_id"),
        "countries": Link("event_countries", "country_id", summary="summary_events_by_country", summary_value="country_id"),
        "people": Link("event_people", "person_id", registry="people", summary="summary_events_by_person", summary_value="person"),
    }
}


def facet_sql(link, filtered):
    """The facet's SQL; `filtered` is the page's SQL (no order, no limit) or None for the whole table.

    The page's SQL is Datasette's own, with the request's values as parameters, never formatted in.
    """
    if not filtered:
        return (
            f"select [{link.summary_value}] as value, events as count from [{link.summary}] "
            "order by events desc, value limit :_link_facet_limit"
        )
    events = f"where l.event_id in (select id from ({filtered}))"
    if link.registry:
        # events.people lists each name once however many roles the person had: count events, not rows.
        return (
            f"select r.name as value, count(distinct l.event_id) as count from [{link.table}] l "
            f"join [{link.registry}] r on r.id = l.[{link.key}] {events} "
            "group by r.name order by count desc, value limit :_link_facet_limit"
        )
    return (
        f"select l.[{link.key}] as value, count(*) as count from [{link.table}] l {events} "
        f"group by l.[{link.key}] order by count desc, value limit :_link_facet_limit"
    )


def is_filtered(sql, params):
    """Whether the page's SQL selects some of the table's rows: Datasette adds a where clause for any filter or search."""
    return bool(params) or " where " in sql.lower()


class LinkFacet(Facet):
    type = "link"

    async def suggest(self):
        return []  # configured in schema.py, never suggested

    async def facet_results(self):
        results, timed_out = [], []
        links = LINKS.get(self.table, {})
        facet_size = self.get_facet_size()
        pairs = self.get_querystring_pairs()
        for source_and_config in self.get_configs():
            config, source = source_and_config["config"], source_and_config["source"]
            column = config.get("column") or config["simple"]
            if column not in links:
                continue  # only the declared lists have link tables
            sql = facet_sql(links[column], self.sql if is_filtered(self.sql, self.params) else None)
            params = {**(self.params or {}), "_link_facet_limit": facet_size + 1}
            try:
                rows = await self.ds.execute(
                    self.database, sql, params, truncate=False, custom_time_limit=self.ds.setting("facet_time_limit_ms")
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            values = []
            for row in rows.rows[:facet_size]:
                value = str(row["value"])
                selected = (f"{column}__arraycontains", value) in pairs
                change = path_with_removed_args if selected else path_with_added_args
                toggle = change(self.request, {f"{column}__arraycontains": value})
                values.append(
                    {
                        "value": value,
                        "label": value,
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, toggle),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "results": values,
                    "hideable": source != "metadata",
                    "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_link": column})),
                    "truncated": len(rows) > facet_size,
                }
            )
        return results, timed_out


@hookimpl
def register_facet_classes():
    return [LinkFacet]
