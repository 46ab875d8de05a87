"""Events: who did what to whom, coded in CAMEO from the dependency parse and mapped to PLOVER.

A spaCy component. For each verb it finds the CAMEO verb block (CAMEO 2.0 verb-pattern dictionary,
MIT, Open Event Data Alliance, extended by stakes' documented supplement ``cameo_supplement.txt``),
reads the verb's arguments off the parse (subject, object, prepositional phrases; passives, raising and
control, relative clauses, conjoined actors) and picks the longest dictionary pattern those arguments
satisfy. Source and target are the actors the ``stakes_actors`` component found inside the arguments.
The CAMEO→PLOVER table (CC BY-SA 4.0) adds the PLOVER event type.

What the sentence says about the act changes its code: an act announced, wanted, planned or in the
future is an intention (03x) or, for force and coercion, a threat (13x); a threatened act is always a
threat; an act in an "if"/"unless" clause is not coded, and a promise or threat it conditions
addresses the condition's actor; an act someone must do, or that others expect or deny, is not done;
a negated or refused act becomes its negation or a rejection. "X said that Y attacked Z" codes the
attack, not the saying; "accused X of attacking" codes the accusation only. A light verb whose object
names an event ("announced a suspension of flights", "began the withdrawal of its troops") codes that
event, through the dictionary when the noun names a verb. Purpose clauses, participles describing a
noun and participial comments after the main verb do not add events of their own. Two actors doing a
joint act (talks, agreements, exchanges, relations) act on each other, not on the venue, a topic or a
broker; two actors acting on a third thing do not act on each other; an actor never acts on a part of
itself, but one country's military and government can act on each other.

A sentence reports its main event: of the verbs coded with an actor, only the least embedded ones
keep their events (:func:`_main_clause`), so the background that relative clauses, participles and
adverbial clauses describe does not stand beside it. What a verb asks for, allows or obliges is not
an act done (:func:`_unrealised`); a question reports no event.

The dictionary's codes are then refined as the CAMEO codebook distinguishes them (``codebook=True``):
by what the act concerns (:mod:`stakes.reading.topics`: "rejected a request for missiles" → 122), by
who does it to whom (:func:`_for_roles`: a crowd's violence is a riot), by the weapons force is used
with (:func:`_by_means`: "Thai artillery pounded …" → 194), and by the tone of a comment
(:func:`_tone`). Participants the arguments do not name are looked for where a careful coder would: the
country of a city an attack or a visit names (:mod:`stakes.reading.places`), the occasion of a show
of force, the subject of what a comment is about, and a broker named in a joint act (045).
"""

from __future__ import annotations

import gzip
import json
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from spacy.attrs import DEP, POS
from spacy.symbols import AUX, VERB
from spacy.tokens import Doc, Span, Token

from stakes.reading.actors import COUNTRY_GROUPS, PLACE_PREPOSITIONS, actor_token
from stakes.reading.dictionaries import (
    VerbBlock,
    VerbDictionary,
    VerbPattern,
    extend_verbs,
    read_verbs,
)
from stakes.reading.gazetteer import code_groups, country_of
from stakes.reading.places import place_country
from stakes.reading.records import Event
from stakes.reading.topics import MONEY, WORDS, refine, topics_of

SUBJECTS = {"nsubj", "csubj"}
RELATIVE_PRONOUNS = {"WDT", "WP"}
TIMES = {"DATE", "TIME"}
PASSIVE_SUBJECTS = {"nsubjpass", "csubjpass"}
OBJECTS = {"dobj", "dative", "attr", "oprd"}
TARGET_PREPOSITIONS = ("with", "to", "against", "on", "toward", "towards", "into", "for", "from", "of",
                       "over", "about", "upon", "between", "by", "inside", "across", "along", "at", "in", "behind",
                       "around")
OBJECT_PREPOSITIONS = ("of", "by", "with", "against", "to", "on", "toward", "towards", "into", "for", "from",
                       "between", "over", "about", "at", "in")
INTEND_VERBS = {"agree", "offer", "promise", "pledge", "vow", "plan", "decide", "intend", "prepare", "prepared",
                "ready", "willing", "undertake", "consent"}
INTENT_OF = {"04": "036", "045": "039", "05": "032", "06": "031", "07": "033", "08": "035"}
"""Cooperation announced rather than done is CAMEO 03 (intend): meet → 036, mediate → 039, support →
032, …; a three-digit key refines its two-digit family."""
REFUSE_VERBS = {"refuse", "decline", "reject", "deny", "oppose"}
DENYING = {"deny"}
"""Denying a hostile act ("denied attacking the plant") denies responsibility (016), the act undone."""
CARRYING_VERBS = {"vote", "proceed"}
"""Verbs whose to-infinitive is the act done: a legislature that "voted to remove the minister" removed
him; a government that "proceeded to expel" expelled. The act is coded, the carrying verb is not."""
CONTROL_DEFAULTS = {"refuse": "120", "reject": "120", "decline": "120", "agree": "030", "offer": "030",
                    "promise": "030", "pledge": "030", "vow": "030"}
"""What a verb of agreeing or refusing says by itself, when the dictionary gives it no code and no
pattern matches ("rejected the plan": a rejection, 120) or when it codes in place of the act it
controls ("agreed to undertake exercises": an intent to cooperate, 030)."""
APPEAL_TO_DEMAND = {f"02{k}": f"10{k}" for k in "012345678"}
"""CAMEO's appeals (02x) and demands (10x) run in parallel; a verb of demanding codes the demand."""
REJECTION_OF = {"03": "120", "04": "125", "05": "120", "06": "121", "07": "122", "08": "124"}
"""Cooperation refused or negated is CAMEO 12 (reject): refuse to meet → 125, to yield → 124, …"""
OBLIGATION = {"must", "should", "ought"}
FUTURE = {"will", "would", "shall", "'ll", "may", "might", "could"}
"""Auxiliaries of an act not (yet) done: "will give" is a promise, "may suspend" a threat."""
IMMINENT = {"going", "set", "due", "poised", "about", "likely"}
"""Words before "to" that put the act in the future ("is set to invade")."""
PLANNING = {"prepare", "plan", "propose", "offer", "threaten"}
"""Light verbs whose event noun is an act intended, not done ("prepared an offensive")."""
WANT_VERBS = {"want", "seek", "hope", "aim", "wish", "intend", "plan", "prepare", "threaten"}
THREAT_OF = {"164": "134", "165": "135", "166": "136", "174": "136", "172": "132",
             "15": "130", "16": "131", "17": "137", "18": "138", "19": "138", "20": "138"}
"""Force or coercion announced rather than done is CAMEO 13 (threaten), by what is threatened: halting
talks → 134, expelling or withdrawing → 136, administrative sanctions → 132, … → 138 military force."""
THREATENED_PROTEST = "133"
"""A protest threatened ("threatened to strike") is a threat of dissent; one merely planned is coded as the protest."""
EXPECT_VERBS = {"expect", "predict", "doubt", "fear", "imagine", "deny"}
"""Verbs whose complement is an act foreseen or denied, not one reported as done or announced."""
BLAME_VERBS = {"accuse", "blame", "charge", "condemn", "criticize", "criticise", "denounce", "suspect",
               "praise", "thank", "fault", "punish", "sanction", "warn", "caution"}
"""Verbs that judge or warn against another's act ("accused Israel of striking", "warned Russia
against escalating"): the judgement or warning, not the act, is the event."""
CONDITIONS = {"if", "unless", "whether"}
CONDITIONED = {"03", "10", "13"}
"""Promises, demands and threats: with no other target, they address the actor of their condition."""
REQUEST_VERBS = {"demand": "100", "order": "100", "tell": "100", "pressure": "100", "insist": "100",
                 "urge": "020", "ask": "020", "call": "020", "press": "020", "appeal": "020", "request": "020",
                 "implore": "020", "beg": "020"}
"""Verbs that ask another actor to act, with the code they take when the dictionary gives none."""
ORDER_VERBS = {"order", "force", "compel", "tell"}
DEPARTURES = {"leave", "depart", "exit", "quit", "withdraw"}
EXPULSION = "166"
"""Ordering or forcing others to leave expels them (CAMEO 166, expel or withdraw)."""
DEMAND_OF = {"045": "108", "04": "106", "05": "102", "06": "101", "07": "103", "08": "105"}
APPEAL_OF = {"045": "028", "04": "026", "05": "022", "06": "021", "07": "023", "08": "025"}
"""What is asked for refines the request: "demanded that Israel withdraw" → 105 (demand to yield),
"asked Qatar to mediate" → 028 (appeal to mediate)."""
YIELD = "08"
CEASE_VERBS = {"stop", "halt", "cease", "end"}
"""Asking another to stop or to leave asks it to yield ("demanded that the US stop bombing" → 105)."""
VENUE_PREPOSITIONS = {"in", "at", "near"}
EXCHANGES = {"exchange", "swap", "trade"}
RELATIONS = {"tie", "ties", "relation", "relations", "relationship", "agreement", "treaty", "pact", "deal",
             "accord", "memorandum", "partnership", "alliance", "talk", "talks"}
