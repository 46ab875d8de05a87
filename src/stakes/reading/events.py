"""Events: who did what to whom, coded in CAMEO from the dependency parse and mapped to PLOVER.

A spaCy component. For each verb it finds the CAMEO verb block (CAMEO 2.0 verb-pattern dictionary,
MIT, Open Event Data Alliance), reads the verb's arguments off the parse (subject, object,
prepositional phrases; passives, raising and control, relative clauses, conjoined actors) and picks
the longest dictionary pattern those arguments satisfy. Source and target are the actors the
``stakes_actors`` component found inside the arguments. The CAMEO→PLOVER table (CC BY-SA 4.0) adds
the PLOVER event type.

What the sentence says about the act changes its code: an act announced, wanted or in the future is
an intention (03x) or, for force and coercion, a threat (13x); an act in an "if"/"unless" clause is
not coded; a negated or refused act becomes its negation or a rejection. "X said that Y attacked Z"
codes the attack, not the saying. A light verb whose object names an event ("announced a suspension
of flights") codes that event. Purpose clauses, participles describing a noun and participial
comments after the main verb do not add events of their own. Two actors acting together act on each
other, not on the venue or a broker; an actor never acts on a part of itself, but one country's
military and government can act on each other.

A sentence reports its main event: of the verbs coded with an actor, only the least embedded ones
keep their events (:func:`_main_clause`), so the background that relative clauses, participles and
adverbial clauses describe does not stand beside it. What a verb asks for, allows or obliges is not
an act done (:func:`_unrealised`).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from spacy.tokens import Doc, Token

from stakes.reading.actors import actor_token
from stakes.reading.dictionaries import VerbBlock, VerbDictionary, VerbPattern, read_verbs
from stakes.reading.records import Event

SUBJECTS = {"nsubj", "csubj"}
PASSIVE_SUBJECTS = {"nsubjpass", "csubjpass"}
OBJECTS = {"dobj", "dative", "attr", "oprd"}
TARGET_PREPOSITIONS = ("with", "to", "against", "on", "toward", "towards", "into", "for", "from", "of",
                       "over", "about", "upon", "between", "by", "at", "in")
OBJECT_PREPOSITIONS = ("of", "by", "with", "against", "to", "on", "toward", "towards", "into", "for", "from",
                       "between", "over", "about", "at", "in")
INTEND_VERBS = {"agree", "offer", "promise", "pledge", "vow", "plan", "decide", "intend", "prepare", "prepared",
                "ready", "willing", "undertake", "consent"}
INTENT_OF = {"04": "036", "05": "032", "06": "031", "07": "033", "08": "035"}
"""Cooperation announced rather than done is CAMEO 03 (intend): meet → 036, support → 032, …"""
REFUSE_VERBS = {"refuse", "decline", "reject", "deny", "oppose"}
CONTROL_DEFAULTS = {"refuse": "120", "reject": "120", "decline": "120", "agree": "030", "offer": "030",
                    "promise": "030", "pledge": "030", "vow": "030"}
"""What a verb of agreeing or refusing says by itself, when the dictionary gives it no code and no
pattern matches ("rejected the plan": a rejection, 120) or when it codes in place of the act it
controls ("agreed to undertake exercises": an intent to cooperate, 030)."""
APPEAL_TO_DEMAND = {f"02{k}": f"10{k}" for k in "012345678"}
"""CAMEO's appeals (02x) and demands (10x) run in parallel; a verb of demanding codes the demand."""
REJECTION_OF = {"03": "120", "04": "125", "05": "120", "06": "121", "07": "122", "08": "124"}
"""Cooperation refused or negated is CAMEO 12 (reject): refuse to meet → 125, to yield → 124, …"""
OBLIGATION = {"must", "should"}
FUTURE = {"will", "would", "shall", "'ll", "may", "might", "could"}
"""Auxiliaries of an act not (yet) done: "will give" is a promise, "may suspend" a threat."""
WANT_VERBS = {"want", "seek", "hope", "aim", "wish", "intend", "plan", "prepare", "threaten"}
THREAT_OF = {"15": "130", "16": "131", "17": "137", "18": "138", "19": "138", "20": "138"}
"""Force or coercion announced rather than done is CAMEO 13 (threaten): … → 138 with military force."""
CONDITIONS = {"if", "unless", "whether"}
REQUEST_VERBS = {"demand": "100", "insist": "100", "urge": "020", "ask": "020", "call": "020", "press": "020",
                 "appeal": "020", "request": "020", "implore": "020", "beg": "020"}
