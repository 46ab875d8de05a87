"""Topics: what an act is about refines its CAMEO code within the code's family.

CAMEO codes several families in parallel by what the act concerns. An appeal (02), an intention (03),
a demand (10) and a rejection (12) each have a code for aid, for material cooperation, for a meeting,
for mediation, for settling the dispute, for political reform and for the other side yielding; a
threat (13) and a cut in relations (16) have codes for force, sanctions, talks and mediation; aid
(07), material cooperation (06), yielding (08) and investigations (09) have one code per kind. The
verb dictionary often stops at a family's head code ("rejected the request" → 120); the words of the
act's object and complement name the kind ("rejected a request for long-range missiles" → 122, reject
a request for material aid; "gave $4.5 billion in budget support" → 071, economic aid).

Plain data in and out: :func:`topics_of` names the topics a set of lower-case lemmas mentions (a
two-word term is passed as its two lemmas joined by a space), and :func:`refine` returns the family's
code for the first topic its table lists, or the code unchanged. A head code (third digit 0) is
refined by any topic; a code a dictionary pattern chose is kept, except that a rejection (12x) of a
generic offer or plan yields to mediation, money, arms or aid when the words do not name its own kind. The word lists follow the CAMEO codebook's
descriptions of each code; a word that names an actor must be left out by the caller ("Myanmar's
military" is an actor, not a military topic).
"""

from __future__ import annotations

MONEY = "$money"
"""The pseudo-word a caller adds when the act's words hold an amount of money."""

WORDS: dict[str, frozenset[str]] = {
    "mediation": frozenset({"mediate", "mediation", "mediator", "broker", "intermediary", "good office"}),
    "meeting": frozenset({"talk", "meeting", "meet", "summit", "negotiation", "negotiate", "dialogue", "visit",
                          "discussion", "consultation", "conference"}),
    "settlement": frozenset({"peace", "settlement", "settle", "armistice", "reconciliation", "peace deal",
                             "peace plan", "peace agreement"}),
    "reform": frozenset({"reform", "election", "electoral", "constitution", "constitutional", "amend", "amendment", "democracy",
                         "referendum", "resign", "resignation", "rights", "freedom", "repeal", "law", "bill",
                         "legislation", "decree", "policy"}),
    "yield": frozenset({"ceasefire", "truce", "withdraw", "withdrawal", "release", "free", "lift", "ease", "surrender", "retreat",
                        "leave", "stop", "halt", "cease", "pull", "pullout", "de-escalate", "concession", "reopen",
                        "quit"}),
    "release": frozenset({"release", "free", "hostage", "prisoner", "detainee", "return"}),
    "humanitarian": frozenset({"humanitarian", "food", "medicine", "medical", "shelter", "vaccine", "tent",
                               "relief", "refugee"}),
    "arms": frozenset({"weapon", "arms", "missile", "ammunition", "munition", "bomb", "tank", "jet", "drone", "artillery",
                       "howitzer", "rocket", "f-16", "warplane", "interceptor", "air defence", "air defense", "shell",
                       "military aid", "military assistance", "security assistance"}),
    "military": frozenset({"military", "defence", "defense", "exercise", "drill", "training", "train",
                           "troop", "base", "security"}),
    "economic": frozenset({"economic", "financial", "budget", "loan", "credit", "fund", "funding", "money",
                           "investment", "invest", "finance", "financing", "trade", "debt", "grant", "bailout", "economy",
                           "salary", "salaries", "railway", "railroad", "pipeline", "port", "highway", "bridge",
                           "dam", "power plant", MONEY}),
    "aid": frozenset({"aid", "assistance", "donation", "supply", "supplies", "lending", "disbursement"}),
    "judicial": frozenset({"extradite", "extradition", "judicial", "legal assistance", "hand over"}),
    "intelligence": frozenset({"intelligence"}),
    "diplomatic": frozenset({"recognition", "recognise", "recognize", "ambassador", "embassy", "consulate",
                             "diplomat", "envoy", "relation", "tie", "diplomatic"}),
    "sanctions": frozenset({"sanction", "embargo", "boycott", "tariff", "duty", "levy"}),
    "administrative": frozenset({"restriction", "curfew", "ban", "martial law", "state of emergency", "emergency rule"}),
    "repression": frozenset({"protester", "demonstrator", "crackdown", "rioter", "dissident"}),
    "dissent": frozenset({"protest", "demonstration", "march", "rally", "walkout", "sit-in"}),
    "force": frozenset({"attack", "strike", "war", "retaliate", "retaliation", "force", "invade", "invasion",
                        "bomb", "military action", "military force", "offensive", "airstrike", "shoot",
                        "shell", "fire"}),
    "protection": frozenset({"peacekeeping", "peacekeeper", "protection", "escort", "security mission",
                             "peacekeeping mission", "stabilisation mission", "stabilization mission"}),
    "asylum": frozenset({"asylum"}),
    "involvement": frozenset({"inspector", "observer", "monitor", "staff", "aid worker", "peacekeeper", "access",
                              "investigator", "mission"}),
    "war crimes": frozenset({"war crime", "genocide", "crime against humanity", "ethnic cleansing"}),
    "abuse": frozenset({"abuse", "torture", "execution", "execute", "human rights", "disappearance",
                        "massacre", "rape"}),
    "military action": frozenset({"strike", "attack", "airstrike", "bombing", "shelling", "raid", "incursion",
                                  "military action", "shooting"}),
    "crime": frozenset({"crime", "corruption", "fraud", "murder", "bribery", "bribe", "embezzlement", "assassination",
                        "smuggling", "laundering", "graft", "kickback", "extortion"}),
}
"""Words naming each topic, from the CAMEO codebook's description of the codes that name it."""

