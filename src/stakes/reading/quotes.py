"""Quotes: direct speech in quotation marks and indirect attributions, with the speaker resolved.

A spaCy component after ``stakes_actors``. Direct quotes are found on the raw text (curly and straight
marks, double or single; an opening mark left unclosed runs to the end of its paragraph, a stray
closing mark is ignored, an apostrophe is not a mark) and attributed through a verb outside the marks
that reports words ("said", "continued", "branded"; "was quoted as saying" is said by who was quoted),
in the quote's sentences or right after it ('"Stop!" an officer shouted.'). A quote with no
attribution of its own continues the quote before it ("A," X said. "B.") when that one is in the same
paragraph or the paragraph just before, or else belongs to the speaker of an attribution closing the
paragraph before (a quoted paragraph under "X addressed the country:"). A short quote (under four
words) counts only close under the verb that attributes it ("called the move 'absurd'"), so scare
quotes do not. The speaker of "released a statement saying …" or "in a post saying …" is the one who
released it. A quote right after a colon is said by the subject of the clause the colon ends ("Tusk
was brief: 'Not now.'"), and one right after a transcript label by the label ("Reporter: '…'").
A quote right after a noun of speech is said by who gave it ("orders from the governor to '…'"), and a
heading in marks that repeats words quoted below it by whoever says them there. Marks around a name
or a term ("better known as 'El Tigre'", "the term 'X'", a title-case name) are not a quote.

The speaker is the subject of the attributing verb, found up a chain of clauses ("X testified,
describing … as '…'"), never a transcript label opening the line nor the quoter of "and I quote".
A speaker given as "he", "she" or "the 56-year-old", or as a description standing beside a name
elsewhere, is resolved by :class:`Referents` (salience, and gender as the text itself gives it).
Indirect speech is a speech verb with a clause or a ``for``-phrase (``said that``, ``warned``,
``called for``) or ``according to X``.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from spacy.tokens import Doc, Span, Token

from stakes.reading.actors import actor_token
from stakes.reading.records import Mention, Quote

SPEECH_VERBS = {
    "say", "tell", "warn", "vow", "state", "declare", "announce", "add", "insist", "argue", "claim", "urge",
    "call", "stress", "emphasize", "emphasise", "note", "write", "threaten", "pledge", "promise", "accuse",
    "deny", "admit", "acknowledge", "ask", "demand", "suggest", "predict", "caution", "assert",
    "reiterate", "confirm", "report", "explain", "signal", "indicate", "press", "advocate", "propose",
    "appeal", "reply", "respond", "tweet", "recall", "maintain", "contend", "charge", "address", "speak",
    "repeat", "post", "testify",
}
QUOTING_VERBS = SPEECH_VERBS | {
    "continue", "agree", "describe", "remark", "comment", "conclude", "observe", "concede", "complain",
    "lament", "boast", "counter", "retort", "plead", "shout", "chant", "joke", "quip", "exclaim", "scoff",
    "muse", "recount", "wonder", "brand", "dub", "label", "term", "quote", "question", "answer", "order",
    "yell", "scream", "cry", "whisper", "beg", "implore", "dismiss", "denounce", "condemn", "decry", "hail",
    "praise", "criticise", "criticize", "slam", "blast",
}
"""Verbs that attribute the words in marks beside them ("'We are ready,' he continued"; "branded the
plan 'reckless'"). Only the speech verbs above also make indirect speech of a clause: "continued to
fight" reports no words."""
SPEECH_NOUNS = {"directive", "order", "instruction", "command", "call", "appeal", "plea", "pledge", "promise",
                "vow", "warning", "demand", "request", "threat", "exhortation"}
"""Nouns of speech whose words may follow in marks, said by their possessor or "from"/"by" phrase."""
STATEMENT_NOUNS = {"statement", "post", "message", "video", "letter", "tweet", "communique", "note", "speech",
                   "address", "release", "interview", "broadcast"}
"""What an actor releases: "issued a statement saying …" is said by whoever issued it."""
OPENING = {"“": "”", "«": "»", "„": "“"}
SINGLE_OPENING = {"‘": "’", "'": "'"}
"""Single marks open a quote only at a word's start and close it only at a word's end, because the
same characters are apostrophes ("don’t", "Israel's", "the protesters’ demands")."""
CLOSING_PUNCTUATION = set(",.;:!?)—–-")
MIN_DIRECT_WORDS = 4
PERSONAL_PRONOUNS = {"he", "she"}
RELATIVE_PRONOUNS = {"who", "that", "which"}
NEGATED_SUBJECTS = {"few", "no", "nobody", "none", "nothing"}
PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "himself": "m",
                  "she": "f", "her": "f", "hers": "f", "herself": "f"}