"""Verbs that ask another actor to act, with the code they take when the dictionary gives none."""
DEMAND_OF = {"04": "106", "05": "102", "06": "101", "07": "103", "08": "105"}
APPEAL_OF = {"04": "026", "05": "022", "06": "021", "07": "023", "08": "025"}
"""What is asked for refines the request: "demanded that Israel withdraw" → 105 (demand to yield)."""
VENUE_PREPOSITIONS = {"in", "at", "near"}
TEMPORAL_MARKS = {"after", "before", "since", "when", "while", "until", "once", "as"}
DEEP_SKIP = {"relcl", "advcl", "ccomp", "punct", "cc", "det", "appos"}
SUBJECT_CONTROL = {"promise", "vow", "pledge", "threaten", "agree", "decide", "refuse", "offer", "seek",
                   "try", "attempt", "plan", "hope", "want", "intend", "expect"}
LIGHT_VERBS = {"announce", "open", "launch", "begin", "start", "order", "declare", "stage", "hold", "conduct",
               "carry", "mount", "pay", "impose", "organize", "organise", "initiate", "lead", "call", "undertake",
               "complete", "conclude", "tighten", "enforce"}
"""Verbs whose object names the event: "announced a suspension", "opened an investigation"."""
NOMINAL_EVENTS = {
    "suspension": "160", "halt": "160", "investigation": "090", "inquiry": "090", "probe": "090",
    "hearing": "090", "demonstration": "141", "protest": "141", "rally": "141", "march": "141",
    "offensive": "190", "attack": "190", "assault": "190", "raid": "190", "incursion": "190",
    "invasion": "190", "bombardment": "195", "airstrike": "195", "talk": "046", "negotiation": "046",
    "visit": "042", "boycott": "163", "embargo": "163", "sanction": "163", "blockade": "191",
    "ceasefire": "0871", "truce": "0871", "mediation": "045", "hunger strike": "142", "general strike": "143",
    "air strike": "195", "curfew": "1723",
}
"""Event nouns and their CAMEO codes (the act a light verb's object names)."""
CLAUSE_LINKS = {"ROOT", "ccomp", "xcomp", "conj", "acomp", "parataxis"}
"""Dependencies that keep a verb in its sentence's main line: the root, what it reports or controls
("said that …", "agreed to …"), and verbs coordinated with it. Any other link (relative clause,
participle, adverbial clause, a verb inside a noun or prepositional phrase) embeds the verb."""
VERBS_FILE = "cameo_verbs.json.gz"
CAMEO_FILE = "cameo.json"


# -- the verb dictionary in stakes' compact form ----------------------------------------------------

def _item_out(item):
    return item if isinstance(item, str) else [item[0], list(item[1])]


def _item_in(item):
    return item if isinstance(item, str) else (item[0], tuple(item[1]))


def verbs_to_compact(verbs: VerbDictionary) -> dict:
    """A JSON-ready form of a verb dictionary (patterns keep their synset references)."""
    return {
        "about": "Converted from CAMEO.2.0.txt (openeventdata/petrarch2). Copyright (c) 2015 Open Event "
                 "Data Alliance. MIT License.",
        "synsets": {name: [_item_out(i) for i in items] for name, items in verbs.synsets.items()},
        "blocks": [[b.name, b.code, b.verbs,
                    [[p.code, [_item_out(i) for i in p.pre], [_item_out(i) for i in p.post],
                      [[prep, [_item_out(i) for i in nouns]] for prep, nouns in p.pre_preps],
                      [[prep, [_item_out(i) for i in nouns]] for prep, nouns in p.post_preps],
                      p.source, p.target, p.line] for p in b.patterns]]
                   for b in verbs.blocks],
    }


def verbs_from_compact(data: dict) -> VerbDictionary:
    blocks = []
    for name, code, verbs, patterns in data["blocks"]:
        block = VerbBlock(name, code, dict(verbs))
        for pcode, pre, post, pre_preps, post_preps, source, target, line in patterns:
            block.patterns.append(VerbPattern(
                pcode, [_item_in(i) for i in pre], [_item_in(i) for i in post],
                [(p, [_item_in(i) for i in n]) for p, n in pre_preps],
                [(p, [_item_in(i) for i in n]) for p, n in post_preps], source, target, line))
        blocks.append(block)
    return VerbDictionary(blocks, {k: [_item_in(i) for i in v] for k, v in data["synsets"].items()})


