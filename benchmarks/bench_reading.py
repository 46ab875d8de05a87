"""Reading benchmark: every measure on a development part and a test part, with the gap; throughput.

    python benchmarks/bench_reading.py [--shared ../shared] [--repeat 3] [--dev-only] [--dev-errors]
    python benchmarks/bench_reading.py --throughput [--components] [--repeat 5]
    python benchmarks/bench_reading.py --write-outputs before.json.gz | --compare-outputs before.json.gz

Each gold set is split by ``stakes.reading.evaluate.split_of`` (a hash of the record id). Tuning looks
at the development part only: ``--dev-only`` scores the development parts alone and ``--dev-errors``
lists the development records the pipeline gets wrong; there is deliberately no option to list test
records. Measures:

- events, CAMEO source/target/code P/R/F1 on the PETRARCH validation records (the suite's own
  dictionaries, spaCy parses the text) and on the project's hand-written news (bundled resources);
- PLOVER event-type F1 on the PLOVER gold records, gold types renamed to the 2021 names;
- direct quotes P/R/F1 and speaker accuracy on the project's hand-written news passages, and on real
  news articles of the article-extraction benchmark (offsets in ``real_news_quotes.yaml``, text from
  ``shared/data/html/ground-truth.json``; shown when that file is present);
- throughput of the whole pipeline against bare ``nlp.pipe`` of the same model on the same texts
  (``--throughput`` alone; ``--components`` adds the seconds each pipeline component takes).

``--write-outputs`` stores everything the pipeline finds (mentions, actors, quotes, events, stance
evidence) on the throughput texts and every gold text; ``--compare-outputs`` reruns it and lists what
differs, so a change meant only to speed the pipeline up can be checked to change nothing (run the old
code with ``PYTHONPATH`` pointing at its checkout to write the reference).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import gzip
import json
import time
from pathlib import Path

from stakes.reading.dictionaries import read_ontology, read_verbs
from stakes.reading.evaluate import (
    PARTS,
    PLOVER_2016_TO_2021,
    code_news_events,
    event_key,
    missed_quotes,
    plover_date,
    read_news_gold,
    read_petr_records,
    read_plover_records,
    read_real_news_quotes,
    read_second_coding,
    score_coding,
    score_news_quotes,
    score_petr,
    score_plover,
    split,
)
from stakes.reading.gazetteer import Gazetteer
from stakes.reading.nlp import build_pipeline, load_model, make_doc, nlp_pipeline
from stakes.reading.stances import StanceReader
from stakes.scenario.io import load

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "gold"


def throughput_texts(shared: Path) -> list[str]:
    """The reference article four times, then every PETRARCH validation sentence."""
    events = shared / "data" / "events"
    article = (shared / "reference" / "rafah-2024.txt").read_text(encoding="utf-8")
    return [article] * 4 + [r.text for r in read_petr_records(events / "PETR_Validate_records_2_02.xml")]


def throughput(shared: Path, repeat: int) -> None:
    texts = throughput_texts(shared)
    words = sum(len(t.split()) for t in texts)
    bare, full = load_model(), nlp_pipeline()
    gc.freeze()  # both models out of the collector's way alike (nlp_pipeline freezes what it loads)

    runs = {"bare": lambda: list(bare.pipe(texts)),
            "full": lambda: list(full.pipe(make_doc(full, t) for t in texts))}
    times: dict[str, list[float]] = {"bare": [], "full": []}
    cpu: dict[str, list[float]] = {"bare": [], "full": []}
    for run in runs.values():
        run()  # warm-up: first calls allocate and fill caches
    for _ in range(repeat):  # interleaved, so load from other processes hits both alike
        for name, run in runs.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            run()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    bare_s, full_s = min(times["bare"]), min(times["full"])
    print(f"throughput on {len(texts)} texts, {words} words (best of {repeat}, interleaved, after warm-up):")
    print(f"  bare nlp.pipe      {words / bare_s:8.0f} words/s")
    print(f"  stakes pipeline    {words / full_s:8.0f} words/s   ratio {bare_s / full_s:.2f}x")
    # Processor time counts only this process's work: steadier than the clock on a shared machine.
    print(f"  processor time     {min(cpu['bare']):8.3f} s bare, {min(cpu['full']):.3f} s stakes"
          f"   ratio {min(cpu['bare']) / min(cpu['full']):.2f}x")


def components(shared: Path, repeat: int) -> None:
    """Seconds each component of the pipeline takes on the throughput texts (one component over all
    the texts at a time, best of ``repeat``)."""
    nlp = nlp_pipeline()
    texts = throughput_texts(shared)
    list(nlp.pipe(make_doc(nlp, t) for t in texts))  # warm-up
    best: dict[str, float] = {}
    for _ in range(repeat):
        start = time.perf_counter()
        docs = [make_doc(nlp, t) for t in texts]
        best["tokenizer"] = min(best.get("tokenizer", float("inf")), time.perf_counter() - start)
        for name, component in nlp.pipeline:
            start = time.perf_counter()
            docs = list(component.pipe(docs)) if hasattr(component, "pipe") else [component(d) for d in docs]
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
    print(f"seconds per component on {len(texts)} texts (best of {repeat}):")
    for name, seconds in best.items():
        print(f"  {name:18s} {seconds:7.3f}")
    own = sum(s for n, s in best.items() if n.startswith("stakes_"))
    print(f"  {'stakes components':18s} {own:7.3f}   of {sum(best.values()):.3f}")


def outputs(shared: Path) -> dict[str, dict]:
    """Everything the pipelines find on the throughput texts and the gold texts, as plain data by text."""
    folder = shared / "data" / "events"
    texts = [(f"throughput-{k}", t, None) for k, t in enumerate(throughput_texts(shared))]
    for name in ("news_events", "news_quotes"):
        texts += [(f"{name}-{r.id}", r.text, r.date) for r in read_news_gold(GOLD / f"{name}.yaml")]
    texts += [(f"real-{r.id}", r.text, None) for part in (real_news_records(shared) or {}).values() for r in part]
    texts += [(f"plover-{r['id']}", r["text"], plover_date(r)) for r in read_plover_records(folder / "plover_gsr_dev.json")]
    petr = [(f"petr-{r.id}", r.text, r.date) for r in read_petr_records(folder / "PETR_Validate_records_2_02.xml")]
    nlp = nlp_pipeline()
    readers = [StanceReader(nlp, [StanceReader.proposed_issue()]), StanceReader(nlp, list(load("rafah-2024").issues))]
    out = {}
    for pipeline, items in ((nlp, texts), (petr_pipeline(folder), petr)):
        for (key, text, when), doc in zip(items, pipeline.pipe(make_doc(pipeline, t, d) for _, t, d in items)):
            found = {name: getattr(doc._, name) for name in ("mentions", "quotes", "events", "actors")}
            found["token_actor"] = sorted(doc._.token_actor.items())
            found["actor_groups"] = sorted(doc._.actor_groups.items())
            found["stances"] = [e for reader in readers for e in reader.read(doc)]
            out[key] = json.loads(json.dumps(found, default=_plain))
    return out


def _plain(value):
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    raise TypeError(f"cannot store {type(value).__name__}")


def compare_outputs(reference: Path, shared: Path) -> None:
    with gzip.open(reference, "rt", encoding="utf-8") as handle:
        before = json.load(handle)
    after = outputs(shared)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    for key in changed[:20]:
        if key not in before or key not in after:
            print(f"{key}: only in {'the reference' if key in before else 'this run'}")
            continue
        fields = [f for f in before[key].keys() | after[key].keys() if before[key].get(f) != after[key].get(f)]
        print(f"{key}: {', '.join(sorted(fields))} differ")
    print(f"outputs on {len(after)} texts: {len(changed)} differ from {reference}")


SERIES = (("first and second", {1, 2}), ("third (written after the first two were tuned on)", {3}),
          ("fourth (written after the first three were tuned on, coded blind)", {4}))
"""The news-event gold's series, each written before any rule was tuned on it."""


