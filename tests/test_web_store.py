"""The scenario store behind the web app: versions, history, undo, conflicts, tokens, evidence spans."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select, text

import stakes
from stakes.corpus import Corpus
from stakes.corpus.scenarios import (
    AlreadyExists,
    NotFound,
    ScenarioStore,
    VersionConflict,
    token_digest,
)
from stakes.corpus.schema import RevisionRow, ScenarioRow, TokenRow
from stakes.errors import ScenarioError, StakesError
from stakes.scenario.diff import diff
from stakes.scenario.evidence import locate, numbers, paragraphs
from stakes.scenario.model import Actor, Decision, Estimate, Observation, Stance
from stakes.whatif import whatif_from_changes
from tests.conftest import empty_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """A fresh, empty database on each backend (PostgreSQL only when $STAKES_TEST_POSTGRES is set)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return empty_postgres()  # scenarios, revisions and tokens of an earlier run go too


@pytest.fixture
def corpus(store_url):
    with Corpus.open(store_url) as opened:
        yield opened


@pytest.fixture
def store(corpus) -> ScenarioStore:
    return ScenarioStore(corpus.engine)


@pytest.fixture
def sqlite_store(tmp_path) -> ScenarioStore:
    """A store on SQLite only, for the tests that do not depend on the database."""
    corpus = Corpus.open(tmp_path / "store.sqlite")
    yield ScenarioStore(corpus.engine)
    corpus.close()


def rafah() -> stakes.Scenario:
    return stakes.load("rafah-2024")


def with_change(scenario: stakes.Scenario, *changes: str) -> stakes.Scenario:
    return whatif_from_changes(list(changes), id="edit").apply(scenario)


def moved_position(scenario: stakes.Scenario, actor_id: str, issue: str, value: float) -> stakes.Scenario:
    """The scenario with one position changed and everything else (range, basis) kept."""
    actors = []
    for actor in scenario.actors:
        if actor.id == actor_id:
            stance = actor.stances[issue]
            stances = {**actor.stances, issue: replace(stance, position=replace(stance.position, value=value))}
            actor = replace(actor, stances=stances)
        actors.append(actor)
    return replace(scenario, actors=tuple(actors))


def rows(store: ScenarioStore, scenario_id: str) -> tuple[tuple, list[tuple]]:
    """The stored row and every revision row of a scenario, to check that nothing was written."""
    with store.engine.connect() as conn:
        row = conn.execute(select(ScenarioRow.version, ScenarioRow.content, ScenarioRow.whatifs,
                                  ScenarioRow.updated_by).where(ScenarioRow.id == scenario_id)).one()
        revisions = conn.execute(select(RevisionRow.version, RevisionRow.author, RevisionRow.content)
                                 .where(RevisionRow.scenario_id == scenario_id)
                                 .order_by(RevisionRow.version)).all()
    return tuple(row), [tuple(r) for r in revisions]


# -- create, get, list ----------------------------------------------------------------------------


def test_create_get_and_list_a_scenario(store):
    created = store.create(rafah(), "alice", "rafah")
    assert (created.id, created.version, created.updated_by) == ("rafah", 1, "alice")
    assert created.updated_at.tzinfo is not None
    got = store.get("rafah")
    assert got.scenario == rafah() and got.whatifs == []
    [listed] = store.list()
    assert listed["id"] == "rafah" and listed["version"] == 1 and listed["updated_by"] == "alice"
    assert (listed["actors"], listed["issues"], str(listed["as_of"])) == (12, 3, "2024-03-28")
    [revision] = store.history("rafah")
    assert (revision.version, revision.author, revision.changes) == (1, "alice", [])


def test_create_without_an_id_makes_one_from_the_title_and_never_reuses_it(sqlite_store):
    blank = stakes.load("eu-emissions")
    first = sqlite_store.create(replace(blank, title="Harbour fees: 2025 talks!"), "alice")
    second = sqlite_store.create(replace(blank, title="Harbour fees: 2025 talks!"), "alice")
    assert first.id == "harbour-fees-2025-talks" and second.id == "harbour-fees-2025-talks-2"