@lru_cache(maxsize=1)
def default_verbs() -> VerbDictionary:
    """The bundled CAMEO 2.0 verb patterns (loaded once)."""
    path = resources.files("stakes") / "data" / "events" / VERBS_FILE
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        return verbs_from_compact(json.load(handle))


@lru_cache(maxsize=1)
def cameo_tables() -> dict[str, dict]:
    """``{"labels": code → label, "plover": code → {event, mode, context}}``."""
    path = resources.files("stakes") / "data" / "events" / CAMEO_FILE
    return json.loads(path.read_text(encoding="utf-8"))


def load_verbs(path: str | Path | None = None) -> VerbDictionary:
    """A verb dictionary: the bundled one, or a PETRARCH-format file."""
    return default_verbs() if path is None else read_verbs(path)


def plover_of(cameo: str) -> str | None:
    """The PLOVER event type of a CAMEO code (falls back to the code's parent)."""
    table = cameo_tables()["plover"]
    for size in (len(cameo), 3, 2):
        entry = table.get(cameo[:size])
        if entry:
            return entry["event"]
    return None


# -- matching ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Noun:
    """A noun in a verb's argument: its head words (lemma and text) and its modifiers."""

    heads: frozenset[str]
    mods: frozenset[str]


def _words(token: Token) -> frozenset[str]:
    return frozenset({token.lemma_.upper(), token.text.upper()})


def _noun(token: Token) -> _Noun:
    mods = set()
    for child in token.children:
        if child.dep_ in {"compound", "amod", "nummod", "poss", "nmod", "advmod", "neg", "det"}:
            mods |= _words(child)
            for grandchild in child.children:
                if grandchild.dep_ in {"compound", "amod"}:
                    mods |= _words(grandchild)
    return _Noun(_words(token), frozenset(mods))


class VerbIndex:
    """Verb lemma → (block, verb's own code, particle), with synsets to resolve ``&NAME`` items."""

    def __init__(self, verbs: VerbDictionary):
        self.synsets = verbs.synsets
        self.by_lemma: dict[str, list[tuple[VerbBlock, str | None, str | None]]] = {}
        for block in verbs.blocks:
            for verb, code in block.verbs.items():
                words = verb.split()
                particle = " ".join(words[1:]) or None
                self.by_lemma.setdefault(words[0], []).append((block, code, particle))

    def item_matches(self, item, nouns: list[_Noun]) -> bool:
        if isinstance(item, str) and item.startswith("&"):
            members = self.synsets.get(item.rstrip("_"), ())
            return any(self.item_matches(m, nouns) for m in members)
        head, mods = (item, ()) if isinstance(item, str) else item
        if head.startswith("&"):
            return any(self.item_matches((m if isinstance(m, str) else m[0], mods), nouns)
                       for m in self.synsets.get(head.rstrip("_"), ()))
        for noun in nouns:
            if _same(head, noun.heads) and all(_mod_match(self, m, noun) for m in mods):
                return True
        return False


def _same(word: str, forms: frozenset[str]) -> bool:
    word = word.rstrip("_")
    return word in forms or (word.endswith("S") and word[:-1] in forms) or (word + "S") in forms


def _mod_match(index: VerbIndex, mod: str, noun: _Noun) -> bool:
    if mod.startswith("&"):
        return any(_same(m if isinstance(m, str) else m[0], noun.mods | noun.heads)
                   for m in index.synsets.get(mod.rstrip("_"), ()))
    return _same(mod, noun.mods | noun.heads)


@dataclass
class _Arguments:
    subjects: list[Token]
    objects: list[Token]
    preps: list[tuple[str, Token]]
    pre_preps: list[tuple[str, Token]]
    passive: bool


def _conjuncts(token: Token) -> list[Token]:
    """A noun and the nouns coordinated with it, including lists the parser hangs off the head
    ("Arnor, Calenardhon and Gondor": Arnor as a modifier of Gondor) and appositions."""
    out = [token]
    stack = [token]
    while stack:
        current = stack.pop()
        for child in current.children:
            listed = child.dep_ in {"nmod", "compound"} and child.pos_ == "PROPN" and child.i < token.i \
                and any(g.dep_ == "conj" for g in child.children)
            # An apposition naming actors ("the two sides, Israel and Hezbollah") adds them; one that
            # comments on the noun ("Israel's conduct, the sharpest rebuke yet from Berlin") does not.
            renamed = child.dep_ == "appos" and child.pos_ != "NOUN"
            if (child.dep_ == "conj" or renamed or listed) and child not in out:
                out.append(child)
                stack.append(child)
    return [t for t in out if t.pos_ in {"NOUN", "PROPN", "PRON", "ADJ"}]


