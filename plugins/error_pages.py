"""Keep Datasette's error pages working when the `rich` package is installed.

Datasette 0.65's default error handler calls rich's print_exception() outside
an `except` block whenever rich can be imported; rich then raises, and every
404 or 400 turns into a 500. The release tooling (frictionless, through typer)
installs rich, so this project's environment has it. Disabling that one call
leaves the handler itself, and its error pages, untouched.
"""

import datasette.handle_exception

datasette.handle_exception.rich = None