"""Verbs and objects of acts done between two parties ("exchanged fire", "restored ties", "signed an
agreement")."""
INVITING = {"invite", "summon", "accept"}
"""Invitations and summonses are requests to come (CAMEO 020), and a proposal accepted an intent to
cooperate (030), whatever the meeting or the proposal is about."""
ARMING = {"arm", "rearm", "equip"}
"""Verbs of giving weapons: CAMEO codes arming another as military aid (072)."""
MEANS = (("195", frozenset({"airstrike", "air strike", "air raid", "warplane", "jet", "bomber", "drone", "aircraft",
                            "helicopter", "gunship", "missile", "rocket", "air force"})),
         ("194", frozenset({"artillery", "tank", "mortar", "howitzer", "shell", "shelling", "cannon"})),
         ("183", frozenset({"car bomb", "roadside bomb", "suicide bomber", "suicide bombing", "explosive", "ied"})))
"""Weapons that make an act of force one of the codebook's kinds by its means: aerial weapons (195),
artillery and tanks (194), a bomb set off rather than dropped (183), named by who acts ("Thai artillery
pounded …") or by what it acts with ("struck the port with drones")."""
INSTRUMENT_PREPOSITIONS = {"with", "using", "from", "by"}
BREACH, TRUCES = {"breach", "violation"}, {"ceasefire", "truce", "armistice"}
CEASEFIRE_VIOLATION = "196"
"""Force used "in breach of the truce" violates the ceasefire (196), whatever its means."""
ASSASSINATION, ATTEMPTED_ASSASSINATION = "186", "185"
ATTEMPTS = {"try", "attempt", "seek"}
ACCUSE, LEGAL_ACTION = "112", "173"
CHARGING = {"charge", "indict"}
"""An attempt at an assassination is 185; charging someone with a crime is legal action (173)."""
GIVING = {"give", "provide", "send", "deliver", "donate", "grant", "supply", "ship", "disburse", "allocate",
          "transfer", "extend", "deposit"}
"""Verbs of giving: what they give, if it is aid or money, makes the act aid (CAMEO 07)."""
DEPLOY_VERBS = {"deploy", "send", "dispatch"}
FORCES = {"MIL": "154", "COP": "153"}
"""A state deploying its own troops or police mobilises them (CAMEO 154/153) against whoever its
purpose or occasion names, not for them: sending forces abroad is another act (062, 072)."""
CONSULT, NEGOTIATE = "040", "046"
THIRD_LOCATION = "044"
MEETING_PLACES = {"in", "at"}
"""Consultation held in a country that is neither side's ("met in Prague", "talks at Geneva") is a
meeting at a third location (044)."""
NEGOTIATORS = {"negotiator", "negotiators"}
"""Talks held by negotiators are negotiations (046), not consultation (a meeting stays 040)."""
PROTECTION = "074"
EXPEL_PEOPLE = "174"
FORCE_ROLES = {"MIL", "COP", "SPY", "REB", "UAF"}
"""Expelling forces or an organisation is 166; expelling people (diplomats, nationals) is 174."""
MASS_EXPULSION = "201"
MASSES = {"hundred", "thousand", "million"}
MASS_COUNT = 1000
"""Expelling hundreds, thousands or millions of people is a mass expulsion (CAMEO 201)."""
OFFICE_ROLES = {"GOV", "LEG", "JUD"}
ADMINISTRATIVE_SANCTION = "172"
"""Removing one's own officeholders (a minister, a judge) is an administrative sanction (172), not an
expulsion."""
CROWDS = {"protester", "protesters", "demonstrator", "demonstrators", "rioter", "rioters", "mob", "crowd",
          "crowds", "protestor", "protestors"}
BLOCKING = {"block", "blockade", "barricade", "obstruct"}
MARCHING = {"march", "rally", "demonstrate", "protest"}
PROTEST_PLACES = {"in", "at", "across", "outside", "through"}
"""Where a crowd protests ("marched in Lima", "rallied across Turkey"): its people protest."""
DEMONSTRATION = "141"
RIOT = "145"
OBSTRUCTION = "144"
PUBLIC = {"OPP", "CVL", "EDU", "LAB"}
"""Roles of a country's public: a state's threat of force against them threatens repression."""
ORGANISATIONS = {"MED", "OPP", "NGO", "EDU", "BUS", "LAB", "PTY", "REL"}
"""Roles of media, parties and organisations: suspending or banning them is an administrative sanction."""
STATEMENT = "010"
DEADLINES = {"hour", "day", "week", "month", "deadline", "ultimatum"}
ULTIMATUM = "139"
"""Giving another actor hours or days to act is an ultimatum (CAMEO 139), not a gift."""
WORKERS = {"union", "worker", "dockworker", "teacher", "doctor", "nurse", "miner", "employee", "driver", "staff"}
LABOUR_STRIKE = "143"
"""Workers who strike conduct a strike (CAMEO 143), whatever the dictionary's military "strike" says."""
COMMENTING = {"comment", "elaborate", "respond", "confirm"}
DECLINE_COMMENT = "011"
"""Refusing to comment is CAMEO 011 (decline comment), not a rejection of anything."""
NAMING = {"call", "label", "term", "dub"}
"""Verbs that name their object ("called the cut prudence"): no event, whatever else they code."""
OPTIMISTIC = {"progress", "confident", "optimistic", "hopeful", "constructive", "positive", "productive",
              "breakthrough", "encouraging", "promising", "fruitful"}
PESSIMISTIC = {"nowhere", "over", "stall", "stalled", "deadlock", "deadlocked", "fail", "pessimistic", "collapse",
               "impasse", "doubtful", "bleak", "dead", "dim", "hopeless"}
"""Words that make a comment optimistic (CAMEO 013) or pessimistic (012) about what it names."""
MEDIATE = "045"
INTENT_TO_MEDIATE = "039"
MEDIATION_NOUNS = {"mediation", "auspices", "brokering", "facilitation"}
BROKER_VERBS = {"broker", "mediate", "host", "facilitate", "sponsor"}
"""A third party named as a joint act's broker mediates between its parties (CAMEO 045)."""
FORCE = {"17", "18", "19", "20"}
VISIT = "042"
POSTURE = "15"
PLACE_ENTITIES = {"GPE", "LOC"}
CITY_PREPOSITIONS = PLACE_PREPOSITIONS | {"of", "around", "outside"}
"""Acts of coercion and force aimed at a place ("shelled Kherson") act on the place's country, and a
visit to a place is a visit to its country."""
HOSTILE = "11"
"""CAMEO roots from 11 (disapprove) on are acts against someone."""
AIMED = {"against", "at", "on", "upon", "into", "toward", "towards"}
"""Prepositions that name what an act is aimed at ("launched strikes against …")."""
TEMPORAL_MARKS = {"after", "before", "since", "when", "until", "once", "as"}
CONTRAST_MARKS = {"while", "whereas", "whilst"}
TOPICLESS = VENUE_PREPOSITIONS | TEMPORAL_MARKS | {"against"}
"""Prepositions whose phrase is where, when or against whom, not what the act concerns ("warned Russia
against escalating the war" threatens nothing named)."""
DEEP_SKIP = {"relcl", "advcl", "ccomp", "punct", "cc", "det", "appos"}
SUBJECT_CONTROL = {"promise", "vow", "pledge", "threaten", "agree", "decide", "refuse", "offer", "seek",
                   "try", "attempt", "plan", "hope", "want", "intend", "expect"}
LIGHT_VERBS = {"announce", "open", "launch", "begin", "start", "order", "declare", "stage", "hold", "conduct",
               "carry", "mount", "pay", "impose", "organize", "organise", "initiate", "lead", "call",
               "continue", "resume", "increase", "expand", "intensify", "extend", "step", "tighten", "renew",
               "prepare", "plan", "propose", "offer", "threaten", "undertake", "complete", "conclude", "enforce"}
"""Verbs whose object names the event: "announced a suspension", "opened an investigation", and verbs
of continuing or stepping up, which report the act they continue ("resumed aid", "expanded the
offensive"); a light verb of intending makes the act an intention or a threat ("prepared an
offensive", "offered talks")."""
NOMINAL_EVENTS = {
    "suspension": "160", "halt": "160", "hearing": "090", "demonstration": "141", "protest": "141", "rally": "141", "march": "141",
    "offensive": "190", "attack": "190", "assault": "190", "raid": "190", "incursion": "190",
    "invasion": "190", "bombardment": "195", "airstrike": "195", "talk": "040:040",
    "negotiation": "046:046",
    "visit": "042", "boycott": "163", "embargo": "163", "sanction": "163", "blockade": "191",
    "ceasefire": "0871", "truce": "0871", "counteroffensive": "190", "counterattack": "190", "ambush": "190",
    "siege": "191", "crackdown": "175", "mediation": "045", "hunger strike": "142", "general strike": "143",
    "air strike": "195", "missile strike": "195", "drone strike": "195", "curfew": "1723",
    "charge": "173", "indictment": "173", "lawsuit": "115", "phone call": "041:041", "telephone call": "041:041",
}
"""Event nouns and their CAMEO codes (the act a light verb's object names). Talks are consultation
(040) unless named as negotiation (046); both are held by each side with the other. A noun with its
compound is looked up first ("hunger strike"), then the noun, then the compound ("a mediation
mission")."""
CLAUSE_LINKS = {"ROOT", "ccomp", "xcomp", "conj", "acomp", "parataxis"}
"""Dependencies that keep a verb in its sentence's main line: the root, what it reports or controls
("said that …", "agreed to …"), and verbs coordinated with it. Any other link (relative clause,
participle, adverbial clause, a verb inside a noun or prepositional phrase) embeds the verb."""
RECIPROCAL = ("036", "04", "057", "06")
"""Acts done together (meet, consult, sign an agreement, cooperate): two actors doing one act with no
other participant named do it with each other, whatever topic their phrases name."""
PROTEST = "14"
"""CAMEO 14x, protest: with no addressee named, the protest of a country's people, parties or unions is
aimed at their own government ("the opposition staged demonstrations to demand new elections")."""
COERCE = "17"
"""CAMEO 17x, coerce: a state arresting, sanctioning or removing its own people or forces acts on them."""
QUANTITIES = {"hundred", "thousand", "million", "billion", "dozen", "number", "series", "barrage", "wave",
              "salvo", "tonne", "ton"}
