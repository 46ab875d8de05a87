"""Stances: where each actor stands on each issue, with the sentences that say so.

Most bargaining issues in conflict reporting run between a de-escalatory and an escalatory end
(abandon the offensive ↔ assault now; no deal ↔ full peace). Each issue's two anchor texts are read
to find which end is which (its *orientation*), and each issue gets topic words from its name and
description. For every actor, the clause it governs (as subject, speaker, possessor: "Israel's
insistence on…", "Egyptian support for…") is scored on the escalation axis by a walk over the
dependency parse: escalatory words count +1, de-escalatory −1, and words of refusal, ending or
reversal ("refuse", "resist", "away from", "end of", "despite", "not") flip what they govern. The
sign, times the issue's orientation, says which end the actor leans to; the sentence's topic words
(or its paragraph's) say which issue it bears on. Evidence must speak to the issue: a sentence without
the issue's topic in it or in its paragraph is no evidence, and on the proposed escalation axis a clause
whose only charged words are about bargaining ("negotiations and concessions to free the hostages") is
no evidence either: wanting a deal says nothing about wanting the war to stop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from stakes.reading.nlp import COMPONENTS
from stakes.reading.records import StanceEvidence
from stakes.scenario.model import Issue

ESCALATION = {
    "attack", "assault", "offensive", "invasion", "invade", "operation", "war", "warfare", "escalation",
    "escalate", "strike", "bomb", "bombing", "bombardment", "fighting", "fight", "military", "eliminate",
    "dismantle", "destroy", "defeat", "crush", "raid", "incursion", "extend", "expand", "blockade", "siege",
    "retaliate", "retaliation", "clash", "hostility", "full-scale", "victory", "annex", "occupy",
    "occupation", "destabilize", "destabilise", "instability", "backlash", "conflict", "weapon", "fire",
    "combat", "advance", "onslaught", "shelling", "airstrike", "intensify",
}
DEESCALATION = {
    "ceasefire", "truce", "restraint", "restrain", "restrained", "deal", "negotiation", "negotiate", "talk",
    "dialogue", "diplomacy", "diplomatic", "peace", "calm", "de-escalation", "withdrawal", "withdraw",
    "retreat", "pullout", "release", "concession", "compromise", "reconstruction", "settlement",
    "agreement", "pause", "solution", "exchange", "armistice", "humanitarian", "accord", "mediation",
    "deescalation", "reconciliation",
}
BARGAINING = {
    "negotiation", "negotiate", "talk", "dialogue", "diplomacy", "diplomatic", "release", "concession",
    "compromise", "exchange", "deal", "mediation", "agreement", "accord", "solution", "humanitarian",
    "reconstruction",
}
"""De-escalation words that name a means of bargaining rather than the conflict's course."""
FLIPS = {
    "no", "not", "never", "without", "end", "stop", "halt", "abandon", "lift", "refuse", "reject", "oppose",
    "resist", "against", "prevent", "avoid", "delay", "postpone", "cancel", "away", "threat", "wary", "fear",
    "warn", "defy", "cut", "reduce", "limit", "despite", "concern", "anxiety", "block", "veto", "undermine",
    "stall", "hesitate", "refusal", "opposition", "rule", "condemn", "criticize", "criticise", "deny",
    "instead", "rather", "abandonment", "stops", "cease", "freeze", "suspend", "curb", "strain",
    "endanger", "jeopardize", "jeopardise", "harm", "damage", "threaten",
}
EMPHATIC = {
    "insist", "insistence", "vow", "essential", "steadfast", "determination", "determined", "openly",
    "firmly", "refuse", "refusal", "defy", "defiant", "emphasize", "emphasise", "demand", "must", "never",
    "unchanged", "commitment", "resolute", "adamant", "pledge",
}
STANCE_NOUNS = {
    "support", "insistence", "concern", "appeal", "call", "plan", "demand", "refusal", "commitment",
    "opposition", "determination", "strategy", "goal", "aim", "approach", "position", "push", "pressure",
    "dialogue", "plea", "proposal", "resolution", "intention", "warning", "threat", "fear", "anxiety",
    "decision", "policy", "stance", "backing", "offer", "rejection", "vow", "pledge", "request", "readiness",
}
NEGATIVE_NOUNS = {"threat", "danger", "loss", "mistake", "defeat", "betrayal", "risk", "disaster"}
REGARD_VERBS = {"view", "see", "consider", "regard", "treat", "deem"}
STOP_TOPIC = {
    "issue", "scale", "end", "position", "stage", "way", "part", "level", "time", "week", "month", "year",
    "period", "area", "including", "include", "toward", "towards", "how", "far", "whether", "soon",
    "article", "number", "people", "population", "side", "point",
}
KEEP_SIGN = {"nsubj", "nsubjpass", "advcl", "conj", "cc", "npadvmod", "punct"}
SKIP_DEPS = {"punct", "det", "cc", "aux", "auxpass", "mark", "case"}
NOT_LEXICAL = ("ner", *COMPONENTS)
"""Components an issue's own texts skip: their words and parse are read, not their entities or actors."""


