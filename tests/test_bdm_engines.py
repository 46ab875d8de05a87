"""The expected-utility model's two engines, the compiled kernel and numpy, give the same forecasts;
and the model picks numpy while the kernel's compiled code is not cached, compiling it once aside."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

import stakes
from stakes.models import bdm_engine, bdm_kernel, bdm_numpy
from stakes.models.bdm import ExpectedUtility
from stakes.uncertainty import monte_carlo
from stakes.uncertainty.sampling import BLOCK
from tests.test_bdm import OPTION_SETS, random_batch, random_issue
from tests.uncertain import harbour

TOLERANCE = 1e-12
"""Of the scale's width: the engines differ only where numpy rounds exp, log and power differently."""


def on(engine: str, compute):
    with bdm_engine.using(engine):
        return compute()


@pytest.mark.parametrize("options", OPTION_SETS.values(), ids=OPTION_SETS.keys())
@pytest.mark.parametrize("seed", range(8))
def test_both_engines_play_the_same_runs(options, seed):
    data = random_issue(700 + seed)
    model = ExpectedUtility(challenge_log="offers", **options)
    compiled, plain = (on(engine, lambda: model.solve(data, np.random.default_rng(0)))
                       for engine in ("compiled", "numpy"))
    width = data.issue.width
    assert plain.stop_reason == compiled.stop_reason and plain.rounds == compiled.rounds
    np.testing.assert_allclose(plain.positions, compiled.positions, rtol=0, atol=TOLERANCE * width)
    np.testing.assert_allclose(plain.outcomes, compiled.outcomes, rtol=0, atol=TOLERANCE * width)
    for name in ("weighted_mean", "weighted_median"):
        np.testing.assert_allclose(plain.diagnostics[name], compiled.diagnostics[name], rtol=0,
                                   atol=TOLERANCE * width)
    for actor, risks in compiled.diagnostics["risk_exponents"].items():  # ill-conditioned: a ratio
        # of differences of dangers, which magnifies the last-bit differences of later rounds
        np.testing.assert_allclose(plain.diagnostics["risk_exponents"][actor], risks, rtol=1e-9)
    a, b = plain.challenges, compiled.challenges
    columns = ["round", "challenger", "target", "kind"]
    assert a[columns].equals(b[columns])  # every offer, whether taken or not, and its kind
    np.testing.assert_allclose(a["new_position"].astype(float), b["new_position"].astype(float), rtol=0,
                               atol=TOLERANCE * width)


@pytest.mark.parametrize("options", OPTION_SETS.values(), ids=OPTION_SETS.keys())
@pytest.mark.parametrize("seed", range(4))
def test_both_engines_give_the_same_batches(options, seed):
    batch = random_batch(800 + seed, draws=40)
    model = ExpectedUtility(**options)
    compiled, plain = (on(engine, lambda: model.solve_batch(batch, np.arange(batch.draws)))
                       for engine in ("compiled", "numpy"))
    width = batch.issue.width
    np.testing.assert_array_equal(plain.rounds, compiled.rounds)
    np.testing.assert_array_equal(plain.stop_reasons, compiled.stop_reasons)
    np.testing.assert_allclose(plain.outcomes, compiled.outcomes, rtol=0, atol=TOLERANCE * width)
    np.testing.assert_allclose(plain.final_positions, compiled.final_positions, rtol=0,
                               atol=TOLERANCE * width)


