"""Actor mentions: names, role phrases, titles and pronouns resolved to the article's canonical actors.

A spaCy component. It reads the gazetteer (dated Phoenix codes), the agent (role) phrases and the
parser's named entities, then resolves within the article: a surname or bare title attaches to the
person named earlier, ``he``/``his`` to the last person, ``it``/``its`` to the last state or group,
``the Biden administration`` to the United States' government. A leader and the state or government
he leads stay two actors ("Israel" and "Israeli officials" are not Netanyahu): what one says is not
read as the other's stance. A title preceded by "former" is not a current office, and a place named
as a place ("refugees into Sinai") resolves to its country without becoming one of its names.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.attrs import LOWER, ORTH, SPACY
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from stakes.reading.dictionaries import fold
from stakes.reading.gazetteer import (
    Entry,
    Gazetteer,
    code_groups,
    combine,
    country_of,
    date_key,
    kind_of,
)
from stakes.reading.records import FoundActor, Mention

HEAD_TITLES = {"PRIME MINISTER", "PRESIDENT", "CHANCELLOR", "KING", "PREMIER", "EMIR", "SUPREME LEADER"}
POPULATIONS = {"AGR", "LAB", "EDU", "CVL", "MED", "BUS", "REL"}
OTHER_BODIES = {"aid", "health", "humanitarian", "relief", "world", "foreign", "un", "charity", "rights"}
"""Roles that name a part of a country's population, which a noun before them only narrows ("rice
farmers", "mine workers"), unless the noun puts them in another body ("aid workers", "world leaders")."""
OFFICE_HOLDERS = {title.split(" ")[-1] for title in HEAD_TITLES} | {
    "MINISTER", "QUEEN", "SULTAN", "SPOKESMAN", "SPOKESWOMAN", "AMBASSADOR", "ENVOY", "COUNTERPART", "GOVERNOR",
    "MAYOR", "CHIEF", "COMMANDER", "GENERAL", "SECRETARY", "PROSECUTOR", "JUDGE", "DIPLOMAT", "NEGOTIATOR"}
"""Last words of role phrases that name one person ("the Syrian leader", "her Kenyan counterpart"):
"he" and "she" refer to them as to a named person."""
GOVERNMENT_NOUNS = {"ADMINISTRATION", "GOVERNMENT", "REGIME", "CABINET", "LEADERSHIP"}
COUNTRY_GROUPS = {"GOV", "MIL", "ELI", "SPY", "COP"}
PERSON_PRONOUNS = {"he", "him", "his", "himself", "she", "her", "hers", "herself"}
THING_PRONOUNS = {"it", "its", "itself"}
GROUP_PRONOUNS = {"they", "them", "their", "themselves"}
DEFINITE_NOUNS = {"court": "JUD", "tribunal": "JUD", "agency": "organisation", "organisation": "organisation",
                  "organization": "organisation", "body": "organisation", "alliance": "organisation",
                  "bloc": "organisation", "group": "armed group", "movement": "armed group", "militia": "armed group",
                  "country": "state", "nation": "state", "kingdom": "state"}
"""``the court``, ``the alliance``, ``the group``, ``the country``: the last actor named earlier that is one
(a code with that role, or that kind of actor), not a new actor coded from the context."""
RELATIVE_PRONOUNS = {"which", "who", "that", "whom", "whose"}
FIRST_PERSON = {"we", "us", "our", "ours", "ourselves", "i", "me", "my", "myself"}
SPEECH = {"say", "tell", "add", "state", "declare", "announce", "write", "report", "confirm", "claim", "insist",
          "note", "warn"}
"""Verbs whose subject is the speaker that "we" and "our" in the sentence stand for."""
SIDE_NOUNS = {"sides", "countries", "governments", "parties", "neighbours", "neighbors", "nations", "states",
              "capitals", "leaders", "both"}
"""Plural nouns that, with "both" or "the two", refer back to two actors named before."""
GROUP_KINDS = {"armed group", "public", "organisation", "party", "faction"}
"""``they`` links to a group named as such (rebels, protesters, a party), not to a state or a person."""
CORE_DEPS = {"compound", "amod", "poss", "det", "nmod", "appos", "case", "nummod", "punct", "prep", "pobj",
             "cc", "conj", "quantmod", "npadvmod", "advmod"}
PLACE_PREPOSITIONS = {"in", "on", "into", "from", "at", "near", "across", "toward", "towards", "to"}
NOT_NAMES = {"PRON", "DET", "ADP", "CCONJ", "SCONJ", "AUX"}
"""Parts of speech a name never has: "Who attacked?" does not name the WHO."""
OWNED = {"own", "owned", "link", "linked", "operate", "operated", "flag", "flagged", "register", "registered",
         "charter", "chartered"}
"""Participles that tie a thing to its owner ("Israeli-linked", "owned by", "Liberian-flagged")."""
PAST_MARKS = {"FORMER", "EX", "EX-", "LATE", "THEN", "ONETIME", "ERSTWHILE"}


def _is_heading(span: Span, text: str) -> bool:
    """A section heading: a short line of ``text`` (the span's document) without closing punctuation."""
    line_start = text.rfind("\n", 0, span.start_char) + 1
    line_end = text.find("\n", span.end_char)
    line = text[line_start:line_end if line_end >= 0 else len(text)].strip()
    return bool(line) and line[-1] not in ".!?\"”’:;)" and len(line.split()) <= 12


@lru_cache(maxsize=1 << 16)
def norm(text: str) -> str:
    """A token's text as the gazetteer stores names (upper case, no accents)."""
    return fold(text).replace("’", "'").replace("‘", "'")


@dataclass
class _Raw:
    """A mention before article-level resolution."""

    start: int
    end: int
    key: str
    code: str | None
    how: str
    role: str | None = None
    why: str = ""


@dataclass
class _Cluster:
    key: str
    name: str
    kind: str
    country: str | None
    code: str | None
    titles: set[str] = field(default_factory=set)
    head: bool = False
    why: list[str] = field(default_factory=list)