def test_create_refuses_a_taken_id_and_a_bad_one(sqlite_store):
    sqlite_store.create(rafah(), "alice", "rafah")
    with pytest.raises(AlreadyExists, match="already stored"):
        sqlite_store.create(rafah(), "bob", "rafah")
    for bad in ("../etc", "a b", "-dash", "x" * 101, ""):
        with pytest.raises(StakesError, match="not a usable scenario id"):
            sqlite_store.create(rafah(), "bob", bad)
    assert [row["id"] for row in sqlite_store.list()] == ["rafah"]
    assert sqlite_store.get("rafah").updated_by == "alice"


def test_list_is_sorted_by_title(sqlite_store):
    sqlite_store.create(replace(rafah(), title="Zebra"), "a", "z")
    sqlite_store.create(replace(rafah(), title="Aardvark"), "a", "a2")
    assert [row["title"] for row in sqlite_store.list()] == ["Aardvark", "Zebra"]


def test_a_missing_scenario_is_not_found(sqlite_store):
    with pytest.raises(NotFound):
        sqlite_store.get("nope")
    with pytest.raises(NotFound):
        sqlite_store.history("nope")
    with pytest.raises(NotFound):
        sqlite_store.save("nope", 1, "alice", rafah())


# -- save, conflicts, undo, delete --------------------------------------------------------------


def test_save_bumps_the_version_and_records_what_changed(store):
    store.create(rafah(), "alice", "rafah")
    saved = store.save("rafah", 1, "bob", moved_position(rafah(), "netanyahu", "rafah_operation", 80))
    assert (saved.version, saved.updated_by) == (2, "bob")
    assert saved.scenario.actor("netanyahu").stances["rafah_operation"].position.value == 80
    latest, first = store.history("rafah")
    assert (latest.version, latest.author, first.version) == (2, "bob", 1)
    assert latest.changes == ["netanyahu.rafah_operation.position: 85 → 80"]
    assert latest.summary == "netanyahu.rafah_operation.position: 85 → 80"
    assert latest.at >= first.at


def test_save_with_a_summary_and_with_only_what_ifs(store):
    store.create(rafah(), "alice", "rafah")
    whatif = whatif_from_changes(["drop far_right"], id="quit", title="Far right quits")
    saved = store.save("rafah", 1, "bob", whatifs=[whatif], summary="a what-if")
    assert saved.scenario == rafah() and [w.id for w in saved.whatifs] == ["quit"]
    [latest, _] = store.history("rafah")
    assert latest.summary == "a what-if" and latest.changes == ["what-ifs changed"]
    again = store.save("rafah", 2, "bob", rafah())
    assert again.version == 3 and store.history("rafah")[0].summary == "no change"


def test_a_long_change_list_is_summarised_with_a_count(sqlite_store):
    sqlite_store.create(rafah(), "alice", "rafah")
    changed = with_change(rafah(), "netanyahu.capability = 10", "gantz.capability = 10", "gallant.capability = 10",
                          "hamas.capability = 10", "egypt.capability = 10")
    sqlite_store.save("rafah", 1, "bob", changed)
    latest = sqlite_store.history("rafah")[0]
    assert len(latest.changes) >= 5
    assert latest.summary.endswith(f"and {len(latest.changes) - 3} more")


def test_save_on_a_stale_version_names_who_saved_and_writes_nothing(store):
    store.create(rafah(), "alice", "rafah")
    store.save("rafah", 1, "bob", moved_position(rafah(), "netanyahu", "rafah_operation", 80))
    before = rows(store, "rafah")
    with pytest.raises(VersionConflict) as caught:
        store.save("rafah", 1, "carol", moved_position(rafah(), "netanyahu", "rafah_operation", 10))
    conflict = caught.value
    assert (conflict.expected, conflict.current, conflict.updated_by) == (1, 2, "bob")
    assert "version 2" in str(conflict) and "bob" in str(conflict)
    assert rows(store, "rafah") == before
    assert store.get("rafah").scenario.actor("netanyahu").stances["rafah_operation"].position.value == 80


