"""The ``stakes`` command line; ``stakes --help`` lists the commands."""

from stakes.cli import backtest  # noqa: F401  (registers the commands)
from stakes.cli import core  # noqa: F401  (registers the commands)
from stakes.cli import corpus  # noqa: F401  (registers the commands)
from stakes.cli import report  # noqa: F401  (registers the commands)
from stakes.cli import serve  # noqa: F401  (registers the commands)
from stakes.cli import store  # noqa: F401  (registers the commands)
from stakes.cli import read  # noqa: F401  (registers the commands)
from stakes.cli import uncertainty  # noqa: F401  (registers the commands)
from stakes.cli.app import app, console, main

__all__ = ["app", "console", "main"]