class ActorResolver:
    """The ``stakes_actors`` component: sets ``doc._.mentions``, ``doc._.actors``, ``doc._.token_actor``
    and ``doc._.actor_groups`` (token → the several actors a plural reference stands for)."""

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer

    def __call__(self, doc: Doc) -> Doc:
        when = doc._.date or date_key(None)
        # Token texts (and the text, as Doc.text joins them) read from an array, not through a Token
        # object each.
        array = doc.to_array([ORTH, SPACY]).tolist()
        words = [doc.vocab.strings[orth] for orth, _ in array]
        text = "".join(word + " " if space else word for word, (_, space) in zip(words, array))
        tokens = [norm(w) for w in words]
        clusters: dict[str, _Cluster] = {}
        raws = self._dictionary_mentions(doc, words, tokens, when, clusters)
        raws += self._entity_mentions(doc, text, tokens, raws, when, clusters)
        groups: dict[int, list[tuple[str, str | None]]] = {}
        raws = self._attach_titles_and_roles(doc, tokens, raws, clusters, groups)
        raws = self._affiliations(doc, raws, clusters)
        raws += self._pronouns(doc, raws, clusters, groups)
        self._finish(doc, text, raws, clusters)
        doc._.actor_groups = groups
        return doc

    # -- dictionary names and role phrases ------------------------------------------------------

    def _dictionary_mentions(self, doc: Doc, words: list[str], tokens: list[str], when: int,
                             clusters: dict[str, _Cluster]) -> list[_Raw]:
        raws: list[_Raw] = []
        i = 0
        while i < len(doc):
            capital = words[i][:1].isupper()
            if not capital and tokens[i] not in self.gazetteer.agent_words:
                i += 1  # neither a name nor the start of a role phrase
                continue
            actor = self.gazetteer.match_actor(tokens, i) if capital else None
            if actor and actor[0] == 1 and doc[i].pos_ in NOT_NAMES:
                actor = None
            if actor is None and capital and tokens[i].endswith("S") and len(tokens[i]) > 4:
                # "Kenyans": the plural of a demonym the dictionary lists in the singular.
                single = self.gazetteer.match_actor([tokens[i][:-1]], 0)
                if single and single[0] == 1 and not single[1].person \
                        and len(single[1].code_at(when) or "") == 3:
                    actor = single
            agent = self.gazetteer.match_agent(tokens, i)
            # "Mexico's Senate", "the Kenyan Senate": a word that names one state's body in the dictionary
            # and a role in general is the role of the state named before it.
            owned = bool(raws) and clusters[raws[-1].key].kind == "state" if raws and raws[-1].key else False
            owned = owned and (raws[-1].end == i or (raws[-1].end == i - 1 and tokens[i - 1] == "'S"))
            if actor and (not agent or actor[0] > agent[0] or (actor[0] == agent[0] and not owned)):
                length, entry = actor
                word = words[i + length - 1]
                # "Israelis", "Kenyans": the people (the singular is a name of the state), not "Damascus".
                demonym = length == 1 and word.endswith("s") and norm(word) != norm(entry.name) \
                    and ((norm(word)[:-1],) in self.gazetteer.names_of(entry) or doc[i].tag_ == "NNPS")
                raw = self._entry_mention(entry, i, i + length, when, clusters, demonym)
                if raw is not None:
                    raws.append(raw)
                i += length
            elif agent:
                length, code = agent
                nxt = self.gazetteer.match_agent(tokens, i + length) if i + length < len(doc) else None
                last = doc[i + length - 1]
                if nxt and last.dep_ in {"compound", "amod", "nmod"} and i + length <= last.head.i < i + length + nxt[0]:
                    # "army spokesman", "Islamist media": the modifier's office first, then the head's.
                    length += nxt[0]
                    if code.startswith("~") and nxt[1].startswith("~"):
                        groups = code_groups(code[1:])
                        code = "~" + "".join(groups + [g for g in code_groups(nxt[1][1:]) if g not in groups])
                phrase = " ".join(tokens[i:i + length])
                raws.append(_Raw(i, i + length, "", code, "role", role=phrase))
                i += length
            else:
                i += 1
        return raws

    def _entry_mention(self, entry: Entry, start: int, end: int, when: int,
                       clusters: dict[str, _Cluster], demonym: bool = False) -> _Raw | None:
        code = entry.code_at(when)
        if entry.person and not code:
            # A known person out of office on the date: still that person, coded by the phrase
            # around the name if at all ("Hezbollah leader Hassan Nasrallah", see _affiliations).
            key = f"p:{entry.id}"
            clusters.setdefault(key, _Cluster(key, entry.name, "person", None, None))
            return _Raw(start, end, key, None, "gazetteer", why=f"gazetteer: {entry.name} (no office on the date)")
        if not code or code.startswith("---"):
            return None
        if demonym and len(code) == 3 and not entry.person:
            # "Israelis": coded as the country (as PETRARCH does) but grouped as its public.
            key = self._role_key(combine(code, "~CVL"), clusters, code)
            return _Raw(start, end, key, code, "gazetteer", why=f"gazetteer: people of {entry.name} → {code}")
        key = self._key_for(entry, code)
        why = f"gazetteer: {entry.name} → {code}"
        if key not in clusters:
            clusters[key] = self._cluster_for(key, entry, code)
        clusters[key].why.append(why)
        return _Raw(start, end, key, code, "gazetteer", why=why)

    def _key_for(self, entry: Entry, code: str) -> str:
        if entry.person:
            return f"p:{entry.id}"
        country = country_of(code)
        groups = code_groups(code)
        if country and (len(groups) == 1 or groups[1] in COUNTRY_GROUPS):
            return f"c:{country}"
        return f"k:{code[:6]}"

    def _cluster_for(self, key: str, entry: Entry, code: str) -> _Cluster:
        country = country_of(code)
        if key.startswith("c:"):
            name = self.gazetteer.country_name(country) or entry.name
            return _Cluster(key, name, "state", country, country)
        return _Cluster(key, entry.name, kind_of(code, entry.person), country, code)

    # -- named entities the gazetteer does not know ----------------------------------------------

    def _entity_mentions(self, doc: Doc, text: str, tokens: list[str], raws: list[_Raw], when: int,
                         clusters: dict[str, _Cluster]) -> list[_Raw]:
        covered = {k for r in raws for k in range(r.start, r.end)}
        out: list[_Raw] = []
        full_names: dict[str, str] = {}
        person_roots = {e.root.i for e in doc.ents if e.label_ == "PERSON"}
        for ent in self._entities(doc):
            if any(k in covered for k in range(ent.start, ent.end)) or _is_heading(ent, text):
                continue
            words = [t for t in ent if not t.is_punct and t.text not in {"'s", "’s"}]
            if not words or not words[0].text[:1].isupper():
                continue
            if ent.label_ == "PERSON" and self._looks_like_place(ent):
                continue
            name = " ".join(t.text for t in words).replace(" - ", "-")
            surname = norm(words[-1].text)
            person = ent.label_ == "PERSON" or surname in full_names or (
                ent.root.dep_ == "conj" and ent.root.head.i in person_roots)
            if person:
                entry = self.gazetteer.person_by_surname(surname, when)
                if entry is not None and (len(words) == 1 or norm(name).endswith(norm(entry.name))):
                    raw = self._entry_mention(entry, ent.start, ent.end, when, clusters)
                    if raw is not None:
                        raw.how = "entity"
                        out.append(raw)
                        continue
                key = full_names.get(surname) if len(words) == 1 else None
                if key is None:
                    key = f"n:{surname}"
                    if len(words) > 1:
                        full_names[surname] = key
                cluster = clusters.setdefault(key, _Cluster(key, name, "person", None, None))
                if len(name) > len(cluster.name):
                    cluster.name = name
                out.append(_Raw(ent.start, ent.end, key, None, "entity", why=f"named person: {name}"))
                covered |= set(range(ent.start, ent.end))
            elif len(words) > 1 or ent.root.dep_ in {"nsubj", "nsubjpass"}:
                key = f"o:{norm(name)}"
                clusters.setdefault(key, _Cluster(key, name, "organisation", None, None))
                out.append(_Raw(ent.start, ent.end, key, None, "entity", why=f"named organisation: {name}"))
        # A surname alone that the model did not tag: the person named in full earlier.
        for i, word in enumerate(tokens if full_names else ()):
            key = full_names.get(word)
            if key and i not in covered and doc[i].pos_ == "PROPN":
                out.append(_Raw(i, i + 1, key, None, "title", why=f"surname: {doc[i].text} → {clusters[key].name}"))
        return out

    @staticmethod
    def _entities(doc: Doc) -> list[Span]:
        """Person and organisation entities, with "A and B" split into two."""
        out: list[Span] = []
        for ent in doc.ents:
            if ent.label_ not in {"PERSON", "ORG"}:
                continue
            cut = [t.i for t in ent if t.lower_ == "and"]
            if not cut:
                out.append(ent)
                continue
            edges = [ent.start] + [c for i in cut for c in (i, i + 1)] + [ent.end]
            for a, b in zip(edges[::2], edges[1::2]):
                if b > a:
                    out.append(Span(doc, a, b, label="PERSON"))
        return out

    @staticmethod
    def _looks_like_place(ent: Span) -> bool:
        """The small model tags some towns as people: a one-word name governed by 'on', 'in', 'of'…"""
        if len(ent) > 1:
            return False
        head = ent.root
        return head.dep_ == "pobj" and head.head.lower_ in PLACE_PREPOSITIONS | {"of"}

    # -- role phrases: titles of people, governments of countries --------------------------------

    def _attach_titles_and_roles(self, doc: Doc, tokens: list[str], raws: list[_Raw],
                                 clusters: dict[str, _Cluster],
                                 groups: dict[int, list[tuple[str, str | None]]]) -> list[_Raw]:
        raws.sort(key=lambda r: r.start)
        by_start = {r.start: r for r in raws}
        by_end = {r.end: r for r in raws}
        out: list[_Raw] = []
        consumed: set[int] = set()
        for raw in raws:
            if raw.how != "role" or id(raw) in consumed:
                if id(raw) not in consumed:
                    out.append(raw)
                continue
            before = by_end.get(raw.start) or (by_end.get(raw.start - 1) if raw.start and tokens[raw.start - 1] == "'S" else None)
            if before is None:
                # "Sweden's new trade minister", "American defence companies", "US defence firms": the
                # possessor, the demonym or the name across the other modifiers.
                modifiers = [c.i for c in doc[raw.end - 1].children if c.dep_ in {"poss", "amod", "compound"}]
                owners = [r for r in raws if r.key and r.how != "role" and r.end <= raw.start
                          and clusters[r.key].kind != "person" and any(r.start <= m < r.end for m in modifiers)]
                before = owners[0] if owners else None
            after = by_start.get(raw.end)
            person_after = after if after is not None and after.key and clusters[after.key].kind == "person" else None
            owner = before if before is not None and before.key else None
            owned = any(c.dep_ == "poss" for c in doc[raw.end - 1].children)
            if owner is None and not owned and raw.end + 1 < len(doc) \
                    and tokens[raw.end] in {"OF", "WITHIN", "IN", "FROM"}:
                # "the ambassador of Iran"; but "its ambassador from Iran" is its own, recalled from Iran.
                nxt = by_start.get(raw.end + 1) or (by_start.get(raw.end + 2) if tokens[raw.end + 1] == "THE" else None)
                venue = tokens[raw.end] == "IN" and _after_subject(doc, raw, raws, clusters)
                if nxt is not None and nxt.key and clusters[nxt.key].country and not venue:
                    owner = nxt
            first = min(raw.start, owner.start) if owner is not None else raw.start
            if person_after is not None and first and tokens[first - 1] in PAST_MARKS:
                # "Former Defense Minister Avigdor Lieberman": an office he held, not one he holds.
                if owner is not None and owner.how != "role" and clusters[owner.key].kind != "person":
                    consumed.add(id(owner))
                    out = [r for r in out if r is not owner]
                continue
            if person_after is not None:
                # "Israeli Defense Minister Yoav Gallant": a title for the person who follows.
                person = clusters[person_after.key]
                person.titles.add(raw.role or "")
                if raw.role in HEAD_TITLES:
                    person.head = True
                if owner is not None and clusters[owner.key].country and not person.country:
                    person.country = clusters[owner.key].country
                    person.code = combine(person.country, raw.code or "")
                country = person.country or (clusters[owner.key].country if owner is not None else None)
                titled = combine(country, raw.code or "") if country else None
                if country and (person_after.code is None or len(person_after.code) == 3):
                    person_after.code = titled
                elif titled and person_after.code and person_after.code[:3] == country \
                        and code_groups(titled)[1:2] != code_groups(person_after.code)[1:2] \
                        and (owner is None or clusters[owner.key].kind not in GROUP_KINDS):
                    # "Opposition leader Raila Odinga": the sentence's title beats an older dictionary role.
                    person_after.code = titled
                if owner is not None and owner.how != "role" and clusters[owner.key].kind != "person":
                    consumed.add(id(owner))
                    out = [r for r in out if r is not owner]
                person_after.start = min(person_after.start, raw.start if owner is None else owner.start)
                continue
            if after is not None and doc[raw.end - 1].pos_ == "ADP":
                after = None  # "the Russian ambassador to Washington": where he is posted, not who he is
            if after is not None and after.key and after.how == "gazetteer" and after.code \
                    and len(after.code) == 3 and clusters[after.key].kind != "person":
                # "Bree Prime Minister Romendacil" (an individual listed with a country code).
                after.code = combine(after.code, raw.code or "")
                after.start = min(after.start, raw.start if owner is None else owner.start)
                if owner is not None and owner.how != "role":
                    consumed.add(id(owner))
                    out = [r for r in out if r is not owner]
                continue
            if owner is not None and owner.end <= raw.start and clusters[owner.key].kind == "person":
                # "the Biden administration", "Netanyahu's government": that person's government.
                person = clusters[owner.key]
                if (raw.role or "") in GOVERNMENT_NOUNS or (raw.code or "").startswith("~GOV"):
                    person.head = True  # leads a government; "the government" alone is not his title
                    if person.country:
                        # The whole phrase names the government, not the person.
                        code = combine(person.country, "~GOV")
                        owner.key = self._role_key(code, clusters, person.country)
                        owner.end, owner.code, owner.how, owner.role = raw.end, code, "role", raw.role
                        owner.why = f"role: {raw.role} of {person.name} → {code}"
                continue
            if owner is not None and owner.how != "role" and clusters[owner.key].kind in GROUP_KINDS:
                # "a Hamas delegation", "Hezbollah fighters": a group's members and envoys are the group.
                out = [r for r in out if r is not owner]
                consumed.add(id(owner))
                out.append(_Raw(min(owner.start, raw.start), max(owner.end, raw.end), owner.key, owner.code,
                                owner.how, role=raw.role, why=owner.why))
                continue
            if owner is not None and clusters[owner.key].country and not _narrowed(doc, raw):
                country = clusters[owner.key].country
                code = combine(country, raw.code or "")
                key = self._role_key(code, clusters, country)
                out = [r for r in out if r is not owner]
                consumed.add(id(owner))
                combined = _Raw(min(owner.start, raw.start), max(owner.end, raw.end), key, code, "role",
                                role=raw.role, why=f"role: {raw.role} of {clusters[owner.key].name} → {code}")
                # "the Egyptian and Qatari mediators": the role of each state named.
                linked = {t.i for t in doc[owner.start:owner.end].root.conjuncts}
                others = [r for r in raws if r.key and r.how != "role" and clusters[r.key].kind != "person"
                          and id(r) not in consumed and clusters[r.key].country
                          and doc[r.start:r.end].root.i in linked] if linked else []
                for other in others:
                    other_code = combine(clusters[other.key].country, raw.code or "")
                    other.key = self._role_key(other_code, clusters, clusters[other.key].country)
                    other.code, other.role = other_code, raw.role
                    other.why = f"role: {raw.role} of {clusters[other.key].name} → {other_code}"
                if others:
                    groups[raw.end - 1] = [(r.key, r.code) for r in others + [combined]]
                out.append(combined)
                continue
            resolved = self._bare_title(raw, out, clusters) or self._in_context(doc, raw, raws, clusters)
            if resolved is not None:
                out.append(resolved)
        return [r for r in out if r.key and id(r) not in consumed]

    def _affiliations(self, doc: Doc, raws: list[_Raw], clusters: dict[str, _Cluster]) -> list[_Raw]:
        """A title named just before a person ("the German chancellor Olaf Scholz") is that person; a
        person with no code on the date takes the code of the group or state his phrase names
        ("Hezbollah leader Hassan Nasrallah"), as a coder reading the sentence would."""
        raws = sorted(raws, key=lambda r: r.start)
        dropped: set[int] = set()
        for raw in raws:
            if not raw.key or clusters[raw.key].kind != "person":
                continue
            # The title may end anywhere in the run of modifiers and nouns just before the name.
            run = raw.start
            while run and (doc[run - 1].dep_ in {"compound", "amod", "det", "punct", "case"}
                           or doc[run - 1].pos_ in {"PROPN", "NOUN", "ADJ", "DET"}):
                run -= 1
            before = [r for r in raws if r is not raw and id(r) not in dropped and r.key and r.code
                      and run <= r.end <= raw.start and clusters[r.key].kind != "person"
                      and (doc[r.start:r.end].root.head.i in range(r.end, raw.end)
                           or doc[raw.start:raw.end].root.head.i in range(r.start, r.end))]
            if not before:
                if raw.code is None:
                    # "Kaja Kallas, the EU's foreign policy chief": the office in apposition.
                    root = doc[raw.start:raw.end].root
                    described = {t.i for c in root.children if c.dep_ == "appos" for t in c.subtree}
                    offices = [r for r in raws if r.code and r.key and clusters[r.key].kind != "person"
                               and described & set(range(r.start, r.end))]
                    if offices:
                        raw.code = max(offices, key=lambda r: (r.how == "role", r.end)).code
                continue
            title = before[-1]
            if title.start and norm(doc[title.start - 1].text) in PAST_MARKS:
                # "the former German chancellor Angela Merkel": an office she held, not one she holds.
                if title.how == "gazetteer" and self.gazetteer.match_agent([norm(doc[title.end - 1].text)], 0):
                    dropped.add(id(title))
                continue
            if raw.code is None:
                raw.code = title.code
            if title.how == "gazetteer" and self.gazetteer.match_agent([norm(doc[title.end - 1].text)], 0):
                # a title in the gazetteer ("German chancellor"), not a named state or group
                dropped.add(id(title))
                raw.start = title.start
        return [r for r in raws if id(r) not in dropped]

    @staticmethod
    def _definite(doc: Doc, token: Token, raws: list[_Raw], clusters: dict[str, _Cluster]) -> _Raw | None:
        """The actor a bare definite noun ("the court" after "the ICC") refers back to, if any."""
        want = DEFINITE_NOUNS.get(token.lower_)
        children = list(token.children)
        if want is None or not any(c.dep_ == "det" and c.lower_ == "the" for c in children) \
                or any(c.dep_ in {"amod", "compound", "poss", "nmod"} for c in children):
            return None
        earlier = sorted(raws, key=lambda r: r.start, reverse=True)
        if want == "state":
            # "Niger ordered French troops to leave the country": the subject's country first.
            earlier.sort(key=lambda r: not (r.start >= token.sent.start and _head(doc, r).dep_ == "nsubj"))
        for raw in earlier:
            cluster = clusters.get(raw.key) if raw.key else None
            if raw.end > token.i or cluster is None or (raw.how not in {"gazetteer", "entity"} and want != "state"):
                continue
            kind = "state" if cluster.kind == "government" and raw.key.startswith("c:") else cluster.kind
            if kind == want or (want.isupper() and want in code_groups(raw.code or "")[1:]):
                code = cluster.country if want == "state" else raw.code
                return _Raw(min(c.i for c in children if c.dep_ == "det"), token.i + 1, raw.key, code, "pronoun",
                            why=f"reference: the {token.text} → {cluster.name}")
        return None

    def _in_context(self, doc: Doc, raw: _Raw, raws: list[_Raw], clusters: dict[str, _Cluster]) -> _Raw | None:
        """A role with no country in its phrase ("the government", "protesters", "Congress") takes the
        country of the nearest located actor: earlier in its sentence, else later in it, else earlier
        in the article (the context PETRARCH codes such agents from)."""
        ent = _entity_at(doc, raw.start)
        words = [t for t in ent if t.dep_ != "det"] if ent else []
        if ent and ent.label_ in {"ORG", "PERSON", "FAC", "WORK_OF_ART", "LAW"} and len(words) > raw.end - raw.start:
            return None  # a word of a longer name ("the International Criminal Court"), not a role
        head = doc[raw.end - 1]
        asset = head.dep_ == "compound" and head.head.lemma_.lower() in ASSETS
        if (head.dep_ in {"amod", "compound"} and not asset) or head.pos_ not in {"NOUN", "PROPN"}:
            return None  # a modifier ("military aid") or another part of speech ("officials advocate"), not an actor
        if _narrowed(doc, raw):
            return None
        bare = all(t.dep_ == "det" for t in doc[raw.start:raw.end - 1])
        definite = self._definite(doc, doc[raw.end - 1], raws, clusters) if bare else None
        if definite is not None:
            return definite
        sent = doc[raw.start].sent
        located = [r for r in raws if r.key and r is not raw and clusters[r.key].country]
        if any(c.dep_ == "poss" and c.lower_ in FIRST_PERSON for c in doc[raw.end - 1].children):
            # "Our forces struck…, the Israeli military spokesman said": the speaker's side.
            located = _speakers(doc, sent, located) or located
        before = [r for r in located if r.end <= raw.start]
        # Later in the sentence, only a place ("police in Nairobi") or the speaker ("…, the Ukrainian army
        # said") sets the context of a state's organ: "Congress approved aid for Ukraine" is not Ukraine's
        # congress; but gunmen, police or protesters act where they are ("Gunmen shot Haiti's premier").
        later = [r for r in located if r.start >= raw.end and r.end <= sent.end]
        domestic = code_groups((raw.code or "").lstrip("~"))[:1] and code_groups(raw.code.lstrip("~"))[0] in DOMESTIC
        if not domestic and later:
            speaking = _speakers(doc, sent, later)
            later = [r for r in later if _is_place(doc[r.start:r.end]) or r in speaking]
        elif later:
            # "Armed men abducted a French aid worker in Niger": those who act where they are act in the place
            later.sort(key=lambda r: not _is_place(doc[r.start:r.end]))
        here = [r for r in before if r.start >= sent.start]
        # Earlier in the sentence, a subject beats an object, and an object a place ("negotiators left
        # Doha…, an official said").
        actors = [r for r in here if not _is_place(doc[r.start:r.end])]
        same = [r for r in actors if _head(doc, r).dep_ in {"nsubj", "nsubjpass"}] or actors or here or later[:1]
        if not same and before:
            # From an earlier sentence: the subject of the last sentence that names one ("Kenya condemned
            # Uganda. The government…" is Kenya's), else its last located actor.
            last = doc[before[-1].start].sent
            there = [r for r in before if r.start >= last.start]
            same = [r for r in there if _head(doc, r).dep_ in {"nsubj", "nsubjpass"}] or there
        owners = _ownership(doc[raw.end - 1])
        chosen = [r for r in located if r.start in owners][:1] or same[-1:]
        if not chosen:
            return None
        owner = clusters[chosen[0].key]
        code = combine(owner.country, self._sector(doc, raw, raws))
        named = clusters.get(f"k:{code[:6]}")
        if named is not None and ":" not in named.name:
            return None  # "rebels" near "Hamas" would become Hamas: a named group is not guessed from context
        key = self._role_key(code, clusters, owner.country)
        return _Raw(raw.start, raw.end, key, code, "role", role=raw.role,
                    why=f"role: {raw.role} in the context of {owner.name} → {code}")

    @staticmethod
    def _sector(doc: Doc, raw: _Raw, raws: list[_Raw]) -> str:
        """A role's agent code in its context: "officers" after police are police officers, and an
        office after "former"/"ousted" with no name is a former office holder (ELI, as Phoenix codes them)."""
        if raw.start and norm(doc[raw.start - 1].text) in PAST_MARKS | {"OUSTED", "DEPOSED", "TOPPLED"}:
            return "~ELI"
        if (raw.role or "") in {"OFFICER", "OFFICERS"}:
            police = [r for r in raws if r.end <= raw.start and "COP" in (r.code or "")]
            if police:
                return "~COP"
        return raw.code or ""

    def _role_key(self, code: str, clusters: dict[str, _Cluster], country: str) -> str:
        groups = code_groups(code)
        if len(groups) == 1 or groups[1] in COUNTRY_GROUPS:
            key = f"c:{country}"
            if key not in clusters:
                name = self.gazetteer.country_name(country) or country
                clusters[key] = _Cluster(key, name, "state", country, country)
            if groups[1:2] and groups[1] == "GOV":
                clusters[key].kind = "government"
            return key
        key = f"k:{code[:6]}"
        if key not in clusters:
            place = self.gazetteer.country_name(country) or country
            label = {"OPP": "opposition", "CVL": "public", "PPL": "public", "LEG": "legislature",
                     "REB": "rebels", "REF": "refugees"}.get(groups[1], groups[1].lower())
            clusters[key] = _Cluster(key, f"{place}: {label}", kind_of(code), country, code)
        return key

    @staticmethod
    def _bare_title(raw: _Raw, earlier: list[_Raw], clusters: dict[str, _Cluster]) -> _Raw | None:
        """``the Prime Minister`` with no name: the person given that title earlier in the article."""
        for previous in reversed(earlier):
            cluster = clusters.get(previous.key)
            if cluster and cluster.kind == "person" and raw.role in cluster.titles:
                return _Raw(raw.start, raw.end, previous.key, cluster.code, "title", role=raw.role,
                            why=f"title: {raw.role} → {cluster.name}")
        if raw.role in HEAD_TITLES:
            # "the prime minister" after "Netanyahu": the last person named whose dated code is a government's.
            for previous in reversed(earlier):
                cluster = clusters.get(previous.key)
                if cluster and cluster.kind == "person" and "GOV" in code_groups(cluster.code or "")[1:2]:
                    return _Raw(raw.start, raw.end, previous.key, cluster.code, "title", role=raw.role,
                                why=f"title: {raw.role} → {cluster.name} (in government on the date)")
        return None

    # -- pronouns ----------------------------------------------------------------------------------

    def _pronouns(self, doc: Doc, raws: list[_Raw], clusters: dict[str, _Cluster],
                  groups: dict[int, list[tuple[str, str | None]]]) -> list[_Raw]:
        """``he``/``it``/``they`` → the last compatible actor; ``they`` after "A and B", and "both
        sides"/"the two countries", → all of them (recorded in ``groups`` by the pronoun's token)."""
        ordered = sorted(raws, key=lambda r: r.start)
        covered = {k for r in raws for k in range(r.start, r.end)}
        out: list[_Raw] = []
        for index in [i for i, h in enumerate(doc.to_array(LOWER).tolist()) if h in REFERRING_IDS]:
            token = doc[index]
            lower = token.lower_
            if lower in SIDE_NOUNS and (token.pos_ == "NOUN" or token.dep_ in {"nsubj", "nsubjpass"}):
                both = [c for c in token.children if c.lower_ in {"both", "two"}] or lower == "both"
                if both:
                    group = self._both_sides(doc, token, ordered, clusters, people=lower == "leaders")
                    if len(group) > 1:
                        start = min([token.i] + [c.i for c in token.children if c.i < token.i])
                        out.append(_Raw(start, token.i + 1, group[0].key, group[0].code, "pronoun",
                                        why=f"reference: {doc[start:token.i + 1].text} → "
                                            + " and ".join(clusters[r.key].name for r in group)))
                        groups[token.i] = [(r.key, r.code) for r in group]
                continue
            if lower in DEFINITE_NOUNS and token.pos_ == "NOUN" and token.i not in covered:
                definite = self._definite(doc, token, ordered, clusters)
                if definite is not None:
                    out.append(definite)
                continue
            if lower in RELATIVE_PRONOUNS and token.head.dep_ == "relcl":
                # "the Sudanese army, which has fought…": the noun the clause describes ("who": a person
                # or people, not a state or a named organisation).
                noun = token.head.head
                antecedent = [r for r in ordered if r.start <= noun.i < r.end and (
                    lower not in {"who", "whom"} or clusters[r.key].kind == "person" or noun.tag_ in {"NNS", "NNPS"}
                    or (noun.lower_.endswith("s") and clusters[r.key].kind in GROUP_KINDS))]
                if antecedent:
                    out.append(_Raw(token.i, token.i + 1, antecedent[0].key, antecedent[0].code, "pronoun",
                                    why=f"pronoun: {token.text} → {clusters[antecedent[0].key].name}"))
                continue
            if lower in FIRST_PERSON and token.pos_ in {"PRON", "DET"}:
                speaker = _speakers(doc, token.sent, [r for r in ordered if clusters[r.key].kind != "other"])[-1:]
                if speaker:
                    out.append(_Raw(token.i, token.i + 1, speaker[0].key, speaker[0].code, "pronoun",
                                    why=f"pronoun: {token.text} → {clusters[speaker[0].key].name} (the speaker)"))
                continue
            if lower not in PERSON_PRONOUNS | THING_PRONOUNS | GROUP_PRONOUNS or token.pos_ not in {"PRON", "DET"}:
                continue
            want_person = lower in PERSON_PRONOUNS
            window = token.sent.start
            previous_sentence = doc[window - 1].sent.start if window > 0 else window
            # "I spoke to my counterpart, and she assured me": "she" is not the speaker
            before = [r for r in ordered if r.end <= token.i and r.start >= previous_sentence
                      and _personal(r, clusters) == want_person and clusters[r.key].kind != "other"
                      and doc[r.start].lower_ not in FIRST_PERSON]
            if lower in GROUP_PRONOUNS:
                group = self._coordinated(doc, before)
                if len(group) > 1:
                    # "Spain, Ireland and Norway said they would…": all of them.
                    out.append(_Raw(token.i, token.i + 1, group[0].key, group[0].code, "pronoun",
                                    why=f"pronoun: {token.text} → " + " and ".join(clusters[r.key].name for r in group)))
                    groups[token.i] = [(r.key, r.code) for r in group]
                    continue
            # "Israel retaliated against it": an object pronoun is not its own clause's subject.
            own_subject = {c.i for c in token.head.children if c.dep_ in {"nsubj", "nsubjpass"}} \
                if token.dep_ in {"dobj", "pobj", "dative"} else set()
            if token.dep_ == "pobj" and token.head.dep_ == "prep":
                own_subject |= {c.i for c in token.head.head.children if c.dep_ in {"nsubj", "nsubjpass"}}
            verb = token.head.head if token.dep_ == "pobj" else token.head
            if own_subject == set() and token.dep_ in {"dobj", "pobj", "dative"} and verb.dep_ == "conj":
                # "met the Syrian leader and praised him": the clause shares its subject with the first verb
                own_subject = {c.i for c in verb.head.children if c.dep_ in {"nsubj", "nsubjpass"}}
            taken = {r.key for r in out if r.start in own_subject}  # "He urged him": not the same man
            before = [r for r in before if not own_subject & set(range(r.start, r.end)) and r.key not in taken]
            candidates = [r for r in before if lower not in GROUP_PRONOUNS or clusters[r.key].kind in GROUP_KINDS
                          or doc[r.end - 1].tag_ in {"NNS", "NNPS"}]
            if not candidates:
                continue
            subjects = [r for r in candidates if doc[r.end - 1].dep_ in {"nsubj", "nsubjpass"}
                        or doc[r.start].dep_ in {"nsubj", "nsubjpass"}]
            chosen = (subjects or candidates)[-1]
            out.append(_Raw(token.i, token.i + 1, chosen.key, chosen.code, "pronoun",
                            why=f"pronoun: {token.text} → {clusters[chosen.key].name}"))
        return out

    @staticmethod
    def _coordinated(doc: Doc, before: list[_Raw]) -> list[_Raw]:
        """The actors of the last coordination ("A, B and C") among ``before``, one per actor."""
        for raw in reversed(before):
            root = doc[raw.start:raw.end].root
            linked = {t.i for t in root.conjuncts}
            if not linked:
                continue
            members = [r for r in before if r is raw or doc[r.start:r.end].root.i in linked]
            return _distinct_actors(members)
        return []

    def _both_sides(self, doc: Doc, token: Token, ordered: list[_Raw], clusters: dict[str, _Cluster],
                    people: bool = False) -> list[_Raw]:
        """The two actors "both sides"/"the two countries"/"both" refer to: a coordination earlier in its
        sentence, else the last two actors named before its sentence (people for "the two leaders",
        otherwise not people)."""
        sides = [r for r in ordered if r.end <= token.i and (clusters[r.key].kind == "person") == people
                 and clusters[r.key].kind != "other" and not _is_place(doc[r.start:r.end])]
        sentence = [r for r in sides if r.start >= token.sent.start]
        group = self._coordinated(doc, sentence)
        if len(group) > 1:
            return group
        earlier = _distinct_actors([r for r in sides if r.start < token.sent.start][::-1])[:2]
        return earlier if len(earlier) > 1 else _distinct_actors(sentence[::-1])[:2]

    # -- output ------------------------------------------------------------------------------------

    def _finish(self, doc: Doc, text: str, raws: list[_Raw], clusters: dict[str, _Cluster]) -> None:
        starts = [sent.start for sent in doc.sents]
        actors: dict[str, FoundActor] = {}
        mentions: list[Mention] = []
        token_actor: dict[int, str] = {}
        for raw in sorted(raws, key=lambda r: r.start):
            cluster = clusters[raw.key]
            key = cluster.key
            span = doc[raw.start:raw.end]
            found = actors.get(key)
            if found is None:
                found = actors[key] = FoundActor(key, cluster.name, cluster.kind, cluster.country,
                                                 cluster.code, titles=sorted(t for t in cluster.titles if t),
                                                 head_of_government=cluster.head)
            found.mentions += 1
            start_char, end_char = span.start_char, span.end_char
            words = text[start_char:end_char]  # span.text, without joining its tokens again
            if raw.how != "pronoun" and words not in found.aliases and _is_name(span) and not _is_place(span):
                found.aliases.append(words)
            if raw.why and raw.why not in found.sources:
                found.sources.append(raw.why)
            mentions.append(Mention(start_char, end_char, words, bisect_right(starts, raw.start) - 1, key,
                                    raw.code, raw.how, raw.role))
            for k in range(raw.start, raw.end):
                token_actor.setdefault(k, key)
        for key, found in actors.items():
            cluster = clusters[key]
            if key.startswith("k:") and cluster.kind in {"organisation", "armed group"}:
                names = [a for a in found.aliases if a[:1].isupper() and a.upper() != a]
                if names:
                    found.name = re.sub(r"^(?:the|The)\s+", "", max(names, key=len))
            found.sources.extend(w for w in cluster.why if w not in found.sources)
        doc._.mentions = mentions
        doc._.actors = actors
        doc._.token_actor = token_actor


