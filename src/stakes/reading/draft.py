"""From articles to a draft scenario: run the pipeline, gather stances, write Estimates with evidence.

Every number of the draft says where it comes from: ``source`` is the article (added as a scenario
source), ``where`` is ``sentence N (chars a–b)`` and ``basis`` quotes the evidence span and gives the
reading's confidence. The draft never invents a number: an actor with no evidence on an issue takes
no stance there, and the gap is written out to be filled in (in the actor's description and in the
scenario's notes, as ``gaps:`` lines naming the actor, the issue and where the actor is named). An
issue no actor has evidence on is left out and listed in the notes the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from spacy.language import Language

from stakes import limits
from stakes.errors import StakesError
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


@dataclass(frozen=True)
class Gap:
    """An actor the draft keeps but has no evidence on an issue for: a stance to fill in by hand."""

    actor: str
    issue: str
    where: str | None
    """Where the actor is first named (``sentence N (chars a–b)``), if known."""

    def __str__(self) -> str:
        named = f", named in {self.where}" if self.where else ""
        return f"{self.actor} on {self.issue}: no evidence read{named}"


def _first_named(found: FoundActor, reading: Reading) -> str | None:
    for analysis in reading.analyses:
        mention = next((m for m in analysis.mentions if m.actor == found.key), None)
        if mention is not None:
            start, end = analysis.sentences[mention.sentence]
            return f"sentence {mention.sentence + 1} (chars {start}–{end})"
    return None


def gaps(reading: Reading) -> list[Gap]:
    """Every (principal actor, issue) the articles give no stance evidence for."""
    summaries = summarise([e for a in reading.analyses for e in a.stances])
    return [Gap(found.name, issue.id, _first_named(found, reading))
            for key, found in principal_actors(reading).items() for issue in reading.issues
            if not _has_stance(summaries.get((key, issue.id)))]


def _has_stance(summary: StanceSummary | None) -> bool:
    return summary is not None and bool(summary.direction)


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
    Issues taken from a scenario keep their scale and status quo but not its decision rules (they
    name that scenario's actors, not the ones found by reading) nor its observed outcomes.
    """
    overrides, priors = capability or {}, priors or {}
    first = reading.analyses[0]
    summaries = summarise([e for a in reading.analyses for e in a.stances])
    taken: set[str] = set()
    actors = []
    principal = principal_actors(reading)
    covered = {issue for (key, issue), summary in summaries.items() if key in principal and _has_stance(summary)}
    issues = [i for i in reading.issues if i.id in covered]
    if not issues:
        raise StakesError("no stance on any issue could be read from the articles, so there is no draft to "
                          "write; give articles that discuss the issues, or other issues (--scenario)")
    for key, found in sorted(principal.items(), key=lambda kv: -kv[1].mentions):
        stances = {issue.id: Stance(_position(issue, summaries[(key, issue.id)]), _salience(summaries[(key, issue.id)]))
                   for issue in issues if _has_stance(summaries.get((key, issue.id)))}
        missing = [i.id for i in issues if i.id not in stances]
        aliases = tuple(dict.fromkeys(a for a in found.aliases if a != found.name))[:8]
        description = f"Found by reading: {found.mentions} mention(s); code {found.code or 'none'}."
        if missing:
            description += f" No evidence read on {', '.join(missing)}: a gap to fill in."
        actors.append(Actor(_slug(found.name.split(" (")[0], taken), found.name, found.kind,
                            _capability(found, overrides, priors), stances, aliases, description))
    found_gaps = gaps(reading)
    left_out = [i.id for i in reading.issues if i.id not in covered]
    notes = "\n".join(
        (["gaps: stances the articles give no evidence for (fill them in or leave the actor out):"]
         + [f"- {gap}" for gap in found_gaps if gap.issue in covered] if found_gaps else [])
        + [f"- issue {issue}: no actor's stance on it was read; it is left out of the draft" for issue in left_out]
    ) or None
    cited = {i.status_quo.source for i in issues if i.status_quo is not None}
    sources = tuple(_source(article) for article in reading.articles)
    sources += tuple(s for s in issue_sources if s.id in cited and s.id not in {x.id for x in sources})
    return Scenario(
        title=title or f"Draft read from {first.title or 'article ' + first.article_id}",
        issues=tuple(replace(i, decision=None, outcomes=()) for i in issues), actors=tuple(actors),
        as_of=as_of, sources=sources,
        description="Drafted by `stakes read`: every number cites its sentence; check and edit before forecasting.",
        notes=notes,
    )
