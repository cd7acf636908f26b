"""Charts above the canned queries whose configuration has a `chart` (site.yml): a Vega-Lite or
Vega specification drawn by vega-embed from the query's own JSON, full width, in SVG.

The libraries are served by this site (static/vendor/, from the npm vega, vega-lite and vega-embed
packages). A Vega-Lite specification without data reads the query's rows; in a Vega
specification, a data source whose url is "." reads them.
"""

import copy
import json
from urllib.parse import quote, urlencode

from datasette import hookimpl

DATABASE = "binational"
SCRIPTS = ["/assets/vendor/vega.min.js", "/assets/vendor/vega-lite.min.js", "/assets/vendor/vega-embed.min.js"]
SCRIPT = """
document.addEventListener("DOMContentLoaded", function () {{
  var chart = document.createElement("figure");
  chart.className = "site-chart";
  chart.setAttribute("aria-label", {title});
  var anchor = document.querySelector(".table-wrapper") || document.querySelector("footer");
  anchor.parentNode.insertBefore(chart, anchor);
  vegaEmbed(chart, {spec}, {{actions: false, renderer: "svg", loader: {{target: "_self"}}}}).catch(function (error) {{
    chart.textContent = "The chart could not be drawn: " + error.message;
  }});
}});
"""


def script_literal(value):
    """A value as JavaScript that cannot close the script element."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def page_json_url(query_name, arguments):
    """The JSON of the query's rows for the page's parameters."""
    parameters = [(name, value) for name, value in arguments if not name.startswith("_")]
    return f"/{DATABASE}/{quote(query_name)}.json?" + urlencode([*parameters, ("_shape", "array")])


def with_data(spec, url):
    """The specification with the page's rows as its data."""
    spec = copy.deepcopy(spec)
    if "data" not in spec:
        spec["data"] = {"url": url}
    for source in spec["data"] if isinstance(spec["data"], list) else []:
        if source.get("url") == ".":
            source["url"] = url
    return spec


async def page_chart(template, request, datasette):
    """(title, specification with data) of the canned query page being rendered, or None."""
    if request is None or not template.startswith("query") or request.url_vars.get("database") != DATABASE:
        return None
    name = request.url_vars.get("table")
    query = await datasette.get_canned_query(DATABASE, name, request.actor) if name else None
    if not query or "chart" not in query:
        return None
    spec = query["chart"]
    return spec.get("description") or query.get("title") or name, with_data(
        spec, page_json_url(name, [(key, value) for key in request.args.keys() for value in request.args.getlist(key)])
    )


@hookimpl
def extra_js_urls(template, request, datasette):
    async def urls():
        return SCRIPTS if await page_chart(template, request, datasette) else []

    return urls


@hookimpl
def extra_body_script(template, request, datasette):
    async def script():
        chart = await page_chart(template, request, datasette)
        if chart is None:
            return ""  # Datasette writes a script element for whatever the hook gives
        title, spec = chart
        return SCRIPT.format(title=script_literal(title), spec=script_literal(spec))

    return script
