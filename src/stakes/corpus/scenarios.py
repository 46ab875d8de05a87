"""Scenarios kept in the store, with every version, who saved it and what changed.

The store is the corpus database (SQLite by default, PostgreSQL for a team), so the web app and
the CLI share one place. Writes are optimistic: each names the version it was based on, and the
update only happens ``WHERE version = expected`` in one transaction with its history row, so two
people saving the same scenario never overwrite each other silently (:class:`VersionConflict`).
An id the store chooses is taken by the insert itself, and chosen again when another writer got
there first. Deleting moves a scenario to a trash (``deleted_at`` set) from which it can be restored
with its history until the trash is emptied. Reads are cheap: listings use the summary columns, a
parsed scenario (and its what-ifs) is cached by the digest of its text (:class:`~stakes.lru.SizedLRU`),
and a read is one query on one connection. A save validates the scenario's canonical data and stores its
YAML dump, without parsing the text it just wrote.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml
from sqlalchemy import Engine, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from stakes.corpus import migrate
from stakes.corpus.schema import RevisionRow, ScenarioRow, SourceArticleRow, TokenRow
from stakes.corpus.store import CorpusError
from stakes.errors import StakesError
from stakes.lru import SizedLRU
from stakes.scenario import io, schema
from stakes.scenario.diff import diff
from stakes.scenario.documents import parse_text
from stakes.scenario.model import Scenario, Source
from stakes.whatif import WhatIf, bundled_whatifs, whatifs_from_data, whatifs_to_data

ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_\-]{0,99}"
BUNDLED_AUTHOR = "stakes"
ID_ATTEMPTS = 20
"""Tries at an id of the server's choosing before giving up (each lost race chooses again)."""
CACHE_CHARS = 50_000_000
"""Characters of stored scenario text whose parsed scenarios a store keeps (the least recently used go)."""
TOKEN_NAME = r"[\w.@\-]{1,100}"


class NotFound(StakesError):
    """No scenario (or token, or article) by that id."""


class AlreadyExists(StakesError):
    """A scenario with that id is already stored."""


class VersionConflict(StakesError):
    """Someone saved the scenario after the version a write was based on."""

    def __init__(self, scenario_id: str, expected: int, current: int, updated_by: str):
        self.scenario_id, self.expected, self.current, self.updated_by = scenario_id, expected, current, updated_by
        super().__init__(f"scenario {scenario_id!r} is at version {current} (saved by {updated_by}), not "
                         f"{expected}; reload it, redo your change and save again")


@dataclass(frozen=True)
class StoredScenario:
    """A scenario as stored: the scenario, its what-ifs and its version; ``digest`` (SHA-256 of its
    stored text) with ``id``, ``version`` and ``updated_at`` tells one stored state from any other."""

    id: str
    version: int
    scenario: Scenario
    whatifs: list[WhatIf]
    updated_at: datetime
    updated_by: str
    digest: str = ""

    @property
    def key(self) -> tuple[str, int, str, datetime]:
        """What identifies this stored state: anything computed from it alone may be kept under this key."""
        return self.id, self.version, self.digest, self.updated_at


@dataclass(frozen=True)
class Revision:
    """One saved version: who saved it, when, a summary and the changes made."""

    version: int
    author: str
    at: datetime
    summary: str
    changes: list[str]


