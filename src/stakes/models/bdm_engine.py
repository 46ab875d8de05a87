"""Which engine runs the expected-utility model: the compiled kernel, or numpy while it is not compiled.

:mod:`stakes.models.bdm_kernel` (numba) is the fastest, but compiles on first use, ten to twenty
seconds, and numba keeps the result on disk (beside the source in ``__pycache__``, or under
``$NUMBA_CACHE_DIR``) for later runs. :mod:`stakes.models.bdm_numpy` computes the same numbers with
nothing to compile: quicker than importing numba for one run of a small issue, about ten times
slower on large batches of draws. So :func:`engine` picks, for a piece of work of a given size:

- the kernel, when this process has already loaded it;
- numpy, for small work (a forecast of the bundled scenarios): loading numba alone would cost more;
- the kernel, when its disk cache is ready: a marker that :func:`compile_kernel` writes beside
  numba's cache files once every function the model calls has been compiled and saved;
- otherwise numpy, and a background process (:func:`compile_kernel`, started once; a lock file
  keeps concurrent runs from compiling twice) fills the cache meanwhile, so that later work, in
  this process as soon as the marker appears and in every later run, uses the kernel.

:func:`use` forces one engine (tests run the model on both); the two agree to about 1e-15 of the
scale (numpy's ``exp`` and ``log`` may round the last bit differently from the C library's).
"""

from __future__ import annotations

import logging
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np

ENGINES = ("auto", "compiled", "numpy")
SMALL = 50_000
"""Work (draws × active actors²) below which numpy is used even when the kernel's cache is ready."""
STALE_LOCK = 900.0
"""Seconds after which a compile lock is taken for the remains of a compile that died."""
logger = logging.getLogger(__name__)
_choice = {"engine": "auto", "started": False}


def use(name: str) -> None:
    """Run the model on one engine from now on: "compiled", "numpy", or "auto" (the choice above)."""
    if name not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {name!r}")
    _choice["engine"] = name


def engine(work: int) -> ModuleType:
    """The module (``run``, ``run_batch``, ``play_round``, ``workspace``) for ``work`` = draws × active
    actors² of the coming call."""
    forced = _choice["engine"]
    if forced == "compiled" or (forced == "auto" and _loaded()):
        return _compiled()
    if forced == "numpy" or work < SMALL:
        return _numpy()
    kernel = _compiled()
    if _ready(kernel):
        return kernel
    _compile_in_background(kernel)
    return _numpy()


def compile_kernel() -> None:
    """Compile every kernel function the model calls (or load it from numba's cache), then write
    the marker that tells :func:`engine` the cache is ready."""
    from stakes.models.base import IssueBatch
    from stakes.models.bdm import ExpectedUtility
    from stakes.scenario.model import Issue, IssueData

    previous = _choice["engine"]
    use("compiled")
    try:
        issue = Issue("x", "Compile", "low", "high", (0.0, 100.0))
        data = IssueData(issue=issue, actor_ids=("a", "b", "c"), position=np.array([0.0, 40.0, 100.0]),
                         salience=np.full(3, 0.5), capability=np.full(3, 10.0))
        model = ExpectedUtility(challenge_log="offers")
        model.solve(data, np.random.default_rng(0))  # run, and play_round with workspace
        draws = IssueBatch(issue, data.actor_ids, *(np.tile(a, (2, 1)) for a in
                                                    (data.position, data.salience, data.capability)))
        model.solve_batch(draws, np.arange(2))  # run_batch
    finally:
        use(previous)
    kernel = _compiled()
    if not all(function.signatures for function in (kernel.run, kernel.play_round, kernel.run_batch)):
        raise RuntimeError("the model did not run on the compiled kernel; nothing to mark as ready")
    _marker(kernel).write_text(_stamp(kernel))


def _loaded() -> bool:
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
    try:
        return _marker(kernel).read_text() == _stamp(kernel)
    except OSError:
        return False


def _compile_in_background(kernel: ModuleType) -> None:
    """Start one background process that runs :func:`compile_kernel`, unless one is running."""
    if _choice["started"]:
        return
    _choice["started"] = True
    lock = _marker(kernel).with_suffix(".lock")
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        if lock.exists() and time.time() - lock.stat().st_mtime > STALE_LOCK:
            lock.unlink(missing_ok=True)
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except OSError:
        return  # another run is compiling (or the cache cannot be written): numpy serves
    try:
        subprocess.Popen([sys.executable, "-m", "stakes.models.bdm_engine", str(lock)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError:
        lock.unlink(missing_ok=True)
        return
    logger.info("compiling the expected-utility engine in the background, once (about 15 s); "
                "until it is ready the model runs uncompiled, more slowly")


def _main(lock: Path) -> None:
    """The background compile: compile, write the marker, release the lock."""
    try:
        if hasattr(os, "nice"):
            os.nice(5)  # the user's foreground work comes first
        compile_kernel()
    finally:
        lock.unlink(missing_ok=True)


if __name__ == "__main__":  # as a script this file is a second copy of the module; use the one bdm uses
    from stakes.models.bdm_engine import _main as main

    main(Path(sys.argv[1]))