def test_an_invalid_scenario_is_refused_and_the_stored_version_kept(store):
    store.create(rafah(), "alice", "rafah")
    before = rows(store, "rafah")
    netanyahu = rafah().actor("netanyahu")
    stance = netanyahu.stances["rafah_operation"]
    broken_stance = replace(stance, salience=Estimate(1.5))  # replace() skips the model's own checks
    broken_actor = replace(netanyahu, stances={**netanyahu.stances, "rafah_operation": broken_stance})
    broken = replace(rafah(), actors=(broken_actor, *rafah().actors[1:]))
    with pytest.raises(ScenarioError) as caught:
        store.save("rafah", 1, "bob", broken)
    assert any("salience" in p.field for p in caught.value.problems)
    assert rows(store, "rafah") == before
    with pytest.raises(ScenarioError):
        store.create(broken, "bob", "broken")
    assert [row["id"] for row in store.list()] == ["rafah"]


def test_undo_restores_the_previous_version_as_a_new_one_and_can_be_undone(store):
    store.create(rafah(), "alice", "rafah")
    moved = moved_position(rafah(), "netanyahu", "rafah_operation", 80)
    store.save("rafah", 1, "bob", moved)
    undone = store.undo("rafah", 2, "carol")
    assert (undone.version, undone.updated_by) == (3, "carol")
    assert undone.scenario == rafah()
    latest = store.history("rafah")[0]
    assert latest.summary == "undo version 2"
    assert latest.changes == ["netanyahu.rafah_operation.position: 80 → 85"]
    redone = store.undo("rafah", 3, "carol")
    assert redone.version == 4 and redone.scenario == moved
    assert [r.version for r in store.history("rafah")] == [4, 3, 2, 1]


def test_undo_restores_what_ifs_too(sqlite_store):
    sqlite_store.create(rafah(), "alice", "rafah")
    sqlite_store.save("rafah", 1, "bob", whatifs=[whatif_from_changes(["drop far_right"], id="quit")])
    undone = sqlite_store.undo("rafah", 2, "bob")
    assert undone.whatifs == [] and undone.scenario == rafah()
    assert sqlite_store.history("rafah")[0].changes == ["what-ifs changed"]


def test_undo_refuses_a_stale_version_and_the_first_version(sqlite_store):
    sqlite_store.create(rafah(), "alice", "rafah")
    with pytest.raises(StakesError, match="nothing to undo"):
        sqlite_store.undo("rafah", 1, "bob")
    sqlite_store.save("rafah", 1, "bob", moved_position(rafah(), "netanyahu", "rafah_operation", 80))
    before = rows(sqlite_store, "rafah")
    with pytest.raises(VersionConflict):
        sqlite_store.undo("rafah", 1, "carol")
    assert rows(sqlite_store, "rafah") == before


def test_delete_with_a_stale_version_refuses_and_keeps_the_history(store):
    store.create(rafah(), "alice", "rafah")
    store.save("rafah", 1, "bob", moved_position(rafah(), "netanyahu", "rafah_operation", 80))
    before = rows(store, "rafah")
    with pytest.raises(VersionConflict) as caught:
        store.delete("rafah", 1)
    assert caught.value.current == 2 and caught.value.updated_by == "bob"
    assert rows(store, "rafah") == before
    store.delete("rafah", 2, "carol")
    assert store.list() == []
    with pytest.raises(NotFound, match="in the trash"):
        store.get("rafah")
    with pytest.raises(NotFound):
        store.delete("rafah", 2)
    assert [r.version for r in store.history("rafah")] == [2, 1]  # kept in the trash
    with pytest.raises(AlreadyExists, match="in the trash"):
        store.create(rafah(), "alice", "rafah")
    assert store.empty_trash() == ["rafah"]
    with store.engine.connect() as conn:
        assert conn.execute(select(RevisionRow.id).where(RevisionRow.scenario_id == "rafah")).all() == []
    assert store.create(rafah(), "alice", "rafah").version == 1  # the id can be used again


