"""The actor gazetteer: names → dated CAMEO actor codes, role phrases → agent codes, codes → kinds.

stakes ships a compact conversion of the Phoenix actor and agent dictionaries (MIT, Open Event Data
Alliance; see ``stakes/data/gazetteer/ATTRIBUTION.md``) and its own additions in the same PETRARCH
format (``stakes.actors.txt``, ``stakes.people.txt``, ``stakes.agents.txt``): actors of recent news
the Phoenix files lack (groups, bodies, media, office holders with the dates of their offices) and
role words of news prose. An addition wins over a Phoenix entry with the same name. A gazetteer can
also be built straight from dictionaries in the PETRARCH format, which is how the validation suite's
fictional actors are read.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from stakes.reading.dictionaries import (
    ActorEntry,
    name_tokens,
    read_actors,
    read_agents,
)

GAZETTEER_FILE = "phoenix.json.gz"
ADDED_ACTORS, ADDED_PEOPLE, ADDED_AGENTS = "stakes.actors.txt", "stakes.people.txt", "stakes.agents.txt"

# CAMEO role/sector codes (the 3-letter groups after the country) and the scenario kind they imply.
_ARMED = {"REB", "INS", "UAF", "SEP", "IMG", "MIL", "SPY", "COP"}
_GOVERNMENT = {"GOV", "LEG", "JUD", "ELI", "PTY"}
_PUBLIC = {"CVL", "PPL", "REF", "LAB", "EDU", "HLH", "AGR", "BUS", "MED", "REL", "HRI", "ENV"}
_KNOWN_GROUPS = _ARMED | _GOVERNMENT | _PUBLIC | {"OPP", "NGO", "IGO", "MNC", "SPY", "CRM"}


def date_key(when: date | None) -> int:
    """A date as the integer ``YYYYMMDD`` the dictionaries use (today when unknown)."""
    when = when or date.today()
    return when.year * 10000 + when.month * 100 + when.day


def code_groups(code: str) -> list[str]:
    """``ISRGOVMIL`` → ``["ISR", "GOV", "MIL"]``; ``IGOUNO`` → ``["IGO", "UNO"]``."""
    return [code[i:i + 3] for i in range(0, len(code), 3)]


def kind_of(code: str, person: bool = False) -> str:
    """The scenario actor kind a CAMEO code suggests (``person`` when the name is an individual)."""
    groups = code_groups(code)
    if person:
        return "person"
    rest = groups[1:] if groups and groups[0] not in _KNOWN_GROUPS else groups
    if not rest:
        return "state"
    first = rest[0]
    if first in {"IGO", "NGO", "MNC"}:
        return "organisation"
    if first == "OPP":
        return "party"
    if first in {"REB", "INS", "UAF", "SEP", "IMG"}:
        return "armed group"
    if first in _GOVERNMENT or first in {"MIL", "SPY", "COP"}:
        return "government"
    if first in _PUBLIC:
        return "public"
    return "other"


def country_of(code: str) -> str | None:
    """The ISO-like country part of a code, or None for international and non-state codes."""
    head = code[:3]
    if len(head) == 3 and head.isalpha() and head.upper() == head and head not in _KNOWN_GROUPS:
        return head
    return None


@dataclass(frozen=True)
class Entry:
    """One gazetteer actor: display name, names as token tuples, dated codes."""

    id: int
    name: str
    codes: tuple[tuple[str, int, int], ...]
    person: bool

    def code_at(self, when: int) -> str | None:
        """The code valid on ``when`` (``YYYYMMDD``): a dated code beats an undated fallback, and of
        overlapping dated codes the one listed first wins (as the dictionaries intend)."""
        dated = [c for c, start, end in self.codes if start <= when <= end and (start, end) != (0, 99991231)]
        if dated:
            return dated[0]
        undated = [c for c, start, end in self.codes if (start, end) == (0, 99991231)]
        if undated:
            return undated[-1]
        return None


def _display(name: str) -> str:
    words = name.replace("_", " ").split()
    if words and words[0] == "THE" and len(words) > 1:
        words = words[1:]
    small = {"OF", "AND", "THE", "FOR", "IN", "ON", "DE", "AL", "EL"}
    out = []
    for k, w in enumerate(words):
        lw = w.lower()
        out.append(lw if (k and w in small) else "-".join(p[:1].upper() + p[1:] for p in lw.split("-")))
    return " ".join(out)


def _is_person(entry: ActorEntry) -> bool:
    """Individuals in the Phoenix files are the roots whose codes are dated or elite (ELI) codes; a
    state whose code changed over time (Ukraine: ``USRUKR`` until 1991, then ``UKR``) is not one."""
    codes = [c for c, _, _ in entry.codes]
    dated = any((s, e) != (0, 99991231) for _, s, e in entry.codes)
    state = any(len(c) == 3 and country_of(c) for c in codes)
    return (dated or any(c.endswith("ELI") for c in codes)) and not state


class Gazetteer:
    """Names and role phrases with their codes, matched over token sequences (longest match wins)."""

    def __init__(self, entries: list[Entry], names: dict[int, list[tuple[str, ...]]],
                 agents: dict[str, str], countries: dict[str, str], preferred_from: int | None = None):
        """``preferred_from``: entries from this index on win over earlier ones with the same name."""
        self.entries = entries
        self.preferred_from = preferred_from
        self._entry_names = names
        self.agents = agents
        self.countries = countries
        self._names: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        self._surnames: dict[str, list[int]] = {}
        self._agents: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for entry in entries:
            for tokens in self._entry_names.get(entry.id, ()):
                self._names.setdefault(tokens[0], []).append((tokens, entry.id))
            if entry.person and self._entry_names.get(entry.id):
                # an individual replaced by an addition has no names left, nor a surname
                surname = name_tokens(entry.name)[-1]
                self._surnames.setdefault(surname, []).append(entry.id)
        for phrase, code in agents.items():
            tokens = name_tokens(phrase)
            if tokens:
                self._agents.setdefault(tokens[0], []).append((tokens, code))
        first = len(entries) if preferred_from is None else preferred_from
        for candidates in self._names.values():
            candidates.sort(key=lambda c: (-len(c[0]), c[1] < first))
        for candidates in self._agents.values():
            candidates.sort(key=lambda c: -len(c[0]))
        self._name_lookup = _PhraseTable(self._names)
        self._agent_lookup = _PhraseTable(self._agents)
        self.agent_words = frozenset(self._agents)
        """The first words of the role phrases: a word not among them starts none."""

    @classmethod
    def from_entries(cls, raw: list[ActorEntry], agents: dict[str, str]) -> Gazetteer:
        """Build from dictionary entries (as read by :func:`read_actors`)."""
        entries: list[Entry] = []
        names: dict[int, list[tuple[str, ...]]] = {}
        countries: dict[str, str] = {}
        for k, item in enumerate(raw):
            entry = Entry(k, _display(item.names[0]), tuple(tuple(c) for c in item.codes), _is_person(item))
            entries.append(entry)
            names[k] = sorted({t for t in (name_tokens(n) for n in item.names) if t}, key=len)
            code = entry.code_at(date_key(None))
            if code and len(code) == 3 and not entry.person and code not in countries:
                countries[code] = entry.name
        return cls(entries, names, agents, countries)

    @classmethod
    def from_files(cls, actor_files: list[str | Path], agent_file: str | Path | None = None) -> Gazetteer:
        """Build from PETRARCH-format actor dictionaries and an agent dictionary."""
        raw = [e for path in actor_files for e in read_actors(path)]
        return cls.from_entries(raw, read_agents(agent_file) if agent_file else {})

    @classmethod
    def from_compact(cls, data: dict) -> Gazetteer:
        """Build from stakes' compact form (see :meth:`to_compact`)."""
        entries = [Entry(k, name, tuple(tuple(c) for c in codes), bool(person))
                   for k, (name, _, codes, person) in enumerate(data["actors"])]
        names = {k: [tuple(n.split(" ")) for n in names] for k, (_, names, _, _) in enumerate(data["actors"])}
        return cls(entries, names, data["agents"], data["countries"])

    def extended(self, actors: list[ActorEntry], people: list[ActorEntry], agents: dict[str, str]) -> Gazetteer:
        """This gazetteer with more actors, individuals and role phrases; on a shared name or phrase the
        new entry wins, and an individual listed anew replaces the old entry of the same name (with all
        its names: "German chancellor Angela Merkel" no longer carries an open-ended office). Entries
        keep their indices (``p:<index>`` keys stay valid)."""
        entries = list(self.entries)
        names = dict(self._entry_names)
        countries = dict(self.countries)
        start = len(entries)
        for item, person in [(a, False) for a in actors] + [(p, True) for p in people]:
            entry = Entry(len(entries), _display(item.names[0]), tuple(tuple(c) for c in item.codes), person)
            entries.append(entry)
            names[entry.id] = sorted({t for t in (name_tokens(n) for n in item.names) if t}, key=len)
            if person:
                for tokens in names[entry.id]:
                    for _, old in self._names.get(tokens[0], ()):
                        if self.entries[old].person and tokens in self._entry_names.get(old, ()):
                            names[old] = []
        return Gazetteer(entries, names, {**self.agents, **agents}, countries, preferred_from=start)

    def to_compact(self, about: str) -> dict:
        """A JSON-ready dict: actors as [display name, [names], [[code, start, end]], is_person]."""
        return {
            "about": about,
            "actors": [[e.name, [" ".join(t) for t in self._entry_names[e.id]], [list(c) for c in e.codes],
                        int(e.person)] for e in self.entries],
            "agents": self.agents,
            "countries": self.countries,
        }

    def match_actor(self, tokens: list[str], start: int) -> tuple[int, Entry] | None:
        """The longest actor name starting at ``tokens[start]``: (length, entry)."""
        found = self._name_lookup.longest(tokens, start)
        return None if found is None else (found[0], self.entries[found[1]])

    def match_agent(self, tokens: list[str], start: int) -> tuple[int, str] | None:
        """The longest role phrase starting at ``tokens[start]``: (length, agent code)."""
        return self._agent_lookup.longest(tokens, start)

    def names_of(self, entry: Entry) -> list[tuple[str, ...]]:
        """An entry's names as token tuples."""
        return self._entry_names.get(entry.id, [])

    def person_by_surname(self, surname: str, when: int) -> Entry | None:
        """The one individual with this surname whose code is valid on ``when`` (None if 0 or many; an
        addition wins over a Phoenix entry)."""
        found = [self.entries[i] for i in self._surnames.get(surname, ())]
        current = [e for e in found if any(s <= when <= end and (s, end) != (0, 99991231)
                                           for _, s, end in e.codes)]
        if self.preferred_from is not None and len(current) > 1:
            current = [e for e in current if e.id >= self.preferred_from] or current
        return current[0] if len(current) == 1 else None

    def country_name(self, code: str) -> str | None:
        return self.countries.get(code)

    def key_name(self, key: str) -> str | None:
        """The display name behind a reading key (``p:8071`` a person, ``c:EGY`` a country, ``n:GANTZ``
        a surname, ``o:…`` a named organisation); None for a bare code (``k:…``)."""
        kind, _, rest = key.partition(":")
        if kind == "p" and rest.isdigit() and int(rest) < len(self.entries):
            return self.entries[int(rest)].name
        if kind == "c":
            return self.country_name(rest)
        if kind in ("n", "o") and rest:
            return rest.title()
        return None


