"""Reading benchmark: words/second of the whole pipeline vs bare ``nlp.pipe``; event-coding P/R/F1.

    python benchmarks/bench_reading.py [--shared ../shared] [--repeat 3]

Throughput runs on the reference article and the PETR validation sentences (the same texts for both
pipelines). Event coding is scored on PETR_Validate_records_2_02.xml with the suite's own dictionaries
(no parse supplied: spaCy parses the text) and on plover_gsr_dev.json with the bundled Phoenix/CAMEO
resources.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from stakes.reading.dictionaries import read_ontology, read_verbs
from stakes.reading.evaluate import (
    PLOVER_2016_TO_2021,
    read_petr_records,
    read_plover_records,
    score_petr,
    score_plover,
)
from stakes.reading.gazetteer import Gazetteer
from stakes.reading.nlp import build_pipeline, load_model, make_doc, nlp_pipeline

ROOT = Path(__file__).resolve().parents[1]


def throughput(shared: Path, repeat: int) -> None:
    events = shared / "data" / "events"
    article = (shared / "reference" / "rafah-2024.txt").read_text(encoding="utf-8")
    texts = [article] * 4 + [r.text for r in read_petr_records(events / "PETR_Validate_records_2_02.xml")]
    words = sum(len(t.split()) for t in texts)
    bare, full = load_model(), nlp_pipeline()

    runs = {"bare": lambda: list(bare.pipe(texts)),
            "full": lambda: list(full.pipe(make_doc(full, t) for t in texts))}
    times: dict[str, list[float]] = {"bare": [], "full": []}
    for run in runs.values():
        run()  # warm-up: first calls allocate and fill caches
    for _ in range(repeat):  # interleaved, so load from other processes hits both alike
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    bare_s, full_s = min(times["bare"]), min(times["full"])
    print(f"throughput on {len(texts)} texts, {words} words (best of {repeat}, interleaved, after warm-up):")
    print(f"  bare nlp.pipe      {words / bare_s:8.0f} words/s")
    print(f"  stakes pipeline    {words / full_s:8.0f} words/s   ratio {bare_s / full_s:.2f}x")


def events(shared: Path) -> None:
    folder = shared / "data" / "events"
    gazetteer = Gazetteer.from_files([folder / "PETR_Validate_actors_2_02.txt"],
                                     folder / "PETR_Validate_agents_2_02.txt")
    verbs = read_verbs(folder / "PETR_Validate_verbs_2_02.txt")
    verbs.negations = read_ontology(folder / "PETR_Validate_Internal_Coding_Ontology_1_01.txt")
    nlp = build_pipeline(gazetteer, verbs)
    records = read_petr_records(folder / "PETR_Validate_records_2_02.xml")
    total, by_category = score_petr(nlp, records)
    print(f"PETR validation, {len(records)} evaluable records: {total}")
    core = [r for r in records if r.category != "PARSING"]
    core_total, _ = score_petr(nlp, core)
    print(f"  without PARSING ({len(core)} records, UniversalPetrarch's categories): {core_total}")
    for category, score in sorted(by_category.items()):
        print(f"  {category:9s} {score}")
    plover = read_plover_records(folder / "plover_gsr_dev.json")
    for label, crosswalk in (("gold types as written (PLOVER 2016)", None),
                             ("gold types mapped to PLOVER 2021", PLOVER_2016_TO_2021)):
        by_type, with_source = score_plover(nlp_pipeline(), plover, crosswalk)
        print(f"PLOVER dev, {len(plover)} records, {label}:")
        print(f"  event type                {by_type}")
        print(f"  event type + source code  {with_source}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    throughput(args.shared, args.repeat)
    events(args.shared)


if __name__ == "__main__":
    main()
