"""From articles to a draft scenario: run the pipeline, gather stances, write Estimates with evidence.

Every number of the draft says where it comes from: ``source`` is the article (added as a scenario
source), ``where`` is ``sentence N (chars a–b)`` and ``basis`` quotes the evidence span and gives the
reading's confidence. Actors named in the article without a readable stance get a placeholder at the
middle of each scale with the full range and confidence 0, so the draft is complete and the gaps show.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from spacy.language import Language

from stakes import limits
from stakes.reading.article import Article
from stakes.reading.nlp import make_doc, nlp_pipeline
from stakes.reading.records import Analysis, FoundActor, StanceEvidence
from stakes.reading.stances import StanceReader, StanceSummary, summarise
from stakes.scenario.model import Actor, Estimate, Issue, Scenario, Source, Stance

KIND_CAPABILITY = {
    "state": 60.0, "government": 60.0, "person": 35.0, "armed group": 35.0, "organisation": 20.0,
    "party": 20.0, "faction": 20.0, "public": 15.0, "other": 10.0,
}
HEAD_OF_GOVERNMENT_CAPABILITY = 60.0
MAX_QUOTE = 180


@dataclass
class Reading:
    """The analyses of a set of articles, read against one set of issues."""

    analyses: list[Analysis]
    issues: list[Issue]
    subjects: set[str] = field(default_factory=set)
    articles: list[Article] = field(default_factory=list)


def analyse(article: Article, reader: StanceReader, nlp: Language, when: date | None = None) -> Analysis:
    """Run the pipeline and the stance reader over one article."""
    doc = nlp(make_doc(nlp, article.text, when or article.published))
    return Analysis(
        article_id=article.id, title=article.title or _file_name(article), text=article.text,
        sentences=[(s.start_char, s.end_char) for s in doc.sents],
        actors=doc._.actors, mentions=doc._.mentions, quotes=doc._.quotes, events=doc._.events,
        stances=[replace(e, article=article.id) for e in reader.read(doc)],
    )


def _file_name(article: Article) -> str | None:
    return Path(article.origin).name if article.origin else None


def read_articles(articles: list[Article], issues: list[Issue] | None = None, when: date | None = None,
                  nlp: Language | None = None) -> Reading:
    """Analyse articles against ``issues`` (or the one issue proposed from the text); an article longer
    than the cap (:mod:`stakes.limits`) is refused before any is read."""
    for article in articles:
        limits.check_article(article.text, f"article {article.title or _file_name(article) or article.id!r}")
    nlp = nlp or nlp_pipeline()
    issues = list(issues) if issues else [StanceReader.proposed_issue()]
    reader = StanceReader(nlp, issues)
    analyses = [analyse(article, reader, nlp, when) for article in articles]
    return Reading(analyses, issues, set(reader.subjects), list(articles))


class CorpusAnalyser:
    """Article → corpus records, for ``stakes corpus add --analyse``: picklable, so workers can run it.

    Actors are stored under their canonical reading keys, which are the same in every article, so
    the corpus can follow one actor's stance over time. The pipeline loads once per process.
    """

    def __init__(self, issues: list[Issue] | None = None):
        self.issues = list(issues) if issues else [StanceReader.proposed_issue()]

    def __call__(self, article: Article):
        nlp = nlp_pipeline()
        analysis = analyse(article, StanceReader(nlp, self.issues), nlp)
        return to_corpus(analysis, {key: key for key in analysis.actors}, self.issues)


def to_corpus(analysis: Analysis, ids: dict[str, str], issues: list[Issue]):
    """The analysis as the corpus stores it (``stakes.corpus.records``), with scenario actor ids."""
    from stakes.corpus import records as corpus

    scales = {i.id: i.scale for i in issues}

    def position(item: StanceEvidence) -> float:
        low, high = scales[item.issue]
        return (low + high) / 2 + item.direction * (high - low) / 2 * (0.3 + 0.6 * item.weight / (1 + item.weight))

    return corpus.Analysis(
        mentions=[corpus.Mention(ids[m.actor], m.start, m.end, m.text) for m in analysis.mentions if m.actor in ids],
        quotes=[corpus.Quote(ids.get(q.speaker) if q.speaker else None, q.text, q.start, q.end, q.cue)
                for q in analysis.quotes],
        events=[corpus.Event(ids.get(e.source) if e.source else None, ids.get(e.target) if e.target else None,
                             e.cameo, e.plover, e.start, e.end, analysis.text[e.start:e.end])
                for e in analysis.events if e.source in ids or e.target in ids],
        stances=[corpus.StanceEvidence(ids[s.actor], s.issue, round(position(s), 2),
                                       round(s.weight / (1 + s.weight), 3), s.start, s.end)
                 for s in analysis.stances if s.actor in ids],
    )


def actor_ids(scenario: Scenario, reading: Reading) -> dict[str, str]:
    """Reading keys → the draft's actor ids (matched by name)."""
    by_name = {a.name: a.id for a in scenario.actors}
    return {key: by_name[found.name] for key, found in principal_actors(reading).items() if found.name in by_name}