class _PhraseTable:
    """Phrases by their first word, best first, matched by one lookup per phrase length instead of one
    comparison per phrase ("MINISTER" starts hundreds of role phrases). Of two candidates with the
    same phrase, the first listed wins."""

    def __init__(self, by_first_word: dict[str, list[tuple[tuple[str, ...], Any]]]):
        self.values: dict[tuple[str, ...], Any] = {}
        self.lengths: dict[str, tuple[int, ...]] = {}
        for word, candidates in by_first_word.items():
            for phrase, value in candidates:
                self.values.setdefault(phrase, value)
            self.lengths[word] = tuple(sorted({len(phrase) for phrase, _ in candidates}, reverse=True))

    def longest(self, tokens: list[str], start: int) -> tuple[int, Any] | None:
        """(length, value) of the longest phrase at ``tokens[start]``, or None."""
        left = len(tokens) - start
        for length in self.lengths.get(tokens[start], ()):
            value = self.values.get(tuple(tokens[start:start + length])) if length <= left else None
            if value is not None:
                return length, value
        return None


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The bundled gazetteer: Phoenix-derived, extended by stakes' own additions (loaded once)."""
    folder = resources.files("stakes") / "data" / "gazetteer"
    with (folder / GAZETTEER_FILE).open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        phoenix = Gazetteer.from_compact(json.load(handle))
    with resources.as_file(folder) as path:
        return phoenix.extended(read_actors(path / ADDED_ACTORS), read_actors(path / ADDED_PEOPLE),
                                read_agents(path / ADDED_AGENTS))


def combine(country_code: str | None, agent: str) -> str:
    """A country/actor code with an agent code: ``ISR`` + ``~GOV`` → ``ISRGOV``; ``IGO~`` prefixes."""
    base = country_code or ""
    if agent.startswith("~"):
        return base + agent[1:]
    if agent.endswith("~"):
        return agent[:-1] + base
    return base + agent