GENDERED_WORDS = {
    **dict.fromkeys(["mr", "mr.", "sir", "lord", "king", "prince", "duke", "man", "boy", "father", "son",
                     "brother", "husband", "uncle", "nephew", "grandfather", "grandson", "widower",
                     "boyfriend", "spokesman", "chairman", "congressman", "businessman", "councilman",
                     "assemblyman", "policeman", "sportsman", "statesman"], "m"),
    **dict.fromkeys(["mrs", "mrs.", "ms", "ms.", "miss", "madam", "madame", "lady", "dame", "queen",
                     "princess", "duchess", "woman", "girl", "mother", "daughter", "sister", "wife", "aunt",
                     "niece", "grandmother", "granddaughter", "widow", "girlfriend", "spokeswoman",
                     "chairwoman", "congresswoman", "businesswoman", "councilwoman", "assemblywoman",
                     "policewoman", "sportswoman", "stateswoman", "actress"], "f"),
}
"""Titles and nouns that give a person's gender when they stand at the name."""
TITLE_WEIGHT = 3
"""A title or gendered noun at a name outweighs a few pronouns linked to it by position."""
PERSON_DESCRIPTION = re.compile(r"the (?:\d+|[a-z]+(?:-[a-z]+)?)-year-old$", re.IGNORECASE)
"""A speaker described rather than named ("the 56-year-old"): a person named before."""
PLACE_KINDS = {"state", "government", "other"}
NAMING_CUES = ("known as", "nicknamed", "dubbed", "titled", "entitled", "named", "called")
TERM_NOUNS = {"term", "word", "words", "phrase", "slogan", "hashtag", "label", "name", "motto", "banner"}
LABEL = re.compile(r"(?:^|\n)[ \t]*((?:[A-Z][\w.'’-]*)(?:[ \t]+[A-Za-z][\w.'’-]*){0,4})[ \t]*:[ \t]*$")
"""A transcript's speaker label opening a line: "Reporter:", "Hegseth:", "The Prime Minister:"."""

Attribution = tuple[str | None, str, str, Token | None]
"""Who said a quote: the speaker actor, the phrase naming it, the cue and the phrase's head token."""


def _opens_single(text: str, index: int) -> bool:
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return (before.isspace() or before in "([—–-\"“") and (after.isalnum() or after in "“\"")


def _single_closers(text: str, start: int, end: int, closer: str) -> list[tuple[int, bool]]:
    """Where a single-quoted passage may close between ``start`` and ``end`` (the paragraph's end),
    each with whether the close is sure: a mark after punctuation or before it is; a mark after a
    word's last letter "s" and before a space may be a plural possessive instead."""
    found = []
    for index in range(start, end):
        if text[index] not in {closer, "’"} or index == start:
            continue
        before = text[index - 1]
        after = text[index + 1] if index + 1 < len(text) else " "
        if after.isalnum():
            continue  # an apostrophe inside a word: don’t, Israel's
        sure = before in CLOSING_PUNCTUATION or after in CLOSING_PUNCTUATION or after == "\n" or \
            (before.isalnum() and before.lower() != "s")
        found.append((index, sure))
    return found


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans (inside the marks) of quoted passages, tolerant of unbalanced marks.

    Double marks pair as they come, and an opening mark left unclosed runs to the end of its
    paragraph. Single marks (British style, or nested) count where no double-quoted passage is open:
    a single-quoted passage closes at its first sure closing mark, else at its last possible one.
    """
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    closer = ""
    index = 0
    while index < len(text):
        char = text[index]
        if open_at is None:
            if char in OPENING:
                open_at, closer = index + 1, OPENING[char]
            elif char == '"':
                open_at, closer = index + 1, '"'
            elif char in SINGLE_OPENING and _opens_single(text, index):
                paragraph_end = text.find("\n", index)
                paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
                closers = _single_closers(text, index + 1, paragraph_end, SINGLE_OPENING[char])
                sure = [at for at, is_sure in closers if is_sure]
                close = sure[0] if sure else closers[-1][0] if closers else paragraph_end
                spans.append((index + 1, close))
                index = close
            index += 1
            continue
        if text.startswith("’’", index):  # two single marks close a double-quoted passage in some copy
            spans.append((open_at, index))
            open_at = None
            index += 2
            continue
        if char == closer or (closer == "”" and char == '"') or (closer == '"' and char == "”") or char == "\n":
            spans.append((open_at, index))
            open_at = None
        index += 1
    if open_at is not None:
        spans.append((open_at, len(text)))
    return [(a, b) for a, b in spans if b > a]


def _is_speech(token: Token, verbs: set[str] = SPEECH_VERBS) -> bool:
    return token.pos_ in {"VERB", "AUX"} and token.lemma_.lower() in verbs


def _quotes_words(token: Token) -> bool:
    """A verb attributing the words beside it; not the quoter's own aside ("What she said, and I
    quote, was '…'": the words are hers)."""
    if token.lemma_.lower() == "quote" and any(c.dep_ in {"nsubj"} and c.lower_ in {"i", "we"}
                                               for c in token.children):
        return False
    return _is_speech(token, QUOTING_VERBS)


