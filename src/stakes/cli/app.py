"""The ``stakes`` command-line application: shared console, options and error handling.

Commands live in sibling modules by topic and register themselves on :data:`app`.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from typer.core import TyperArgument, TyperOption

from stakes.cli.text import safe
from stakes.errors import StakesError


def _plain_value_types() -> None:
    """Help lists the type of the value a parameter takes (``<int>``): a flag takes none, so it shows
    none; a repeatable one shows the type of one value (``<path>``, not ``<list[Path]>``)."""
    for cls in (TyperOption, TyperArgument):
        shown = cls.display_type_rich

        def display_type_rich(self: Any, ctx: Any, shown: Any = shown) -> str | None:
            if getattr(self, "is_flag", False):
                return None
            label = shown(self, ctx)
            return re.sub(r"list\[(.*)\]", lambda m: m.group(1).lower(), label) if label else label

        cls.display_type_rich = display_type_rich


_plain_value_types()
app = typer.Typer(
    help="stakes: model the actors of a negotiation and forecast where the bargaining goes.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)
_state = {"debug": False}


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
) -> None:
    _state["debug"] = debug


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """``["rounds=20", "utility=quadratic"]`` → model parameters (values read as YAML scalars)."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{pair!r} is not KEY=VALUE (e.g. -p rounds=20)", param_hint="--param")
        params[key.strip()] = yaml.safe_load(raw) if raw.strip() else None
    return params


def fmt(value: float) -> str:
    """A number as a table shows it: four significant digits."""
    return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.3e}"


class _NoteHandler(logging.Handler):
    """Shows what the library reports at INFO and above (e.g. a first-run compilation) as a line on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        errors.print(f"[dim]{safe(record.getMessage())}[/]", soft_wrap=True, highlight=False)


def main(args: list[str] | None = None) -> None:
    """Console entry point: run the app (on ``args``, default the command line), turning the
    project's own errors into one clear line."""
    notes = logging.getLogger("stakes")
    if not any(isinstance(h, _NoteHandler) for h in notes.handlers):
        notes.addHandler(_NoteHandler(logging.INFO))
    notes.setLevel(logging.INFO)
    try:
        app(args)
    except StakesError as exc:
        if _state["debug"]:
            raise
        errors.print(f"[red]error:[/] {safe(str(exc))}", soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        errors.print("interrupted")
        sys.exit(130)