@dataclass
class IssueProfile:
    """What the reader needs about an issue: topic words and which end is escalatory."""

    issue: Issue
    topic: dict[str, float]
    orientation: float
    """+1: the high end is escalation; −1: the high end is de-escalation."""
    general: bool = False
    """An issue proposed from the text: every stance sentence bears on it."""


def concept_value(token: Token, skip: set[int], depth: int = 0) -> float:
    """Escalation value of the phrase headed by ``token`` (+ escalatory, − de-escalatory)."""
    if depth > 12:
        return 0.0
    if token.lower_ in {"it", "them"} and token.pos_ == "PRON":
        return _antecedent_value(token)
    lemma = token.lemma_.lower()
    base = 1.0 if lemma in ESCALATION else (-1.0 if lemma in DEESCALATION else 0.0)
    children = [c for c in token.children if c.i not in skip and c.dep_ not in SKIP_DEPS]
    negated = any(c.dep_ == "neg" or c.lower_ in {"no", "never"} for c in token.children)
    relcl_negated = [c for c in children if c.dep_ == "relcl" and any(g.dep_ == "neg" for g in c.children)]
    if relcl_negated:
        # "a deal that does not ensure a retreat": the stance is about what the clause denies.
        return concept_value(relcl_negated[0], skip, depth + 1)
    lacking = [c for c in children if c.dep_ == "prep" and c.lower_ == "without"]
    if lacking and token.pos_ == "NOUN":
        # "a deal without a withdrawal": likewise about what the deal lacks.
        return concept_value(lacking[0], skip, depth + 1)
    if lacking:
        # "accept a deal without a withdrawal" (the phrase hung on the verb): same reading.
        children = [c for c in children if c.dep_ != "dobj"]
    if lemma in REGARD_VERBS:
        objects = [c for c in children if c.dep_ == "dobj"]
        as_phrase = [p for c in children if c.dep_ == "prep" and c.lower_ == "as" for p in c.children]
        if objects and any(p.lemma_.lower() in NEGATIVE_NOUNS for p in as_phrase):
            return -concept_value(objects[0], skip, depth + 1)
    if lemma in FLIPS and not (lemma in {"no", "not"} and token.dep_ == "neg"):
        # What is refused, ended or endangered flips; the one doing it, and what it does besides
        # ("defies the pleas, pressing forward"), keep their sign.
        own = sum(concept_value(c, skip, depth + 1) for c in children if c.dep_ in KEEP_SIGN)
        inner = sum(concept_value(c, skip, depth + 1) for c in children
                    if c.dep_ not in KEEP_SIGN and c.dep_ != "neg")
        value = own - inner if (own or inner) else base
    else:
        value = base + sum(concept_value(c, skip, depth + 1) for c in children if c.dep_ != "neg")
    return -value if negated else value


def _antecedent_value(pronoun: Token) -> float:
    """"delay the assault, but not abandon it": the pronoun stands for the last charged noun before it."""
    for token in reversed(pronoun.sent[: pronoun.i - pronoun.sent.start]):
        lemma = token.lemma_.lower()
        if token.pos_ == "NOUN" and (lemma in ESCALATION or lemma in DEESCALATION):
            return 1.0 if lemma in ESCALATION else -1.0
    return 0.0


def _clause_for(mention: Span, token_actor: dict[int, str] | None = None,
                actor: str | None = None) -> tuple[Token | None, set[int]]:
    """The predicate an actor mention governs, and the tokens to leave out (the mention itself)."""
    head = mention.root
    # "Egypt's regime warned": the possessed noun names the same actor, so its clause counts.
    while head.dep_ in {"poss", "compound"} and token_actor is not None \
            and token_actor.get(head.head.i) == actor and head.head.lemma_.lower() not in STANCE_NOUNS:
        head = head.head
    while head.dep_ == "conj" and head.head.pos_ in {"PROPN", "NOUN", "PRON"}:
        head = head.head
    # "Cabinet members such as A and B": the members' predicate.
    while head.dep_ == "pobj" and head.head.dep_ == "prep" and head.head.lower_ in {"as", "like"} \
            and head.head.head.pos_ in {"NOUN", "PROPN"}:
        head = head.head.head
        if head.dep_ == "amod":
            head = head.head
    skip = {t.i for t in mention}
    for token in list(mention):
        skip |= {t.i for t in token.subtree if t.dep_ in {"appos"}}
    if head.dep_ in {"nsubj", "nsubjpass", "csubj"}:
        skip |= {t.i for t in head.subtree}
        return head.head, skip
    if head.dep_ in {"nmod", "npadvmod", "dep"} and head.head.pos_ == "VERB" and head.i < head.head.i:
        skip |= {t.i for t in head.subtree}
        return head.head, skip
    if head.dep_ in {"poss", "amod", "compound"} and head.head.lemma_.lower() in STANCE_NOUNS:
        return head.head, skip
    if head.dep_ == "pobj" and head.head.lower_ == "by" and head.head.head.pos_ == "VERB":
        return head.head.head, skip | {head.head.i}
    for child in head.children:
        if child.dep_ in {"acl", "relcl"} and child.pos_ == "VERB":
            return child, skip
    return None, skip