def series_of(record_id: str) -> int:
    """The series a news record belongs to: the digit before its number ("w3-012" → 3), 1 if none."""
    prefix = record_id.split("-")[0]
    return int(prefix[-1]) if prefix[-1:].isdigit() else 1


SHOWN = list(PARTS)
"""The parts the tables show (``--dev-only`` while tuning)."""


def table(title: str, scores: dict, measures: dict) -> None:
    print(f"{title}")
    for label, measure in measures.items():
        values = [measure(scores[p]) for p in SHOWN]
        gap = f"  {values[0] - values[1]:+6.3f}" if len(values) == 2 else ""
        print(f"  {label:44s} " + "  ".join(f"{v:6.3f}" for v in values) + gap)
    print(f"  {'':44s} ({'; '.join(f'{p}: {scores[p]}' for p in SHOWN)})")


PRF = {"precision": lambda s: s.precision, "recall": lambda s: s.recall, "F1": lambda s: s.f1}


def petr_pipeline(folder: Path):
    gazetteer = Gazetteer.from_files([folder / "PETR_Validate_actors_2_02.txt"],
                                     folder / "PETR_Validate_agents_2_02.txt")
    verbs = read_verbs(folder / "PETR_Validate_verbs_2_02.txt")
    verbs.negations = read_ontology(folder / "PETR_Validate_Internal_Coding_Ontology_1_01.txt")
    return build_pipeline(gazetteer, verbs, modality=False, codebook=False)