class ScenarioStore:
    """Scenarios in a database; open it on a corpus's engine (``ScenarioStore(corpus.engine)``).

    Reading a scenario parses its stored text once: the parsed scenario is kept in a cache keyed by
    the text's digest (so a version saved by another process is read afresh), and listings read
    the summary columns only.
    """

    def __init__(self, engine: Engine, cache_chars: int = CACHE_CHARS):
        self.engine = engine
        self._cache = SizedLRU(cache_chars)  # parsed scenarios by the digest of their text, in characters
        self._whatifs_cache = SizedLRU(cache_chars // 10)
        migrate.upgrade(engine)

    # -- reading ----------------------------------------------------------------------------------

    def list(self) -> list[dict[str, Any]]:
        """Every stored scenario not in the trash: id, title, version, who saved it last and when, its
        numbers of actors and issues and its date, sorted by title."""
        return self._summaries(ScenarioRow.deleted_at.is_(None))

    def get(self, scenario_id: str) -> StoredScenario:
        """A stored scenario (NotFound when there is none, or it is in the trash)."""
        row = self._row(scenario_id, content=False)
        scenario = self._cache.get(row.digest)
        if scenario is None:  # read the text, with the rest of the row as it is now
            row = self._row(scenario_id, content=True)
            scenario = self._cache.put(row.digest, _scenario(row.content, row.id), row.size)
        return StoredScenario(row.id, row.version, scenario, self._read_whatifs(row.whatifs, row.id),
                              _utc(row.updated_at), row.updated_by, row.digest)

    def _read_whatifs(self, text: str, scenario_id: str) -> list[WhatIf]:
        digest = content_digest(text)
        whatifs = self._whatifs_cache.get(digest)
        if whatifs is None:
            whatifs = self._whatifs_cache.put(digest, tuple(_whatifs(text, scenario_id)), len(text))
        return list(whatifs)

    def key(self, scenario_id: str, trashed: bool = False) -> tuple[str, int, str, datetime]:
        """The :attr:`StoredScenario.key` of a stored scenario, without reading its text (NotFound as
        :meth:`get`; with ``trashed``, also of one in the trash)."""
        row = self._row(scenario_id, content=False, trashed=trashed)
        return row.id, row.version, row.digest, _utc(row.updated_at)

    def history(self, scenario_id: str) -> list[Revision]:
        """Every saved version, newest first (also of a scenario in the trash)."""
        self._row(scenario_id, content=False, trashed=True)
        r = RevisionRow
        query = (select(r.version, r.author, r.at, r.summary, r.changes)
                 .where(r.scenario_id == scenario_id).order_by(r.version.desc()))
        with self.engine.connect() as conn:
            return [Revision(row.version, row.author, _utc(row.at), row.summary, list(row.changes or []))
                    for row in conn.execute(query)]

    def _row(self, scenario_id: str, content: bool, trashed: bool = False) -> Any:
        with self.engine.connect() as conn:
            row = conn.execute(_ROW_WITH_CONTENT if content else _ROW, {"id": scenario_id}).first()
        if row is None:
            raise NotFound(f"no scenario {scenario_id!r} in the store; list the stored ones first")
        if row.deleted_at is not None and not trashed:
            raise NotFound(f"scenario {scenario_id!r} is in the trash (moved there by {row.deleted_by} on "
                           f"{_utc(row.deleted_at):%Y-%m-%d %H:%M} UTC); restore it first "
                           f"(`stakes store restore {scenario_id}`)")
        return row

    def _summaries(self, *where: Any) -> list[dict[str, Any]]:
        s = ScenarioRow
        query = (select(s.id, s.title, s.version, s.updated_at, s.updated_by, s.actor_count, s.issue_count,
                        s.as_of, s.size, s.deleted_at, s.deleted_by).where(*where).order_by(s.title, s.id))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [{"id": row.id, "title": row.title, "version": row.version, "updated_at": _utc(row.updated_at),
                 "updated_by": row.updated_by, "actors": row.actor_count, "issues": row.issue_count,
                 "as_of": row.as_of, "size": row.size,
                 **({"deleted_at": _utc(row.deleted_at), "deleted_by": row.deleted_by}
                    if row.deleted_at is not None else {})} for row in rows]

    # -- writing ----------------------------------------------------------------------------------

    def create(self, scenario: Scenario, author: str, scenario_id: str | None = None,
               whatifs: list[WhatIf] | None = None, summary: str = "created") -> StoredScenario:
        """Store a new scenario at version 1; without an id, one is made from the title that no other
        scenario has (also when others are created at the same moment)."""
        if scenario_id is not None and not re.fullmatch(ID_PATTERN, scenario_id):
            raise StakesError(f"{scenario_id!r} is not a usable scenario id; use letters, digits, '_' "
                              "and '-' (at most 100), starting with a letter or digit")
        whatifs = whatifs or []
        content, stored_as = _checked(scenario)
        listed = _dump_whatifs(whatifs)
        columns = summary_columns(stored_as, content)
        for attempt in range(ID_ATTEMPTS):
            chosen = scenario_id or self._free_id(scenario.title, attempt)
            now = datetime.now(UTC)
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(ScenarioRow).values(
                        id=chosen, version=1, content=content, whatifs=listed, created_at=now, updated_at=now,
                        updated_by=author, **columns))
                    conn.execute(insert(RevisionRow).values(
                        scenario_id=chosen, version=1, author=author, at=now, summary=summary, changes=[],
                        content=content, whatifs=listed))
            except IntegrityError:
                if scenario_id is None:
                    continue  # another writer took the id chosen: choose again
                self._refuse_taken(scenario_id)
            self._cache.put(columns["digest"], stored_as, len(content))
            return StoredScenario(chosen, 1, stored_as, whatifs, now, author, columns["digest"])
        raise CorpusError(f"no free id for {scenario.title!r} after {ID_ATTEMPTS} tries; give one with `id`")

    def _free_id(self, title: str, attempt: int) -> str:
        """An id made from ``title`` that no stored scenario has; after a few lost races, a random suffix."""
        base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "scenario"
        if attempt >= 3:
            return f"{base}-{secrets.token_hex(4)}"
        with self.engine.connect() as conn:
            taken = set(conn.execute(select(ScenarioRow.id).where(ScenarioRow.id.startswith(base, autoescape=True)))
                        .scalars())
        candidate, k = base, 2
        while candidate in taken:
            candidate, k = f"{base}-{k}", k + 1
        return candidate

    def _refuse_taken(self, scenario_id: str) -> None:
        if self._row(scenario_id, content=False, trashed=True).deleted_at is not None:
            raise AlreadyExists(f"a scenario {scenario_id!r} is in the trash; restore it, or empty the trash "
                                "first, or choose another id")
        raise AlreadyExists(f"a scenario {scenario_id!r} is already stored; choose another id")

    def save(self, scenario_id: str, expected_version: int, author: str, scenario: Scenario | None = None,
             whatifs: list[WhatIf] | None = None, summary: str | None = None,
             current: StoredScenario | None = None) -> StoredScenario:
        """Save a new version (the scenario, its what-ifs or both) if the stored one is ``expected_version``;
        ``current`` is the stored scenario the change was made on, when the caller has read it (the write
        itself still fails if another was saved since)."""
        if current is None or current.id != scenario_id or current.version != expected_version:
            current = self.get(scenario_id)
        if current.version != expected_version:
            raise VersionConflict(scenario_id, expected_version, current.version, current.updated_by)
        scenario = current.scenario if scenario is None else scenario
        whatifs = current.whatifs if whatifs is None else whatifs
        changes = _changes(current, scenario, whatifs)
        summary = summary or ("; ".join(changes[:3]) + (f" and {len(changes) - 3} more" if len(changes) > 3 else "")
                              if changes else "no change")
        return self._write(current, scenario, whatifs, author, summary, changes)

    def undo(self, scenario_id: str, expected_version: int, author: str) -> StoredScenario:
        """Undo the latest change: the state of the version before it, saved as a new version."""
        current = self.get(scenario_id)
        if current.version != expected_version:
            raise VersionConflict(scenario_id, expected_version, current.version, current.updated_by)
        r = RevisionRow
        with self.engine.connect() as conn:
            previous = conn.execute(select(r.content, r.whatifs).where(
                r.scenario_id == scenario_id, r.version == current.version - 1)).first()
        if previous is None:
            raise StakesError(f"scenario {scenario_id!r} is at its first version; there is nothing to undo")
        scenario, whatifs = _scenario(previous.content, scenario_id), _whatifs(previous.whatifs, scenario_id)
        changes = _changes(current, scenario, whatifs)
        return self._write(current, scenario, whatifs, author, f"undo version {current.version}", changes)

    def delete(self, scenario_id: str, expected_version: int, author: str = BUNDLED_AUTHOR) -> None:
        """Move a scenario to the trash, if the stored one is ``expected_version``; its history stays
        until the trash is emptied (:meth:`restore` brings it back)."""
        with self.engine.begin() as conn:
            moved = conn.execute(update(ScenarioRow).where(
                ScenarioRow.id == scenario_id, ScenarioRow.version == expected_version,
                ScenarioRow.deleted_at.is_(None)).values(deleted_at=datetime.now(UTC), deleted_by=author)).rowcount
        if not moved:
            current = self.get(scenario_id)  # NotFound when it is not there, or already in the trash
            raise VersionConflict(scenario_id, expected_version, current.version, current.updated_by)

    def trash(self) -> list[dict[str, Any]]:
        """The scenarios in the trash, as :meth:`list` shows them, with who moved each there and when."""
        return self._summaries(ScenarioRow.deleted_at.is_not(None))

    def restore(self, scenario_id: str) -> StoredScenario:
        """Take a scenario out of the trash, as it was (same version and history)."""
        with self.engine.begin() as conn:
            restored = conn.execute(update(ScenarioRow).where(
                ScenarioRow.id == scenario_id, ScenarioRow.deleted_at.is_not(None)).values(
                deleted_at=None, deleted_by=None)).rowcount
        if not restored:
            self.get(scenario_id)  # NotFound when there is no such scenario
            raise StakesError(f"scenario {scenario_id!r} is not in the trash; there is nothing to restore")
        return self.get(scenario_id)

    def empty_trash(self, scenario_ids: list[str] | None = None) -> list[str]:
        """Delete the scenarios in the trash (all, or those of ``scenario_ids``) with their history, for
        good; returns the ids deleted."""
        s = ScenarioRow
        with self.engine.begin() as conn:
            query = select(s.id).where(s.deleted_at.is_not(None))
            if scenario_ids is not None:
                query = query.where(s.id.in_(scenario_ids))
            gone = sorted(conn.execute(query).scalars())
            if scenario_ids is not None and set(scenario_ids) - set(gone):
                missing = ", ".join(sorted(set(scenario_ids) - set(gone)))
                raise NotFound(f"not in the trash: {missing}; list the trash first")
            for chunk in (gone[i:i + 500] for i in range(0, len(gone), 500)):
                conn.execute(delete(RevisionRow).where(RevisionRow.scenario_id.in_(chunk)))
                conn.execute(delete(SourceArticleRow).where(SourceArticleRow.scenario_id.in_(chunk)))
                conn.execute(delete(s).where(s.id.in_(chunk), s.deleted_at.is_not(None)))
        return gone

    def seed_bundled(self) -> list[str]:
        """Store the bundled scenarios (with their what-ifs) in a store that holds no scenario yet, so
        a new team starts with examples and a deleted example stays deleted; returns the ids added."""
        with self.engine.connect() as conn:
            if conn.execute(select(func.count()).select_from(ScenarioRow)).scalar_one():
                return []
        added = []
        for name in sorted(io.bundled_scenarios()):
            try:
                self.create(io.load(name), BUNDLED_AUTHOR, name, bundled_whatifs(name), "bundled with stakes")
            except AlreadyExists:  # another server seeded it at the same moment
                continue
            added.append(name)
        return added

    def _write(self, current: StoredScenario, scenario: Scenario, whatifs: list[WhatIf], author: str,
               summary: str, changes: list[str]) -> StoredScenario:
        now, version = datetime.now(UTC), current.version + 1
        content, stored_as = _checked(scenario)
        listed = _dump_whatifs(whatifs)
        with self.engine.begin() as conn:
            done = conn.execute(update(ScenarioRow).where(
                ScenarioRow.id == current.id, ScenarioRow.version == current.version,
                ScenarioRow.deleted_at.is_(None)).values(
                version=version, content=content, whatifs=listed, updated_at=now, updated_by=author,
                **summary_columns(stored_as, content))).rowcount
            if done:
                conn.execute(insert(RevisionRow).values(
                    scenario_id=current.id, version=version, author=author, at=now, summary=summary,
                    changes=changes, content=content, whatifs=listed))
        if not done:  # someone saved between reading the current version and this update
            latest = self.get(current.id)
            raise VersionConflict(current.id, current.version, latest.version, latest.updated_by)
        digest = content_digest(content)
        self._cache.put(digest, stored_as, len(content))
        return StoredScenario(current.id, version, stored_as, whatifs, now, author, digest)

    # -- articles behind sources ------------------------------------------------------------------

    def link_article(self, scenario_id: str, source_id: str, article_id: str) -> None:
        """Record that ``source_id`` of a scenario is the stored article ``article_id``."""
        source_of(self.get(scenario_id).scenario, scenario_id, source_id)
        with self.engine.begin() as conn:
            conn.execute(delete(SourceArticleRow).where(SourceArticleRow.scenario_id == scenario_id,
                                                        SourceArticleRow.source_id == source_id))
            conn.execute(insert(SourceArticleRow).values(scenario_id=scenario_id, source_id=source_id,
                                                         article_id=article_id))

    def linked_articles(self, scenario_id: str) -> dict[str, str]:
        """Source id → stored article id, for the sources linked to an article."""
        s = SourceArticleRow
        with self.engine.connect() as conn:
            rows = conn.execute(select(s.source_id, s.article_id).where(s.scenario_id == scenario_id))
            return {row.source_id: row.article_id for row in rows}

    # -- tokens -----------------------------------------------------------------------------------

    def create_token(self, name: str, expires: timedelta | None = None) -> str:
        """A new API token for ``name`` (replacing any it had), valid for ``expires`` (None: until
        revoked); only its digest is stored."""
        if not re.fullmatch(TOKEN_NAME, name):
            raise StakesError(f"{name!r} is not a usable token name; use letters, digits, '.', '@', '_' "
                              "or '-' (at most 100)")
        if expires is not None and expires <= timedelta(0):
            raise StakesError(f"a token must live a while; fix: give a positive duration such as 30d, not {expires}")
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(delete(TokenRow).where(TokenRow.name == name))
            conn.execute(insert(TokenRow).values(name=name, digest=token_digest(token), created_at=now,
                                                 expires_at=None if expires is None else now + expires))
        return token

    def token_holder(self, token: str) -> str | None:
        """The name a token was created for, or None for an unknown or expired token."""
        t = TokenRow
        with self.engine.connect() as conn:
            row = conn.execute(select(t.name, t.expires_at).where(t.digest == token_digest(token))).first()
        if row is None or (row.expires_at is not None and _utc(row.expires_at) <= datetime.now(UTC)):
            return None
        return row.name

    def tokens(self) -> list[dict[str, Any]]:
        """Every token's name, when it was created, when it expires (None: never) and whether it has."""
        t = TokenRow
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.name, t.created_at, t.expires_at).order_by(t.name)).all()
        return [{"name": row.name, "created_at": _utc(row.created_at),
                 "expires_at": None if row.expires_at is None else _utc(row.expires_at),
                 "expired": row.expires_at is not None and _utc(row.expires_at) <= now} for row in rows]

    def revoke_token(self, name: str) -> None:
        """Delete the token of ``name``: requests carrying it are refused from now on."""
        with self.engine.begin() as conn:
            gone = conn.execute(delete(TokenRow).where(TokenRow.name == name)).rowcount
        if not gone:
            known = ", ".join(row["name"] for row in self.tokens()) or "none"
            raise NotFound(f"no token named {name!r} (tokens: {known})")

    def token_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(TokenRow)).scalar_one()


