"""Quotes: direct speech in quotation marks and indirect attributions, with the speaker resolved.

A spaCy component after ``stakes_actors``. Direct quotes are found on the raw text (curly and straight
marks; an opening mark left unclosed runs to the end of its paragraph, a stray closing mark is
ignored) and attributed through a speech verb outside the marks. Indirect speech is a speech verb
with a clause or a ``for``-phrase (``said that``, ``warned``, ``called for``) or ``according to X``.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from stakes.reading.actors import actor_token
from stakes.reading.records import Quote

SPEECH_VERBS = {
    "say", "tell", "warn", "vow", "state", "declare", "announce", "add", "insist", "argue", "claim", "urge",
    "call", "stress", "emphasize", "emphasise", "note", "write", "threaten", "pledge", "promise", "accuse",
    "deny", "admit", "acknowledge", "ask", "demand", "suggest", "predict", "caution", "assert",
    "reiterate", "confirm", "report", "explain", "signal", "indicate", "press", "advocate", "propose",
    "appeal", "reply", "respond", "tweet", "recall", "maintain", "contend", "charge",
}
OPENING = {"“": "”", "«": "»", "„": "“"}
MIN_DIRECT_WORDS = 4


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans (inside the marks) of quoted passages, tolerant of unbalanced marks."""
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    closer = ""
    for index, char in enumerate(text):
        if open_at is None:
            if char in OPENING:
                open_at, closer = index + 1, OPENING[char]
            elif char == '"':
                open_at, closer = index + 1, '"'
            continue
        if char == closer or (closer == "”" and char == '"') or (closer == '"' and char == "”") or char == "\n":
            spans.append((open_at, index))
            open_at = None
    if open_at is not None:
        spans.append((open_at, len(text)))
    return [(a, b) for a, b in spans if b > a]


def _is_speech(token: Token) -> bool:
    return token.pos_ in {"VERB", "AUX"} and token.lemma_.lower() in SPEECH_VERBS


def _cue(verb: Token) -> str:
    particles = [c.text for c in verb.children if c.dep_ in {"prt"} or (c.dep_ == "prep" and c.lower_ == "for")]
    return " ".join([verb.lemma_.lower()] + particles)


def _speaker(verb: Token, token_actor: dict[int, str]) -> tuple[str | None, str]:
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if not subjects and verb.dep_ in {"conj", "xcomp", "advcl"}:
        subjects = [c for c in verb.head.children if c.dep_ == "nsubj"]
    if not subjects and verb.dep_ in {"relcl", "acl"}:
        subjects = [verb.head]  # "a resolution advocating a ceasefire": the resolution's sponsor
    if not subjects:
        return None, ""
    subject = subjects[0]
    index = actor_token(subject, token_actor)
    span = verb.doc[subject.left_edge.i:subject.right_edge.i + 1]
    return (token_actor[index] if index is not None else None), span.text


class QuoteFinder:
    """The ``stakes_quotes`` component: sets ``doc._.quotes``."""

    def __call__(self, doc: Doc) -> Doc:
        token_actor = doc._.token_actor or {}
        sentence_of = {sent.start: k for k, sent in enumerate(doc.sents)}
        quotes: list[Quote] = []
        inside: set[int] = set()
        for start, end in quote_spans(doc.text):
            span = doc.char_span(start, end, alignment_mode="contract")
            if span is None or len([t for t in span if not t.is_punct]) < MIN_DIRECT_WORDS:
                continue
            verb = self._verb_for(span)
            if verb is None:
                continue
            speaker, speaker_text = _speaker(verb, token_actor)
            inside.add(verb.i)
            quotes.append(Quote(speaker, speaker_text, _cue(verb), span.text, start, end,
                                sentence_of[span[0].sent.start], True))
        for sent in doc.sents:
            for token in sent:
                if token.i in inside:
                    continue
                quote = self._indirect(token, token_actor, sentence_of[sent.start])
                if quote is not None:
                    quotes.append(quote)
        doc._.quotes = sorted(quotes, key=lambda q: q.start)
        return doc

    @staticmethod
    def _verb_for(span) -> Token | None:
        """The speech verb outside the quote that governs it, or the nearest one in its sentences."""
        head = span.root
        while head.head.i != head.i:  # spaCy makes a new Token object on every access
            head = head.head
            if not (span.start <= head.i < span.end) and _is_speech(head):
                return head
        sentences = {span[0].sent, span[-1].sent}
        candidates = [t for s in sentences for t in s if _is_speech(t) and not (span.start <= t.i < span.end)]
        if not candidates:
            return None
        return min(candidates, key=lambda t: min(abs(t.i - span.start), abs(t.i - span.end)))

    @staticmethod
    def _indirect(token: Token, token_actor: dict[int, str], sentence: int) -> Quote | None:
        doc = token.doc
        if token.lower_ == "according" and token.nbor(1).lower_ == "to" if token.i + 1 < len(doc) else False:
            objects = [c for c in token.nbor(1).children if c.dep_ == "pobj"]
            if not objects:
                return None
            index = actor_token(objects[0], token_actor)
            sent = token.sent
            return Quote(token_actor[index] if index is not None else None,
                         doc[objects[0].left_edge.i:objects[0].right_edge.i + 1].text, "according to",
                         sent.text, sent.start_char, sent.end_char, sentence, False)
        if not _is_speech(token):
            return None
        content = [c for c in token.children if c.dep_ in {"ccomp", "xcomp"}]
        content += [p for c in token.children if c.dep_ == "prep" and c.lower_ in {"for", "against"}
                    for p in c.children if p.dep_ in {"pobj", "pcomp"}]
        if not content:
            return None
        part = content[0]
        span = doc[part.left_edge.i:part.right_edge.i + 1]
        speaker, speaker_text = _speaker(token, token_actor)
        if speaker is None and not speaker_text:
            return None
        return Quote(speaker, speaker_text, _cue(token), span.text, span.start_char, span.end_char,
                     sentence, False)