def measures(shared: Path) -> None:
    folder = shared / "data" / "events"
    print(f"  {'measure':44s} " + "  ".join(f"{p:>6s}" for p in SHOWN) + ("     gap" if len(SHOWN) == 2 else ""))
    petr = split(read_petr_records(folder / "PETR_Validate_records_2_02.xml"))
    nlp = petr_pipeline(folder)
    table(f"PETR validation events, CAMEO source/target/code ({len(petr['dev'])} / {len(petr['test'])} records)",
          {p: score_petr(nlp, petr[p])[0] for p in PARTS}, PRF)
    news = split(read_news_gold(GOLD / "news_events.yaml"))
    coded = code_news_events(nlp_pipeline(), news["dev"] + news["test"])  # coded once, scored many ways
    table(f"news events, CAMEO source/target/code ({len(news['dev'])} / {len(news['test'])} records)",
          {p: score_coding(news[p], coded) for p in PARTS}, PRF)
    for name, written in SERIES:
        series = {p: [r for r in news[p] if series_of(r.id) in written] for p in PARTS}
        if all(series.values()):
            table(f"  news events, {name} series", {p: score_coding(series[p], coded) for p in PARTS},
                  {"F1": PRF["F1"]})
    second = read_second_coding(GOLD / "news_events_second_coder.yaml", news["dev"] + news["test"])
    table(f"  agreement of two coders, blind ({sum(r.id in second for r in news['dev'])} / "
          f"{sum(r.id in second for r in news['test'])} records)", {p: score_coding(news[p], second) for p in PARTS},
          {"F1": PRF["F1"]})
    table("  the event coder on the same records, against the second coder",
          {p: score_coding(news[p], coded, second) for p in PARTS}, {"F1": PRF["F1"]})
    table("  the event coder on the same records, against the gold",
          {p: score_coding([r for r in news[p] if r.id in second], coded) for p in PARTS}, {"F1": PRF["F1"]})
    print("  missed news events whose actors were coded right under another code (same two-digit family): "
          + ", ".join(f"{p} {n} ({same}) of {missed}" for p, (n, same, missed) in
                      ((p, other_codes(news[p], coded)) for p in SHOWN)))
    plover = split(read_plover_records(folder / "plover_gsr_dev.json"), key=lambda r: r["id"])
    table(f"PLOVER event type, 2021 names ({len(plover['dev'])} / {len(plover['test'])} records)",
          {p: score_plover(nlp_pipeline(), plover[p], PLOVER_2016_TO_2021)[0] for p in PARTS}, PRF)
    quotes = split(read_news_gold(GOLD / "news_quotes.yaml"))
    scores = {p: score_news_quotes(nlp_pipeline(), quotes[p]) for p in PARTS}
    table(f"news direct quotes ({len(quotes['dev'])} / {len(quotes['test'])} passages)",
          scores, {**{k: (lambda s, f=f: f(s.found)) for k, f in PRF.items()},
                   "speaker accuracy": lambda s: s.speaker_accuracy})
    real_news_quotes(shared)


def other_codes(records: list, coded: dict) -> tuple[int, int, int]:
    """Missed gold events whose source and target a coded event has under another code: how many, how
    many of those share the code's two-digit family, and how many gold events were missed."""
    other = family = missed = 0
    for record in records:
        found = set(coded[record.id])
        for source, code, target in {event_key(*e) for e in record.events} - found:
            missed += 1
            codes = {c for s, c, t in found if (s, t) == (source, target)}
            other += bool(codes)
            family += any(c[:2] == code[:2] for c in codes)
    return other, family, missed


def real_news_records(shared: Path) -> dict[str, list] | None:
    """The real-news quote records by part, or ``None`` without the benchmark's ground truth."""
    truth = shared / "data" / "html" / "ground-truth.json"
    return split(read_real_news_quotes(GOLD / "real_news_quotes.yaml", truth)) if truth.exists() else None


