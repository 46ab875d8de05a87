"""Article-extraction quality on the scrapinghub article-extraction benchmark (181 news pages).

Run as ``python benchmarks/bench_extraction.py [--data DIR] [--workers N] [--output FILE]``. Scores,
for each extractor, the text it extracts from every page against the page's ground-truth
``articleBody`` the way the benchmark's own ``evaluate.py`` does: the texts are split into ``\\w+``
tokens, compared as multisets of 4-token shingles, each page's true/false positive and false
negative counts are normalised to sum to one (so long pages weigh no more than short ones),
precision and recall are averaged over pages, and F1 is the harmonic mean of those two averages.
The ± figures are 1.96 bootstrap standard deviations over pages (1000 resamples, fixed seed).

Extractors: trafilatura with its defaults; trafilatura with the options stakes uses
(``favor_precision``, no comments); readability-lxml alone; and stakes' ``extract_html`` (those
trafilatura options with readability-lxml where trafilatura finds nothing or only a fragment).
The pages and ground truth are read from ``../shared/data/html`` (or ``--data``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from stakes.parallel import run_blocks
from stakes.reading.ingest import IngestError, _readability_text, extract_html

REPO = Path(__file__).resolve().parents[1]
EXTRACTORS = ("trafilatura (defaults)", "trafilatura (stakes options)", "readability-lxml", "stakes extract_html")
TOKEN = re.compile(r"\w+", re.UNICODE)
Counts = tuple[float, float, float]


def extract_all(html: bytes, url: str) -> tuple[list[str], list[float]]:
    """Every extractor's text for one page, and the seconds each took."""
    import trafilatura

    def timed(function):
        start = time.perf_counter()
        try:
            text = function() or ""
        except IngestError:
            text = ""
        return text, time.perf_counter() - start

    runs = [
        timed(lambda: trafilatura.extract(html, url=url)),
        timed(lambda: trafilatura.extract(html, url=url, favor_precision=True, include_comments=False)),
        timed(lambda: _readability_text(html.decode("utf-8", errors="replace"))),
        timed(lambda: extract_html(html, url=url).text),
    ]
    return [text for text, _ in runs], [seconds for _, seconds in runs]


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def page_counts(true: str, predicted: str) -> Counts:
    """Shingle true positives, false positives and false negatives, normalised to sum to one."""
    expected, found = shingles(true), shingles(predicted)
    tp = fp = fn = 0.0
    for key in expected.keys() | found.keys():
        e, f = expected.get(key, 0), found.get(key, 0)
        tp += min(e, f)
        fp += max(0, f - e)
        fn += max(0, e - f)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def metrics(counts: list[Counts]) -> tuple[float, float, float]:
    """Mean precision and recall over pages, and F1 of those means (the benchmark's definition)."""
    p = statistics.mean(precision(*c) for c in counts if c[0] + c[1] > 0)
    r = statistics.mean(recall(*c) for c in counts if c[0] + c[2] > 0)
    return p, r, 2 * p * r / (p + r)


def bootstrap(counts: list[Counts], resamples: int = 1000, seed: int = 0) -> tuple[float, float, float]:
    rng = random.Random(seed)
    draws = [metrics([counts[rng.randrange(len(counts))] for _ in counts]) for _ in range(resamples)]
    return tuple(1.96 * statistics.stdev(values) for values in zip(*draws))  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "html",
                        help="folder with ground-truth.json and html/*.html.gz")
    parser.add_argument("--workers", type=int, default=1, help="local processes")
    parser.add_argument("--output", type=Path, help="also write per-extractor figures as JSON here")
    args = parser.parse_args()

    truth = json.loads((args.data / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)
    pages = [(gzip.decompress((args.data / "html" / f"{key}.html.gz").read_bytes()), truth[key]["url"])
             for key in keys]
    texts: list[list[str]] = [[] for _ in keys]
    seconds = [0.0] * len(EXTRACTORS)
    for k, (extracted, timing) in run_blocks(extract_all, pages, workers=args.workers):
        texts[k] = extracted
        seconds = [a + b for a, b in zip(seconds, timing)]

    print(f"{len(keys)} pages from {args.data}")
    print(f"{'extractor':<30} {'precision':>15} {'recall':>15} {'F1':>15} {'ms/page':>8}")
    results = {}
    for e, name in enumerate(EXTRACTORS):
        counts = [page_counts(truth[key]["articleBody"], texts[k][e]) for k, key in enumerate(keys)]
        figures, spread = metrics(counts), bootstrap(counts)
        cells = " ".join(f"{v:.3f} ± {s:.3f}".rjust(15) for v, s in zip(figures, spread))
        print(f"{name:<30} {cells} {1000 * seconds[e] / len(keys):8.0f}")
        results[name] = {"precision": figures[0], "recall": figures[1], "f1": figures[2],
                         "precision_ci": spread[0], "recall_ci": spread[1], "f1_ci": spread[2],
                         "ms_per_page": 1000 * seconds[e] / len(keys)}
    if args.output:
        args.output.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