DOMESTIC = {"COP", "OPP", "CVL", "PPL", "REB", "UAF", "INS", "CRM", "EDU", "LAB", "REF", "BUS", "HLH", "MED"}
"""Roles of people who act in their own country (police, protesters, gunmen), unlike a state's organs."""
ASSETS = {"convoy", "base", "station", "post", "checkpoint", "headquarters", "barracks", "patrol", "vehicle",
          "camp", "outpost", "position", "positions", "compound", "rally", "march", "protest", "demonstration"}
"""Nouns whose role-word modifier names an actor: "a police convoy", "an army base", "an opposition
rally" (but "military aid")."""
REFERRING_WORDS = (PERSON_PRONOUNS | THING_PRONOUNS | GROUP_PRONOUNS | FIRST_PERSON | RELATIVE_PRONOUNS
                   | set(DEFINITE_NOUNS) | SIDE_NOUNS)
"""The words the pronoun pass looks at (the rest of the text is skipped unread)."""
REFERRING_IDS = frozenset(get_string_id(w) for w in REFERRING_WORDS)
"""Their string ids, as ``Doc.to_array(LOWER)`` gives them (the same in every vocabulary)."""


def _ownership(head: Token) -> set[int]:
    """Tokens of the phrases that say whose a thing is ("a ship owned by an Israeli businessman", "an
    Israeli-linked tanker"): its owner's country is the thing's, whatever the sentence's context."""
    found: set[int] = set()
    for child in head.children:
        if child.dep_ in {"acl", "amod"} and child.lemma_.lower() in OWNED:
            found.update(t.i for t in child.subtree)
    return found


