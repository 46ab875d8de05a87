"""Turn a hand annotation of direct quotes in real news articles into the offset gold file.

    python benchmarks/annotate_quotes.py DRAFT.yaml [--ground-truth ../shared/data/html/ground-truth.json]
                                         [--output tests/data/gold/real_news_quotes.yaml]

The articles belong to their publishers, so the repository keeps no text of them: the annotator
drafts, outside the repository, a YAML file ``articles: [{id, quotes: [{text, speaker}, ...]}]`` in
which ``id`` is a key of the article-extraction benchmark's ``ground-truth.json`` and each ``text`` is
copied exactly as it stands between the quotation marks, in the order the quotes appear. This script
finds every quote in the article's ``articleBody`` and writes, per article, the id, the URL, the
SHA-256 of the body and each quote as ``[start, end, speaker]`` character offsets. A quote text found
once is placed there; one found several times is placed at its first occurrence after the previous
quote (the script says so); a text not found, or out of order, stops the script with the article and
the quote named. The header of the output states the annotation conventions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

HEADER = """\
# Direct quotes in real news articles, as character offsets into the article text of the
# article-extraction benchmark (scrapinghub/article-extraction-benchmark, MIT licence; the pages are
# third-party news and blog pages). The article text is not stored here: it is read from
# ../shared/data/html/ground-truth.json (`articleBody` of each `id`); `sha256` is the SHA-256 of that
# UTF-8 text, so a changed copy is detected before any offset is used. Read with
# stakes.reading.evaluate.read_real_news_quotes; written by benchmarks/annotate_quotes.py from a
# hand annotation made by reading each article (not from the pipeline's output).
#
# Articles: news (politics, government, courts, business, sport, local news) and two opinion pieces,
# chosen among the benchmark pages that contain quotation marks; an article may have no quote.
# The split into development and test articles is by a hash of `id` (stakes.reading.evaluate.split_of).
#
# Conventions. `quotes` lists every direct quote as [start, end, speaker]:
# - a direct quote is the exact characters between a pair of quotation marks (straight or curly
#   double marks; also a closing made of two single marks) that report someone's words: whole
#   sentences, partial quotes embedded in a sentence, very short quotes ("Meaningless,"), quoted
#   tweets, posts, letters and statements, shouted or chanted words, and headings that repeat a
#   speaker's words; punctuation inside the marks belongs to the quote;
# - a quote continued over paragraphs (a paragraph that ends without a closing mark, the next one
#   reopening) is one quote per paragraph;
# - not quotes: titles of works, campaigns, slogans on signs, programmes and accounts, names and
#   nicknames, scare quotes and quoted terms that report nobody's words, hypothetical or imagined
#   words, and the wording of poll questions;
# - `speaker` is the speaker as the article identifies them: a surname ("Sasse"; the full name when
#   the surname is ambiguous or is two words), an organisation or body ("Pentagon", "Swedish
#   Prosecution Authority"), or for an unnamed speaker the noun the article uses ("spokesperson",
#   "officer", "source"); for a pronoun, the person meant; for words relayed by a document or a
#   third person, the one whose words the marks enclose as the sentence attributes them.
"""


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def locate(body: str, quotes: list[dict], article: str) -> list[list]:
    """``[start, end, speaker]`` of each quote, in order; raises ``SystemExit`` naming what is wrong."""
    placed, cursor = [], 0
    for quote in quotes:
        text, speaker = quote["text"], quote["speaker"]
        count = body.count(text)
        start = body.find(text) if count == 1 else body.find(text, cursor)
        if count == 0 or start < 0:
            raise SystemExit(f"article {article}: quote {text[:50]!r} is not in the article text "
                             f"(after the previous quote); fix: copy it exactly, in reading order")
        if start < cursor:
            raise SystemExit(f"article {article}: quote {text[:50]!r} comes before the previous one; "
                             f"fix: list the quotes in reading order")
        if count > 1:
            print(f"article {article}: {text[:50]!r} occurs {count} times; placed after the previous quote",
                  file=sys.stderr)
        placed.append([start, start + len(text), speaker])
        cursor = start + len(text)
    return placed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("draft", type=Path)
    parser.add_argument("--ground-truth", type=Path, default=ROOT.parent / "shared" / "data" / "html" / "ground-truth.json")
    parser.add_argument("--output", type=Path, default=ROOT / "tests" / "data" / "gold" / "real_news_quotes.yaml")
    args = parser.parse_args()
    truth = json.loads(args.ground_truth.read_text(encoding="utf-8"))
    draft = yaml.safe_load(args.draft.read_text(encoding="utf-8"))
    articles = []
    for item in draft["articles"]:
        if item["id"] not in truth:
            raise SystemExit(f"article {item['id']} is not in {args.ground_truth}; fix: use a key of that file")
        body = truth[item["id"]]["articleBody"]
        articles.append({"id": item["id"], "url": truth[item["id"]].get("url", ""), "sha256": sha256(body),
                         "quotes": locate(body, item.get("quotes") or [], item["id"])})
    lines = [HEADER.rstrip("\n"), "articles:"]
    for article in articles:
        lines += [f"- id: {article['id']}", f"  url: {json.dumps(article['url'])}", f"  sha256: {article['sha256']}"]
        if not article["quotes"]:
            lines.append("  quotes: []")
            continue
        lines.append("  quotes:")
        lines += [f"  - [{start}, {end}, {json.dumps(speaker, ensure_ascii=False)}]"
                  for start, end, speaker in article["quotes"]]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{args.output}: {len(articles)} articles, {sum(len(a['quotes']) for a in articles)} quotes")


if __name__ == "__main__":
    main()
