"""The home page (/, templates/home.html) and the about page (/about, templates/about.html).

Both say what the dataset is from the database: dataset_info (title, description, version,
citation, licence), the report editions and the number of rows of each kind. The home page also
describes the dataset for dataset search engines as schema.org `Dataset` JSON-LD, with the
database file and each table's CSV as its distributions. The home page is served here rather than
by Datasette's index view, which reads every table's columns, keys and count
for a listing the page does not show (about 200 ms a request); /.json is still Datasette's.
"""

import json

from datasette import Response, hookimpl
from markupsafe import Markup

DATABASE = "binational"

# What the headline counts count: (table, what a reader calls one, what a reader calls several, its page).
COUNTED = (
    ("events", "event", "events", f"/{DATABASE}/events"),
    ("people", "person", "people", f"/{DATABASE}/people"),
    ("mechanisms", "institution", "institutions", f"/{DATABASE}/mechanisms"),
    ("organizations", "organization", "organizations", f"/{DATABASE}/organizations"),
    ("places", "place", "places", f"/{DATABASE}/places"),
    ("figures", "figure", "figures", f"/{DATABASE}/figures"),
    ("statements", "statement", "statements", f"/{DATABASE}/statements"),
    ("data_notes", "data note", "data notes", f"/{DATABASE}/data_notes"),
)
COUNTS_SQL = "select " + ", ".join(f"(select count(*) from {table})" for table, *_ in COUNTED)
REPORTS_SQL = "select id, title, short_title, publisher, published, year_covered, sha256, section_count from reports order by published, id"
EXAMPLE_SECTION_SQL = "select id from sections where line is not null order by level desc, position limit 1"
TABLES_SQL = """
select name from sqlite_master
where type = 'table' and name not like 'sqlite\\_%' escape '\\' and name not like '%\\_fts%' escape '\\'
order by name
"""


async def front_facts(datasette):
    """dataset_info as a dict, the report editions, the headline counts, the tables and a section id to cite."""
    db = datasette.get_database(DATABASE)
    info = {row["key"]: row["value"] for row in (await db.execute("select key, value from dataset_info")).rows}
    numbers = (await db.execute(COUNTS_SQL)).first()
    counts = [
        {"table": table, "count": number, "label": one if number == 1 else several, "url": url}
        for (table, one, several, url), number in zip(COUNTED, numbers, strict=True)
    ]
    reports = [dict(row) for row in (await db.execute(REPORTS_SQL)).rows]
    tables = [row["name"] for row in (await db.execute(TABLES_SQL)).rows]
    example = (await db.execute(EXAMPLE_SECTION_SQL)).first()
    return {"info": info, "counts": counts, "reports": reports, "tables": tables, "example_section": example[0] if example else None}


def dataset_json_ld(facts, base_url):
    """The schema.org Dataset that describes the site's data, as a dict."""
    info = facts["info"]
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": info["title"],
        "description": info["description"],
        "url": f"{base_url}/",
        "version": info["dataset_version"],
        "datePublished": info["dataset_released"],
        "license": info["license_url"],
        "creator": {"@type": "Organization", "name": info["creator"]},
        "citation": info["citation"],
        "isBasedOn": [
            {
                "@type": "Report",
                "name": report["title"],
                "publisher": {"@type": "Organization", "name": report["publisher"]},
                "datePublished": report["published"],
                "url": f"{base_url}/report/{report['id']}",
            }
            for report in facts["reports"]
        ],
        "distribution": [
            {
                "@type": "DataDownload",
                "name": f"{DATABASE}.db",
                "description": "The whole dataset as one SQLite database.",
                "encodingFormat": "application/vnd.sqlite3",
                "contentUrl": f"{base_url}/{DATABASE}.db",
            },
            *(
                {
                    "@type": "DataDownload",
                    "name": f"{table}.csv",
                    "description": f"The {table} table as CSV.",
                    "encodingFormat": "text/csv",
                    "contentUrl": f"{base_url}/{DATABASE}/{table}.csv?_stream=on",
                }
                for table in facts["tables"]
            ),
        ],
    }


def json_ld_script(data):
    """JSON-LD for a <script type="application/ld+json"> element: nothing in it can close the element."""
    return Markup(json.dumps(data, ensure_ascii=False, indent=1).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def base_url(datasette, request):
    return datasette.absolute_url(request, "/").rstrip("/")


async def home_page(datasette, request):
    facts = await front_facts(datasette)
    context = {
        "front": facts,
        "database": DATABASE,
        "dataset_json_ld": json_ld_script(dataset_json_ld(facts, base_url(datasette, request))),
    }
    return Response.html(await datasette.render_template("home.html", context, request=request))


async def about_page(datasette, request):
    facts = await front_facts(datasette)
    html = await datasette.render_template("about.html", {**facts, "database": DATABASE}, request=request)
    return Response.html(html)


@hookimpl
def register_routes():
    return [(r"^/$", home_page), (r"^/about$", about_page)]