def _after_subject(doc: Doc, raw: _Raw, raws: list[_Raw], clusters: dict[str, _Cluster]) -> bool:
    """A role after its verb, in a sentence whose subject names a country: "the president of Colombia met
    rebel leaders in Havana" (the meeting's venue, not the rebels' country)."""
    sent = doc[raw.start].sent
    if raw.start <= sent.root.i:
        return False
    for other in raws:
        if other is raw or not other.key or not clusters[other.key].country \
                or not sent.start <= other.start < other.end <= sent.root.i:
            continue
        head = _head(doc, other)
        while head.dep_ == "pobj" and head.head.dep_ == "prep":
            head = head.head.head  # "the president of Colombia"
        if head.dep_ in {"nsubj", "nsubjpass"}:
            return True
    return False


def _entity_at(doc: Doc, i: int) -> Span | None:
    """The named entity of ``doc.ents`` that holds token ``i``, found from the token's IOB tags alone
    (``doc.ents`` builds every entity of the document)."""
    if not doc[i].ent_type:
        return None
    start, end = i, i + 1
    while doc[start].ent_iob_ == "I":
        start -= 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=doc[start].ent_type)


def _head(doc: Doc, raw: _Raw) -> Token:
    """The head noun of the phrase a mention sits in ("Israeli" in "the Israeli military spokesman")."""
    root = doc[raw.start:raw.end].root
    while root.dep_ in {"amod", "compound", "poss", "nmod"} and root.head is not root:
        root = root.head
    return root


