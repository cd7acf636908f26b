"""The site's stylesheet (static/site.css) on every page: its page layouts, and colours that meet
WCAG 2.1 AA contrast where Datasette's own fall short."""

from datasette import hookimpl


@hookimpl
def extra_css_urls():
    return ["/assets/site.css"]
