"""Writing output files: all or nothing, and a failure said in one line.

Every file stakes writes (scenarios, reports, charts, tables, corpus exports) goes through
:func:`write_atomic`: the bytes go to a temporary file in the target's folder, which then replaces
the target in one step (``os.replace``), so a full disk or a killed process never leaves a
half-written file. An operating-system failure becomes an :class:`OutputError` that names the path,
says what is wrong with it and how to fix it. :func:`check_output` and :func:`check_folder` run the
same checks before any work starts, so a long run does not end in a path mistake.

Targets that are not regular files (``/dev/stdout``, a named pipe) cannot be replaced; they are
written in place.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from stakes.errors import StakesError

_UMASK = os.umask(0)
os.umask(_UMASK)
_MODE = 0o666 & ~_UMASK


class OutputError(StakesError):
    """A file or folder cannot be written; the message names it, the reason and the fix."""


def output_error(path: str | os.PathLike[str], exc: OSError, folder: bool = False) -> OutputError:
    """The one-line error for an operating-system failure writing ``path`` (a file, or a folder)."""
    path = Path(path)
    what = "folder" if folder else "file"
    code = exc.errno
    if code == errno.ENOENT:
        reason, fix = f"the folder {_parent(path)} does not exist", "create it first or choose another path"
    elif code == errno.EISDIR:
        reason, fix = "it is a folder", f"give a file name inside it, e.g. {path / 'out'}{path.suffix}"
    elif code == errno.ENOTDIR:
        reason, fix = "part of the path is a file, not a folder", "choose a path whose folders are folders"
    elif code == errno.EEXIST and folder:
        reason, fix = "a file of that name is in the way", "choose a folder name that is not a file"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason, fix = "no permission to write there", "choose a folder you can write to"
    elif code in (errno.ENOSPC, errno.EDQUOT):
        reason, fix = "the disk is full", "free some space or write to another disk"
    else:
        reason, fix = exc.strerror or str(exc), "check the path"
    return OutputError(f"cannot write the {what} {path}: {reason}; {fix}")


def _parent(path: Path) -> Path:
    """The nearest missing folder above ``path`` (what the user has to create)."""
    missing = path.parent
    while not missing.parent.exists() and missing.parent != missing:
        missing = missing.parent
    return missing


def check_output(path: str | os.PathLike[str]) -> Path:
    """Fail now, in one line, if ``path`` cannot become a file: it is a folder, its folder is missing or
    is a file, or the folder is not writable. Returns the path."""
    path = Path(path)
    if path.is_dir():
        raise output_error(path, IsADirectoryError(errno.EISDIR, "is a folder"))
    folder = path.parent
    if not folder.exists():
        parts = [folder, *folder.parents]
        blocked = next((p for p in reversed(parts) if p.exists() and not p.is_dir()), None)
        code = errno.ENOTDIR if blocked is not None else errno.ENOENT
        raise output_error(path, OSError(code, os.strerror(code)))
    if not folder.is_dir():
        raise output_error(path, NotADirectoryError(errno.ENOTDIR, "not a folder"))
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):  # a device or a pipe, written in place
        if not os.access(path, os.W_OK):
            raise output_error(path, PermissionError(errno.EACCES, "permission denied"))
    else:
        _probe(folder, path)
    return path


def _probe(folder: Path, path: Path, is_folder: bool = False) -> None:
    """Create and remove a file in ``folder``: the one test of writing there that holds for every user
    and file system (permission bits do not stop root; a read-only mount stops everyone)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise output_error(path, exc, folder=is_folder) from None


def check_folder(path: str | os.PathLike[str]) -> Path:
    """Fail now, in one line, if ``path`` cannot be (or become) a folder to write files into."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise output_error(path, FileExistsError(errno.EEXIST, "file exists"), folder=True)
    if not path.exists():
        check_output(path)
    else:
        _probe(path, path, is_folder=True)
    return path


def make_folder(path: str | os.PathLike[str]) -> Path:
    """Create the folder ``path`` (and missing folders above it) if needed; failures as :class:`OutputError`."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(path, exc, folder=True) from None
    return path


def write_atomic(path: str | os.PathLike[str], data: str | bytes | Callable[[BinaryIO], None]) -> Path:
    """Write ``data`` (text as UTF-8, bytes, or a function that writes to a binary file) to ``path``.

    The target is replaced only once the new content is complete; on any failure it is left as it
    was and no temporary file remains. Returns the path.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        if path.exists() and not stat.S_ISREG(path.stat().st_mode) and not path.is_dir():
            with path.open("wb") as out:  # a device or a pipe: nothing to replace
                _fill(out, data)
            return path
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise output_error(path, exc) from None
    try:
        with os.fdopen(handle, "wb") as out:
            _fill(out, data)
        os.chmod(tmp, _MODE)  # as an ordinary new file (a temporary file is private)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise output_error(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _fill(out: BinaryIO, data: bytes | Callable[[BinaryIO], None]) -> None:
    if isinstance(data, bytes):
        out.write(data)
    else:
        data(out)
    out.flush()
    if stat.S_ISREG(os.fstat(out.fileno()).st_mode):
        os.fsync(out.fileno())  # a full disk may only show here