def _narrowed(doc: Doc, raw: _Raw) -> bool:
    """Whether a role is narrowed by a noun the dictionary does not know into another body ("aid
    workers", "world leaders"); a kind of farmers, workers or students is still farmers, workers,
    students ("rice farmers", "mine workers")."""
    head = doc[raw.end - 1]
    narrowing = [c for c in head.children if c.dep_ == "compound" and c.pos_ == "NOUN" and c.i < raw.start
                 and not c.is_upper]  # a name tagged as a noun ("LESOTHO FOREIGN MINISTER") is an owner
    if not narrowing:
        return False
    groups = code_groups((raw.code or "").lstrip("~"))
    return not (groups[:1] and groups[0] in POPULATIONS) or any(c.lemma_.lower() in OTHER_BODIES for c in narrowing)


def _personal(raw: _Raw, clusters: dict[str, _Cluster]) -> bool:
    """Whether a mention names one person: a known individual, or an office holder named by a role
    ("the Syrian leader")."""
    if clusters[raw.key].kind == "person":
        return True
    return raw.how == "role" and (raw.role or "").split(" ")[-1] in OFFICE_HOLDERS


def _speakers(doc: Doc, sent: Span, raws: list[_Raw]) -> list[_Raw]:
    """The mentions in ``sent`` that are the subject of a verb of saying (whom "we"/"our" refer to)."""
    out = []
    for raw in raws:
        if raw.end < len(doc) and doc[raw.end].text == ":" \
                and doc.text.rfind("\n", 0, sent.start_char) + 1 <= doc[raw.start].idx < sent.end_char \
                and (raw.start == 0 or "\n" in doc[raw.start - 1].text_with_ws
                     or doc[raw.start - 1].is_punct):
            out.append(raw)  # "LAVROV: We will respond": a transcript's speaker label
            continue
        root = _head(doc, raw)
        if sent.start <= raw.start < sent.end and root.dep_ == "nsubj" and root.head.lemma_.lower() in SPEECH:
            out.append(raw)
    return out


