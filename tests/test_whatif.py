"""What-ifs: every kind of change, errors that name the what-if and the fix, the bundled set."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import stakes
from stakes.errors import ScenarioError, StakesError
from stakes.uncertainty.sampling import sample_block
from stakes.whatif import (
    WhatIf,
    bundled_whatifs,
    load_whatifs,
    parse_change,
    select_whatifs,
    whatif_from_changes,
    whatifs_path,
)
from tests.uncertain import harbour

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "rafah-2024.txt"


def changed(*changes: str) -> stakes.Scenario:
    return whatif_from_changes(list(changes), id="test").apply(harbour())


def test_parse_every_kind_of_change():
    assert parse_change("council.capability *= 0.5").op == "scale"
    assert parse_change("council.fees.position = 40").value == 40
    minus = parse_change("council.fees.position  -=  5")
    assert (minus.op, minus.value, minus.target, str(minus)) == ("shift", -5, "council.fees.position",
                                                                 "council.fees.position -= 5")
    assert parse_change("fees.status_quo += 2").target == "fees.status_quo"
    assert parse_change("drop port").op == "drop"
    assert parse_change("fix union.fees").target == "union.fees"
    assert parse_change("merge council, port as public_side").members == ("council", "port")
    add = parse_change("add {id: ferry, name: Ferry company, kind: organisation, capability: 5, "
                       "stances: {fees: {position: 10, salience: 0.4}}}")
    assert add.op == "add" and add.actor["name"] == "Ferry company"


def test_set_makes_a_number_exact_and_notes_the_what_if():
    council = changed("council.fees.position = 40").actor("council").stances["fees"].position
    assert council.value == 40 and council.is_exact and council.source is None
    assert "[what-if: council.fees.position = 40]" in council.basis


def test_scale_moves_the_range_along_and_cuts_it_to_the_bounds():
    sc = changed("council.capability *= 0.5", "council.fees.salience *= 1.2")
    council = sc.actor("council")
    assert (council.capability.value, council.capability.low, council.capability.high) == (30, 20, 40)
    salience = council.stances["fees"].salience
    assert salience.value == pytest.approx(0.96) and salience.low == pytest.approx(0.72) and salience.high == 1.0


def test_shift_and_status_quo():
    sc = changed("union.fees.position += 5", "shipping.fees.position -= 5", "fees.status_quo += 10")
    union = sc.actor("union").stances["fees"].position
    assert (union.value, union.low, union.high, union.distribution) == (25, 15, 35, "normal")
    shipping = sc.actor("shipping").stances["fees"].position
    assert (shipping.value, shipping.low, shipping.high) == (0, 0, 10)  # range cut at the scale's end
    assert sc.issue("fees").status_quo.value == 40 and sc.issue("fees").status_quo.high == 50


def test_drop_removes_the_actor():
    sc = changed("drop residents")
    assert "residents" not in [a.id for a in sc.actors]
    assert sc.issue_data("hours").n == 4


def test_fix_marks_the_stance_fixed():
    sc = changed("fix union.fees")
    assert sc.actor("union").stances["fees"].fixed and not sc.actor("union").stances["hours"].fixed
    data = sc.issue_data("fees")
    assert data.fixed.tolist() == [actor == "union" for actor in data.actor_ids]
    every = changed("fix union")
    assert all(s.fixed for s in every.actor("union").stances.values())
    assert stakes.loads(stakes.dumps(every)).actor("union").stances["hours"].fixed  # survives a round trip


def test_a_fixed_actor_stays_put_under_bdm():
    sc = stakes.load("rafah-2024")
    free = stakes.forecast(sc, "bdm").issues["rafah_operation"]
    k = free.actor_ids.index("netanyahu")
    assert np.ptp(free.positions[:, k]) > 1  # he moves when free
    fixed = stakes.forecast(whatif_from_changes(["fix netanyahu.rafah_operation"]).apply(sc), "bdm")
    result = fixed.issues["rafah_operation"]
    assert result.rounds > 0 and np.all(result.positions[:, k] == 85)
    assert np.ptp(result.positions[-1]) > 0


def test_merge_conserves_capability_and_weight():
    base = harbour()
    sc = changed("merge council port as public_side")
    coalition = sc.actor("public_side")
    assert [a.id for a in sc.actors] == ["public_side", "union", "shipping", "residents"]
    assert coalition.capability.value == 110 and (coalition.capability.low, coalition.capability.high) == (80, 140)
    for issue in ("fees", "hours"):
        before, after = base.issue_data(issue), sc.issue_data(issue)
        weight = before.capability * before.salience
        members = [before.actor_ids.index(m) for m in ("council", "port")]
        k = after.actor_ids.index("public_side")
        assert after.capability[k] * after.salience[k] == pytest.approx(weight[members].sum())
        assert after.position[k] == pytest.approx(np.dot(weight[members], before.position[members])
                                                  / weight[members].sum())
        # so the weighted mean of positions, and the mean model's forecast, do not change
        assert stakes.forecast(sc, "mean").outcomes[issue] == pytest.approx(
            stakes.forecast(base, "mean").outcomes[issue])


def test_add_a_new_actor():
    sc = changed("add {id: ferry, name: Ferry company, kind: organisation, capability: 5, "
                 "stances: {fees: {position: 10, salience: 0.4}}}")
    assert sc.actor("ferry").capability.value == 5 and sc.issue_data("fees").n == 5


@pytest.mark.parametrize("change,message", [
    ("drop nobody", "names no actor"),
    ("council.capability *= -1", "outside [0, inf]"),
    ("council.fees.position += 40", "would become 110"),
    ("council.power = 3", "is not a number of the scenario"),
    ("residents.fees.position = 3", "takes no stance on 'fees'"),
    ("council.fees.risk *= 2", "states no risk"),
    ("hours.status_quo += 2", "no status quo"),
    ("merge council port as union", "is the id of another actor"),
    ("fix union.harbour", "takes no stance on 'harbour'"),
    ("add {id: ferry, name: Ferry, kind: boat, capability: 5, stances: {}}", "unknown actor kind"),
])
def test_errors_name_the_what_if_the_change_and_the_fix(change, message):
    with pytest.raises(ScenarioError) as info:
        whatif_from_changes([change], id="trial").apply(harbour())
    text = str(info.value)
    assert text.startswith(f"what-if 'trial', `{parse_change(change)}`") and message in text and "fix:" in text


@pytest.mark.parametrize("text", ["council.capability ** 2", "council.capability *= lots", "remove council",
                                  "merge council as x", "merge a a as b", "add [1, 2]"])
def test_unreadable_changes_say_what_to_write(text):
    with pytest.raises(ScenarioError, match="fix:"):
        parse_change(text)


def test_load_whatifs_from_yaml_with_line_numbers(tmp_path):
    path = tmp_path / "harbour.whatifs.yaml"
    path.write_text("""whatifs:
  - id: cheaper
    title: Cheaper fees
    description: >-
      The council gives way.
    changes:
      - council.fees.position -= 20
      - add: {id: ferry, name: Ferry company, kind: organisation, capability: 5,
              stances: {fees: {position: 10, salience: 0.4}}}
  - id: bad
    changes:
      - drop nobody