"""Heads of an amount ("hundreds of drones", "$500 million in aid"): the noun after "of"/"in" is what
the verb acts with."""
ADVERB_PARTICLES = {"back", "out", "away", "off", "down", "up"}
"""Particles of phrasal verbs the parser may take for adverbs ("pulled back from Depsang")."""
PARTICLES = {"down", "off", "up"}
"""Particles of phrasal verbs that the parser may take for prepositions; what follows is the object."""
PREPOSITIONS = {"ABOUT", "ACROSS", "AGAINST", "AT", "BETWEEN", "BY", "FOR", "FROM", "IN", "INTO", "OF", "OFF",
                "ON", "OUTSIDE", "OVER", "TO", "TOWARD", "TOWARDS", "UPON", "WITH"}
"""Bare pattern words that are prepositions ("RALLY * AGAINST"): matched by a phrase the verb heads."""
PROVIDED = {"aid", "assistance", "funding", "loan", "weapon", "arms", "ammunition", "supply"}
"""Nouns of what is given: "continued aid to Ukraine" is coded as "provide aid to Ukraine"."""
NOMINALIZATIONS = {
    "withdrawal": "withdraw", "deployment": "deploy", "expulsion": "expel", "closure": "close",
    "evacuation": "evacuate", "recognition": "recognize", "resumption": "resume", "deportation": "deport",
    "annexation": "annex", "occupation": "occupy", "mobilization": "mobilize", "mobilisation": "mobilise",
    "cancellation": "cancel", "extradition": "extradite", "seizure": "seize", "delivery": "deliver",
    "shipment": "ship", "reduction": "reduce", "restoration": "restore", "release": "release",
    "arrest": "arrest", "recall": "recall", "freeze": "freeze", "ban": "ban", "imposition": "impose",
    "transfer": "transfer", "sale": "sell", "provision": "provide", "detention": "detain",
    "execution": "execute", "killing": "kill", "bombing": "bomb", "shelling": "shell",
    "abduction": "abduct", "kidnapping": "kidnap", "approval": "approve", "ratification": "ratify",
    "rejection": "reject", "severance": "sever", "resignation": "resign", "pullout": "withdraw",
    "retreat": "retreat", "exchange": "exchange", "reopening": "reopen", "lifting": "lift",
    "investigation": "investigate", "inquiry": "investigate", "probe": "investigate",
    **dict.fromkeys(PROVIDED, "provide"),
}
"""Event nouns and the verbs they name: the dictionary codes them as those verbs ("announced the
withdrawal of its troops" is coded as "withdraw its troops")."""
VERBS_FILE = "cameo_verbs.json.gz"
SUPPLEMENT_FILE = "cameo_supplement.txt"
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
    """The bundled CAMEO 2.0 verb patterns with stakes' documented supplement (loaded once)."""
    folder = resources.files("stakes") / "data" / "events"
    with (folder / VERBS_FILE).open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        base = verbs_from_compact(json.load(handle))
    with resources.as_file(folder / SUPPLEMENT_FILE) as supplement:
        return extend_verbs(base, read_verbs(supplement))


@lru_cache(maxsize=1)
def cameo_tables() -> dict[str, dict]:
    """``{"labels": code → label, "plover": code → {event, mode, context}}``."""
    path = resources.files("stakes") / "data" / "events" / CAMEO_FILE
    return json.loads(path.read_text(encoding="utf-8"))


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
        # A verb's patterns share items (synsets above all): each item is matched once per nouns.
        self._matches = lru_cache(maxsize=1 << 16)(self._match)
        self.heads_of = lru_cache(maxsize=None)(self._heads_of)

    def _heads_of(self, item) -> frozenset[str]:
        """Every noun word a pattern item can match as its head: its alternatives, their plurals and
        singulars, and the members of its synsets (a quick test before the full match)."""
        head = item if isinstance(item, str) else item[0]
        if head.startswith("&"):
            return frozenset().union(*(self.heads_of(m if isinstance(m, str) else m[0])
                                       for m in self.synsets.get(head.rstrip("_"), ())))
        words = head.rstrip("_").split("/")
        return frozenset(words) | {w + "S" for w in words} | {w[:-1] for w in words if w.endswith("S")}

    def item_matches(self, item, nouns: list[_Noun], loose: bool = False) -> bool:
        """Whether a pattern item matches one of the nouns: its head word (or a synset member) is a
        noun's head and its modifiers are among the noun's words. ``loose``: a single word may also
        be a modifier ("MEDICAL" in "medical supplies", "LEADER" in "Hezbollah leader Nasrallah")."""
        return self._matches(item, tuple(nouns), loose)

    def _match(self, item, nouns: tuple[_Noun, ...], loose: bool) -> bool:
        if isinstance(item, str) and item.startswith("&"):
            members = self.synsets.get(item.rstrip("_"), ())
            return any(self.item_matches(m, nouns, loose) for m in members)
        head, mods = (item, ()) if isinstance(item, str) else item
        if head.startswith("&"):
            return any(self.item_matches((m if isinstance(m, str) else m[0], mods), nouns, loose)
                       for m in self.synsets.get(head.rstrip("_"), ()))
        for noun in nouns:
            words = noun.heads | noun.mods if loose and not mods else noun.heads
            if _same(head, words) and all(_mod_match(self, m, noun) for m in mods):
                return True
        return False


def _same(word: str, forms: frozenset[str]) -> bool:
    """A pattern word (``A/B`` lists alternatives) in the forms, allowing a plural on either side."""
    return any(w in forms or (w.endswith("S") and w[:-1] in forms) or (w + "S") in forms
               for w in word.rstrip("_").split("/"))


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


def _amount(token: Token) -> bool:
    """A noun naming an amount ("hundreds", "$500 million", "a barrage")."""
    return token.lemma_.lower() in QUANTITIES or token.like_num or token.pos_ == "NUM"


def _agreed(verb: Token) -> bool:
    """An agreement, or an act agreed to ("agreed to set up a hotline")."""
    return verb.lemma_.lower() == "agree" or (verb.dep_ == "xcomp" and verb.head.lemma_.lower() == "agree")


def _reciprocal(verb: Token, args: _Arguments, code: str) -> bool:
    """An act its subjects do to each other: one they agreed to do ("agreed to disengage"), one with no
    object and, if hostile, no aimed phrase ("clashed", "agreed on a pact"), an exchange ("exchanged
    fire"), a relation ("restored ties") or an object they share ("their meeting")."""
    if _agreed(verb):
        return True  # "China and India agreed to disengage": an agreement between them
    if code[:2] >= HOSTILE and any(p in AIMED for p, _ in args.preps):
        return False
    return not args.objects or verb.lemma_.lower() in EXCHANGES or any(
        t.lemma_.lower() in RELATIONS or any(c.lower_ in {"their", "each", "one"} for c in t.children)
        or t.lower_ in {"other", "another"} for t in args.objects)


def _time(token: Token) -> bool:
    """A bare time expression ("Monday", "last March"), not one that carries a clause of its own."""
    return token.ent_type_ in TIMES and all(c.dep_ in {"det", "amod", "compound", "nummod", "quantmod"}
                                            for c in token.children)


def _doers(verb: Token) -> list[Token]:
    """Who does a light verb's act: its subjects, or the agent of a passive ("sanctions were imposed
    on Iran by the EU")."""
    subjects, passive = _subjects(verb)
    if not passive:
        return subjects
    return [t for c in verb.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"
            for t in _conjuncts(p)]


def _own_subjects(verb: Token) -> list[Token]:
    """The subjects a clause states itself (none inherited from the clause it depends on)."""
    return [t for c in verb.children if c.dep_ in SUBJECTS | PASSIVE_SUBJECTS for t in _conjuncts(c)]


def _subjects(verb: Token) -> tuple[list[Token], bool]:
    """The verb's subjects, inherited up through xcomp/conj/acomp chains; True when passive."""
    current = verb
    for _ in range(6):
        for child in current.children:
            if child.tag_ in RELATIVE_PRONOUNS and child.dep_ in SUBJECTS | PASSIVE_SUBJECTS \
                    and current.dep_ == "relcl" and current.head.pos_ in {"NOUN", "PROPN"}:
                # "the army, which has fought the RSF": the relative pronoun stands for the army
                return _conjuncts(current.head), child.dep_ in PASSIVE_SUBJECTS and current is verb
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
    # "Nauru, a Pacific island of 12,000 people, cut ties with Taiwan": a name with an apposition
    # that the parser hung off the verb as a modifier is its subject
    named = [c for c in verb.children if c.dep_ in {"advmod", "npadvmod", "dep"} and c.i < verb.i
             and c.pos_ == "PROPN" and any(a.dep_ == "appos" for a in c.children)]
    return named[:1], False