def _slug(name: str, taken: set[str]) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "actor"
    slug, k = base, 2
    while slug in taken:
        slug, k = f"{base}_{k}", k + 1
    taken.add(slug)
    return slug


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1].rstrip() + "…"


def _where(evidence: StanceEvidence) -> str:
    return f"sentence {evidence.sentence + 1} (chars {evidence.start}–{evidence.end})"


def _merge_actors(analyses: list[Analysis]) -> dict[str, FoundActor]:
    merged: dict[str, FoundActor] = {}
    for analysis in analyses:
        for key, found in analysis.actors.items():
            if key not in merged:
                merged[key] = FoundActor(found.key, found.name, found.kind, found.country, found.code,
                                         list(found.aliases), list(found.titles), found.head_of_government,
                                         0, list(found.sources))
            target = merged[key]
            target.mentions += found.mentions
            target.aliases += [a for a in found.aliases if a not in target.aliases]
    return merged


def principal_actors(reading: Reading) -> dict[str, FoundActor]:
    """Actors the draft keeps: those with stance evidence, named twice or more, acting as subject or
    possessor, or named by a political role ("opposition within Israel")."""
    actors = _merge_actors(reading.analyses)
    keep = {e.actor for a in reading.analyses for e in a.stances} | reading.subjects
    keep |= {m.actor for a in reading.analyses for m in a.mentions if m.how == "role"}
    return {k: a for k, a in actors.items() if a.kind != "other" and (k in keep or a.mentions >= 2)}


def _strongest(summary: StanceSummary) -> StanceEvidence:
    """The weightiest sentence that leans the way the summary does."""
    agreeing = [e for e in summary.evidence if e.direction * summary.direction > 0]
    return (agreeing or summary.evidence)[0]


def _position(issue: Issue, summary: StanceSummary) -> Estimate:
    low, high = issue.scale
    middle, half = (low + high) / 2, (high - low) / 2
    confidence = summary.confidence
    value = middle + summary.direction * half * (0.3 + 0.6 * confidence)
    spread = half * (1.0 - confidence) * 0.8
    top = _strongest(summary)
    others = len(summary.evidence) - 1
    side = "high" if summary.direction > 0 else "low"
    basis = (f"Read toward the {side} end ({issue.high if side == 'high' else issue.low}); confidence "
             f"{confidence:.2f}. Strongest evidence ({top.cue}): \"{_quote(top.span)}\""
             + (f" and {others} more sentence{'s' if others > 1 else ''}" if others else "") + ".")
    return Estimate(round(value, 1), round(max(low, value - spread), 1), round(min(high, value + spread), 1),
                    "triangular", basis, top.article, _where(top))


def _salience(summary: StanceSummary) -> Estimate:
    raw = summary.weight + summary.emphasis
    value = 0.2 + 0.7 * raw / (raw + 2.0)
    top = _strongest(summary)
    basis = (f"From how often and how emphatically the stake is discussed: evidence weight "
             f"{summary.weight:.2f} over {len(summary.evidence)} sentence(s), {summary.emphasis:.0f} emphatic; "
             f"e.g. \"{_quote(top.span)}\".")
    return Estimate(round(value, 2), round(max(0.0, value - 0.15), 2), round(min(1.0, value + 0.15), 2),
                    "uniform", basis, top.article, _where(top))