REQUESTS = frozenset({"request", "demand", "appeal", "plea", "call"})
MATERIAL = ("arms", "military", "economic", "judicial", "intelligence")
"""Topics of material cooperation; arms, money and supplies given are aid."""

FAMILIES: dict[str, tuple[tuple[str, str], ...]] = {
    "02": (("mediation", "028"), ("meeting", "026"), ("settlement", "027"), ("reform", "024"), ("yield", "025"),
           ("aid", "023"), ("material", "021"), ("diplomatic", "022")),
    "03": (("mediation", "039"), ("meeting", "036"), ("settlement", "037"), ("reform", "034"), ("yield", "035"),
           ("aid", "033"), ("material", "031"), ("diplomatic", "032")),
    "10": (("mediation", "108"), ("meeting", "106"), ("settlement", "107"), ("reform", "104"), ("yield", "105"),
           ("aid", "103"), ("material", "101"), ("diplomatic", "102")),
    "12": (("mediation", "126"), ("meeting", "125"), ("settlement", "127"), ("reform", "123"), ("yield", "124"),
           ("aid", "122"), ("material", "121")),
    "13": (("repression", "137"), ("dissent", "133"), ("sanctions", "131"), ("force", "138"), ("military", "138"),
           ("mediation", "135"), ("meeting", "134"), ("aid", "131"), ("economic", "131")),
    "16": (("mediation", "165"), ("meeting", "164"), ("sanctions", "163"), ("aid", "162"), ("diplomatic", "161")),
    "07": (("humanitarian", "073"), ("protection", "074"), ("asylum", "075"), ("arms", "072"),
           ("military", "072"), ("economic", "071")),
    "06": (("intelligence", "064"), ("judicial", "063"), ("military", "062"), ("arms", "062"),
           ("economic", "061")),
    "08": (("involvement", "086"), ("release", "084"), ("reform", "083"), ("sanctions", "085"),
           ("administrative", "081")),
    "09": (("war crimes", "094"), ("abuse", "092"), ("military action", "093"), ("crime", "091")),
}
"""Each family's codes by topic, most specific first (mediation before the meeting it brokers)."""


REJECT = "12"
OVERRIDING = frozenset({"mediation", "economic", "arms", "aid"})
"""Topics that overrule a rejection pattern's code: a pattern keyed on a generic noun ("rejected an
offer" → 127, a plan to settle) yields to an offer to mediate (126) or to finance (121)."""


def topics_of(words: set[str] | frozenset[str]) -> set[str]:
    """The topics the words mention; aid covers arms, money and supplies given, and material asked for
    ("a request for a larger bailout"), as well as aid itself."""
    found = {topic for topic, names in WORDS.items() if names & words}
    if found & {"humanitarian", "arms"} or MONEY in words or (words & REQUESTS and found & set(MATERIAL)):
        found.add("aid")
    if found & set(MATERIAL):
        found.add("material")
    return found


def refine(code: str, words: set[str] | frozenset[str]) -> str:
    """The code of the act's family for what its words are about, or ``code`` when they name no kind.

    >>> refine("120", {"request", "long-range", "missile"})
    '122'
    >>> refine("020", {"keep", "mediate"})
    '028'
    >>> refine("122", {"meeting"})
    '122'
    >>> refine("127", {"offer", "mediate"})
    '126'
    """
    if len(code) != 3 or code[:2] not in FAMILIES:
        return code
    table = FAMILIES[code[:2]]
    topics = topics_of(words)
    if code[2] != "0" and (code[:2] != REJECT or code not in {c for _, c in table} or any(
            t in topics for t, c in table if c == code) or not topics & OVERRIDING):
        return code  # a pattern's code stands unless the words name a more telling kind than its own
    for topic, refined in table:
        if topic in topics:
            return refined
    return code
