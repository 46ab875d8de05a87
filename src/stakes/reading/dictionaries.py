"""Readers for the PETRARCH/TABARI dictionary formats (actors, agents, verb patterns, CAMEO→PLOVER).

These turn the plain-text dictionaries of the Open Event Data Alliance into plain Python data. They
are used when building stakes' own compact resources (``scripts/build_reading_data.py``) and to load
other dictionaries in the same format directly (the validation suite's fictional actors and verbs).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

OPEN_START = 0
OPEN_END = 99991231
_CODE = re.compile(r"\[([^\]]*)\]")
_TOKEN = re.compile(r"'S\b|[A-Z0-9]+(?:\.[A-Z0-9]+|'(?!S\b)[A-Z0-9]+)*\.?|[^\sA-Z0-9]")


def fold(text: str) -> str:
    """Text in upper case without accents: news writes "Türk", "Félix", "Erdoğan", the dictionaries
    "TURK", "FELIX", "ERDOGAN" (letters of other scripts are kept)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def name_tokens(name: str) -> tuple[str, ...]:
    """A dictionary phrase or a piece of text as matching tokens: upper case without accents, '_' as
    space, '-' split.

    The same function normalises text tokens, so ``Al-Sisi`` and ``AL-SISI_`` give the same tokens.
    """
    text = fold(name).replace("_", " ").replace("’", "'").replace("‘", "'")
    return tuple(t for t in _TOKEN.findall(text) if t not in {",", "(", ")"})


def parse_date(text: str) -> int:
    """A TABARI date (``YYMMDD`` or ``YYYYMMDD``) as an integer ``YYYYMMDD``."""
    digits = text.strip()
    if len(digits) == 6:
        year = int(digits[:2])
        return (1900 + year if year >= 30 else 2000 + year) * 10000 + int(digits[2:])
    if len(digits) == 8:
        return int(digits)
    raise ValueError(f"not a TABARI date: {text!r}")


def parse_code(text: str) -> tuple[str, int, int] | None:
    """``ISRGOV 960618-990706`` / ``USAGOV >090120`` / ``ISR`` → (code, start, end); None if unreadable."""
    parts = text.replace("> ", ">").replace("< ", "<").split()
    if not parts:
        return None
    code = parts[0]
    start, end = OPEN_START, OPEN_END
    try:
        if len(parts) > 1:
            span = parts[1]
            if span.startswith(">"):
                start = parse_date(span[1:])
            elif span.startswith("<"):
                end = parse_date(span[1:])
            elif "-" in span:
                a, b = span.split("-", 1)
                start, end = parse_date(a), parse_date(b)
    except ValueError:
        return None
    return code, start, end


@dataclass
class ActorEntry:
    """One actor of an actor dictionary: its names and its (possibly dated) codes."""

    names: list[str] = field(default_factory=list)
    codes: list[tuple[str, int, int]] = field(default_factory=list)


def _strip_comment(line: str) -> str:
    return line.split("#", 1)[0].rstrip()


def read_actors(path: str | Path) -> list[ActorEntry]:
    """Read a PETRARCH actor dictionary: root names, ``+synonyms`` and ``[CODE dates]`` lines."""
    entries: list[ActorEntry] = []
    current: ActorEntry | None = None
    in_comment = False
    for raw in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        if raw.lstrip().startswith("<!--"):
            in_comment = "-->" not in raw
            continue
        if in_comment:
            in_comment = "-->" not in raw
            continue
        line = _strip_comment(raw)
        if not line.strip():
            continue
        codes = [c for c in (parse_code(m) for m in _CODE.findall(line)) if c]
        names_part = _CODE.sub(" ", line).strip()
        if line[0].isspace() and not names_part:
            if current is not None:
                current.codes.extend(codes)
            continue
        names = [n.lstrip("+").strip() for n in re.split(r"\s+(?=\+)", names_part) if n.strip()]
        if names_part.startswith("+"):
            if current is not None:
                current.names.extend(n for n in names if n)
                current.codes.extend(codes)
            continue
        current = ActorEntry(names=[n for n in names if n], codes=list(codes))
        entries.append(current)
    return [e for e in entries if e.names and e.codes]


def _plural(word: str) -> str:
    if word.endswith("Y") and not word.endswith(("AY", "EY", "OY", "UY")):
        return word[:-1] + "IES"
    if word.endswith(("S", "SH", "CH", "X", "Z")):
        return word + "ES"
    return word + "S"


