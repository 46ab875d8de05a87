"""What the reading pipeline codes for a sentence, as the event tests compare it."""

from __future__ import annotations

from datetime import date

from spacy.language import Language

from stakes.reading.nlp import make_doc


def coded(nlp: Language, text: str, when: date = date(2024, 3, 1)) -> set[tuple[str | None, str, str | None]]:
    """The sentence's events as (source code, CAMEO code, target code)."""
    doc = nlp(make_doc(nlp, text, when))
    return {(e.source_code, e.cameo, e.target_code) for e in doc._.events}
