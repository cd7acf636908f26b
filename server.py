"""The one configuration of the Datasette server.

`make serve`, the tests, the release Dockerfile and the publish commands all
take their Datasette arguments from here, so the site is served the same way
everywhere:

    python server.py serve [--database FILE] [--inspect-file FILE] [--host H] [--port N]
    python server.py publish cloudrun|fly [--database FILE] [-- more options for datasette publish]
    python server.py arguments [--database FILE]      print the serve arguments

`serve` replaces this process with `datasette serve`, so its process id is the
server's.
"""

import argparse
import json
import os
import shlex
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent
DATABASE_NAME = "binational"  # the name in every URL: /binational/events
METADATA = "metadata.yml"
PLUGINS = "plugins"
TEMPLATES = "templates"
STATIC = "static"  # the site's scripts and styles, and the libraries and map data in static/vendor/
SETTINGS = "settings.json"
REQUIREMENTS = "requirements.in"  # the direct runtime pins; the publish commands install them
DATASET = Path("sources") / "dataset.yml"
HOST = "127.0.0.1"
PORT = 8001


def read_settings(root=ROOT):
    return json.loads((Path(root) / SETTINGS).read_text(encoding="utf-8"))


def setting_options(root=ROOT):
    options = []
    for name, value in read_settings(root).items():
        options += ["--setting", name, str(value).lower() if isinstance(value, bool) else str(value)]
    return options


def version_note(root=ROOT):
    """The dataset version, shown at /-/versions and in every page footer."""
    return yaml.safe_load((Path(root) / DATASET).read_text(encoding="utf-8"))["version"]


def site_options(root=ROOT, version=None):
    """Metadata, plugins, templates and settings: what makes this Datasette the binational site."""
    root = Path(root)
    return [
        "--metadata",
        str(root / METADATA),
        "--plugins-dir",
        str(root / PLUGINS),
        "--template-dir",
        str(root / TEMPLATES),
        "--static",
        f"assets:{root / STATIC}",
        *setting_options(root),
        "--cors",  # the JSON and CSV API answers pages and notebooks on any site
        "--version-note",
        version or version_note(root),
    ]


def serve_arguments(database, *, host=HOST, port=PORT, inspect_file=None, root=ROOT, version=None):
    """`datasette serve` arguments: the database immutable, with an inspect file when given."""
    inspect = ["--inspect-file", str(inspect_file)] if inspect_file else []
    return ["serve", "-i", str(database), *inspect, *site_options(root, version), "--host", host, "--port", str(port)]


def runtime_pins(root=ROOT):
    """The pinned runtime requirements: Datasette first, then its plugins and libraries."""
    lines = [line.strip() for line in (Path(root) / REQUIREMENTS).read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def publish_arguments(target, database, root=ROOT):
    """`datasette publish <target>` arguments that serve the database as `serve_arguments` does."""
    root = Path(root)
    plugins = [pin for pin in runtime_pins(root) if not pin.startswith("datasette==")]
    return [
        "publish",
        target,
        str(database),
        "--metadata",
        METADATA,
        "--plugins-dir",
        PLUGINS,
        "--template-dir",
        TEMPLATES,
        "--static",
        f"assets:{STATIC}",
        *[option for pin in plugins for option in ("--install", pin)],
        "--version-note",
        version_note(root),
        "--extra-options",
        " ".join(shlex.quote(option) for option in setting_options(root)),
    ]


def datasette_instance(database, root=ROOT):
    """A Datasette object configured by exactly the `serve` arguments, for in-process tests."""
    from datasette.cli import serve

    context = serve.make_context("serve", serve_arguments(database, root=root)[1:])
    return context.invoke(serve.callback, **context.params, return_instance=True)


def datasette_command():
    return str(Path(sys.executable).parent / "datasette")


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="server.py", description="Serve or publish the binational site, always with the same configuration."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the database on this machine")
    serve.add_argument("--database", type=Path, default=Path(f"{DATABASE_NAME}.db"))
    serve.add_argument("--inspect-file", type=Path)
    serve.add_argument("--host", default=HOST)
    serve.add_argument("--port", type=int, default=PORT)
    publish = commands.add_parser("publish", help="publish the database with `datasette publish`")
    publish.add_argument("target", help="a datasette publish target: cloudrun, or fly with datasette-publish-fly")
    publish.add_argument("--database", type=Path, default=Path(f"{DATABASE_NAME}.db"))
    publish.add_argument("more", nargs="*", help="options passed on to datasette publish, after --")
    arguments = commands.add_parser("arguments", help="print the `datasette serve` arguments")
    arguments.add_argument("--database", type=Path, default=Path(f"{DATABASE_NAME}.db"))
    args = parser.parse_args(argv)
    if args.command == "arguments":
        print(shlex.join(serve_arguments(args.database)))
        return 0
    if args.database.stem != DATABASE_NAME:
        print(
            f"server.py: the database file must be named {DATABASE_NAME}.db (its name is the URL path); got {args.database}",
            file=sys.stderr,
        )
        return 2
    if args.command == "serve":
        command = serve_arguments(args.database, host=args.host, port=args.port, inspect_file=args.inspect_file)
    else:
        command = [*publish_arguments(args.target, args.database), *args.more]
    os.execv(datasette_command(), [datasette_command(), *command])


if __name__ == "__main__":
    sys.exit(main())
