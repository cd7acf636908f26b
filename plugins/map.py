"""The map of places (static/map.js), above a canned query whose configuration says `map: true`
(site.yml: places_map) and on the pages of a place and of an institution, filtered to them.

The map draws geography served by this site (static/vendor/, from the npm world-atlas and
us-atlas packages), so no request leaves the site.
"""

import json
from urllib.parse import quote, urlencode

from datasette import hookimpl

DATABASE = "binational"
SCRIPTS = ["/assets/vendor/leaflet.js", "/assets/vendor/topojson-client.min.js", "/assets/map.js"]
STYLES = ["/assets/vendor/leaflet.css"]
EVENT_COLUMNS = [("_col", "title"), ("_col", "start_date"), ("_sort_desc", "start_date"), ("_shape", "array"), ("_size", "50")]
SCRIPT = """
document.addEventListener("DOMContentLoaded", function () {{
  var container = document.createElement("div");
  container.id = "places-map";
  container.className = "places-map";
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", "Map of the places and their events");
  // On a page of a place or institution, after its first list of events; above a query's table.
  var sections = document.querySelectorAll(".entity-page > section");
  var anchor = sections[1] || document.querySelector(".entity-page > .entity-json") || document.querySelector(".table-wrapper")
    || document.querySelector("footer");
  anchor.parentNode.insertBefore(container, anchor);
  binationalMap(container, {{
    places: {places},
    events: function (place) {{ return {events} + "&place_id=" + encodeURIComponent(place.place_id); }}
  }}).then(function (count) {{ container.hidden = count === 0; }});
}});
"""


def script_literal(value):
    """A string as a JavaScript literal that cannot close the script element."""
    return json.dumps(value).replace("<", "\\u003c")


def map_urls(page, key, filters):
    """(places URL, events URL without the place) for a map page, or None when the page has no map.

    `page` is "query" or "row"; `key` the canned query name or the table; `filters` the page's
    parameters (a query's) or primary key (a row's).
    """
    events = f"/{DATABASE}/events.json?" + urlencode(EVENT_COLUMNS)
    if page == "query":
        kept = {name: value for name, value in filters.items() if name in ("place_id", "mechanism_id") and value}
        places = f"/{DATABASE}/{quote(key)}.json?" + urlencode({**kept, "_shape": "array"})
        if kept.get("mechanism_id"):
            events += "&" + urlencode({"mechanism_id": kept["mechanism_id"]})
        return places, events
    if page == "row" and key == "places":
        return f"/{DATABASE}/places_map.json?" + urlencode({"place_id": filters, "_shape": "array"}), events
    if page == "row" and key == "mechanisms":
        places = f"/{DATABASE}/mechanism_places.json?" + urlencode({"mechanism_id": filters, "_shape": "array"})
        return places, events + "&" + urlencode({"mechanism_id": filters})
    return None


async def page_map(template, request, datasette):
    """The map URLs of the page being rendered, or None."""
    if request is None or request.url_vars.get("database") != DATABASE:
        return None
    key = request.url_vars.get("table")
    if template.startswith("query"):
        query = await datasette.get_canned_query(DATABASE, key, request.actor) if key else None
        return map_urls("query", key, dict(request.args)) if query and query.get("map") else None
    if template.startswith("row"):
        return map_urls("row", key, request.url_vars.get("pks"))
    return None


@hookimpl
def extra_js_urls(template, request, datasette):
    async def urls():
        return SCRIPTS if await page_map(template, request, datasette) else []

    return urls


@hookimpl
def extra_css_urls(template, request, datasette):
    async def urls():
        return STYLES if await page_map(template, request, datasette) else []

    return urls


@hookimpl
def extra_body_script(template, request, datasette):
    async def script():
        urls = await page_map(template, request, datasette)
        if urls is None:
            return ""  # Datasette writes a script element for whatever the hook gives
        places, events = urls
        return SCRIPT.format(places=script_literal(places), events=script_literal(events))

    return script