def _subjects(verb: Token) -> tuple[list[Token], bool]:
    """The verb's subjects, inherited up through xcomp/conj/acomp chains; True when passive."""
    current = verb
    for _ in range(6):
        for child in current.children:
            if child.dep_ in SUBJECTS:
                return _conjuncts(child), False
            if child.dep_ in PASSIVE_SUBJECTS:
                # "Gollum was seen to break": the passive subject is the actor of the lower verb.
                return _conjuncts(child), current is verb
        head = current.head
        if (current.dep_ == "relcl" or (current.dep_ == "acl" and current.tag_ == "VBD")) \
                and head.pos_ in {"NOUN", "PROPN"}:
            # a relative clause, or a finite verb the parser hung off its subject ("chief called")
            return _conjuncts(head), False
        if head is current or current.dep_ not in {"xcomp", "conj", "acomp", "advcl", "pcomp"}:
            break
        if current.dep_ == "xcomp" and head.lemma_ not in SUBJECT_CONTROL:
            objects = [c for c in head.children if c.dep_ == "dobj"]
            if objects:
                return _conjuncts(objects[0]), False
        current = head
    return [], False


def _arguments(verb: Token) -> _Arguments:
    subjects, passive = _subjects(verb)
    objects: list[Token] = []
    preps: list[tuple[str, Token]] = []
    pre_preps: list[tuple[str, Token]] = []
    for child in verb.children:
        if child.dep_ in OBJECTS:
            objects.extend(_conjuncts(child))
            for grandchild in child.children:
                if grandchild.dep_ == "prep":
                    preps.extend((grandchild.lower_, p) for p in grandchild.children if p.dep_ == "pobj")
        elif child.dep_ in {"prep", "agent", "dative"}:
            pobjs = [p for p in child.children if p.dep_ in {"pobj", "pcomp"}]
            for pobj in pobjs:
                for item in _conjuncts(pobj):
                    (pre_preps if child.i < verb.i else preps).append((child.lower_, item))
        elif child.dep_ in {"xcomp", "ccomp"} and child.pos_ in {"NOUN", "PROPN"}:
            objects.append(child)
    for child in verb.children:
        if child.dep_ == "prt":
            # "clash over the efforts" parsed as a particle: the object is also the particle's object.
            preps.extend((child.lower_, obj) for obj in objects)
    return _Arguments(subjects, objects, preps, pre_preps, passive)


