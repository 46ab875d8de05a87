"""Reading: from articles to actors, quotes, events and stances, and a draft scenario with evidence.

Ingest (:mod:`stakes.reading.ingest`) turns files, pages and feeds into :class:`Article` objects;
the spaCy pipeline (:mod:`stakes.reading.nlp` and its components) annotates them; and
:mod:`stakes.reading.draft` writes a scenario whose every number cites the sentences behind it.
"""

from stakes.reading.article import Article

__all__ = ["Article"]