def read_agents(path: str | Path) -> dict[str, str]:
    """Read a PETRARCH agent dictionary → phrase (spaces) → agent code (``~GOV`` or ``IGO~``).

    ``!MACRO! = A, B`` lines are expanded; regular plurals are generated unless ``{...}`` lists the
    irregular forms (``{}`` means none).
    """
    macros: dict[str, list[str]] = {}
    agents: dict[str, str] = {}
    for raw in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        line = _strip_comment(raw).strip()
        if not line or line.startswith("<"):
            continue
        macro = re.match(r"^(![A-Z]+!)\s*=\s*(.+)$", line)
        if macro:
            macros[macro.group(1)] = [w.strip() for w in macro.group(2).split(",") if w.strip()]
            continue
        code_match = re.search(r"\[([^\]]+)[\]}]", line)
        if not code_match:
            continue
        code = code_match.group(1).strip()
        head = line[: code_match.start()]
        irregular = re.search(r"\{([^}]*)\}", head)
        phrase = re.sub(r"\{[^}]*\}", "", head).strip()
        forms = [phrase]
        for name, values in macros.items():
            if name in phrase:
                forms = [f.replace(name, v) for f in forms for v in values]
        if phrase.rstrip("_").endswith("MINIST"):
            forms = [f.rstrip("_") + suffix for f in forms for suffix in ("ER", "ERS", "RY", "RIES")]
        for form in forms:
            words = form.replace("_", " ").split()
            if not words:
                continue
            agents.setdefault(" ".join(words), code)
            if irregular is not None:
                for extra in irregular.group(1).split():
                    agents.setdefault(extra.replace("_", " "), code)
            elif not any(m in phrase for m in macros):
                agents.setdefault(" ".join(words[:-1] + [_plural(words[-1])]), code)
    return agents


@dataclass
class VerbPattern:
    """One verb pattern: words before and after the verb, and the CAMEO code it yields.

    ``code`` may be ``"042:043"``: the first for source→target, the second for the reverse event.

    ``pre``/``post`` hold noun heads (``"AID"``) or braced phrases (``("AID", ("FINANCIAL",))``:
    head, then modifiers); ``pre_preps``/``post_preps`` hold (preposition, [nouns]). ``source`` and
    ``target`` say where a ``$`` or ``+`` marker placed the actors: ``"pre"``, ``"post"`` or a
    preposition; None means the default (subject → source, object → target).
    """

    code: str
    pre: list = field(default_factory=list)
    post: list = field(default_factory=list)
    pre_preps: list = field(default_factory=list)
    post_preps: list = field(default_factory=list)
    source: str | None = None
    target: str | None = None
    line: str = ""

    @cached_property
    def size(self) -> int:
        """How much the pattern asks for: a longer match beats a shorter one."""
        def weight(item) -> int:
            return 1 + len(item[1]) if isinstance(item, tuple) else 1
        return (sum(weight(n) for n in self.pre + self.post)
                + sum(1 + sum(weight(n) for n in nouns) for _, nouns in self.pre_preps + self.post_preps))


@dataclass
class VerbBlock:
    """A block of synonymous verbs sharing patterns; each verb may override the block's code."""

    name: str
    code: str
    verbs: dict[str, str | None] = field(default_factory=dict)
    """Verb (upper-case lemma, or ``ASK FOR`` for a verb with a particle) → its own code or None."""
    patterns: list[VerbPattern] = field(default_factory=list)


def _segment(words: list[str]) -> tuple[list, list, str | None, str | None]:
    """Pattern words → (nouns, preps, source place, target place)."""
    nouns: list = []
    preps: list = []
    source = target = None
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("("):
            group = [word[1:]]
            while not group[-1].endswith(")") and i + 1 < len(words):
                i += 1
                group.append(words[i])
            group[-1] = group[-1].rstrip(")")
            group = [g for g in group if g]
            if group:
                prep, rest = group[0], group[1:]
                prep_nouns, _, s, t = _segment(rest)
                if s:
                    source = prep
                if t:
                    target = prep
                preps.append((prep, prep_nouns))
        elif word.startswith("{"):
            group = [word[1:]]
            while not group[-1].endswith("}") and i + 1 < len(words):
                i += 1
                group.append(words[i])
            group[-1] = group[-1].rstrip("}")
            group = [g.rstrip("_") for g in group if g]
            if group:
                nouns.append((group[-1], tuple(group[:-1])) if len(group) > 1 else group[0])
        elif word == "$":
            source = "here"
        elif word == "+":
            target = "here"
        elif word in {"^", "%", "="}:
            pass
        else:
            nouns.append(word.rstrip("_"))
        i += 1
    return nouns, preps, source, target


@dataclass
class VerbDictionary:
    """Verb blocks plus the synonym sets (``&NAME`` → nouns) their patterns refer to."""

    blocks: list[VerbBlock]
    synsets: dict[str, list]
    negations: dict[str, str] = field(default_factory=dict)
    """Code → the code of its negation (from an ontology); a negated verb without one codes nothing."""


