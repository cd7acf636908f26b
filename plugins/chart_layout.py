"""Move the datasette-vega chart out of the horizontally scrolling table wrapper.

datasette-vega inserts its chart just before `table.rows-and-columns`, which
Datasette 0.65 wraps in `div.table-wrapper` (overflow: auto): the chart then
scrolls sideways with the table. This moves it in front of the wrapper.
"""

from datasette import hookimpl

SCRIPT = """
window.addEventListener("load", function () {
  var table = document.querySelector(".table-wrapper > table.rows-and-columns");
  if (!table) { return; }
  var wrapper = table.parentNode;
  var chart = table.previousElementSibling;
  if (chart && chart.tagName === "DIV") {
    chart.classList.add("chart-container");
    wrapper.parentNode.insertBefore(chart, wrapper);
  }
});
"""


@hookimpl
def extra_body_script(view_name):
    if view_name in ("table", "query", "database"):
        return SCRIPT
    return None
