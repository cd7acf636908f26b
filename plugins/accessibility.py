"""Labels for the controls that Datasette's own scripts create without one (WCAG 2.1 AA): the SQL
editor's text area, which CodeMirror adds when the page has loaded."""

from datasette import hookimpl

SCRIPT = """
window.addEventListener("load", function () {
  setTimeout(function () {
    document.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach(function (area) {
      area.setAttribute("aria-label", "SQL query");
    });
  }, 0);
});
"""


@hookimpl
def extra_body_script(view_name):
    return SCRIPT if view_name in ("database", "query") else ""
