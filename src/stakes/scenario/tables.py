"""CSV layouts (in progress)."""
from __future__ import annotations


def read_csv_text(text, file, layout):
    raise NotImplementedError


def write_csv_text(scenario, layout):
    raise NotImplementedError