def real_news_quotes(shared: Path) -> None:
    records = real_news_records(shared)
    if records is None:
        return
    scores = {p: score_news_quotes(nlp_pipeline(), records[p]) for p in PARTS}
    table(f"real news direct quotes ({len(records['dev'])} / {len(records['test'])} articles, "
          f"{sum(len(r.quotes) for r in records['dev'])} / {sum(len(r.quotes) for r in records['test'])} quotes)",
          scores, {**{k: (lambda s, f=f: f(s.found)) for k, f in PRF.items()},
                   "speaker accuracy": lambda s: s.speaker_accuracy})


def dev_errors(shared: Path) -> None:
    """The development records the pipeline gets wrong (for tuning; never the test part)."""
    folder = shared / "data" / "events"
    petr = petr_pipeline(folder)
    for record in split(read_petr_records(folder / "PETR_Validate_records_2_02.xml"))["dev"]:
        doc = petr(make_doc(petr, record.text, record.date))
        coded = {(e.cameo, e.source_code, e.target_code) for e in doc._.events if e.source_code and e.target_code}
        if coded != set(record.events):
            print(f"{record.id}: {record.text}\n   missed {sorted(set(record.events) - coded)}  "
                  f"extra {sorted(coded - set(record.events))}")
    nlp = nlp_pipeline()
    for record in split(read_news_gold(GOLD / "news_events.yaml"))["dev"]:
        doc = nlp(make_doc(nlp, record.text, record.date))
        coded = {event_key(e.source_code, e.cameo, e.target_code) for e in doc._.events
                 if e.source_code and e.target_code}
        gold = {event_key(*e) for e in record.events}
        if coded != gold:
            print(f"{record.id}: {record.text}\n   missed {sorted(gold - coded)}  extra {sorted(coded - gold)}")
    for record in split(read_plover_records(folder / "plover_gsr_dev.json"), key=lambda r: r["id"])["dev"]:
        doc = nlp(make_doc(nlp, record["text"], plover_date(record)))
        events = [e for e in doc._.events if e.plover and (e.source or e.target)]
        gold = PLOVER_2016_TO_2021.get(record["event"], record["event"])
        if {e.plover for e in events} != {gold}:
            found = sorted({f"{e.plover} ({e.cameo} {e.verb}: {e.source_code}→{e.target_code})" for e in events})
            print(f"{record['id']}: {record['text']}\n   gold {gold} ({record.get('eventText', '')})  coded {found}")
    for record in split(read_news_gold(GOLD / "news_quotes.yaml"))["dev"]:
        doc = nlp(make_doc(nlp, record.text, record.date))
        found = [(q.text, q.speaker_text) for q in doc._.quotes if q.direct]
        print(f"{record.id}: gold {[(t[:30], s) for t, s in record.quotes]}\n   found {[(t[:30], s) for t, s in found]}")
    for record in (real_news_records(shared) or {"dev": []})["dev"]:
        doc = nlp(make_doc(nlp, record.text))
        found = [(q.start, q.end) for q in doc._.quotes if q.direct]
        for start, text, speaker in missed_quotes(record, found):
            context = record.text[max(0, start - 80):start + len(text) + 50].replace("\n", " / ")
            print(f"{record.id[:12]} missed [{speaker}]: {context!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dev-errors", action="store_true", help="list the development records coded wrong")
    parser.add_argument("--dev-only", action="store_true", help="score the development parts only (for tuning)")
    parser.add_argument("--throughput", action="store_true", help="measure throughput only")
    parser.add_argument("--components", action="store_true", help="with --throughput: seconds per component")
    parser.add_argument("--write-outputs", type=Path, help="store every output of the pipeline (.json.gz)")
    parser.add_argument("--compare-outputs", type=Path, help="compare every output with a stored one")
    args = parser.parse_args()
    if args.write_outputs:
        with gzip.open(args.write_outputs, "wt", encoding="utf-8") as handle:
            json.dump(outputs(args.shared), handle)
        return
    if args.compare_outputs:
        compare_outputs(args.compare_outputs, args.shared)
        return
    if args.throughput:
        if args.components:
            components(args.shared, args.repeat)
        throughput(args.shared, args.repeat)
        return
    if args.dev_only:
        SHOWN[:] = ["dev"]
    if args.dev_errors:
        dev_errors(args.shared)
        return
    measures(args.shared)
    if not args.dev_only:
        throughput(args.shared, args.repeat)


if __name__ == "__main__":
    main()