""")
    cheaper, bad = load_whatifs(path)
    assert cheaper.title == "Cheaper fees" and cheaper.description == "The council gives way."
    assert [c.op for c in cheaper.changes] == ["shift", "add"] and bad.title == "bad"
    assert cheaper.apply(harbour()).actor("council").stances["fees"].position.value == 50
    with pytest.raises(ScenarioError, match=rf"what-if 'bad', `drop nobody` \({re.escape(str(path))}:12\)"):
        bad.apply(harbour())
    assert bundled_whatifs(tmp_path / "harbour.yaml") == load_whatifs(path)  # found beside the scenario


@pytest.mark.parametrize("text,message,line", [
    ("- id: a\n  changes: [drop x]\n- id: a\n  changes: [drop y]\n", "used twice", 3),
    ("- id: a\n  changes: drop x\n", "must be a list of changes", 2),
    ("- id: a\n  change: [drop x]\n", "unknown field", 2),
    ("- id: baseline\n  changes: [drop x]\n", "not 'baseline'", 1),
    ("- id: a\n  changes: [remove x]\n", "is not a what-if change", 2),
    ("whatifs: []\n", "must be a list of what-ifs", 1),
    ("scenario: x\nwhatifs: []\n", "only `whatifs:`", None),
])
def test_malformed_whatif_files_point_at_the_line(tmp_path, text, message, line):
    path = tmp_path / "w.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_whatifs(path)
    assert message in str(info.value)
    if line is not None:
        assert f"{path}:{line}" in str(info.value)


def test_bundled_whatifs_load_and_change_the_forecast():
    sc = stakes.load("rafah-2024")
    whatifs = bundled_whatifs("rafah-2024")
    assert {"us_conditions_aid", "far_right_quit"} <= {w.id for w in whatifs}
    assert "rafah-2024.whatifs" not in stakes.bundled_scenarios()
    base = stakes.forecast(sc, "bdm").outcomes
    for w in whatifs:
        assert isinstance(w, WhatIf) and w.title and w.description
        outcomes = stakes.forecast(w.apply(sc), "bdm").outcomes
        assert any(abs(outcomes[i] - base[i]) > 1 for i in base), w.id


def test_bundled_whatifs_cite_real_paragraphs_and_paraphrase_the_article():
    article = REFERENCE.read_text(encoding="utf-8") if REFERENCE.is_file() else None
    paragraphs = 16
    for w in bundled_whatifs("rafah-2024"):
        cited = [int(n) for group in re.findall(r"paragraphs? ([\d, ]+)", w.description)
                 for n in re.findall(r"\d+", group)]
        assert cited and all(1 <= n <= paragraphs for n in cited), w.id
        if article is not None:
            def words(text: str) -> list[str]:
                return re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'"))

            source = words(article)
            runs = {tuple(source[i:i + 8]) for i in range(len(source) - 7)}
            mine = words(w.description)
            assert not [mine[i:i + 8] for i in range(len(mine) - 7) if tuple(mine[i:i + 8]) in runs], w.id


def test_select_whatifs_combines_files_bundled_and_changes(tmp_path):
    found = select_whatifs("rafah-2024", ["bundled"], ["drop hezbollah"])
    assert [w.id for w in found][-1] == "changes" and len(found) == len(bundled_whatifs("rafah-2024")) + 1
    with pytest.raises(StakesError, match="no what-ifs ship with"):
        select_whatifs(tmp_path / "lonely.yaml", ["bundled"])
    with pytest.raises(StakesError, match="appears more than once"):
        select_whatifs("rafah-2024", ["bundled", "bundled"])
    assert whatifs_path(tmp_path / "x.json") == tmp_path / "x.whatifs.yaml"


def test_variants_share_the_draws_of_the_numbers_they_leave_alone():
    base = harbour()
    variant = whatif_from_changes(["council.capability *= 0.5", "drop residents"]).apply(base)
    a, _ = sample_block(base, seed=9, block=2)
    b, _ = sample_block(variant, seed=9, block=2)
    assert "residents.capability" not in b
    for key, values in b.items():
        if key != "council.capability":
            assert np.array_equal(values, a[key]), key
    assert np.allclose(b["council.capability"], 20 + (a["council.capability"] - 40) / 2)


def ruled(decision: dict) -> stakes.Scenario:
    """The harbour scenario with a decision rule on `fees`."""
    data = stakes.scenario.schema.to_data(harbour())
    data["issues"][0]["decision"] = decision
    return stakes.scenario.schema.from_data(data)


def test_drop_takes_the_actor_out_of_the_decision_rule():
    sc = ruled({"rule": "veto", "veto_players": ["council", "union"], "agenda_setter": "port", "basis": "b"})
    apply = lambda *changes: whatif_from_changes(list(changes)).apply(sc).issue("fees").decision
    one = apply("drop union")
    assert (one.rule, one.veto_players, one.agenda_setter) == ("veto", ("council",), "port")
    assert one.basis == "b [what-if: drop union]"
    assert apply("drop port").agenda_setter is None
    assert apply("drop union", "drop council").rule == "bargaining"  # no veto player left: plain bargaining
    assert apply("drop shipping") == sc.issue("fees").decision  # not named by the rule: unchanged
    voted = ruled({"rule": "qualified_majority", "voters": ["council", "union", "port"],
                   "weights": {"council": 3, "union": 2, "port": 1}, "threshold": 0.7})
    after = whatif_from_changes(["drop union"]).apply(voted).issue("fees").decision
    assert after.voters == ("council", "port") and after.weights == {"council": 3, "port": 1}


@pytest.mark.parametrize("decision", [{"rule": "single", "decider": "union"},
                                      {"rule": "majority", "voters": ["union"]}])
def test_dropping_the_decider_or_the_last_voter_is_refused(decision):
    with pytest.raises(ScenarioError) as info:
        whatif_from_changes(["drop union"], id="w").apply(ruled(decision))
    assert "without it no rule is left" in str(info.value) and "decision:" in str(info.value)


def test_merge_puts_the_coalition_in_its_members_places_in_the_rule():
    sc = ruled({"rule": "veto", "veto_players": ["council", "union"], "agenda_setter": "port"})
    rule = whatif_from_changes(["merge council port as public_side"]).apply(sc).issue("fees").decision
    assert rule.veto_players == ("public_side", "union") and rule.agenda_setter == "public_side"
    both = whatif_from_changes(["merge council union as bloc"]).apply(sc).issue("fees").decision
    assert both.veto_players == ("bloc",)
    voted = ruled({"rule": "majority", "voters": ["council", "union", "port"]})
    rule = whatif_from_changes(["merge council union as bloc"]).apply(voted).issue("fees").decision
    assert rule.voters == ("bloc", "port") and rule.weights == {"bloc": 2, "port": 1}  # equal votes add up


def test_what_a_veto_player_would_sign_follows_it_through_drop_and_merge():
    sc = ruled({"rule": "veto", "veto_players": ["council", "union"],
                "accepts": {"council": [20, 60], "union": [40, 90]}})
    apply = lambda *changes: whatif_from_changes(list(changes)).apply(sc).issue("fees").decision
    assert apply("drop union").accepts == {"council": (20, 60)}
    assert apply("drop union", "drop council").accepts is None  # plain bargaining: nobody signs anything
    # a coalition signs what both its members would sign
    assert apply("merge council union as bloc").accepts == {"bloc": (40, 60)}
    apart = ruled({"rule": "veto", "veto_players": ["council", "union"],
                   "accepts": {"council": [0, 30], "union": [40, 90]}})
    with pytest.raises(ScenarioError) as info:
        whatif_from_changes(["merge council union as bloc"], id="w").apply(apart)
    assert "do not overlap" in str(info.value)