def _arguments(verb: Token) -> _Arguments:
    subjects, passive = _subjects(verb)
    objects: list[Token] = []
    preps: list[tuple[str, Token]] = []
    pre_preps: list[tuple[str, Token]] = []
    for child in verb.children:
        if child.dep_ in OBJECTS and child.pos_ != "ADP":  # "offered condolences to Turkey": "to" is a preposition
            objects.extend(_conjuncts(child))
            for grandchild in child.children:
                if grandchild.dep_ == "prep":
                    pobjs = [p for p in grandchild.children if p.dep_ == "pobj"]
                    preps.extend((grandchild.lower_, p) for p in pobjs)
                    if _amount(child) and grandchild.lower_ in {"of", "in"}:
                        # "hundreds of drones", "$500 million in aid": the amount's noun is the object
                        objects.extend(t for p in pobjs for t in _conjuncts(p))
        elif child.dep_ in {"prep", "agent", "dative"}:
            # "on Monday", "in March": a time is when the act happened, not a participant
            pobjs = [p for p in child.children if p.dep_ in {"pobj", "pcomp"} and not _time(p)]
            if child.lower_ in PARTICLES and child.i == verb.i + 1:
                # "voted down the nominee", "called off the talks": a particle parsed as a preposition
                objects.extend(t for p in pobjs for t in _conjuncts(p))
            for pobj in pobjs:
                for item in _conjuncts(pobj):
                    (pre_preps if child.i < verb.i else preps).append((child.lower_, item))
        elif child.dep_ in {"xcomp", "ccomp"} and child.pos_ in {"NOUN", "PROPN"}:
            objects.append(child)
        elif child.dep_ in {"xcomp", "ccomp", "oprd"} and child.pos_ == "ADJ":
            # "found the journalist guilty": the small clause's subject is the object, the adjective
            # what the pattern names
            objects.extend(t for c in child.children if c.dep_ == "nsubj" for t in _conjuncts(c))
            objects.append(child)
    for child in verb.children:
        if child.dep_ == "prt":
            # "clash over the efforts" parsed as a particle: the object is also the particle's object.
            preps.extend((child.lower_, obj) for obj in objects)
    return _Arguments(subjects, objects, preps, pre_preps, passive)