def source_of(scenario: Scenario, scenario_id: str, source_id: str) -> Source:
    """One source of a stored scenario (NotFound naming the scenario's sources when it has no such one)."""
    found = next((source for source in scenario.sources if source.id == source_id), None)
    if found is None:
        known = ", ".join(source.id for source in scenario.sources) or "none"
        raise NotFound(f"scenario {scenario_id!r} has no source {source_id!r} (sources: {known})")
    return found


def _changes(current: StoredScenario, scenario: Scenario, whatifs: list[WhatIf]) -> list[str]:
    """What a new version changes: the scenario's differences, and whether the what-ifs changed."""
    changes = diff(current.scenario, scenario)
    if whatifs_to_data(whatifs) != whatifs_to_data(current.whatifs):
        changes.append("what-ifs changed")
    return changes


def summary_columns(scenario: Scenario, content: str) -> dict[str, Any]:
    """The summary columns of a scenario stored as ``content`` (its canonical text)."""
    return {"title": scenario.title, "actor_count": len(scenario.actors), "issue_count": len(scenario.issues),
            "as_of": scenario.as_of, "size": len(content), "digest": content_digest(content)}


def content_digest(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _checked(scenario: Scenario) -> tuple[str, Scenario]:
    """The scenario's canonical text and the scenario it stands for, validated (a ScenarioError when
    it is not: objects built in code are not validated until here).

    The text is the YAML dump of the scenario's canonical data, which reads back as that data (the
    round-trip tests check it), so the data is validated instead of the text being parsed again."""
    origin = f"scenario {scenario.title!r}"
    return io.dumps(scenario), schema.from_data(schema.to_data(scenario), None, file=origin)


def _scenario(content: str, scenario_id: str) -> Scenario:
    try:
        return io.loads(content, file=f"stored scenario {scenario_id}")
    except StakesError as exc:  # stored text that no longer validates, e.g. after a schema change
        raise CorpusError(f"stored scenario {scenario_id!r} no longer reads: {exc}") from None


def _whatifs(text: str, scenario_id: str) -> list[WhatIf]:
    data, lines = parse_text(text, file=f"what-ifs of stored scenario {scenario_id}")
    return whatifs_from_data(data, lines, f"what-ifs of stored scenario {scenario_id}") if data else []


def _dump_whatifs(whatifs: list[WhatIf]) -> str:
    return yaml.dump(whatifs_to_data(whatifs), Dumper=io.DUMPER, sort_keys=False, allow_unicode=True)


def _utc(stamp: datetime) -> datetime:
    """SQLite returns stored timestamps without their zone; they were written in UTC."""
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


_ROW_WITH_CONTENT = select(ScenarioRow.__table__).where(ScenarioRow.id == bindparam("id"))
_ROW = select(*(c for c in ScenarioRow.__table__.columns if c.name != "content")).where(
    ScenarioRow.id == bindparam("id"))
"""A scenario's row with and without its text; built once, as every read runs one of them."""

__all__ = ["AlreadyExists", "NotFound", "Revision", "ScenarioStore", "StoredScenario", "VersionConflict"]