def test_a_deleted_scenario_waits_in_the_trash_and_comes_back_whole(store):
    store.create(rafah(), "alice", "rafah")
    store.save("rafah", 1, "bob", moved_position(rafah(), "netanyahu", "rafah_operation", 80))
    store.create(stakes.load("eu-emissions"), "alice", "eu")
    store.delete("rafah", 2, "carol")
    [trashed] = store.trash()
    assert (trashed["id"], trashed["version"], trashed["deleted_by"]) == ("rafah", 2, "carol")
    assert [row["id"] for row in store.list()] == ["eu"]
    restored = store.restore("rafah")
    assert restored.version == 2 and restored.scenario.actor("netanyahu").stances["rafah_operation"].position.value == 80
    assert store.trash() == [] and len(store.history("rafah")) == 2
    with pytest.raises(StakesError, match="not in the trash"):
        store.restore("rafah")
    store.delete("rafah", 2, "carol")
    store.delete("eu", 1, "carol")
    with pytest.raises(NotFound, match="not in the trash: nope"):
        store.empty_trash(["eu", "nope"])
    assert store.empty_trash(["eu"]) == ["eu"] and [row["id"] for row in store.trash()] == ["rafah"]


def test_an_unchanged_scenario_is_parsed_once_however_often_it_is_read(store, monkeypatch):
    from stakes.scenario import io

    store.create(rafah(), "alice", "rafah")
    store.create(stakes.load("eu-emissions"), "alice", "eu")
    reader = ScenarioStore(store.engine)  # a second process, say: nothing read yet
    parses = []
    real = io.loads
    monkeypatch.setattr(io, "loads", lambda *a, **k: parses.append(1) or real(*a, **k))
    for _ in range(3):
        assert {row["id"]: row["actors"] for row in reader.list()} == {"rafah": 12, "eu": 10}
    assert parses == []
    for _ in range(3):
        assert reader.get("rafah").scenario == rafah()
    assert len(parses) == 1
    store.save("rafah", 1, "bob", moved_position(rafah(), "netanyahu", "rafah_operation", 80))
    assert reader.get("rafah").version == 2 and len(parses) == 2  # the new version read afresh
    reader.get("rafah")
    assert len(parses) == 2


def test_the_parse_cache_keeps_at_most_its_size():
    from stakes.lru import SizedLRU

    cache = SizedLRU(100)
    cache.put("a", rafah(), 60)
    cache.put("b", rafah(), 30)
    assert cache.get("a") is not None
    cache.put("c", rafah(), 30)  # 120 > 100: the least recently used (b) goes
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    cache.put("huge", rafah(), 101)
    assert cache.get("huge") is None