class CameoCoder:
    """The ``stakes_events`` component: sets ``doc._.events`` from the parse and ``doc._.token_actor``."""

    def __init__(self, verbs: VerbDictionary, modality: bool = True, codebook: bool = True):
        self.index = VerbIndex(verbs)
        self.negations = verbs.negations
        self.modality = modality
        """Code announced, wanted and future acts as intentions or threats (CAMEO 03/13)."""
        self.codebook = codebook
        """Refine the dictionary's codes as the CAMEO codebook distinguishes them: by what the act
        concerns (:mod:`stakes.reading.topics`) and by who does it to whom (:func:`_for_roles`)."""
        self._ranks: dict[int, list[tuple[VerbPattern, frozenset[str] | None, bool]]] = {}
        """Each verb block's patterns best first, by block id, sorted once (blocks live as long as the coder)."""

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
        deferred: dict[int, list[int]] = {}
        root = doc.vocab.strings["ROOT"]
        verbs = [i for i, (pos, dep) in enumerate(doc.to_array([POS, DEP]).tolist())
                 if pos == VERB or (pos == AUX and dep == root)]
        for index, sent in enumerate(doc.sents):
            if _asked(sent):
                continue  # "Has Nairobi heard from Addis Ababa?": a question reports no event
            # only verbs (and a root auxiliary) can be coded: found from the arrays, not token by token
            for token in (doc[i] for i in verbs[bisect_left(verbs, sent.start):bisect_left(verbs, sent.end)]):
                if token.lower_ == "according" and any(c.lower_ == "to" for c in token.children):
                    continue  # "according to officials": an attribution, not an act
                if token.dep_ == "xcomp" and token.head.i in coded and token.head.i not in deferred:
                    continue  # "urged B to help": the control verb's event already says it
                if _unrealised(token, coded.difference(deferred)):
                    continue  # "allowed planes to land and evacuate", "said Israel must withdraw": not done
                if token.dep_ == "prep":
                    continue  # "following": a participle used as a preposition
                head = token.head.lemma_.lower()
                if (token.dep_ == "xcomp" or (token.dep_ == "ccomp" and head != "tell")) \
                        and (head in REQUEST_VERBS or head in EXPECT_VERBS):
                    # "demanded that Israel withdraw", "expects Iran to comply": not done; but "told
                    # reporters that Israel attacked" reports the attack
                    continue
                if token.dep_ == "pcomp" and token.head.dep_ == "prep" and _forms(token.head.head) & BLAME_VERBS:
                    continue  # "accused Israel of striking …": the accusation is the event
                if _background(token) or _modifier(token) or (
                        (_purpose(token) or _adjunct(token)) and token.head.i in coded):
                    continue
                if _forms(token) & EXPECT_VERBS and any(c.dep_ == "auxpass" for c in token.children):
                    continue  # "Israel is expected to launch an offensive": foreseen by others, not an act
                acts = [c.i for c in token.children if c.dep_ == "xcomp" and c.pos_ == "VERB" and self._lookup(c)]
                if acts and token.lemma_.lower() in REFUSE_VERBS - DENYING and any(self._hostile(doc[j]) for j in acts):
                    continue  # "refused to condemn Russia": a hostile act not done, and no rejection
                if acts and (_announces(token) or token.lemma_.lower() in REFUSE_VERBS | CARRYING_VERBS
                             or (self.modality and _forms(token) & WANT_VERBS)):
                    # "agreed to hold talks", "threatened to attack", "refused to meet": coded once, on
                    # the act, as an intention, a threat or a rejection; the verb itself only when the
                    # act codes nothing.
                    deferred[token.i] = acts
                found = self._code_verb(token, token_actor, token_code, index)
                if found:
                    coded.add(token.i)
                    by_verb[token.i] = found
        kept = _main_clause(doc, by_verb)
        for i, acts in deferred.items():
            coded_acts = [e for j in acts for e in by_verb.get(j, ())]
            if not coded_acts:
                continue  # the act codes nothing: the control verb codes itself
            agreed_to_other = doc[i].lemma_.lower() in CONTROL_DEFAULTS and _announces(doc[i]) and not any(
                e.cameo[:2] in {"03", "13"} for e in coded_acts)
            for j in (acts if agreed_to_other else [i]):
                kept.pop(j, None)  # "agreed to postpone the rally": an agreement, not the act's rejection
        for i, found in kept.items():
            if _adjunct(doc[i]) and doc[i].head.i in by_verb:
                continue  # a participial clause before the main verb ("Speaking in Brussels, …")
            reported = [c for c in doc[i].children if c.dep_ == "ccomp"]
            if found[0].cameo.startswith("01") and any(
                    e.source or e.target for c in reported for t in c.subtree for e in by_verb.get(t.i, ())):
                # "X said that Y attacked Z": the reported event, not the saying, is coded; a reported
                # verb with no participant ("talks were going nowhere") leaves the comment
                continue
            events.extend(found)
        doc._.events = _unique(events)
        return doc

    def _hostile(self, verb: Token) -> bool:
        """Whether the dictionary codes the verb as an act against someone (CAMEO 11 and above)."""
        found = self._lookup(verb)
        return found is not None and (found[1] or found[0].code or "")[:2] >= HOSTILE

    def _lookup(self, verb: Token) -> tuple[VerbBlock, str | None] | None:
        particles = {c.lower_.upper() for c in verb.children if c.dep_ in {"prt", "prep", "agent"}
                     or (c.dep_ == "advmod" and c.lower_ in ADVERB_PARTICLES)}
        # the text and the lemma first; then the text less an inflection, for verbs the small model
        # lemmatises wrongly ("lambasted" → "lambast", the dictionary has LAMBASTE)
        guesses = sorted(f.upper() for f in _forms(verb) - {verb.lower_, verb.lemma_.lower()})
        return self._lookup_forms((verb.text.upper(), verb.lemma_.upper(), *guesses), particles)

    def _lookup_forms(self, forms, particles: set[str]) -> tuple[VerbBlock, str | None] | None:
        """The verb block and the verb's own code of the first form the dictionary has."""
        for form in forms:
            entries = self.index.by_lemma.get(form)
            if not entries:
                continue
            # A phrasal verb ("SHOT AND", "BREAK OFF") only with its particle in the parse.
            with_particle = [e for e in entries if e[2] and all(p in particles for p in e[2].split())]
            found = with_particle or [e for e in entries if not e[2]]
            if found:
                return found[0][0], found[0][1]
        return None

    def _code_verb(self, verb: Token, token_actor: dict[int, str], token_code: dict[int, str | None],
                   sentence: int) -> list[Event]:
        noun, name = _event_noun(verb) or (None, "")
        named = self._lookup_forms((NOMINALIZATIONS[name].upper(),), set()) if name in NOMINALIZATIONS else None
        if noun is not None and name in NOMINAL_EVENTS:
            # "announced a suspension of flights to Tel Aviv": the noun's act, its phrases' actors.
            code = NOMINAL_EVENTS[name]
            args = _Arguments(_doers(verb), [], _phrases(noun) + _phrases(verb), [], False)
            pattern = None
        elif noun is not None and named is not None:
            # "announced the withdrawal of its troops from Niger": the verb the noun names, coded
            # by the dictionary with the noun's "of" (or "into") phrase as its object.
            of = [noun] if name in PROVIDED else \
                [t for prep, p in _phrases(noun) if prep in {"of", "into"} for t in _conjuncts(p)]
            args = _Arguments(_doers(verb), of, [(prep, p) for prep, p in _phrases(noun)]
                              + _phrases(verb), [], False)
            pattern = self._best_pattern(named[0], args)
            code = pattern.code if pattern else named[1] or named[0].code
        else:
            found = self._lookup(verb)
            request = REQUEST_VERBS.get(verb.lemma_.lower())
            if found is None and request is None and not _forms(verb) & GIVING:
                return []
            args = _arguments(verb)
            pattern = self._best_pattern(found[0], args) if found else None
            code = pattern.code if pattern else (found[1] or found[0].code) if found else request
            if _forms(verb) & NAMING and any(c.dep_ == "oprd" for c in verb.children):
                return []  # "called it prudence": the name given to something, not a call
            if _forms(verb) & GIVING and any(c.lemma_.lower() in DEADLINES for c in verb.children
                                             if c.dep_ in {"dobj", "npadvmod", "dative"}):
                pattern, code = None, ULTIMATUM  # "gave the rebels 48 hours to lay down their arms"
            if "strike" in _forms(verb) and any(t.lemma_.lower() in WORKERS for t in _doers(verb)):
                pattern, code = None, LABOUR_STRIKE  # "the union threatened to strike": a strike, not an attack
            if verb.lemma_.lower() in CONTROL_DEFAULTS and (
                    (pattern is None and (not code or code.startswith("-")))
                    or any(c.dep_ == "xcomp" and c.pos_ == "VERB" for c in verb.children)):
                code = CONTROL_DEFAULTS[verb.lemma_.lower()]  # "rejected the plan", "agreed to undertake …"
            if verb.lemma_.lower() in REFUSE_VERBS and any(
                    c.dep_ == "xcomp" and c.lemma_.lower() in COMMENTING for c in verb.children):
                pattern, code = None, DECLINE_COMMENT  # "declined to comment": no comment, not a rejection
            if request is not None:
                if not (code or "").startswith(("02", "10")) and any(
                        c.dep_ == "xcomp" and c.pos_ == "VERB" for c in verb.children):
                    code = request  # "told Iran to release them": a demand, whatever else "tell" codes
                code = self._requested(verb, code or request)
                if request.startswith("10"):
                    code = APPEAL_TO_DEMAND.get(code[:3], code[:3]) + code[3:]
        forms = _forms(verb)
        words = _topic_words(verb, token_code) if self.codebook else frozenset()
        given = bool(forms & GIVING) and "aid" in topics_of(words)  # arms, money or supplies given
        if (not code or code.startswith("-")) and given:
            code = "070"  # "delivered Patriot interceptors to Ukraine", "deposited $2 billion": aid given
        forward, _, reverse = (code or "").partition(":")
        if not forward or forward.startswith("-") or not forward[:2].isdigit():
            return []
        refused = verb.dep_ == "xcomp" and verb.head.lemma_.lower() in REFUSE_VERBS
        if self.modality and _announces(verb) and not forward.startswith("03") \
                and any(c.dep_ == "xcomp" and c.pos_ == "VERB" for c in verb.children):
            forward, reverse = "030", ""  # "agreed to undertake exercises", the act uncoded: an intention
        if self.modality and _conditional(verb):
            return []  # "if Israel invades Rafah": a condition, not an act
        if self.modality and any(c.dep_ == "aux" and c.lower_ in OBLIGATION
                                 for v in (verb, verb.head) if v is verb or verb.dep_ == "xcomp"
                                 for c in v.children):
            return []  # "Israel must withdraw", "the West must stop arming Kyiv": asked, not done
        if self.modality and forward == INTENT_TO_MEDIATE and not _intended(verb) \
                and not _forms(verb) & (INTEND_VERBS | PLANNING | WANT_VERBS):
            forward = MEDIATE  # "Oman hosted indirect talks between Iran and the US": mediation done
        act = forward
        intent = INTENT_OF.get(forward[:3]) or INTENT_OF.get(forward[:2])
        if intent and _announces(verb.head) and verb.dep_ == "xcomp":
            forward, reverse = intent, ""  # "agreed to hold talks"
        elif self.modality and verb.dep_ == "xcomp" and verb.head.lemma_.lower() == "threaten":
            # "threatened to withhold weapons": whatever is threatened, the event is a threat
            forward = THREAT_OF.get(forward[:3]) or THREAT_OF.get(forward[:2]) \
                or (THREATENED_PROTEST if forward.startswith(PROTEST) else "130")
            reverse = ""
        elif self.modality and (_intended(verb) or (noun is not None and _forms(verb) & PLANNING)) \
                and not refused:
            if intent:
                forward, reverse = intent, ""
            elif forward[:2] in THREAT_OF:
                forward, reverse = THREAT_OF.get(forward[:3]) or THREAT_OF[forward[:2]], ""
        if any(c.dep_ == "neg" for c in verb.children) != refused:
            # "did not attack", "refused to meet": the negated event where the ontology defines one;
            # refused or negated cooperation is a rejection ("will not negotiate" rejects negotiation,
            # 125); a negated conflict event is none.
            forward, reverse = self.negations.get(forward) or REJECTION_OF.get(act[:2]) \
                or REJECTION_OF.get(forward[:2], ""), ""
            if not forward:
                return []
        if forward.startswith("01") and any(
                c.dep_ == "ccomp" and c.i > verb.i and any(a.lower_ in OBLIGATION for a in c.children)
                for c in verb.children):
            forward, reverse = "100", ""  # "declared that China must drop barriers": a demand
        if self.codebook and not forms & INVITING:
            if forward[:2] in {"05", "06"} and given:
                forward, reverse = "070", ""  # "gave Ukraine $4.5 billion in budget support": aid, not praise
            elif forward[:2] == "06" and forms & ARMING:
                forward, reverse = "072", ""  # "armed the rebels": military aid, not cooperation
            # "rejected a request for long-range missiles" → 122; the verb itself may name the kind
            # ("freed ten Americans" → 084, release)
            forward = refine(forward, words | forms)
            forward = _by_means(forward, verb, args)  # "Thai artillery pounded Cambodian positions" → 194
            if forward == ASSASSINATION and verb.dep_ == "xcomp" and _forms(verb.head) & ATTEMPTS:
                forward = ATTEMPTED_ASSASSINATION  # "tried to assassinate the governor"
            if forward.startswith(ACCUSE) and forms & CHARGING and "crime" in topics_of(words) \
                    and not any(c.dep_ == "ccomp" for c in verb.children):
                # "charged the editor with money laundering": legal action, not words; "charged that Mexico
                # was harbouring a convicted man" stays an accusation
                forward = LEGAL_ACTION

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
            # "Putin was invited to the summit by South Africa": the agent, wherever the parser hung it
            agents = [tok for prep, tok in args.preps + args.pre_preps if prep == "by"] or \
                [tok for _, p in args.preps for by, tok in _phrases(p) if by == "by"]
            sources, targets = agents, sources + targets
        if pattern is not None and pattern.target not in {None, "pre", "post", "here"}:
            chosen = [tok for prep, tok in args.preps if prep.upper() == pattern.target]
            targets = chosen or targets
        elif pattern is not None and pattern.target == "pre" and not args.passive:
            targets, sources = sources, []
        source_actors = actors(sources)
        if forward.startswith(PROTEST) or (forward[:2] == POSTURE and forms & MARCHING):
            # "thousands of Kenyans protested", "Israelis rallied": a country's people protesting are the protesters
            source_actors = [(key, f"{code}OPP" if key == f"k:{code}CVL" else code) for key, code in source_actors]
        if not source_actors and forward.startswith(PROTEST) and any(
                t.lemma_.lower() in MASSES | CROWDS for t in sources):
            # "Thousands marched in Lima": the crowd is the public of the place it marches in
            country = _venue_country([verb], token_code, PROTEST_PLACES)
            source_actors = [(f"k:{country}OPP", f"{country}OPP")] if country else []
        with_phrase = pattern is not None and ("WITH" in pattern.post or any(p == "WITH" for p, _ in pattern.post_preps))
        if reverse and with_phrase and not actors([tok for prep, tok in args.preps if prep == "with"]):
            reverse = ""  # "struck Kharkiv with drones": done with a thing, not with another actor
        # A part of the source itself ("closed its border with Belarus") leaves the target to be found.
        coercion = self.codebook and forward[:2] == COERCE
        target_actors = [b for b in actors(targets) if all(_distinct(a, b, coercion) for a in source_actors)]
        own = _own_forces(verb, source_actors, actors(targets)
                          + actors([tok for prep, tok in args.preps if prep in {"to", "into"}]))
        if own:
            # "deployed troops in Islamabad to stop an opposition march": the forces are the means.
            forward, reverse = FORCES[code_groups(own[0][1] or "")[1]], ""
            target_actors = _deep_actors([c for c in verb.children if c.dep_ in {"advcl", "xcomp", "prep", "advmod"}],
                                         token_actor, token_code, source_actors + own)
        mutual = len({key for key, _ in source_actors}) > 1 and (not args.passive or forward.startswith(RECIPROCAL))
        # Several sources of a reciprocal act still act on the recipient their object names ("the
        # ambassadors of A, B and C presented credentials to D").
        recipient = any(prep in {"to", "toward", "towards"} for prep, _ in args.preps)
        joint = forward.startswith(RECIPROCAL) or _agreed(verb)  # "A and B agreed in Lima to …"
        if not target_actors and not own and not (mutual and joint and not recipient):
            target_actors = self._deep_targets(verb, args, token_actor, token_code, source_actors,
                                               forward.startswith(RECIPROCAL), self.modality and _controls(verb))
        said = [c for c in verb.children if c.dep_ == "ccomp" and c.i > verb.i] if forward.startswith(STATEMENT) else []
        if not target_actors and said:
            # "said talks with Bolivia had made real progress": the comment is about Bolivia
            target_actors = _deep_actors([t for c in said for t in _subjects(c)[0]], token_actor, token_code,
                                         source_actors)
        if forward == STATEMENT and said and self.codebook:
            forward = _tone([t for c in said for t in c.subtree]) or forward
        if not target_actors and (forward[:2] in FORCE or forward.startswith(VISIT)):
            target_actors = _place_targets(verb, source_actors, token_code)  # "shelled areas of Kherson", "arrived in Hiroshima"
        if not target_actors and forward.startswith(POSTURE):
            # "raised its alert level after North Korean drills": a show of force answers the occasion's actor
            target_actors = _deep_actors([c for c in verb.children if c.dep_ in {"advcl", "prep"}],
                                         token_actor, token_code, source_actors)
        if not target_actors and self.modality and forward[:2] in CONDITIONED:
            # "Egypt may suspend the treaty if Israel invades": the promise or threat is made to the
            # actor whose act is the condition.
            # The condition may hang off the threatened act or off the verb that threatens it ("threatened
            # to walk out unless Israel dropped its conditions").
            clauses = [verb] + [c for c in verb.children if c.dep_ == "xcomp"] + ([verb.head] if verb.dep_ == "xcomp" else [])
            target_actors = actors([t for v in clauses for c in v.children if _conditional(c)
                                    for t in _own_subjects(c) or [c]])
        if not target_actors and mutual and (forward.startswith(RECIPROCAL) or _reciprocal(verb, args, forward)):
            # "Gondor and Osgiliath have postponed their meeting", "Gondor and Rohan clashed": each acts
            # on the other; two actors acting on something else ("vetoed the resolution", "launched
            # strikes against …") do not act on each other.
            pairs = [(a, b) for a in source_actors for b in source_actors if a[0] != b[0]]
        else:
            # One actor may act on itself at another level ("the army chief called on the president").
            pairs = [(a, b) for a in (source_actors or [(None, None)]) for b in (target_actors or [(None, None)])
                     if a[0] is None or _distinct(a, b, coercion)]
            # An actor acting on a part of itself ("Russia withdrew its troops"): the act, no target.
            pairs = pairs or [(a, (None, None)) for a in source_actors]
            if forward.startswith(PROTEST):
                pairs = [(a, b if b[0] is not None else _own_government(a[1])) for a, b in pairs]
        line = pattern.line if pattern else None
        doers = {w.lemma_.lower() for t in sources for w in [t] + _counted(t)} | {t.lower_ for t in sources}
        crowd = bool(doers & CROWDS)
        if self.codebook and doers & NEGOTIATORS and forward == CONSULT and name == "talk":
            forward, reverse = NEGOTIATE, NEGOTIATE  # "negotiators resumed talks": negotiation, not consultation
        protective = self.codebook and "protection" in topics_of(words)
        mass = any(t.lemma_.lower() in MASSES or any(_at_least(n, MASS_COUNT) for n in t.children if n.dep_ == "nummod")
                   for t in targets)  # "hundreds of thousands of Afghans", "more than 2,000 migrants"
        venue = _venue_country([verb] + ([noun] if noun is not None else []), token_code) \
            if self.codebook and forward == CONSULT else None
        out = []
        for (source, source_code), (target, target_code) in pairs:
            code = _for_roles(forward, source_code, target_code, crowd, forms, protective, mass) \
                if self.codebook else forward
            third = venue is not None and target_code is not None \
                and venue not in {country_of(source_code or ""), country_of(target_code)}
            if third:
                code = THIRD_LOCATION  # "the leaders of Armenia and Azerbaijan held talks in Prague"
            if code.startswith(PROTEST) and target_code == country_of(source_code or ""):
                # "rallied across Turkey", "protested in Nairobi": against its government
                target, target_code = _own_government(source_code)
            if code.startswith(PROTEST) and code_groups(source_code or "")[1:2] == ["PPL"]:
                source_code = f"{source_code[:3]}OPP"  # "tens of thousands of people marched": the protesters
            out.append(Event(source, target, source_code, target_code, code, plover_of(code), verb.text,
                             sentence, verb.sent.start_char, verb.sent.end_char, line))
            if reverse and reverse[:2].isdigit() and target is not None and source is not None:
                reverse = THIRD_LOCATION if third and reverse == CONSULT else reverse
                out.append(Event(target, source, target_code, source_code, reverse, plover_of(reverse),
                                 verb.text, sentence, verb.sent.start_char, verb.sent.end_char, line))
        parties = {a for pair in pairs if pair[1][0] is not None for a in pair}
        if len({key for key, _ in parties}) > 1 and not forward.startswith("03") and (
                forward.startswith(RECIPROCAL) or _reciprocal(verb, args, forward)):
            # "resumed talks under Kenyan mediation", "a swap brokered by the UAE": the broker mediates a
            # joint act done, not one agreed to or accepted ("agreed to accept Brazilian mediation")
            for broker, broker_code in _brokers(verb, token_actor, token_code):
                out += [Event(broker, key, broker_code, code, MEDIATE, plover_of(MEDIATE), verb.text, sentence,
                              verb.sent.start_char, verb.sent.end_char, line)
                        for key, code in sorted(parties, key=str) if key != broker]
        return out

    @staticmethod
    def _deep_targets(verb: Token, args: _Arguments, token_actor: dict[int, str],
                      token_code: dict[int, str | None], sources: list, joint: bool = False,
                      controls: bool = False) -> list[tuple[str, str | None]]:
        """No actor in the object itself: look in its phrases, the verb's phrases, a reported clause.
        ``joint``: the act is done together (talks, meetings), so a venue is never its target;
        ``controls``: the verb refuses, intends or wants the act of its complement, whose participants
        are its own."""
        # Two sides acting together act on each other, not on a place or a broker named deeper
        # ("signed an agreement in Almaty", "agreed to a ceasefire brokered by France").
        mutual = len({key for key, _ in sources}) > 1
        venues = VENUE_PREPOSITIONS if mutual or joint else set()
        skip = DEEP_SKIP | {"acl"} if mutual else DEEP_SKIP
        for obj in args.objects + (args.subjects if args.passive else []):  # "aid to Gaza was blocked"
            for prep in OBJECT_PREPOSITIONS:
                if prep in venues:
                    continue
                found = _deep_actors([p for c in obj.children if c.dep_ == "prep" and c.lower_ == prep
                                      for p in c.children if p.dep_ in {"pobj", "pcomp"}],
                                     token_actor, token_code, sources, skip)
                if found:
                    return found
            found = _deep_actors([obj], token_actor, token_code, sources, skip | {"prep"} if mutual else skip)
            if found:
                return found
        for prep in TARGET_PREPOSITIONS:
            if prep in venues or (args.passive and prep == "by"):
                continue  # a venue of a joint act; the agent of a passive, its source
            found = _deep_actors([tok for p, tok in args.preps if p == prep], token_actor, token_code, sources,
                                 skip)
            if found:
                return found
        for child in verb.children:
            if controls and child.dep_ == "xcomp" and child.pos_ == "VERB":  # "refused to commit to the Turkish proposal"
                inner = _arguments(child)
                found = _deep_actors(inner.objects + [tok for _, tok in inner.preps], token_actor, token_code,
                                     sources, skip)
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
                if verb.lemma_.lower() in ORDER_VERBS and child.lemma_.lower() in DEPARTURES:
                    return EXPULSION
                if child.lemma_.lower() in CEASE_VERBS | DEPARTURES:
                    asked = YIELD
                else:
                    found = self._lookup(child)
                    asked = (found[1] or found[0].code or "") if found else ""
                for key in (asked[:3], asked[:2]):
                    if key in table:
                        return table[key]
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
        # Words of the object's head first; only when no pattern matches, words of its modifiers too
        # (not the subject's: "a missile strike hit" is no clash of weapons).
        # The longest pattern wins; between equals, the one asking least of bare prepositions (a noun
        # says more about the act than "FROM"), then the first listed.
        post_words = frozenset().union(*(n.heads | n.mods for n in post))
        for loose in (False, True):
            if loose and not any(n.mods for n in post):
                break  # no modifier to try
            for pattern, nouns_after, nouns_before in self._ranked(block):
                if (nouns_after is not None and not nouns_after & post_words) or (nouns_before and not pre):
                    continue  # a pattern asking for a noun the verb lacks
                if all(self._post_matches(i, post, preps, loose, len(pattern.post) == 1) for i in pattern.post) \
                        and all(self.index.item_matches(i, pre) for i in pattern.pre) \
                        and all(_prep_matches(self.index, p, n, preps) for p, n in pattern.post_preps) \
                        and all(_prep_matches(self.index, p, n, pre_preps or preps) for p, n in pattern.pre_preps):
                    return pattern
        return None

    def _ranked(self, block: VerbBlock) -> list[tuple[VerbPattern, frozenset[str] | None, bool]]:
        """The block's patterns best first (:func:`_rank`; equals in the order listed), so the first
        that matches is the one to use, each with the words its first noun after the verb may be (None
        when it asks for none) and whether it asks for a noun before the verb."""
        ranked = self._ranks.get(id(block))
        if ranked is None:
            ranked = self._ranks[id(block)] = [
                (p, next((self.index.heads_of(i) for i in p.post if not (isinstance(i, str) and i in PREPOSITIONS)),
                         None), bool(p.pre))
                for p in sorted(block.patterns, key=_rank, reverse=True)]
        return ranked

    def _post_matches(self, item, post: list[_Noun], preps: dict[str, list[_Noun]], loose: bool,
                      alone: bool) -> bool:
        """A word after the verb: a noun of its objects, or a preposition standing alone after the
        verb ("RALLY * AGAINST") that heads one of its phrases; after a noun ("BLAME * ATTACK ON +")
        a preposition belongs to a phrase the parse does not give the verb."""
        if isinstance(item, str) and item in PREPOSITIONS:
            return alone and item in preps
        return self.index.item_matches(item, post, loose)