class CameoCoder:
    """The ``stakes_events`` component: sets ``doc._.events`` from the parse and ``doc._.token_actor``."""

    def __init__(self, verbs: VerbDictionary, modality: bool = True):
        self.index = VerbIndex(verbs)
        self.negations = verbs.negations
        self.modality = modality
        """Code announced, wanted and future acts as intentions or threats (CAMEO 03/13)."""

    def __call__(self, doc: Doc) -> Doc:
        token_actor = doc._.token_actor or {}
        token_code: dict[int, str | None] = {}
        for mention in doc._.mentions or ():
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is not None:
                for token in span:
                    token_code.setdefault(token.i, mention.code)
        events: list[Event] = []
        by_verb: dict[int, list[Event]] = {}
        coded: set[int] = set()
        for index, sent in enumerate(doc.sents):
            for token in sent:
                if token.pos_ != "VERB" and not (token.pos_ == "AUX" and token.dep_ == "ROOT"):
                    continue
                if token.dep_ == "xcomp" and token.head.i in coded:
                    continue  # "urged B to help": the control verb's event already says it
                if _unrealised(token, coded):
                    continue  # "allowed planes to land and evacuate", "said Israel must withdraw": not done
                if token.dep_ in {"xcomp", "ccomp"} and token.head.lemma_.lower() in REQUEST_VERBS:
                    continue  # "demanded that Israel withdraw": asked for, not done
                if _background(token) or _modifier(token) or (
                        (_purpose(token) or _adjunct(token)) and token.head.i in coded):
                    continue
                if token.dep_ == "prep":
                    continue  # "according to", "following": a participle used as a preposition
                if self._coded_on_the_act(token, token_actor, token_code, index):
                    continue
                found = self._code_verb(token, token_actor, token_code, index)
                if found:
                    coded.add(token.i)
                    by_verb[token.i] = found
        for i, found in _main_clause(doc, by_verb).items():
            reported = [c for c in doc[i].children if c.dep_ == "ccomp"]
            if found[0].cameo.startswith("01") and any(
                    j in by_verb for c in reported for j in (t.i for t in c.subtree)):
                continue  # "X said that Y attacked Z": the reported event, not the saying, is coded
            events.extend(found)
        doc._.events = _unique(events)
        return doc

    def _coded_on_the_act(self, verb: Token, token_actor: dict[int, str], token_code: dict[int, str | None],
                          sentence: int) -> bool:
        """"refused to meet", "agreed to hold talks", "wants to attack": a control verb whose act is coded
        once, on the act, as a rejection, an intention or a threat. The control verb codes itself when
        the act codes nothing, or when what is agreed to is no cooperation and no force ("agreed to
        postpone the rally" is an agreement, not a rejection)."""
        lemma = verb.lemma_.lower()
        control = lemma in REFUSE_VERBS or _announces(verb) or (self.modality and lemma in WANT_VERBS - {"threaten"})
        if not control:
            return False
        acts = [e for c in verb.children if c.dep_ == "xcomp" and c.pos_ == "VERB"
                for e in self._code_verb(c, token_actor, token_code, sentence)]
        if not acts:
            return False
        if lemma in CONTROL_DEFAULTS and _announces(verb):
            return any(e.cameo[:2] in {"03", "13"} for e in acts)  # agreed to: cooperation or force
        return True

    def _lookup(self, verb: Token) -> tuple[VerbBlock, str | None] | None:
        particles = {c.lower_.upper() for c in verb.children if c.dep_ in {"prt", "prep", "agent"}}
        for form in (verb.text.upper(), verb.lemma_.upper()):
            entries = self.index.by_lemma.get(form)
            if not entries:
                continue
            with_particle = [e for e in entries if e[2] and all(p in particles for p in e[2].split())]
            block, code, _ = (with_particle or [e for e in entries if not e[2]] or entries)[0]
            return block, code
        return None

    def _code_verb(self, verb: Token, token_actor: dict[int, str], token_code: dict[int, str | None],
                   sentence: int) -> list[Event]:
        nominal = _nominal_event(verb)
        if nominal is not None:
            # "announced a suspension of flights to Tel Aviv": the noun's act, its phrases' actors.
            noun, code = nominal
            preps = [(c.lower_, p) for c in noun.children if c.dep_ == "prep" for p in c.children
                     if p.dep_ in {"pobj", "pcomp"}]
            preps += [(c.lower_, p) for c in verb.children if c.dep_ == "prep" for p in c.children
                      if p.dep_ in {"pobj", "pcomp"}]
            args = _Arguments(_subjects(verb)[0], [], preps, [], False)
            pattern = None
        else:
            found = self._lookup(verb)
            request = REQUEST_VERBS.get(verb.lemma_.lower())
            if found is None and request is None:
                return []
            args = _arguments(verb)
            pattern = self._best_pattern(found[0], args) if found else None
            code = pattern.code if pattern else (found[1] or found[0].code) if found else request
            if verb.lemma_.lower() in CONTROL_DEFAULTS and (
                    (pattern is None and (not code or code.startswith("-")))
                    or any(c.dep_ == "xcomp" and c.pos_ == "VERB" for c in verb.children)):
                code = CONTROL_DEFAULTS[verb.lemma_.lower()]  # "rejected the plan", "agreed to undertake …"
            if request is not None:
                code = self._requested(verb, code or request)
                if request.startswith("10"):
                    code = APPEAL_TO_DEMAND.get(code[:3], code[:3]) + code[3:]
        forward, _, reverse = (code or "").partition(":")
        if not forward or forward.startswith("-") or not forward[:2].isdigit():
            return []
        refused = verb.dep_ == "xcomp" and verb.head.lemma_.lower() in REFUSE_VERBS
        if self.modality and _conditional(verb):
            return []  # "if Israel invades Rafah": a condition, not an act
        if forward[:2] in INTENT_OF and _announces(verb.head) and verb.dep_ == "xcomp":
            forward, reverse = INTENT_OF[forward[:2]], ""  # "agreed to hold talks"
        elif self.modality and _intended(verb) and not refused:
            if forward[:2] in INTENT_OF:
                forward, reverse = INTENT_OF[forward[:2]], ""
            elif forward[:2] in THREAT_OF:
                forward, reverse = THREAT_OF[forward[:2]], ""
        if any(c.dep_ == "neg" for c in verb.children) != refused:
            # "did not attack", "refused to meet": the negated event where the ontology defines one;
            # refused or negated cooperation is a rejection; a negated conflict event is none.
            forward, reverse = self.negations.get(forward) or REJECTION_OF.get(forward[:2], ""), ""
            if not forward:
                return []
        if forward.startswith("01") and any(
                c.dep_ == "ccomp" and c.i > verb.i and any(a.lower_ in OBLIGATION for a in c.children)
                for c in verb.children):
            forward, reverse = "100", ""  # "declared that China must drop barriers": a demand

        groups = verb.doc._.actor_groups or {}

        def actors(tokens: list[Token]) -> list[tuple[str, str | None]]:
            # A plural reference ("they" after "A and B", "both sides") stands for each of its actors.
            found = []
            for token in tokens:
                index = actor_token(token, token_actor)
                if index is not None:
                    found += groups.get(index) or [(token_actor[index], token_code.get(index))]
            return found

        sources, targets = list(args.subjects), list(args.objects)
        if args.passive:
            sources, targets = [tok for prep, tok in args.preps + args.pre_preps if prep == "by"], sources + targets
        if pattern is not None and pattern.target not in {None, "pre", "post", "here"}:
            chosen = [tok for prep, tok in args.preps if prep.upper() == pattern.target]
            targets = chosen or targets
        elif pattern is not None and pattern.target == "pre" and not args.passive:
            targets, sources = sources, []
        source_actors = actors(sources)
        target_actors = actors(targets)
        if source_actors and target_actors and (all(t in source_actors for t in target_actors) or not any(
                _distinct(a, b) for a in source_actors for b in target_actors)):
            # "recalled its ambassador from Iran": the object is the source's own; the target lies deeper.
            own = {key for key, _ in source_actors}
            parts = {(token_actor[i], token_code.get(i)) for i in token_actor if token_actor[i] in own}
            target_actors = self._deep_targets(verb, args, token_actor, token_code, list(parts)) or target_actors
        if not target_actors:
            target_actors = self._deep_targets(verb, args, token_actor, token_code, source_actors)
        if not target_actors and len(source_actors) > 1 and not args.passive:
            # "Gondor and Osgiliath have postponed their meeting": each acts on the other.
            pairs = [(a, b) for a in source_actors for b in source_actors if a[0] != b[0]]
        else:
            # One actor may act on itself at another level ("the army chief called on the president").
            pairs = [(a, b) for a in (source_actors or [(None, None)]) for b in (target_actors or [(None, None)])
                     if a[0] is None or _distinct(a, b)]
            # An actor acting on a part of itself ("Russia withdrew its troops"): the act, no target.
            pairs = pairs or [(a, (None, None)) for a in source_actors]
        line = pattern.line if pattern else None
        out = []
        for (source, source_code), (target, target_code) in pairs:
            out.append(Event(source, target, source_code, target_code, forward, plover_of(forward), verb.text,
                             sentence, verb.sent.start_char, verb.sent.end_char, line))
            if reverse and reverse[:2].isdigit() and target is not None and source is not None:
                out.append(Event(target, source, target_code, source_code, reverse, plover_of(reverse),
                                 verb.text, sentence, verb.sent.start_char, verb.sent.end_char, line))
        return out

    @staticmethod
    def _deep_targets(verb: Token, args: _Arguments, token_actor: dict[int, str],
                      token_code: dict[int, str | None], sources: list) -> list[tuple[str, str | None]]:
        """No actor in the object itself: look in its phrases, the verb's phrases, a reported clause."""
        source_keys = set(sources)
        # Two sides acting together act on each other, not on a place or a broker named deeper
        # ("signed an agreement in Almaty", "agreed to a ceasefire brokered by France").
        mutual = len({key for key, _ in sources}) > 1
        skip = DEEP_SKIP | {"acl"} if mutual else DEEP_SKIP
        for obj in args.objects:
            for prep in OBJECT_PREPOSITIONS:
                if mutual and prep in VENUE_PREPOSITIONS:
                    continue
                found = _deep_actors([p for c in obj.children if c.dep_ == "prep" and c.lower_ == prep
                                      for p in c.children if p.dep_ in {"pobj", "pcomp"}],
                                     token_actor, token_code, source_keys, skip)
                if found:
                    return found
            found = _deep_actors([obj], token_actor, token_code, source_keys, skip | {"prep"} if mutual else skip)
            if found:
                return found
        for prep in TARGET_PREPOSITIONS:
            if mutual and prep in VENUE_PREPOSITIONS:
                continue
            found = _deep_actors([tok for p, tok in args.preps if p == prep], token_actor, token_code, source_keys,
                                 skip)
            if found:
                return found
        for child in verb.children:
            if child.dep_ == "ccomp" and child.i > verb.i:  # "noted that X…", not "…, an official said"
                subjects, _ = _subjects(child)
                found = [a for a in (_actor_in(t, token_actor, token_code) for t in subjects) if a[0]]
                if found:
                    return found
        return []

    def _requested(self, verb: Token, code: str) -> str:
        """A demand or appeal refined by the act it asks for ("urged Israel to allow aid" → 023)."""
        table = DEMAND_OF if code.startswith("10") else APPEAL_OF if code.startswith("02") else {}
        for child in verb.children:
            if child.dep_ in {"xcomp", "ccomp"} and child.pos_ == "VERB":
                found = self._lookup(child)
                asked = (found[1] or found[0].code or "") if found else ""
                if asked[:2] in table:
                    return table[asked[:2]]
        return code

    def _best_pattern(self, block: VerbBlock, args: _Arguments) -> VerbPattern | None:
        post = [_noun(t) for t in args.objects]
        # Noun-like xcomp/ccomp and the objects of prepositions after an object count as post nouns.
        pre = [_noun(t) for t in args.subjects]
        preps: dict[str, list[_Noun]] = {}
        for prep, token in args.preps:
            preps.setdefault(prep.upper(), []).append(_noun(token))
        pre_preps: dict[str, list[_Noun]] = {}
        for prep, token in args.pre_preps:
            pre_preps.setdefault(prep.upper(), []).append(_noun(token))
        if args.passive:
            post, pre = post + pre, []
        best: VerbPattern | None = None
        for pattern in block.patterns:
            if best is not None and pattern.size <= best.size:
                continue
            if all(self.index.item_matches(i, post) for i in pattern.post) \
                    and all(self.index.item_matches(i, pre) for i in pattern.pre) \
                    and all(_prep_matches(self.index, p, n, preps) for p, n in pattern.post_preps) \
                    and all(_prep_matches(self.index, p, n, pre_preps or preps) for p, n in pattern.pre_preps):
                best = pattern
        return best