def _cue(verb: Token) -> str:
    particles = [c.text for c in verb.children if c.dep_ in {"prt"} or (c.dep_ == "prep" and c.lower_ == "for")]
    return " ".join([verb.lemma_.lower()] + particles)


def _releaser(noun: Token) -> list[Token]:
    """The subject of the verb that released a statement ("Zelensky released a statement", "Erdogan
    wrote in a post"), through conjoined and controlled verbs."""
    verb = noun.head if noun.dep_ in {"dobj", "nsubjpass"} else noun.head.head if noun.dep_ == "pobj" else None
    for _ in range(3):
        if verb is None:
            return []
        subjects = [c for c in verb.children if c.dep_ in {"nsubj"}]
        if subjects:
            return subjects
        verb = verb.head if verb.dep_ in {"conj", "xcomp", "advcl"} and verb.head is not verb else None
    return []


def _subjects(verb: Token) -> list[Token]:
    """Who does ``verb``: its own subject, else the subject of the clause it hangs from ("Speaking to
    reporters, X said"; "X testified, describing …"; "was quoted as saying": who was quoted), else the
    noun a participle or relative clause describes ("a resolution advocating …"; "a letter stating
    …": whoever sent it). A transcript label before the subject ("Kemi Badenoch: The Prime Minister
    promised …") is not the subject; "who" stands for the noun its clause describes."""
    for _ in range(4):
        subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"} and not _is_label(c)]
        subjects = subjects or [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if subjects:
            if verb.dep_ == "relcl" and subjects[0].lower_ in RELATIVE_PRONOUNS:
                return [verb.head]
            return _compared(verb, subjects[0]) or subjects
        if verb.dep_ in {"relcl", "acl"}:
            return _releaser(verb.head) if verb.head.lemma_.lower() in STATEMENT_NOUNS else [verb.head]
        if verb.dep_ == "pcomp":
            verb = verb.head.head
        elif verb.dep_ in {"conj", "xcomp", "advcl"} and verb.head.i != verb.i:
            verb = verb.head
        else:
            return []
    return []


def _compared(verb: Token, subject: Token) -> list[Token]:
    """The one a negated subject is compared with, who is the one speaking: "Few officials have spoken
    as bluntly as Kallas did", "No minister has spoken as plainly as Reeves"."""
    words = {subject.lower_} | {c.lower_ for c in subject.children if c.dep_ in {"det", "amod"}}
    if not words & NEGATED_SUBJECTS:
        return []
    for token in verb.subtree:
        if token.lower_ != "as" or token.i < verb.i:
            continue
        if token.dep_ == "mark":
            return [c for c in token.head.children if c.dep_ == "nsubj"]
        if token.dep_ == "prep":
            return [c for c in token.children if c.dep_ == "pobj"]
    return []


def _is_label(subject: Token) -> bool:
    following = subject.doc[subject.right_edge.i + 1] if subject.right_edge.i + 1 < len(subject.doc) else None
    return subject.right_edge.text == ":" or (following is not None and following.text == ":")


def _speaker(verb: Token, token_actor: dict[int, str]) -> tuple[str | None, str, Token | None]:
    """The actor who does ``verb``, the phrase naming it, and the phrase's head token."""
    subjects = _subjects(verb)
    if not subjects:
        return None, "", None
    subject = subjects[0]
    index = actor_token(subject, token_actor)
    first = subject.left_edge.i
    last = subject.right_edge.i - (subject.right_edge.text == ":")
    if subject.is_ancestor(verb):  # "an officer who described …": the noun phrase, not its clause
        last = max([subject.i] + [c.right_edge.i for c in subject.lefts])
    span = verb.doc[first:last + 1]
    return (token_actor[index] if index is not None else None), span.text, subject


def _attributed_short(span: Span, arcs: int | None) -> bool:
    """A short quote reports words only close under the verb that attributes it ("called the plan
    'reckless'", "said it was 'a massacre'", at most three arcs up the parse), not deep in a clause
    of its own ("said the deal came through an 'irregular' channel that …": scare quotes)."""
    return arcs is not None and arcs <= 3


def _names_something(text: str, start: int, end: int) -> bool:
    """Marks around a name or a term, not words someone said: "better known as 'X'", "the term 'Y'",
    "what some have called the 'Z'", a title-case name ("the 'Three Amigos.'", a programme's name)."""
    before = re.sub(r"\s+(?:the|a|an)$", "", text[max(0, start - 30):start - 1].rstrip().lower())
    inside = text[start:end].strip()
    words = re.findall(r"[^\W\d_][\w'’-]*", inside)
    closed = inside[-1:] in ".!?,"
    long_words = [w for w in words if len(w) > 3]
    if re.fullmatch(r"[a-z]+[A-Z][\w]*", inside):
        return True  # an account or a brand written as one word ("factcheckUK")
    title_case = len(long_words) >= 2 and all(w[0].isupper() for w in long_words) and \
        (not closed or len(words) <= 4 and inside[-1:] in ".,")
    named = before.endswith(NAMING_CUES) or before.split()[-1:] in ([w] for w in TERM_NOUNS)
    return title_case or (named and len(words) <= 4 and inside[-1:] not in "!?")


def _modifies_a_noun(span: Span) -> bool:
    """A name or a single word in marks that modifies a noun outside them: a label or a scare quote
    ("the 'one country, two systems' formula", "the 'interim' government"), not reported words."""
    if span.root.head.i < span.end:  # a modifier stands before the noun it modifies
        return False
    words = [t for t in span if not t.is_punct]
    return span.root.dep_ in {"compound", "nmod"} or len(words) == 1 and span.root.dep_ == "amod"


def _labelled(doc: Doc, text: str, start: int, token_actor: dict[int, str]) -> Attribution | None:
    """A quote right after a transcript label at the start of its line is said by the label (``text``
    is ``doc.text``, which spaCy rebuilds on every access)."""
    line = text[text.rfind("\n", 0, start - 1) + 1:start - 1]
    found = LABEL.search(line)
    if found is None:
        return None
    label_start = text.rfind("\n", 0, start - 1) + 1 + found.start(1)
    label = doc.char_span(label_start, label_start + len(found.group(1)), alignment_mode="expand")
    index = next((token_actor[t.i] for t in label if t.i in token_actor), None) if label is not None else None
    return index, found.group(1), "label", None


def _introduced(doc: Doc, text: str, start: int, token_actor: dict[int, str]) -> Attribution | None:
    """A quote right after a colon ("Tusk was brief: 'Not now.'", "one official put it to me: '…'")
    is said by the subject of the clause the colon ends."""
    before = text[:start - 1].rstrip()
    if not before.endswith(":") or "\n" in text[len(before):start]:
        return None
    colon = doc.char_span(len(before) - 1, len(before), alignment_mode="expand")
    if colon is None:
        return None
    head = colon[0].head
    while head.dep_ not in {"ROOT"} and not any(c.dep_ in {"nsubj", "nsubjpass"} for c in head.children):
        head = head.head
    subjects = [c for c in head.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if not subjects or subjects[0].i > colon[0].i:
        return None
    speaker, speaker_text, subject = _speaker(head, token_actor)
    return speaker, speaker_text, _cue(head), subject


class Referents:
    """Whom a speaker phrase that names nobody refers to, in one document.

    "he"/"she" and "the 56-year-old" refer to a person named before, outside quotation marks (a name
    inside a quote speaks for nobody), in the nearest sentence naming one; in that sentence the
    subject of the main clause is preferred (the one speaking in "X said Y would …"), and a person
    the text gives the other gender is skipped. The text's own evidence gives a person's gender: a
    title or gendered word at the name ("Ms Holt", "Congresswoman Park", "his wife, Jane Doe"), and
    he/she/his/her where only that person can be meant (the subject of a clause above the pronoun:
    "Novak told reporters that her client …"); no list of first names is used. A person the model
    tags by name but who is no actor stops the search (the pronoun is that person's, not an actor's
    named earlier). A definite description ("Brazil's ambassador to Argentina", "the group") refers to
    the name it stands beside elsewhere in the text ("Brazil's ambassador to Argentina Paulo Reis", "The
    group, Workers United Coalition,"), else to the last person named with that title ("the minister"
    after "Foreign Minister Penny Wong")."""

    def __init__(self, doc: Doc, quoted: list[tuple[int, int]], text: str):
        self.doc = doc
        self.text = text
        actors = doc._.actors or {}
        self.quoted = quoted
        self.names = [m for m in doc._.mentions or [] if m.how != "pronoun" and not self._in_quote(m.start)
                      and m.actor in actors and actors[m.actor].kind not in PLACE_KINDS]
        roles = {m.end for m in doc._.mentions or [] if m.how == "role"}
        self.people = [m for m in self.names if actors[m.actor].kind == "person" or self._has_person(m)
                       or self._titled(m, roles)]
        self.people = sorted(self.people + self._unnamed(), key=lambda m: m.start)
        self.heads = {id(m): self._head(m) for m in self.people}
        self.genders = self._genders()

    def _unnamed(self) -> list[Mention]:
        """People the model tags by name who are no actor of the article (actor ``""``): a pronoun
        after one refers to that person, not to an actor named earlier."""
        covered = [(m.start, m.end) for m in self.doc._.mentions or []]
        starts = [sent.start_char for sent in self.doc.sents]
        return [Mention(e.start_char, e.end_char, e.text, bisect_right(starts, e.start_char) - 1, "", None, "entity")
                for e in self.doc.ents if e.label_ == "PERSON" and not self._in_quote(e.start_char)
                and not any(a < e.end_char and e.start_char < b for a, b in covered)]

    def _in_quote(self, index: int) -> bool:
        return any(a <= index < b for a, b in self.quoted)

    def _span(self, mention: Mention) -> Span | None:
        return self.doc.char_span(mention.start, mention.end, alignment_mode="expand")

    def _titled(self, mention: Mention, role_ends: set[int]) -> bool:
        """A name right after a role phrase is a person's ("Ukraine's ambassador Oleksii Makeiev"), even
        where the model takes it for an organisation's."""
        return any(mention.start - end in (1, 2) and re.fullmatch(r",? ", self.text[end:mention.start])
                   for end in role_ends)

    def _has_person(self, mention: Mention) -> bool:
        span = self._span(mention)
        return span is not None and any(t.ent_type_ == "PERSON" for t in span)

    def _head(self, mention: Mention) -> Token | None:
        """The token standing for a mention in its clause ("Kallas" of "Kaja Kallas", and of "Kallas" in
        "the EU's foreign policy chief, Kaja Kallas")."""
        span = self._span(mention)
        if span is None:
            return None
        head = span.root
        while head.dep_ in {"compound", "flat", "appos"} and head.head.i != head.i:
            head = head.head
        return head

    def _is_subject(self, mention: Mention) -> bool:
        head = self.heads.get(id(mention))
        return head is not None and head.dep_ in {"nsubj", "nsubjpass"}

    # -- gender -------------------------------------------------------------------------------------

    def _genders(self) -> dict[str, str]:
        votes: dict[str, dict[str, int]] = {}
        for mention in self.people:
            for word in self._words_at(mention):
                gender = GENDERED_WORDS.get(word)
                if gender:
                    votes.setdefault(mention.actor, {"m": 0, "f": 0})[gender] += TITLE_WEIGHT
        for token in self.doc:
            gender = PRONOUN_GENDER.get(token.lower_)
            if gender is None or token.pos_ not in {"PRON", "DET"} or self._in_quote(token.idx):
                continue
            actor = self._only_antecedent(token)
            if actor:
                votes.setdefault(actor, {"m": 0, "f": 0})[gender] += 1
        return {actor: "m" if v["m"] > v["f"] else "f" for actor, v in votes.items() if v["m"] != v["f"]}

    def _words_at(self, mention: Mention) -> list[str]:
        """The lower-case words at a name that may give its gender: the name's own words, the word
        before it, and nouns in apposition or compound with it."""
        span = self._span(mention)
        if span is None:
            return []
        tokens = list(span)
        if span.start > 0:
            tokens.append(self.doc[span.start - 1])
        root = span.root
        tokens += [c for c in root.children if c.dep_ in {"appos", "compound"} and not span.start <= c.i < span.end]
        if root.dep_ in {"appos", "compound"}:
            tokens.append(root.head)
        return [t.lower_ for t in tokens]

    def _only_antecedent(self, pronoun: Token) -> str | None:
        """The person a he/she/his/her can only mean: the subject of a clause above it in its sentence
        ("Novak told reporters that her client …"). A pronoun opening a sentence is not evidence: which
        person it means is what is being resolved."""
        sentence = pronoun.sent
        before = [m for m in self.people if sentence.start_char <= m.start and m.end <= pronoun.idx]
        above = {m.actor for m in before if self._is_subject(m) and self.heads[id(m)].head.is_ancestor(pronoun)}
        return above.pop() if len(above) == 1 else None

    # -- resolution ---------------------------------------------------------------------------------

    def person_before(self, at: Token, start: int, gender: str | None = None,
                      subject_first: bool = True) -> str | None:
        """The actor of the person the pronoun or description at ``at`` refers to, named before it and
        before ``start``, agreeing with ``gender`` ("m", "f" or None); ``""`` for a person who is no
        actor, None when no person is named before. In the phrase's own sentence only the subject of a
        clause above it counts ("Hanley said he …", not "Asked about Biden, she said").
        ``subject_first=False`` takes the last person named instead (a description such as "the
        47-year-old" varies the name just given: "Chelsea appointed Graham Potter. The 47-year-old
        said …")."""
        limit = min(start, at.idx)
        own = at.sent
        candidates = [m for m in self.people if m.end <= limit
                      and (gender is None or self.genders.get(m.actor, gender) == gender)
                      and (m.start < own.start_char or self._is_subject(m)
                           and self.heads[id(m)].head.is_ancestor(at))]
        for index in sorted({m.sentence for m in candidates}, reverse=True):
            group = [m for m in candidates if m.sentence == index]
            subjects = [m for m in group if self._is_subject(m)]
            if subjects and subject_first:
                return min(subjects, key=lambda m: _depth(self.heads[id(m)])).actor
            return group[-1].actor
        return None

    def named_description(self, description: str, start: int) -> str | None:
        """The actor of the name a definite description stands beside elsewhere in the text, the
        nearest such place before ``start``, else the first after; None without one."""
        words = re.sub(r"^(?:the|The)\s+", "", description.strip())
        if not re.search(r"\b[a-z]", words) or words == description.strip() and not re.search(r"['’]s\b", words):
            return None  # a name ("Hamas"), an indefinite phrase ("a border guard"): no description
        text = self.text.replace("’", "'")
        pattern = r"\s+".join(re.escape(w) for w in words.replace("’", "'").split())
        places = []
        for found in re.finditer(rf"\b(?:the\s+)?{pattern}\b", text, re.IGNORECASE):
            for mention in self.names:
                between = text[found.end():mention.start] if mention.start >= found.end() else \
                    text[mention.end:found.start()] if mention.end <= found.start() else "x"
                if len(between) <= 3 and re.fullmatch(r"[\s,]*", between) and _is_name_mention(self.doc, mention):
                    places.append((found.start(), mention.actor))
        before = [p for p in places if p[0] < start]
        after = [p for p in places if p[0] >= start]
        return before[-1][1] if before else after[0][1] if after else None


    def titled_person(self, description: str, start: int) -> str | None:
        """The last person named before ``start`` with the title a definite description gives ("the
        minister" after "Foreign Minister Penny Wong"), or None."""
        words = re.fullmatch(r"(?:the|The)\s+([a-z][a-z\s-]*)", description.strip())
        if words is None:
            return None
        title = " ".join(words.group(1).split()).upper()
        actors = self.doc._.actors or {}
        titled = [m for m in self.people if m.end <= start and m.actor in actors and any(
            t == title or t.endswith(" " + title) for t in actors[m.actor].titles)]
        return titled[-1].actor if titled else None


def _depth(token: Token) -> int:
    depth = 0
    while token.head.i != token.i:
        token, depth = token.head, depth + 1
    return depth


def _is_name_mention(doc: Doc, mention: Mention) -> bool:
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    return span is not None and any(t.pos_ == "PROPN" for t in span)


def _resolve_speaker(doc: Doc, referents: Referents, speaker: str | None, speaker_text: str, at: Token,
                     start: int) -> str | None:
    """The speaker actor once pronouns and descriptions are resolved (see :class:`Referents`), for a
    speaker phrase standing at ``at`` and a quote opening at character ``start``."""
    phrase = speaker_text.split(",")[0].strip()  # "The 47-year-old, who replaced …": the description
    actor = (doc._.actors or {}).get(speaker) if speaker else None
    if phrase.lower() in PERSONAL_PRONOUNS:
        gender = "m" if phrase.lower() == "he" else "f"
        found = referents.person_before(at, start, gender)
        return speaker if found is None else found or None
    if PERSON_DESCRIPTION.fullmatch(phrase):
        if actor is not None and actor.kind == "person":
            return speaker
        found = referents.named_description(phrase, start) or referents.person_before(at, start, subject_first=False)
        return speaker if found is None else found or None
    if phrase and (actor is None or actor.kind != "person"):
        return referents.named_description(phrase, start) or referents.titled_person(phrase, start) or speaker
    return speaker


def _noun_attribution(span: Span, token_actor: dict[int, str]) -> Attribution | None:
    """A quote right after a noun of speech and who gave it: "orders from Governor Park to 'clear the camps'",
    "Putin's order to '…'", "a plea by the families for '…'"."""
    doc = span.doc
    k = span.start - 1
    while k >= 0 and doc[k].is_punct:
        k -= 1  # the opening mark
    if k < 1 or doc[k].lower_ not in {"to", "for", "that"}:
        return None
    noun = doc[k - 1]
    if noun.dep_ == "pobj" and noun.head.lower_ in {"from", "by"}:
        noun = noun.head.head
    if noun.lemma_.lower() not in SPEECH_NOUNS:
        return None
    givers = [c for c in noun.children if c.dep_ == "poss"] or [
        p for c in noun.children if c.dep_ == "prep" and c.lower_ in {"from", "by"} for p in c.children
        if p.dep_ == "pobj"]
    if not givers:
        return None
    giver = givers[0]
    index = actor_token(giver, token_actor)
    text = doc[giver.left_edge.i:giver.i + 1].text
    return (token_actor[index] if index is not None else None), text, noun.lemma_.lower(), giver


def _is_heading(text: str, start: int, end: int) -> bool:
    """A quote that is a whole line by itself, numbered or not ('2. "We will not back down"')."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return bool(re.fullmatch(r"\s*(?:\d+[.)]\s*)?", text[line_start:start - 1])) and \
        bool(re.fullmatch(r"\W{0,3}", text[end:line_end].strip()))


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower().replace("’", "'")))


def _repeated_headings(headings: list[Span], quotes: list[Quote], sentence_of: dict[int, int]) -> list[Quote]:
    """Headings that repeat words quoted later in the article ('"We will not back down"' over
    a paragraph quoting someone saying them), each said by whoever says the words below it."""
    found = []
    for heading in headings:
        words = _words(heading.text)
        source = next((q for q in quotes if q.direct and q.start > heading.end_char and words
                       and f" {words} " in f" {_words(q.text)} "), None)
        if source is not None:
            found.append(Quote(source.speaker, source.speaker_text, source.cue, heading.text, heading.start_char,
                               heading.end_char, sentence_of[heading[0].sent.start], True))
    return found


class QuoteFinder:
    """The ``stakes_quotes`` component: sets ``doc._.quotes``."""

    def __call__(self, doc: Doc) -> Doc:
        token_actor = doc._.token_actor or {}
        sentence_of = {sent.start: k for k, sent in enumerate(doc.sents)}
        quotes: list[Quote] = []
        inside: set[int] = set()
        last: tuple[Quote, int] | None = None  # the previous direct quote and its paragraph
        text = doc.text
        spans = quote_spans(text)
        referents: Referents | None = None
        headings: list[Span] = []
        for start, end in spans:
            span = doc.char_span(start, end, alignment_mode="contract")
            if span is None or not len(span):
                continue
            paragraph = text.count("\n", 0, start)
            if _names_something(text, start, end):
                continue
            if _modifies_a_noun(span):
                continue  # the "one country, two systems" formula, an "interim" government: a label
            verb, arcs = self._verb_for(span, text)
            short = len([t for t in span if not t.is_punct]) < MIN_DIRECT_WORDS
            resolve = True
            if (found := _labelled(doc, text, start, token_actor)) is not None:
                speaker, speaker_text, cue, subject = found
            elif (found := _introduced(doc, text, start, token_actor)) is not None and arcs is None:
                speaker, speaker_text, cue, subject = found
                if verb is not None:
                    inside.add(verb.i)
            elif arcs is None and (found := _noun_attribution(span, token_actor)) is not None:
                speaker, speaker_text, cue, subject = found
            elif verb is not None and (not short or _attributed_short(span, arcs)):
                speaker, speaker_text, subject = _speaker(verb, token_actor)
                inside.add(verb.i)
                cue = _cue(verb)
            elif (verb is None or arcs is None and verb.i in inside) and last is not None and paragraph - last[1] <= 1:
                # no attribution of its own ("Step out." after '"Hands up!" an officer ordered.')
                speaker, speaker_text, cue = last[0].speaker, last[0].speaker_text, last[0].cue
                resolve = False  # resolved with the quote it continues
            elif verb is None and (found := self._paragraph_attribution(doc, text, start, token_actor)) is not None:
                speaker, speaker_text, cue, subject = found
            else:
                if _is_heading(text, start, end):
                    headings.append(span)
                continue
            sentence = sentence_of[span[0].sent.start]
            if resolve:
                referents = referents or Referents(doc, spans, text)
                at = subject if subject is not None else span[0]
                speaker = _resolve_speaker(doc, referents, speaker, speaker_text, at, start)
            quote = Quote(speaker, speaker_text, cue, span.text, start, end, sentence, True)
            quotes.append(quote)
            last = (quote, paragraph)
        quotes += _repeated_headings(headings, quotes, sentence_of)
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
    def _verb_for(span: Span, text: str) -> tuple[Token | None, int | None]:
        """The verb outside the quote that attributes it, and how many arcs up the parse it governs
        the quote (conjuncts and appositions do not count), or else the nearest such verb in the
        quote's sentences or the one right after it ('"Hands up!" an officer shouted.'), and None."""
        head, arcs = span.root, 0
        while head.head.i != head.i:  # spaCy makes a new Token object on every access
            arcs += head.dep_ not in {"conj", "appos"}
            head = head.head
            if not (span.start <= head.i < span.end) and _quotes_words(head):
                return head, arcs
        doc = span.doc
        sentences = {span[0].sent, span[-1].sent}
        after = next((t for t in doc[span.end:span.end + 3] if not t.is_punct and not t.is_space), None)
        if after is not None and "\n" not in text[span.end_char:after.idx]:
            sentences.add(after.sent)
        candidates = [t for s in sentences for t in s if _quotes_words(t) and not (span.start <= t.i < span.end)]
        if not candidates:
            return None, None
        return min(candidates, key=lambda t: min(abs(t.i - span.start), abs(t.i - span.end))), None

    @staticmethod
    def _paragraph_attribution(doc: Doc, text: str, start: int, token_actor: dict[int, str]
                               ) -> Attribution | None:
        """A quote opening its paragraph, under a paragraph whose last sentence has a speaker ("… he
        addressed the country directly."): that speaker, speaker phrase and cue."""
        line_start = text.rfind("\n", 0, start) + 1
        if line_start == 0 or text[line_start:start - 1].strip():
            return None
        before = doc.char_span(0, line_start - 1, alignment_mode="contract")
        if before is None or not len(before):
            return None
        last_sentence = before[-1].sent
        for token in last_sentence:
            if _is_speech(token) and token.i < before.end:
                speaker, speaker_text, subject = _speaker(token, token_actor)
                if speaker_text:
                    return speaker, speaker_text, _cue(token), subject
        return None

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
        speaker, speaker_text, _ = _speaker(token, token_actor)
        if speaker is None and not speaker_text:
            return None
        return Quote(speaker, speaker_text, _cue(token), span.text, span.start_char, span.end_char,
                     sentence, False)
