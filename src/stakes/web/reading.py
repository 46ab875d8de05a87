"""Articles sent to the app: drafted into scenarios and stored, read, in the corpus."""

from __future__ import annotations

from collections.abc import Sequence

from stakes.corpus.store import Corpus
from stakes.reading.article import Article
from stakes.scenario.model import Scenario
from stakes.web.schemas import ArticleIn


def article(data: ArticleIn) -> Article:
    return Article(text=data.text, title=data.title, published=data.published, url=data.url, origin="web app")


def draft_from_articles(corpus: Corpus, articles: Sequence[ArticleIn], base: Scenario | None,
                        title: str | None) -> Scenario:
    """A draft scenario read from ``articles`` (on the issues of ``base``, if given); each article is
    stored in the corpus with what was found in it, so the draft's numbers link to their sentences."""
    from stakes.reading.draft import draft_scenario, read_articles, to_corpus

    found = [article(a) for a in articles]
    reading = read_articles(found, list(base.issues) if base else None)
    draft = draft_scenario(reading, title=title.strip() if title and title.strip() else None,
                           as_of=base.as_of if base else None, issue_sources=base.sources if base else ())
    for item, analysis in zip(found, reading.analyses):
        corpus.store(item, to_corpus(analysis, {key: key for key in analysis.actors}, reading.issues))
    return draft


def store_article(corpus: Corpus, data: ArticleIn, scenario: Scenario) -> str:
    """Store an article, read on the scenario's issues."""
    from stakes.reading.draft import CorpusAnalyser

    item = article(data)
    analyse = CorpusAnalyser(list(scenario.issues))
    corpus.add([item], analyse)
    return item.id