def _placeholder(issue: Issue, found: FoundActor, analysis: Analysis) -> Stance:
    low, high = issue.scale
    mention = next((m for m in analysis.mentions if m.actor == found.key), None)
    where = None
    quoted = ""
    if mention is not None:
        start, end = analysis.sentences[mention.sentence]
        where = f"sentence {mention.sentence + 1} (chars {start}–{end})"
        quoted = f" Named in: \"{_quote(analysis.text[start:end])}\"."
    basis = ("No stance on this issue found in the article; placeholder at the middle of the scale with "
             f"the full range (confidence 0.00).{quoted} Edit it.")
    return Stance(
        Estimate((low + high) / 2, low, high, "uniform", basis, analysis.article_id if where else None, where),
        Estimate(0.1, 0.0, 0.3, "uniform", "Named but not discussed on this issue: low salience (confidence "
                 "0.00).", analysis.article_id if where else None, where),
    )


def _source(article: Article) -> Source:
    """An article as a scenario source (title, else file name, else its id)."""
    return Source(article.id, article.title or _file_name(article) or f"Article {article.id}", "article",
                  url=article.url, published=article.published.isoformat() if article.published else None,
                  publisher=article.publisher)


def _capability(found: FoundActor, overrides: dict[str, float], priors: dict[str, float]) -> Estimate:
    for name in (found.name, found.key, *found.aliases):
        if name in overrides:
            return Estimate(overrides[name], basis="Set by the user (--capability).")
    prior = priors.get(found.kind, KIND_CAPABILITY.get(found.kind, 10.0))
    why = f"Prior for kind '{found.kind}'"
    if found.head_of_government:
        prior = max(prior, priors.get("head of government", HEAD_OF_GOVERNMENT_CAPABILITY))
        why = "Prior for a head of government (acting for the state)"
    return Estimate(prior, max(0.0, prior * 0.5), min(100.0, prior * 1.5), "uniform",
                    f"{why}; not read from the text (override with --capability NAME=VALUE).")


def draft_scenario(reading: Reading, title: str | None = None, as_of: date | None = None,
                   capability: dict[str, float] | None = None, priors: dict[str, float] | None = None,
                   issue_sources: tuple[Source, ...] = ()) -> Scenario:
    """A valid scenario from a reading: principal actors, their stances, capability priors.

    ``issue_sources`` are the sources the issues' own estimates cite (when issues come from a scenario).
    """
    overrides, priors = capability or {}, priors or {}
    first = reading.analyses[0]
    summaries = summarise([e for a in reading.analyses for e in a.stances])
    taken: set[str] = set()
    actors = []
    for key, found in sorted(principal_actors(reading).items(), key=lambda kv: -kv[1].mentions):
        stances = {}
        for issue in reading.issues:
            summary = summaries.get((key, issue.id))
            if summary is not None and summary.direction:
                stances[issue.id] = Stance(_position(issue, summary), _salience(summary))
            else:
                home = next(a for a in reading.analyses if key in a.actors)
                stances[issue.id] = _placeholder(issue, found, home)
        aliases = tuple(dict.fromkeys(a for a in found.aliases if a != found.name))[:8]
        actors.append(Actor(_slug(found.name.split(" (")[0], taken), found.name, found.kind,
                            _capability(found, overrides, priors), stances, aliases,
                            f"Found by reading: {found.mentions} mention(s); code {found.code or 'none'}."))
    cited = {i.status_quo.source for i in reading.issues if i.status_quo is not None}
    sources = tuple(_source(article) for article in reading.articles)
    sources += tuple(s for s in issue_sources if s.id in cited and s.id not in {x.id for x in sources})
    return Scenario(
        title=title or f"Draft read from {first.title or 'article ' + first.article_id}",
        issues=tuple(reading.issues), actors=tuple(actors), as_of=as_of, sources=sources,
        description="Drafted by `stakes read`: every number cites its sentence; check and edit before forecasting.",
    )