def _prep_matches(index: VerbIndex, prep: str, nouns: list, found: dict[str, list[_Noun]]) -> bool:
    candidates = found.get(prep.upper())
    if candidates is None:
        return False
    return all(index.item_matches(n, candidates) for n in nouns)


def _actor_in(head: Token, token_actor: dict[int, str], token_code: dict[int, str | None]
              ) -> tuple[str | None, str | None]:
    index = actor_token(head, token_actor)
    return (None, None) if index is None else (token_actor[index], token_code.get(index))


def _distinct(a: tuple[str | None, str | None], b: tuple[str | None, str | None]) -> bool:
    """Two participants that can act on each other: different actors, or two levels of one country
    (its military and its government), never a country and a part of itself."""
    if a[0] != b[0]:
        return True
    codes = (a[1] or "", b[1] or "")
    return all(len(c) > 3 for c in codes) and not any(x.startswith(y) for x in codes for y in codes if x != y) \
        and codes[0] != codes[1]


def _nominal_event(verb: Token) -> tuple[Token, str] | None:
    """A light verb's object that names an event, and that event's code."""
    text = verb.lower_
    forms = {verb.lemma_.lower(), text, text[:-1], text[:-2]} if text.endswith("ed") else {verb.lemma_.lower(), text}
    if not forms & LIGHT_VERBS:  # the small model lemmatises "staged" as "stag"
        return None
    for child in verb.children:
        if child.dep_ not in {"dobj", "nsubjpass"}:
            continue
        # the noun with its compound first ("hunger strike"), then the noun, then the compound
        # ("a mediation mission")
        compounds = [c.lemma_.lower() for c in child.children if c.dep_ == "compound"]
        head = child.lemma_.lower()
        for name in [f"{c} {head}" for c in compounds] + [head] + compounds:
            if name in NOMINAL_EVENTS:
                return child, NOMINAL_EVENTS[name]
    return None