def _rank(pattern: VerbPattern) -> tuple[int, int]:
    """A pattern's rank among those that match: its length, then how few bare prepositions it asks."""
    return pattern.size, -sum(isinstance(i, str) and i in PREPOSITIONS for i in pattern.post)


def _prep_matches(index: VerbIndex, prep: str, nouns: list, found: dict[str, list[_Noun]]) -> bool:
    candidates = [n for p in prep.upper().split("/") for n in found.get(p, ())]
    if not any(p in found for p in prep.upper().split("/")):
        return False
    return all(index.item_matches(n, candidates) for n in nouns)


def _actor_in(head: Token, token_actor: dict[int, str], token_code: dict[int, str | None]
              ) -> tuple[str | None, str | None]:
    index = actor_token(head, token_actor)
    return (None, None) if index is None else (token_actor[index], token_code.get(index))


def _own_forces(verb: Token, sources: list, targets: list) -> list[tuple[str, str | None]]:
    """The source country's own troops or police that a deployment sends, when nothing it names (its
    object, where it sends them) belongs to another country."""
    countries = {country_of(code or "") for _, code in sources} - {None}
    if verb.lemma_.lower() not in DEPLOY_VERBS or not countries \
            or any(country_of(code or "") not in countries for _, code in targets):
        return []
    return list(dict.fromkeys(t for t in targets if code_groups(t[1] or "")[1:2]
                              and code_groups(t[1])[1] in FORCES))