def read_verbs(path: str | Path) -> VerbDictionary:
    """Read a PETRARCH-2 verb dictionary: synsets, verb blocks and their patterns.

    Synset references (``&WEAPON``) stay in the patterns and are resolved when matching.
    """
    synsets: dict[str, list] = {}
    blocks: list[VerbBlock] = []
    current_syn: str | None = None
    block: VerbBlock | None = None
    for raw in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        if raw.startswith("<!"):
            continue
        line = _strip_comment(raw).strip()
        if not line:
            continue
        if line.startswith("---"):
            parts = line.strip("- ").split()
            code = next((p[1:-1] for p in parts if p.startswith("[")), "---")
            block = VerbBlock(name=parts[0] if parts else "", code=code)
            blocks.append(block)
            current_syn = None
            continue
        if line.startswith("&"):
            current_syn = line.split()[0]
            synsets.setdefault(current_syn, [])
            continue
        if block is None and current_syn and line.startswith("+"):
            term = line[1:].strip().rstrip("_")
            words = term.split("_")
            words = [w for w in words if w]
            synsets[current_syn].append((words[-1], tuple(words[:-1])) if len(words) > 1 else words[0])
            continue
        if block is None or line.startswith("~"):
            continue
        if line.startswith("-"):
            body = line[1:]
            code_match = re.search(r"\[([^\]]*)\]\s*$", body)
            if not code_match:
                continue
            code = code_match.group(1).strip()
            body = body[: code_match.start()]
            if "*" not in body:
                continue
            pre_text, _, post_text = body.partition("*")
            pre, pre_preps, s1, t1 = _segment(pre_text.split())
            post, post_preps, s2, t2 = _segment(post_text.split())
            source = "pre" if s1 == "here" else ("post" if s2 == "here" else (s1 or s2))
            target = "pre" if t1 == "here" else ("post" if t2 == "here" else (t1 or t2))
            block.patterns.append(VerbPattern(code, pre, post, pre_preps, post_preps, source, target,
                                              " ".join(line.split())))
            continue
        code_match = _CODE.search(line)
        code = code_match.group(1).strip() if code_match else None
        text = re.sub(r"\{[^}]*\}", "", _CODE.sub("", line)).strip()
        if not text:
            continue
        words = text.split()[0].strip("+").rstrip("_").split("_")
        verb = " ".join(w for w in words if w)
        if verb:
            block.verbs[verb] = code
    return VerbDictionary(blocks, {k.rstrip("_"): v for k, v in synsets.items()})


def extend_verbs(base: VerbDictionary, extra: VerbDictionary) -> VerbDictionary:
    """``base`` extended by ``extra`` (a supplement in the same format), without changing ``base``.

    A block of ``extra`` named like a block of ``base`` adds its verbs (their codes override) and its
    patterns (tried before the block's own, so they win ties); any other block of ``extra`` comes
    before every block of ``base``, so its verbs take precedence over the same verbs elsewhere.
    Synsets of ``extra`` add members to those of ``base``.
    """
    named: dict[str, VerbBlock] = {}
    for block in extra.blocks:  # a name given twice in ``extra`` is one block
        if block.name in named:
            named[block.name].verbs.update(block.verbs)
            named[block.name].patterns.extend(block.patterns)
        else:
            named[block.name] = VerbBlock(block.name, block.code, dict(block.verbs), list(block.patterns))
    blocks = []
    for block in base.blocks:
        added = named.pop(block.name, None)
        if added is None:
            blocks.append(block)
            continue
        blocks.append(VerbBlock(block.name, block.code, {**block.verbs, **added.verbs},
                                added.patterns + block.patterns))
    synsets = {name: list(items) for name, items in base.synsets.items()}
    for name, items in extra.synsets.items():
        synsets.setdefault(name, []).extend(items)
    return VerbDictionary(list(named.values()) + blocks, synsets, {**base.negations, **extra.negations})


def read_ontology(path: str | Path) -> dict[str, str]:
    """Read a PETRARCH internal coding ontology and derive what a negated verb's code becomes.

    Each line ``CODE:EXPR`` gives the code a number (``0x1007f``, ``-0xFFFF+0x0070``…); negation
    subtracts ``0xFFFF``. Returns code → code of its negation, for the codes whose negation is defined
    ("did not clash over X" [110] → 050).
    """
    values: dict[str, int] = {}
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(\d{3,4}):\s*([-+0-9a-fA-Fx ]+)", raw.strip())
        if not match:
            continue
        expression = match.group(2).replace(" ", "")
        if not re.fullmatch(r"[-+]?0x[0-9a-fA-F]+(?:[-+]0x[0-9a-fA-F]+)*", expression):
            continue
        values[match.group(1)] = sum(int(term, 16) for term in re.findall(r"[-+]?0x[0-9a-fA-F]+", expression))
    by_value: dict[int, str] = {}
    for code, value in values.items():
        by_value.setdefault(value, code)
    return {code: by_value[value - 0xFFFF] for code, value in values.items() if value - 0xFFFF in by_value}


def read_cameo_plover(path: str | Path) -> dict[str, dict[str, str]]:
    """Read CAMEO2PLOVER: CAMEO code → {event, mode, context}."""
    table: dict[str, dict[str, str]] = {}
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        match = re.match(r"^(\d{2,4}):\s*(.*)$", line)
        if not match:
            continue
        fields = [f.strip() for f in match.group(2).split(",")]
        fields += [""] * (3 - len(fields))
        if fields[0]:
            table[match.group(1)] = {"event": fields[0], "mode": fields[1], "context": fields[2]}
    return table


def read_cameo_labels(path: str | Path) -> dict[str, str]:
    """Read the CAMEO code file: code → label."""
    labels: dict[str, str] = {}
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        match = re.match(r"^LABEL:\s*(\d+)=\s*(.+)$", raw.strip())
        if match:
            labels.setdefault(match.group(1), match.group(2).strip())
    return labels