def _other_subject_clauses(predicate: Token, actor_tokens: set[int], token_actor: dict[int, str],
                           actor: str, places: set[str]) -> set[int]:
    """Subtrees of clauses inside the predicate whose subject names a different actor."""
    out: set[int] = set()
    for token in predicate.subtree:
        if token.dep_ in {"nsubj", "nsubjpass"} and token.head.i != predicate.i:
            named = [token] + [c for c in token.children if c.dep_ in {"compound", "amod", "poss"}]
            other = next((token_actor[t.i] for t in named if t.i in token_actor), None)
            if other is not None and other != actor and other not in places:
                out |= {t.i for t in token.head.subtree}
    return out - actor_tokens


def _lemmas(span: Span) -> set[str]:
    return {t.lemma_.lower() for t in span if t.is_alpha and not t.is_stop}


class StanceReader:
    """Finds stance evidence for every actor of an analysed ``Doc`` on a set of issues."""

    def __init__(self, nlp: Language, issues: list[Issue]):
        found = [_words(nlp, issue.id.replace("_", " "), issue.name, issue.low, issue.high, issue.description)
                 for issue in issues]  # each issue's words read once, not once per issue
        counts: dict[str, int] = {}
        for words in found:
            for word in words:
                counts[word] = counts.get(word, 0) + 1
        self.profiles = [self._profile(nlp, issue, words, counts, len(issues)) for issue, words in zip(issues, found)]
        self.subjects: set[str] = set()
        """Actors that govern some clause or possess something (read by :meth:`read`)."""

    @staticmethod
    def proposed_issue() -> Issue:
        """The issue used when none is given: the conflict's intensity, peace to escalation."""
        return Issue("escalation", "Escalation or settlement of the conflict",
                     "De-escalation: ceasefire, negotiated settlement", "Escalation: military force",
                     (0.0, 100.0), "Proposed from the text: the axis every stance sentence of the article bears on.")

    @staticmethod
    def _profile(nlp: Language, issue: Issue, words: set[str], counts: dict[str, int], issues: int) -> IssueProfile:
        """``words``: the issue's content words; ``counts``: in how many of the ``issues`` issues each is."""
        generic = ESCALATION | DEESCALATION
        named = _words(nlp, issue.id.replace("_", " "), issue.name)
        topic = {w: (1.0 if w in named else 0.5) * (0.5 if w in generic else 1.0) / counts.get(w, 1)
                 for w in words}
        general = issue.id == "escalation" and issues == 1
        return IssueProfile(issue, topic, _orientation(nlp, issue), general)

    def read(self, doc: Doc) -> list[StanceEvidence]:
        """Stance evidence for every (actor, issue) the article supports: one item per sentence."""
        token_actor: dict[int, str] = doc._.token_actor or {}
        sentences = list(doc.sents)
        sentence_index = {s.start: k for k, s in enumerate(sentences)}
        paragraphs = _paragraph_topics(doc, sentences)
        actors = doc._.actors or {}
        places = {k for k, a in actors.items() if a.kind == "other"}
        clauses: dict[tuple[str, int], list[tuple[Token, set[int]]]] = {}
        for mention in doc._.mentions or ():
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is None or mention.actor not in actors or mention.actor in places:
                continue
            predicate, skip = _clause_for(span, token_actor, mention.actor)
            if predicate is not None or span.root.dep_ in {"nsubj", "nsubjpass", "poss"}:
                self.subjects.add(mention.actor)
            if predicate is None:
                continue
            skip |= _other_subject_clauses(predicate, {t.i for t in span}, token_actor, mention.actor, places)
            clauses.setdefault((mention.actor, sentence_index[span.sent.start]), []).append((predicate, skip))
        evidence: list[StanceEvidence] = []
        for (actor, index), found in clauses.items():
            # "Hamas said it would not accept…": the outer clause already holds the inner one.
            outer = [(p, skip) for p, skip in found
                     if not any(q.i != p.i and p in q.subtree and q.i not in skip for q, _ in found)]
            outer = list({p.i: (p, skip) for p, skip in outer}.values())
            value = sum(concept_value(p, skip) for p, skip in outer)
            if not value:
                continue
            predicate = max(outer, key=lambda item: abs(concept_value(*item)))[0]
            lemmas = {t.lemma_.lower() for p, skip in outer for t in p.subtree if t.i not in skip}
            emphasis = float(bool(lemmas & EMPHATIC))
            sent = sentences[index]
            sentence_lemmas = _lemmas(sent)
            charged = lemmas & (ESCALATION | DEESCALATION)
            for profile in self.profiles:
                relevance, how = self._relevance(profile, sentence_lemmas, paragraphs.get(index, set()))
                if not relevance or (profile.general and charged <= BARGAINING):
                    continue
                direction = math.copysign(1.0, value) * profile.orientation
                evidence.append(StanceEvidence(
                    actor, profile.issue.id, direction, min(1.0, abs(value)) * relevance, index, sent.start_char,
                    sent.end_char, sent.text.strip(),
                    f"{predicate.lemma_} ({'escalatory' if value > 0 else 'de-escalatory'}; {how})", emphasis))
        return evidence

    @staticmethod
    def _relevance(profile: IssueProfile, sentence: set[str], paragraph: set[str]) -> tuple[float, str]:
        if profile.general:
            return 1.0, "the article's conflict"
        here = sum(w for term, w in profile.topic.items() if term in sentence)
        if here >= 1.0:
            return 1.0, "topic in the sentence"
        around = sum(w for term, w in profile.topic.items() if term in paragraph)
        if around >= 1.0:
            return 0.6, "topic in the paragraph"
        return 0.0, "off the issue"