def _own_government(code: str | None) -> tuple[str | None, str | None]:
    """The government of a non-state actor's country (key and code), or no actor."""
    country = country_of(code or "")
    groups = code_groups(code or "")
    if country is None or (len(groups) > 1 and groups[1] in COUNTRY_GROUPS) or len(groups) == 1:
        return None, None
    return f"c:{country}", f"{country}GOV"


def _distinct(a: tuple[str | None, str | None], b: tuple[str | None, str | None], coercion: bool = False) -> bool:
    """Two participants that can act on each other: different actors, or two levels of one country
    (its military and its government), never a country and a part of itself, except that a state
    coerces its own people and forces ("Kenya arrested two soldiers")."""
    if a[0] != b[0]:
        return True
    codes = (a[1] or "", b[1] or "")
    if coercion and len(codes[1]) > 3 and codes[0] != codes[1] and len(codes[0]) == 3:
        return True
    return all(len(c) > 3 for c in codes) and not any(x.startswith(y) for x in codes for y in codes if x != y) \
        and codes[0] != codes[1]


def _forms(verb: Token) -> set[str]:
    """The verb's lemma and its text less an inflection: the small model lemmatises "staged" as
    "stag", "hopes" as "hop", and keeps "mediating" when it tags it a noun."""
    text = verb.lower_
    forms = {verb.lemma_.lower(), text}
    if text.endswith("ing"):
        forms |= {text[:-3], text[:-3] + "e"}  # "mediating" tagged as a noun keeps its text as lemma
    elif text.endswith(("ed", "es")):
        forms |= {text[:-1], text[:-2]}
    elif text.endswith("s"):
        forms.add(text[:-1])
    return forms


def _event_noun(verb: Token) -> tuple[Token, str] | None:
    """A light verb's object that names an event ("announced a suspension", "began the withdrawal"),
    with the name it is known by: the noun with its compound ("a hunger strike"), the noun, or its
    compound ("a mediation mission")."""
    if not _forms(verb) & LIGHT_VERBS:
        return None
    for child in verb.children:
        if child.dep_ not in {"dobj", "nsubjpass"}:
            continue
        compounds = [c.lemma_.lower() for c in child.children if c.dep_ == "compound"]
        head = child.lemma_.lower()
        for name in [f"{c} {head}" for c in compounds] + [head] + compounds:
            if name in NOMINAL_EVENTS or name in NOMINALIZATIONS:
                return child, name
    return None


def _at_least(number: Token, least: int) -> bool:
    """A number written in figures that is ``least`` or more ("2,000")."""
    digits = number.text.replace(",", "")
    return digits.isdigit() and int(digits) >= least


def _counted(token: Token) -> list[Token]:
    """What an amount counts ("hundreds of protesters" → protesters)."""
    if not _amount(token):
        return []
    return [p for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children if p.dep_ == "pobj"]


def _for_roles(code: str, source: str | None, target: str | None, crowd: bool, forms: set[str],
               protective: bool = False, mass: bool = False) -> str:
    """The code CAMEO gives an act for who does it to whom: force by a crowd of protesters is a riot
    (145), their blocking a road an obstruction (144), and the public marching or rallying a
    demonstration (141, not a show of force); forces deployed to another country for a security or
    peacekeeping mission protect it (074); a threat of force against a country's own
    public is a threat of repression (137); suspending or banning media, parties or organisations is an
    administrative sanction (172), not a cut in relations between governments (16x); expelling
    thousands of people is a mass expulsion (201), and removing one's own officeholders an administrative
    sanction (172)."""
    target_groups = code_groups(target or "")
    target_role = target_groups[1] if len(target_groups) > 1 else None
    if crowd and forms & BLOCKING:
        return OBSTRUCTION
    if crowd and code[:2] in {"17", "18", "19", "20"}:
        return RIOT
    source_groups = code_groups(source or "")
    public = len(source_groups) > 1 and source_groups[1] in PUBLIC | {"PPL"}
    if forms & MARCHING and code[:2] in {"14", "15"} and (crowd or public):
        return DEMONSTRATION  # "students have marched for months", "thousands rallied": a demonstration
    if code[:2] == POSTURE and protective and country_of(target or "") not in {None, country_of(source or "")}:
        return PROTECTION
    if code == "138" and target_role in PUBLIC and country_of(source or "") == country_of(target or ""):
        return "137"
    if code == EXPULSION and target_role is not None and target_role not in FORCE_ROLES and target_groups[0] != "IGO":
        code = EXPEL_PEOPLE  # "told Pakistani nationals to leave": people expelled, not forces withdrawn
    if code == EXPEL_PEOPLE and mass and target_role not in FORCE_ROLES:
        return MASS_EXPULSION  # "deported thousands of Afghan refugees"
    if code == EXPEL_PEOPLE and target_role in OFFICE_ROLES and country_of(source or "") == country_of(target or ""):
        return ADMINISTRATIVE_SANCTION  # "parliament voted to remove the interior minister"
    if code[:2] == "16" and code not in {"163", "166"} and target_role in ORGANISATIONS:
        return "172"
    return code


def _by_means(code: str, verb: Token, args: _Arguments) -> str:
    """An act of force coded by its means where the dictionary gave the family's head code (190, 180):
    the weapons its subject or its instrument phrase names (:data:`MEANS`); any force in breach of a
    truce violates it (196)."""
    if code[:2] != "19" and code != "180":
        return code
    phrases = {t.lemma_.lower() for c in verb.children if c.dep_ == "prep" for t in c.subtree}
    if phrases & BREACH and phrases & TRUCES:
        return CEASEFIRE_VIOLATION  # "opened fire across the Line of Control in breach of the truce"
    if code not in {"180", "190"}:
        return code
    heads = list(args.subjects) + [p for prep, p in args.preps if prep in INSTRUMENT_PREPOSITIONS]
    modifiers = [c for head in heads for c in head.children if c.dep_ in {"compound", "amod"}]
    tokens = sorted(set(heads + modifiers), key=lambda t: t.i)
    means = {form for t in tokens for form in _forms(t)}
    means |= {f"{a.lemma_.lower()} {b.lemma_.lower()}" for a, b in pairwise(tokens) if b.i == a.i + 1}
    return next((refined for refined, names in MEANS if names & means), code)


