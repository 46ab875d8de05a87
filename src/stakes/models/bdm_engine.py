"""Which engine runs the expected-utility model: the compiled kernel, or numpy while it is not compiled.

:mod:`stakes.models.bdm_kernel` (numba) is the fastest, but compiles on first use, ten to twenty
seconds, and numba keeps the result on disk (beside the source in ``__pycache__``, or under
``$NUMBA_CACHE_DIR``) for later runs. :mod:`stakes.models.bdm_numpy` computes the same numbers with
nothing to compile: quicker than importing numba for one run of a small issue, about ten times
slower on large batches of draws. :func:`choose` picks one for work of a given size:

- the kernel, when this process has already loaded it;
- numpy, for small work (a forecast of the bundled scenarios): loading numba alone would cost more;
- the kernel, when its disk cache is ready: a marker that :func:`compile_kernel` writes beside
  numba's cache files once every function the model calls has been compiled and saved;
- otherwise numpy, while a background process (:func:`compile_kernel`, started once; a lock file
  keeps concurrent runs from compiling twice) fills the cache for later work and later runs; or,
  for work so large that numpy would take longer than compiling, the kernel, compiled right away.

The two engines agree to about 1e-14 of the scale, not to the last bit: numpy's ``exp``, ``log``
and ``power`` may round the last bit differently from the C library's. So a Monte Carlo run picks
its engine once and every block uses it, wherever it runs (see
:func:`stakes.uncertainty.montecarlo.monte_carlo`), and :func:`using` forces one (tests run both).
"""

from __future__ import annotations

import logging
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from types import ModuleType

import numpy as np

ENGINES = ("auto", "compiled", "numpy")
SMALL = 50_000
"""Work (draws × active actors²) below which numpy runs even when the kernel's cache is ready."""
LARGE = 2_000_000
"""Work from which compiling first (10–20 s) beats running in numpy (about 10 µs per unit)."""
BACKGROUND = ("import sys; from stakes.models.bdm_engine import compile_and_release; "
              "compile_and_release(sys.argv[1])")
"""The background process's program; its argument is the lock file."""
STALE_LOCK = 900.0
"""Seconds after which a compile lock is taken for the remains of a compile that died."""
logger = logging.getLogger(__name__)
_forced: ContextVar[str] = ContextVar("stakes_bdm_engine", default="auto")
_background = {"started": False}


@contextmanager
def using(name: str) -> Iterator[None]:
    """Run the model on one engine within this block (in this thread): "compiled", "numpy", or
    "auto" (the choice above)."""
    if name not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {name!r}")
    token = _forced.set(name)
    try:
        yield
    finally:
        _forced.reset(token)


def choose(work: int, total: int | None = None) -> str:
    """The engine ("compiled" or "numpy") for calls of ``work`` = draws × active actors² each,
    ``total`` in all (default: one call)."""
    forced = _forced.get()
    if forced != "auto":
        return forced
    if _loaded():
        return "compiled"
    if work < SMALL:
        return "numpy"
    kernel = _compiled()
    if _ready(kernel):
        return "compiled"
    if (total or work) >= LARGE:
        logger.info("compiling the expected-utility engine once (about 15 s); later runs reuse it")
        compile_kernel()
        return "compiled"
    _compile_in_background(kernel)
    return "numpy"


def engine(work: int) -> ModuleType:
    """The module (``run``, ``run_batch``, ``play_round``, ``workspace``) for a call of ``work`` =
    draws × active actors²."""
    return _compiled() if choose(work) == "compiled" else _numpy()


def compile_kernel() -> None:
    """Compile every kernel function the model calls (or load it from numba's cache), then write
    the marker that tells :func:`choose` the cache is ready."""
    from stakes.models.base import IssueBatch
    from stakes.models.bdm import ExpectedUtility
    from stakes.scenario.model import Issue, IssueData

    issue = Issue("x", "Compile", "low", "high", (0.0, 100.0))
    data = IssueData(issue=issue, actor_ids=("a", "b", "c"), position=np.array([0.0, 40.0, 100.0]),
                     salience=np.full(3, 0.5), capability=np.full(3, 10.0))
    model = ExpectedUtility(challenge_log="offers")
    with using("compiled"):
        model.solve(data, np.random.default_rng(0))  # run, and play_round with workspace
        draws = IssueBatch(issue, data.actor_ids, *(np.tile(a, (2, 1)) for a in
                                                    (data.position, data.salience, data.capability)))
        model.solve_batch(draws, np.arange(2))  # run_batch
    kernel = _compiled()
    if not all(function.signatures for function in (kernel.run, kernel.play_round, kernel.run_batch)):
        raise RuntimeError("the model did not run on the compiled kernel; nothing to mark as ready")
    _marker(kernel).write_text(_stamp(kernel))


def _loaded() -> bool:
    """Whether this process has imported the kernel and its disk cache is ready."""
    return "stakes.models.bdm_kernel" in sys.modules and _ready(sys.modules["stakes.models.bdm_kernel"])


def _compiled() -> ModuleType:
    from stakes.models import bdm_kernel

    return bdm_kernel


def _numpy() -> ModuleType:
    from stakes.models import bdm_numpy

    return bdm_numpy


def _marker(kernel: ModuleType) -> Path:
    """Where the ready marker lives: beside numba's cache files for the kernel."""
    return Path(kernel.run_batch.stats.cache_path) / "stakes-bdm-kernel.ready"


def _stamp(kernel: ModuleType) -> str:
    """What the cache was compiled for: numba and Python versions and the kernel source's stamp
    (numba discards its cache when that source changes, and so does this marker)."""
    import numba

    source = os.stat(kernel.__file__)
    return (f"numba {numba.__version__}; python {platform.python_version()}; "
            f"source {source.st_mtime_ns} {source.st_size}\n")


def _ready(kernel: ModuleType) -> bool:
    """Whether the marker says every kernel function is compiled into numba's cache, for this source."""
    try:
        return _marker(kernel).read_text() == _stamp(kernel)
    except OSError:
        return False


def _compile_in_background(kernel: ModuleType) -> None:
    """Start one background process that runs :func:`compile_kernel`, unless one is running."""
    if _background["started"]:
        return
    _background["started"] = True
    lock = _marker(kernel).with_suffix(".lock")
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        if lock.exists() and time.time() - lock.stat().st_mtime > STALE_LOCK:
            lock.unlink(missing_ok=True)
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        logger.info("another run is compiling the expected-utility engine; until it is ready the "
                    "model runs uncompiled, more slowly")
        return
    except OSError:
        return  # the cache cannot be written: numpy serves, as numba could not cache the kernel
    try:
        subprocess.Popen([sys.executable, "-c", BACKGROUND, str(lock)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError:
        lock.unlink(missing_ok=True)
        return
    logger.info("compiling the expected-utility engine in the background, once (about 15 s); "
                "until then the model runs uncompiled, more slowly")


def compile_and_release(lock: str) -> None:
    """The background compile: compile, write the marker, remove the lock file."""
    try:
        if hasattr(os, "nice"):
            os.nice(5)  # the user's foreground work comes first
        compile_kernel()
    finally:
        Path(lock).unlink(missing_ok=True)