def lexical_lean(doc: Doc) -> float:
    """Escalation words minus de-escalation words, each flipped when negated or governed by a flip
    word within two steps ("no operation", "the offensive is abandoned", "end of the war")."""
    total = 0.0
    for token in doc:
        lemma = token.lemma_.lower()
        value = 1.0 if lemma in ESCALATION else (-1.0 if lemma in DEESCALATION else 0.0)
        if not value:
            continue
        negated = any(c.dep_ == "neg" or c.lower_ in {"no", "never", "without"} for c in token.children)
        governors = [token.head, token.head.head]
        flipped = any(g is not token and g.lemma_.lower() in FLIPS for g in governors)
        total += -value if negated != flipped else value
    return total


def _orientation(nlp: Language, issue: Issue) -> float:
    """+1 when the issue's high end reads as escalation, −1 when it reads as de-escalation."""
    lean = lexical_lean(nlp(issue.high, disable=NOT_LEXICAL)) - lexical_lean(nlp(issue.low, disable=NOT_LEXICAL))
    return -1.0 if lean < 0 else 1.0


def _words(nlp: Language, *texts: str | None) -> set[str]:
    """The content nouns of an issue's texts (lemmas)."""
    doc = nlp(" . ".join(t for t in texts if t), disable=NOT_LEXICAL)
    return {t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop and len(t) > 2
            and t.pos_ in {"NOUN", "PROPN"}} - STOP_TOPIC


def _paragraph_topics(doc: Doc, sentences: list[Span]) -> dict[int, set[str]]:
    """Sentence index → content lemmas of its paragraph (paragraphs are separated by line breaks)."""
    out: dict[int, set[str]] = {}
    current: list[int] = []
    words: set[str] = set()
    text = doc.text  # joined from every token: once, not per sentence
    for index, sent in enumerate(sentences):
        current.append(index)
        words |= _lemmas(sent)
        if "\n" in sent.text_with_ws or index == len(sentences) - 1 or "\n" in text[sent.end_char:sent.end_char + 2]:
            for k in current:
                out[k] = set(words)
            current, words = [], set()
    return out


@dataclass
class StanceSummary:
    """One actor's aggregated stance on one issue."""

    direction: float
    """Weighted mean direction in [−1, 1] (+1: the high end)."""
    weight: float
    emphasis: float
    evidence: list[StanceEvidence] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """Grows with the amount of evidence and its agreement: 1 − 1/(1 + Σweight·|direction|)."""
        return 1.0 - 1.0 / (1.0 + self.weight * abs(self.direction))


def summarise(evidence: list[StanceEvidence]) -> dict[tuple[str, str], StanceSummary]:
    """(actor, issue) → aggregated stance."""
    grouped: dict[tuple[str, str], list[StanceEvidence]] = {}
    for item in evidence:
        grouped.setdefault((item.actor, item.issue), []).append(item)
    out = {}
    for key, items in grouped.items():
        total = sum(i.weight for i in items)
        direction = sum(i.weight * i.direction for i in items) / total if total else 0.0
        out[key] = StanceSummary(direction, total, sum(i.emphasis for i in items),
                                 sorted(items, key=lambda i: -i.weight))
    return out