def test_ids_the_store_chooses_are_unique_when_many_create_at_once(store):
    results, failures = [], []

    def create():
        try:
            results.append(store.create(stakes.load("eu-emissions"), "alice").id)
        except Exception as exc:  # noqa: BLE001 - every failure is reported by the assertion below
            failures.append(repr(exc))

    threads = [threading.Thread(target=create) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and len(results) == 40 and len(set(results)) == 40


def test_seed_bundled_is_idempotent(store):
    added = store.seed_bundled()
    assert sorted(added) == sorted(stakes.bundled_scenarios())
    assert store.seed_bundled() == []
    assert {row["id"]: row["version"] for row in store.list()} == {name: 1 for name in added}
    seeded = store.get("rafah-2024")
    assert seeded.updated_by == "stakes" and seeded.whatifs  # the bundled what-ifs came along
    store.save("rafah-2024", 1, "alice", moved_position(rafah(), "netanyahu", "rafah_operation", 80))
    assert store.seed_bundled() == [] and store.get("rafah-2024").version == 2


# -- two writers --------------------------------------------------------------------------------


def _race(url: str, scenario_id: str, values: list[float], barrier: threading.Barrier):
    """Each thread opens its own store (like two servers), reads the same version and saves."""
    outcomes: list[object] = []

    def writer(value: float) -> None:
        with Corpus.open(url) as corpus:
            store = ScenarioStore(corpus.engine)
            read = store.get(scenario_id)
            barrier.wait(timeout=30)
            try:
                saved = store.save(scenario_id, read.version, f"writer-{value:g}",
                                   moved_position(read.scenario, "netanyahu", "rafah_operation", value))
                outcomes.append(saved)
            except BaseException as exc:  # noqa: BLE001 - reported to the main thread
                outcomes.append(exc)

    threads = [threading.Thread(target=writer, args=(v,)) for v in values]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def _exactly_one_won(url: str, outcomes: list[object]) -> None:
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], VersionConflict), repr(lost[0])
    assert lost[0].current == 2 and lost[0].updated_by == won[0].updated_by
    with Corpus.open(url) as corpus:
        store = ScenarioStore(corpus.engine)
        assert store.get("rafah").version == 2
        assert [r.author for r in store.history("rafah")] == [won[0].updated_by, "alice"]
        position = store.get("rafah").scenario.actor("netanyahu").stances["rafah_operation"].position
        assert f"writer-{position.value:g}" == won[0].updated_by


def test_two_writers_on_the_same_version_one_wins_the_other_conflicts(store, store_url):
    store.create(rafah(), "alice", "rafah")
    outcomes = _race(store_url, "rafah", [80, 90], threading.Barrier(2))
    _exactly_one_won(store_url, outcomes)


def test_two_writers_past_the_version_check_still_cannot_both_write(store, store_url, monkeypatch):
    """Both writers pass the version check before either updates: the guarded UPDATE stops the second."""
    import stakes.corpus.scenarios as module

    store.create(rafah(), "alice", "rafah")
    barrier = threading.Barrier(2)
    real_diff = module.diff

    def diff_then_wait(old, new):
        lines = real_diff(old, new)
        barrier.wait(timeout=30)  # both have read version 1 and checked it
        return lines

    monkeypatch.setattr(module, "diff", diff_then_wait)
    outcomes = _race(store_url, "rafah", [80, 90], threading.Barrier(2))
    _exactly_one_won(store_url, outcomes)


# -- tokens -------------------------------------------------------------------------------------


def test_tokens_are_stored_as_digests_only(store):
    token = store.create_token("alice")
    assert len(token) >= 32 and store.token_holder(token) == "alice"
    with store.engine.connect() as conn:
        stored = [tuple(str(v) for v in row) for row in conn.execute(text("SELECT * FROM api_tokens"))]
        digest = conn.execute(select(TokenRow.digest).where(TokenRow.name == "alice")).scalar_one()
    assert len(stored) == 1 and not any(token in value for value in stored[0])
    assert digest == token_digest(token) and len(digest) == 64
    assert store.token_holder(token + "x") is None and store.token_holder("") is None


def test_a_new_token_for_the_same_name_replaces_the_old(store):
    old = store.create_token("alice")
    bob = store.create_token("bob")
    new = store.create_token("alice")
    assert new != old
    assert store.token_holder(old) is None
    assert store.token_holder(new) == "alice" and store.token_holder(bob) == "bob"
    assert store.token_count() == 2


def test_tokens_are_listed_expire_and_can_be_revoked(store):
    from datetime import timedelta

    forever = store.create_token("alice")
    brief = store.create_token("bob", expires=timedelta(days=30))
    listed = {row["name"]: row for row in store.tokens()}
    assert listed["alice"]["expires_at"] is None and not listed["bob"]["expired"]
    assert timedelta(days=29) < listed["bob"]["expires_at"] - listed["bob"]["created_at"] <= timedelta(days=30)
    assert store.token_holder(brief) == "bob"
    with store.engine.begin() as conn:  # a month later
        conn.execute(TokenRow.__table__.update().where(TokenRow.name == "bob").values(
            expires_at=listed["bob"]["created_at"] - timedelta(seconds=1)))
    assert store.token_holder(brief) is None and {r["name"]: r["expired"] for r in store.tokens()}["bob"]
    store.revoke_token("alice")
    assert store.token_holder(forever) is None
    with pytest.raises(NotFound, match="no token named 'alice' \\(tokens: bob\\)"):
        store.revoke_token("alice")
    with pytest.raises(StakesError, match="positive duration"):
        store.create_token("carol", expires=timedelta(0))