def _distinct_actors(raws: list[_Raw]) -> list[_Raw]:
    """The first mention of each actor, in order."""
    seen: set[str] = set()
    out = []
    for raw in raws:
        if raw.key not in seen:
            seen.add(raw.key)
            out.append(raw)
    return out
def _is_name(span: Span) -> bool:
    """Whether a mention can serve as an alias: it holds a name ("Israeli officials", "the Biden
    administration"), not only role words that took their country from the context ("the
    government", "cabinet members", "regimes"), which would name another actor in the next article."""
    return any(t.pos_ == "PROPN" or t.ent_type_ in {"NORP", "GPE", "ORG", "PERSON", "FAC", "LOC"} for t in span)


def _is_place(span: Span) -> bool:
    """A one-word country-coded name used as a location: the object of "in", "into", "near"…"""
    root = span.root
    return len(span) == 1 and root.dep_ == "pobj" and root.head.lower_ in PLACE_PREPOSITIONS


def actor_token(head: Token, token_actor: dict[int, str]) -> int | None:
    """The token of the actor a noun phrase names: the mention nearest its head, in its core words.

    Relative clauses and most prepositional phrases are not searched ("the minister of Arnor" is
    searched, "the attack on Rafah" is not).
    """
    queue = [head]
    seen = {head.i}
    while queue:
        token = queue.pop(0)
        if token.i in token_actor:
            return token.i
        for child in token.children:
            if child.i in seen or child.dep_ not in CORE_DEPS:
                continue
            if child.dep_ == "prep" and child.lower_ not in {"of", "from", "within", "such"}:
                continue
            seen.add(child.i)
            queue.append(child)
    return None
