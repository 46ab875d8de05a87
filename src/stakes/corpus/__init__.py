"""The corpus store: many articles over time, and the mentions, quotes, events and stances found in
them, in SQLite (default) or PostgreSQL."""

from stakes.corpus.batch import BatchResult, ingest
from stakes.corpus.records import Analysis, Event, Mention, Quote, StanceEvidence
from stakes.corpus.store import AddResult, Corpus, CorpusError, database_url

__all__ = ["AddResult", "Analysis", "BatchResult", "Corpus", "CorpusError", "Event", "Mention", "Quote",
           "StanceEvidence", "database_url", "ingest"]