def test_round_details_agree_on_a_large_issue():
    data = random_issue(900)
    big = data.__class__(issue=data.issue, actor_ids=tuple(f"a{k:03d}" for k in range(150)),
                         position=np.random.default_rng(1).uniform(0, 100, 150),
                         salience=np.random.default_rng(2).uniform(0.05, 1, 150),
                         capability=np.random.default_rng(3).uniform(1, 50, 150))
    model = ExpectedUtility(probability="all_triples", status_quo_probability=0.6)
    compiled, plain = (on(engine, lambda: model.round_details(big)) for engine in ("compiled", "numpy"))
    for name in ("win_probability", "expected_utility", "rival_expected_utility", "risk_exponent",
                 "proposal"):
        np.testing.assert_allclose(getattr(plain, name), getattr(compiled, name), rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(plain.offer_kind, compiled.offer_kind)
    np.testing.assert_array_equal(plain.accepted, compiled.accepted)


def test_montecarlo_outcomes_agree_on_both_engines():
    scenario = stakes.load("rafah-2024")
    compiled, plain = (on(engine, lambda: monte_carlo(scenario, ["bdm"], draws=64, seed=3))
                       for engine in ("compiled", "numpy"))
    for issue in scenario.issues:
        a, b = compiled.outcomes("bdm", issue.id), plain.outcomes("bdm", issue.id)
        np.testing.assert_allclose(b, a, rtol=0, atol=TOLERANCE * issue.width)


# --- which engine runs ---------------------------------------------------------------------------

def test_a_forecast_of_the_bundled_scenario_does_not_load_numba():
    code = ("import sys, stakes; stakes.forecast(stakes.load('rafah-2024')); "
            "print('numba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=dict(os.environ))
    assert done.stdout.strip() == "False"


@pytest.fixture
def cold_kernel(tmp_path, monkeypatch):
    """A kernel stand-in whose numba cache is the empty tmp_path, and a recorder of background
    processes started instead of starting them."""
    kernel = SimpleNamespace(__file__=bdm_kernel.__file__,
                             run_batch=SimpleNamespace(stats=SimpleNamespace(cache_path=str(tmp_path))))
    started = []
    monkeypatch.setattr(bdm_engine, "_compiled", lambda: kernel)
    monkeypatch.setattr(bdm_engine.subprocess, "Popen", lambda command, **_: started.append(command))
    monkeypatch.setitem(bdm_engine._background, "started", False)
    monkeypatch.delitem(sys.modules, "stakes.models.bdm_kernel")
    with bdm_engine.using("auto"):
        yield SimpleNamespace(kernel=kernel, started=started, cache=tmp_path)


def test_on_a_cold_cache_large_work_runs_in_numpy_and_compiles_once_in_the_background(cold_kernel):
    assert bdm_engine.engine(10**6) is bdm_numpy
    assert bdm_engine.engine(10**6) is bdm_numpy
    assert len(cold_kernel.started) == 1  # once per process
    command = cold_kernel.started[0]
    assert command[:3] == [sys.executable, "-c", bdm_engine.BACKGROUND]
    lock = cold_kernel.cache / "stakes-bdm-kernel.lock"
    assert command[3] == str(lock) and lock.exists()


def test_another_run_does_not_compile_while_one_holds_the_lock(cold_kernel, caplog):
    (cold_kernel.cache / "stakes-bdm-kernel.lock").touch()
    with caplog.at_level("INFO", logger="stakes"):
        assert bdm_engine.engine(10**6) is bdm_numpy
    assert cold_kernel.started == []
    assert "another run is compiling" in caplog.text


def test_once_the_cache_is_ready_large_work_runs_compiled_and_small_work_stays_in_numpy(cold_kernel):
    (cold_kernel.cache / "stakes-bdm-kernel.ready").write_text(bdm_engine._stamp(cold_kernel.kernel))
    assert bdm_engine.engine(10**6) is cold_kernel.kernel
    assert bdm_engine.engine(100) is bdm_numpy
    assert cold_kernel.started == []


def test_a_marker_from_another_source_or_numba_counts_as_cold(cold_kernel):
    (cold_kernel.cache / "stakes-bdm-kernel.ready").write_text("numba 0.1; python 3.0; source 1 2\n")
    assert bdm_engine.engine(10**6) is bdm_numpy
    assert len(cold_kernel.started) == 1


def test_compiling_writes_the_marker_the_engine_reads():
    marker = bdm_engine._marker(bdm_kernel)
    marker.unlink(missing_ok=True)
    assert not bdm_engine._ready(bdm_kernel)
    bdm_engine.compile_kernel()  # the tests' session has compiled the kernel: this loads it
    assert bdm_engine._ready(bdm_kernel)
    with bdm_engine.using("auto"):
        assert bdm_engine.engine(10**6) is bdm_kernel


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine must be one of"), bdm_engine.using("gpu"):
        pass


def test_the_background_compile_runs_the_kernel_writes_the_marker_and_releases_the_lock(tmp_path):
    marker = bdm_engine._marker(bdm_kernel)
    marker.unlink(missing_ok=True)
    lock = tmp_path / "compile.lock"
    lock.touch()
    # the tests' session has compiled the kernel into numba's cache, so this only loads it
    subprocess.run([sys.executable, "-c", bdm_engine.BACKGROUND, str(lock)], check=True,
                   capture_output=True, env=dict(os.environ))
    assert bdm_engine._ready(bdm_kernel) and not lock.exists()


def test_work_too_large_for_numpy_compiles_first_saying_so(cold_kernel, monkeypatch, caplog):
    compiled = []
    monkeypatch.setattr(bdm_engine, "compile_kernel", lambda: compiled.append(True))
    with caplog.at_level("INFO", logger="stakes"):
        assert bdm_engine.choose(10**5, total=bdm_engine.LARGE) == "compiled"
    assert compiled == [True] and cold_kernel.started == []
    assert "compiling the expected-utility engine once" in caplog.text


def test_a_monte_carlo_run_keeps_the_engine_it_started_with(monkeypatch):
    answers = iter(["numpy"])  # cold at the start; had the cache become ready, blocks would not see it
    monkeypatch.setattr(bdm_engine, "choose", lambda work, total=None: next(answers, "compiled"))
    seen = []
    using = bdm_engine.using
    monkeypatch.setattr(bdm_engine, "using", lambda name: seen.append(name) or using(name))
    monte_carlo(harbour(), ["bdm"], draws=3 * BLOCK, seed=2)
    assert seen == ["numpy"] * 3


@pytest.mark.engine("numpy")
def test_worker_processes_run_the_engine_of_the_run():
    in_process = monte_carlo(harbour(), [("bdm", {"rounds": 6})], draws=BLOCK + 10, seed=5)
    spread = monte_carlo(harbour(), [("bdm", {"rounds": 6})], draws=BLOCK + 10, seed=5, workers=2)
    for key, parts in in_process.results.items():
        for part, values in parts.items():
            assert np.array_equal(values, spread.results[key][part]), (key, part)