def _tone(tokens: list[Token]) -> str | None:
    """A comment's tone from what it says (CAMEO 012 pessimistic, 013 optimistic), or None."""
    words = {t.lemma_.lower() for t in tokens if t.dep_ != "prep"}
    if words & PESSIMISTIC:
        return "012"
    if words & OPTIMISTIC:
        return "013"
    return None


def _brokers(verb: Token, token_actor: dict[int, str], token_code: dict[int, str | None]
             ) -> list[tuple[str, str | None]]:
    """The actors a joint act's phrases name as its broker: "under Kenyan mediation", "under the auspices
    of Egypt", "a swap brokered by the UAE", "talks hosted by Oman"."""
    found = []
    for child in verb.children:
        if child.dep_ not in OBJECTS and child.dep_ != "prep":
            continue
        for token in child.subtree:
            if token.lemma_.lower() in MEDIATION_NOUNS:
                heads = [c for c in token.children if c.dep_ in {"amod", "compound", "poss"}] + \
                    [p for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children]
            elif token.dep_ == "acl" and _forms(token) & BROKER_VERBS:
                heads = [p for c in token.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
            else:
                continue
            found += [a for a in (_actor_in(h, token_actor, token_code) for h in heads) if a[0] and a not in found]
    return found


def _place_targets(verb: Token, sources: list[tuple[str, str | None]], token_code: dict[int, str | None]
                   ) -> list[tuple[str, str]]:
    """The country of a city an act of force names in its object or phrases ("struck a research centre
    near Masyaf" → Syria), when it is not the source's own country (force at home is aimed at someone
    in it, whom the place does not name)."""
    inside = {t.i for c in verb.children if c.dep_ in OBJECTS or c.dep_ == "prep" for t in c.subtree}
    own = {country_of(code or "") for _, code in sources}
    for ent in verb.sent.ents:
        # the small model tags some cities as people ("areas of Kherson"): a name after a preposition of place counts
        placed = ent.label_ == "PERSON" and ent.root.dep_ == "pobj" and ent.root.head.lower_ in CITY_PREPOSITIONS
        if (ent.label_ in PLACE_ENTITIES or placed) and ent.start in inside:
            country = _place_country(ent, token_code)
            if country and country not in own:
                return [(f"c:{country}", country)]
    return []


def _place_country(entity: Span, token_code: dict[int, str | None]) -> str | None:
    """The country an entity names ("southern Lebanon" → LBN, not the American town of Lebanon) or the
    country of the city it names ("the Hague" → NLD), or None."""
    named = token_code.get(entity.root.i)
    if named and len(named) == 3 and country_of(named):
        return named
    return place_country(entity.text.removeprefix("the ").removeprefix("The "))


def _venue_country(heads: list[Token], token_code: dict[int, str | None],
                   prepositions: set[str] = MEETING_PLACES) -> str | None:
    """The country of the place a meeting (its verb or its noun) is held in ("held talks in Prague" →
    CZE) or a crowd gathers in, or None."""
    for prep in (c for head in heads for c in head.children):
        if prep.dep_ != "prep" or prep.lower_ not in prepositions:
            continue
        for place in (p for p in prep.children if p.dep_ == "pobj"):
            named = token_code.get(place.i)
            if named and len(named) == 3 and country_of(named):
                return named  # "in Turkey"
            if place.ent_type_ in PLACE_ENTITIES:
                span = next((e for e in place.sent.ents if e.start <= place.i < e.end), None)
                country = _place_country(span, token_code) if span is not None else None
                if country:
                    return country
    return None


def _topic_words(verb: Token, token_code: dict[int, str | None]) -> frozenset[str]:
    """What the act concerns, as lemmas and two-word terms: its objects, the complements after it, its
    purpose and its phrases other than place, time and opponent, without the words of actors
    ("Myanmar's military"), but with weapons the gazetteer codes as forces ("requests for cruise
    missiles", "more air defence"). A verb that controls an act ("agreed … to set up a hotline") is about
    that act, not its own phrases."""
    complements = [c for c in verb.children if c.dep_ in {"xcomp", "ccomp"} and c.i > verb.i]
    tokens = sorted(
        (t for child in verb.children
         if child.dep_ in OBJECTS or child in complements or _purpose(child)
         or (not complements and child.dep_ == "prep" and child.lower_ not in TOPICLESS)
         for t in child.subtree if t.i not in token_code or _weapon(t, token_code)),
        key=lambda t: t.i)
    words = {form for t in tokens for form in _forms(t)}
    words |= {f"{a.lemma_.lower()} {b.lemma_.lower()}" for a, b in pairwise(tokens) if b.i == a.i + 1}
    if any(t.ent_type_ == "MONEY" or t.text == "$" for t in tokens):
        words.add(MONEY)
    return frozenset(words)


def _weapon(token: Token, token_code: dict[int, str | None]) -> bool:
    """Whether the actor words around ``token`` name weapons ("cruise missiles", "air defence"), which the
    gazetteer codes as forces so that "missiles struck Kyiv" has a source."""
    doc, i = token.doc, token.i
    start, end = i, i + 1
    while start > 0 and start - 1 in token_code:
        start -= 1
    while end < len(doc) and end in token_code:
        end += 1
    words = {w.lemma_.lower() for w in doc[start:end]}
    words |= {f"{a.lemma_.lower()} {b.lemma_.lower()}" for a, b in pairwise(doc[start:end])}
    return bool(words & WORDS["arms"])


def _phrases(token: Token) -> list[tuple[str, Token]]:
    """The token's prepositional phrases: (preposition, its object)."""
    return [(c.lower_, p) for c in token.children if c.dep_ in {"prep", "dative"} for p in c.children
            if p.dep_ in {"pobj", "pcomp"}]


def _asked(sent) -> bool:
    """A question ("Will Pakistan retaliate?"): it asks about an act rather than reporting one."""
    last = [t for t in sent[-3:] if not t.is_space]
    return bool(last) and (last[-1].text == "?" or (len(last) > 1 and last[-1].is_quote and last[-2].text == "?"))


def _modifier(verb: Token) -> bool:
    """A participle describing a noun ("demonstrators protesting the result", "the ground seized"):
    it qualifies a participant of another event rather than reporting one."""
    return verb.dep_ == "acl" and verb.tag_ in {"VBG", "VBN"}


def _adjunct(verb: Token) -> bool:
    """A participial clause of the main verb ("refused, citing opposition at home", "Speaking in
    Brussels, the chief warned …"): it frames or comments on the main event rather than reporting
    another."""
    return verb.dep_ == "advcl" and verb.tag_ == "VBG"


def _purpose(verb: Token) -> bool:
    """An infinitive of purpose ("staged demonstrations to demand …"): the main verb's event stands."""
    return verb.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _intended(verb: Token) -> bool:
    """An act announced, wanted or conditional rather than done: "will host", "agreed to hold",
    "wants to expand", "may suspend", "said it was willing to withdraw"."""
    if any(c.dep_ == "aux" and c.lower_ in FUTURE for c in verb.children):
        return True
    if verb.dep_ == "conj" and verb.head.pos_ == "VERB" and any(
            c.dep_ == "aux" and c.lower_ in FUTURE for c in verb.head.children):
        return True  # "will train and equip": the auxiliary is shared
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and verb.head.lower_ in IMMINENT:
        return True  # "is going to attack", "is set to invade", "is due to host"
    if _purpose(verb) and verb.head.i != verb.i and _intended(verb.head):
        return True  # "is willing to send material to help defend Saudi Arabia": the help is intended too
    return verb.dep_ == "xcomp" and (_announces(verb.head) or bool(_forms(verb.head) & WANT_VERBS))


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


def _controls(verb: Token) -> bool:
    """A verb that refuses, intends or wants the act of its complement ("refused to commit to …")."""
    return _announces(verb) or verb.lemma_.lower() in REFUSE_VERBS or bool(_forms(verb) & WANT_VERBS)


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
                 sources: list, skip: set[str] = DEEP_SKIP) -> list[tuple[str, str | None]]:
    """Actors anywhere inside the phrases (not in relative or reported clauses), with conjuncts;
    an actor that is a source or a part of one ("withdrew its troops") is passed over."""
    for head in heads:
        queue = [head]
        seen = {head.i}
        while queue:
            token = queue.pop(0)
            key = token_actor.get(token.i)
            if key and all(_distinct(a, (key, token_code.get(token.i))) for a in sources):
                group = [(key, token_code.get(token.i))]
                for other in token.conjuncts:
                    other_key = token_actor.get(other.i)
                    if other_key and all(_distinct(a, (other_key, token_code.get(other.i))) for a in sources):
                        group.append((other_key, token_code.get(other.i)))
                return group
            for child in token.children:
                if child.i not in seen and child.dep_ not in skip:
                    seen.add(child.i)
                    queue.append(child)
    return []


def _unique(events: list[Event]) -> list[Event]:
    seen = set()
    out = []
    for event in events:
        key = (event.source, event.target, event.cameo, event.sentence, event.verb)
        if key not in seen:
            seen.add(key)
            out.append(event)
    return out


def _depth(verb: Token) -> int:
    """How many clause embeddings separate a verb from its sentence's root. A contrast ("while France
    criticised Chad") reports an act beside the main one, so it embeds nothing."""
    depth, token = 0, verb
    while token.head.i != token.i:
        contrast = token.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in CONTRAST_MARKS for c in token.children)
        depth += token.dep_ not in CLAUSE_LINKS and not contrast
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
