"""The ``stakes`` command line; ``stakes --help`` lists the commands."""

from stakes.cli import core, corpus, read  # noqa: F401  (registers the commands)
from stakes.cli.app import app, console, main

__all__ = ["app", "console", "main"]
