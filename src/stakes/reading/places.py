"""Places: the country a named city is in, for acts aimed at a place rather than an actor.

"Russian forces shelled residential areas of Kherson" attacks Ukraine: when an act of force names no
actor as its target, the event coder looks up the places its phrases name (spaCy's GPE and LOC
entities) here. The table is GeoNames' cities of 15,000 people or more (CC BY 4.0), built by
``scripts/build_places.py`` into ``data/gazetteer/places.json.gz``; a name shared by cities in several
countries is only there when one country's city dwarfs the others. Names are compared in upper case
without accents.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources

from stakes.reading.dictionaries import fold

PLACES_FILE = "places.json.gz"


def place_key(name: str) -> str:
    """A name as the table keys it: upper case, accents removed, one kind of apostrophe, single spaces."""
    return " ".join(fold(name.replace("’", "'")).split())


@lru_cache(maxsize=1)
def place_table() -> dict[str, str]:
    """Place name → country code (loaded once)."""
    path = resources.files("stakes") / "data" / "gazetteer" / PLACES_FILE
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        return json.load(handle)["places"]


def place_country(name: str) -> str | None:
    """The country code of the city ``name`` ("Kherson" → "UKR"), or None when unknown or ambiguous."""
    return place_table().get(place_key(name))