def _modifier(verb: Token) -> bool:
    """A participle describing a noun ("demonstrators protesting the result", "the ground seized"):
    it qualifies a participant of another event rather than reporting one."""
    return verb.dep_ == "acl" and verb.tag_ in {"VBG", "VBN"}


def _adjunct(verb: Token) -> bool:
    """A participial clause after the main verb ("refused, citing opposition at home"): it comments on
    the main event rather than reporting another."""
    return verb.dep_ == "advcl" and verb.tag_ == "VBG" and verb.i > verb.head.i


def _purpose(verb: Token) -> bool:
    """An infinitive of purpose ("staged demonstrations to demand …"): the main verb's event stands."""
    return verb.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _intended(verb: Token) -> bool:
    """An act announced, wanted or conditional rather than done: "will host", "agreed to hold",
    "wants to expand", "may suspend", "said it was willing to withdraw"."""
    if any(c.dep_ == "aux" and c.lower_ in FUTURE for c in verb.children):
        return True
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and verb.head.lower_ == "going":
        return True
    if _purpose(verb) and verb.head.i != verb.i and _intended(verb.head):
        return True  # "is willing to send material to help defend Saudi Arabia": the help is intended too
    return verb.dep_ == "xcomp" and (_announces(verb.head) or verb.head.lemma_.lower() in WANT_VERBS)