def test_a_token_name_must_be_plain(sqlite_store):
    for bad in ("", "a b", "<script>", "x" * 101):
        with pytest.raises(StakesError, match="not a usable token name"):
            sqlite_store.create_token(bad)
    assert sqlite_store.token_count() == 0


# -- article links ------------------------------------------------------------------------------


def test_link_article_needs_a_known_source_and_replaces_the_old_link(sqlite_store):
    from stakes.reading.article import Article

    corpus = Corpus(sqlite_store.engine)
    sqlite_store.create(rafah(), "alice", "rafah")
    one, two = Article("One. Two.", title="a"), Article("Three. Four.", title="b")
    corpus.store(one)
    corpus.store(two)
    with pytest.raises(NotFound, match="no source 'nope'"):
        sqlite_store.link_article("rafah", "nope", one.id)
    sqlite_store.link_article("rafah", "ref", one.id)
    sqlite_store.link_article("rafah", "ref", two.id)
    assert sqlite_store.linked_articles("rafah") == {"ref": two.id}
    assert sqlite_store.linked_articles("other") == {}


# -- diff ---------------------------------------------------------------------------------------


def test_diff_of_equal_scenarios_is_empty():
    assert diff(rafah(), rafah()) == []


def test_diff_names_added_and_removed_actors():
    base = rafah()
    dropped = with_change(base, "drop far_right")
    assert "removed actor far_right" in diff(base, dropped)
    assert "added actor far_right" in diff(dropped, base)
    ferry = Actor("ferry", "Ferry", "other", Estimate(5.0),
                  {"rafah_operation": Stance(Estimate(10.0), Estimate(0.2))})
    added = replace(base, actors=(*base.actors, ferry))
    assert diff(base, added) == ["added actor ferry"]


def test_diff_names_a_range_change_and_a_made_exact_number():
    base = rafah()
    netanyahu = base.actor("netanyahu")
    wider = replace(netanyahu, capability=replace(netanyahu.capability, low=60.0, high=95.0))
    changed = replace(base, actors=(wider, *base.actors[1:]))
    assert diff(base, changed) == ["netanyahu.capability range: [70, 90] → [60, 95]"]
    exact = replace(netanyahu, capability=replace(netanyahu.capability, low=None, high=None))
    assert diff(base, replace(base, actors=(exact, *base.actors[1:]))) == [
        "netanyahu.capability range: [70, 90] → exact"]


def test_diff_names_decision_rule_and_outcome_changes():
    base = rafah()
    issue = base.issues[1]
    veto = Decision("veto", veto_players=("netanyahu", "hamas"))

    def with_issue(**fields) -> stakes.Scenario:
        return replace(base, issues=(base.issues[0], replace(issue, **fields), *base.issues[2:]))

    ruled = with_issue(decision=veto)
    assert diff(with_issue(decision=None), ruled) == [f"{issue.id}.decision: none → veto"]
    assert diff(ruled, with_issue(decision=replace(veto, agenda_setter="us_admin"))) == [
        f"{issue.id}.decision agenda_setter changed"]
    seen = Observation(70.0, 60.0, 80.0, date(2024, 5, 7))
    assert diff(with_issue(outcomes=()), with_issue(outcomes=(seen,))) == [f"{issue.id}.outcomes: 0 → 1 observed"]
    assert diff(with_issue(outcomes=(seen,)), with_issue(outcomes=(replace(seen, value=75.0),))) == [
        f"{issue.id}.outcomes changed"]


