"""Convert the Open Event Data Alliance dictionaries into the compact resources stakes ships.

    python scripts/build_reading_data.py [--events ../shared/data/events]

Writes src/stakes/data/gazetteer/phoenix.json.gz (Phoenix actors and agents, MIT) and
src/stakes/data/events/{cameo_verbs.json.gz, cameo.json} (CAMEO 2.0 verb patterns and code labels,
MIT; the CAMEO→PLOVER table, CC BY-SA 4.0). The attribution notes beside them say where each came
from. Run it again when the source dictionaries change; the product never reads the originals.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from stakes.reading.dictionaries import (
    read_actors,
    read_agents,
    read_cameo_labels,
    read_cameo_plover,
    read_verbs,
)
from stakes.reading.events import verbs_to_compact
from stakes.reading.gazetteer import GAZETTEER_FILE, Gazetteer

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "stakes" / "data"
ACTOR_FILES = ("Phoenix.Countries.actors.txt", "Phoenix.International.actors.txt",
               "Phoenix.MilNonState.actors.txt")
# Role words common in news prose that the Phoenix agent file only lists inside longer phrases.
STAKES_AGENTS = {
    "OFFICIAL": "~GOV", "OFFICIALS": "~GOV", "LEADERSHIP": "~GOV", "CABINET MEMBER": "~GOV",
    "CABINET MEMBERS": "~GOV", "WAR CABINET": "~GOV", "SPOKESMAN": "~GOV", "SPOKESWOMAN": "~GOV",
    "OPPOSITION": "~OPP", "OPPOSITION FIGURES": "~OPP", "VOTERS": "~CVL", "PUBLIC": "~CVL",
    "PROTESTERS": "~CVL", "DEFENSE MINISTER": "~GOVMIL", "DEFENCE MINISTER": "~GOVMIL",
}
GAZETTEER_ABOUT = (
    "Converted from the Phoenix actor and agent dictionaries (Phoenix.Countries.actors.txt, "
    "Phoenix.International.actors.txt, Phoenix.MilNonState.actors.txt, Phoenix.agents.txt) of "
    "openeventdata/petrarch2. Copyright (c) 2014 Open Event Data Alliance. MIT License."
)


def write_json_gz(path: Path, data: dict) -> None:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    with gzip.GzipFile(path, "wb", mtime=0) as handle:
        handle.write(text.encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=Path, default=ROOT.parent / "shared" / "data" / "events")
    args = parser.parse_args()
    src = args.events

    actors = [e for name in ACTOR_FILES for e in read_actors(src / name)]
    agents = read_agents(src / "Phoenix.agents.txt")
    for phrase, code in STAKES_AGENTS.items():
        agents.setdefault(phrase, code)
    gazetteer = Gazetteer.from_entries(actors, agents)
    write_json_gz(DATA / "gazetteer" / GAZETTEER_FILE, gazetteer.to_compact(GAZETTEER_ABOUT))

    verbs = read_verbs(src / "CAMEO.2.0.txt")
    write_json_gz(DATA / "events" / "cameo_verbs.json.gz", verbs_to_compact(verbs))
    cameo = {
        "labels": read_cameo_labels(src / "CAMEO_codefile.txt"),
        "plover": read_cameo_plover(src / "CAMEO2PLOVER-2021.txt"),
    }
    (DATA / "events" / "cameo.json").write_text(json.dumps(cameo, indent=0, sort_keys=True) + "\n",
                                                encoding="utf-8")
    for path in sorted((DATA / "gazetteer").iterdir()) + sorted((DATA / "events").iterdir()):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