def _unrealised(verb: Token, coded: set[int]) -> bool:
    """An act another verb asks for, allows or obliges rather than reports as done: an infinitive
    completing a coded verb ("refused to allow planes to land and evacuate") or a clause of obligation
    reported by another verb ("said that the US must mediate")."""
    clause = verb
    while clause.dep_ in {"conj", "xcomp", "acomp"} and clause.head.i != clause.i:
        if clause.dep_ == "xcomp" and clause.head.i in coded:
            return True
        clause = clause.head
    auxiliaries = {c.lower_ for c in clause.children if c.dep_ == "aux"}
    return clause.dep_ == "ccomp" and (bool(auxiliaries & OBLIGATION) or ("to" in auxiliaries and clause.head.i in coded))


def _conditional(verb: Token) -> bool:
    """The verb of an "if"/"unless" clause."""
    return verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in CONDITIONS for c in verb.children)


def _announces(verb: Token) -> bool:
    """A verb or adjective of intention that takes a to-infinitive ("agreed to", "ready to")."""
    return verb.lemma_.lower() in INTEND_VERBS


def _background(verb: Token) -> bool:
    """A temporal subordinate clause ("…five years after crowds burned its embassy") sets the scene
    rather than reporting the sentence's event."""
    return verb.dep_ in {"advcl", "pcomp", "pobj"} and any(
        t.lower_ in TEMPORAL_MARKS for t in list(verb.children) + [verb.head] if t.dep_ in {"mark", "prep"}
        or t.i == verb.head.i)


def _deep_actors(heads: list[Token], token_actor: dict[int, str], token_code: dict[int, str | None],
                 exclude: set, skip: set[str] = DEEP_SKIP) -> list[tuple[str, str | None]]:
    """Actors anywhere inside the phrases (not in relative or reported clauses), with conjuncts;
    ``exclude`` holds (actor, code) pairs already used (the same actor at another level counts)."""
    for head in heads:
        queue = [head]
        seen = {head.i}
        while queue:
            token = queue.pop(0)
            key = token_actor.get(token.i)
            if key and (key, token_code.get(token.i)) not in exclude:
                group = [(key, token_code.get(token.i))]
                for other in token.conjuncts:
                    other_key = token_actor.get(other.i)
                    if other_key and (other_key, token_code.get(other.i)) not in exclude:
                        group.append((other_key, token_code.get(other.i)))
                return group
            for child in token.children:
                if child.i not in seen and child.dep_ not in skip:
                    seen.add(child.i)
                    queue.append(child)
    return []


def _depth(verb: Token) -> int:
    """How many clause embeddings separate a verb from its sentence's root."""
    depth, token = 0, verb
    while token.head.i != token.i:
        depth += token.dep_ not in CLAUSE_LINKS
        token = token.head
    return depth


def _main_clause(doc: Doc, by_verb: dict[int, list[Event]]) -> dict[int, list[Event]]:
    """Per sentence, the events of its least embedded verbs among those with an actor: the act a
    sentence reports, not the background its relative clauses and participles describe. Statements
    (CAMEO 01) frame what they report, so they never set the level ("quoted as saying it would …")."""
    depth = {i: _depth(doc[i]) for i, found in by_verb.items()
             if any(e.source or e.target for e in found) and not found[0].cameo.startswith("01")}
    best: dict[int, int] = {}
    for i, d in depth.items():
        sent = doc[i].sent.start
        best[sent] = min(best.get(sent, d), d)
    return {i: found for i, found in by_verb.items() if depth.get(i, 0) <= best.get(doc[i].sent.start, 0)}


def _unique(events: list[Event]) -> list[Event]:
    seen = set()
    out = []
    for event in events:
        key = (event.source, event.target, event.cameo, event.sentence, event.verb)
        if key not in seen:
            seen.add(key)
            out.append(event)
    return out