def test_observed_outcomes_are_numbers_with_their_evidence():
    base = rafah()
    seen = Observation(70.0, 60.0, 80.0, date(2024, 5, 7), basis="reported", source="ref", where="paragraph 3")
    issue = replace(base.issues[1], outcomes=(Observation(10.0, None, None, date(2024, 4, 1)), seen))
    found = {n.key: n for n in numbers(replace(base, issues=(base.issues[0], issue, *base.issues[2:])))}
    number = found[f"{issue.id}.outcomes[1]"]
    assert (number.issue, number.actor, number.quantity) == (issue.id, None, "outcome")
    assert number.estimate == Estimate(70.0, 60.0, 80.0, basis="reported", source="ref", where="paragraph 3")
    assert found[f"{issue.id}.outcomes[0]"].estimate.is_exact


def test_diff_names_basis_and_source_changes_and_text_fields():
    base = rafah()
    netanyahu = base.actor("netanyahu")
    rebased = replace(netanyahu, capability=replace(netanyahu.capability, basis="New reading.", where="paragraph 2"))
    changed = replace(base, title="Another title", actors=(rebased, *base.actors[1:]))
    assert diff(base, changed) == ["title changed", "netanyahu.capability basis, where changed"]


def test_diff_names_a_removed_risk_and_a_status_quo_move():
    base = rafah()
    netanyahu = base.actor("netanyahu")
    stance = netanyahu.stances["rafah_operation"]
    no_risk = replace(netanyahu, stances={**netanyahu.stances, "rafah_operation": replace(stance, risk=None)})
    assert diff(base, replace(base, actors=(no_risk, *base.actors[1:]))) == [
        "netanyahu.rafah_operation.risk: 0.4 → none"]
    moved = with_change(base, "rafah_operation.status_quo = 40")
    assert diff(base, moved)[0] == "rafah_operation.status_quo: 35 → 40"


# -- evidence spans -----------------------------------------------------------------------------

ARTICLE = (
    "A headline without punctuation\n"
    "The first paragraph ends here.\n"
    "\n"
    "  The second paragraph is indented.\n"
    "Another heading\n"
    "The third paragraph asks a question?\n"
    "The fourth paragraph quotes someone: \"yes.\"\n"
    "The fifth paragraph.\n"
)


def test_paragraphs_are_body_lines_without_the_headings():
    spans = paragraphs(ARTICLE)
    texts = [ARTICLE[a:b] for a, b in spans]
    assert texts == ["The first paragraph ends here.", "The second paragraph is indented.",
                     "The third paragraph asks a question?", "The fourth paragraph quotes someone: \"yes.\"",
                     "The fifth paragraph."]


def test_locate_a_sentence_by_its_characters():
    assert locate("sentence 3 (chars 31–61)", ARTICLE) == [(31, 61)]
    assert locate("sentence 3 (chars 31-61)", ARTICLE) == [(31, 61)]
    assert locate("sentence 3 (chars 31–9999)", ARTICLE) == []  # past the end of the text
    assert locate("sentence 3 (chars 40–40)", ARTICLE) == []


def test_locate_paragraphs_by_list_and_range():
    spans = paragraphs(ARTICLE)
    assert locate("paragraph 2", ARTICLE) == [spans[1]]
    assert locate("paragraphs 3, 5", ARTICLE) == [spans[2], spans[4]]
    assert locate("paragraphs 2-4", ARTICLE) == spans[1:4]
    assert locate("Paragraphs 2–3 and 5", ARTICLE) == [spans[1], spans[2], spans[4]]


def test_locate_out_of_range_or_unknown_places_gives_nothing():
    assert locate("paragraph 9", ARTICLE) == []
    assert locate("paragraphs 5, 9", ARTICLE) == [paragraphs(ARTICLE)[4]]
    assert locate("paragraph 0", ARTICLE) == []
    assert locate("the whole article", ARTICLE) == []
    assert locate(None, ARTICLE) == [] and locate("", ARTICLE) == []
    assert locate("paragraph 1", "") == []
