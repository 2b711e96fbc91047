"""Files in a report folder that other people can write to: never follow a link, never clobber.

A reports folder is often shared (a team drive, a server's ``/srv/reports``).  Whoever can write
there can plant a symbolic link where the runner is about to write (``.index.lock`` pointing at
someone's notebook, ``_failed`` pointing elsewhere).  Every file the runner creates is therefore
opened with ``O_NOFOLLOW`` (a link is refused) and, where it must be new, ``O_EXCL``; folders the
runner reuses are checked not to be links; files that replace others are written beside them
and renamed in one step, and the temporary file is removed when anything fails.
"""

from __future__ import annotations

import contextlib
import errno
import os
import uuid
from pathlib import Path

from cjm_lab.errors import CJMConfigError

__all__ = ["check_out_dir", "open_lock", "create_new", "write_atomic", "real_dir", "disk_error"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def disk_error(err: OSError, path: Path | str, what: str) -> CJMConfigError:
    """An :class:`OSError` while writing ``path`` as the project's error: what, where and the fix."""
    reason = err.strerror or str(err)
    if err.errno == errno.ENOSPC or err.errno == errno.EDQUOT:
        fix = "Free space on that disk (or raise the quota), or pass another --out folder, and run again."
    elif err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        fix = "Pass an --out folder you may write to (the disk or folder is read-only for you)."
    elif err.errno == errno.ELOOP:
        fix = (
            "A symbolic link stands where cjm-lab writes; someone with write access to the folder may have "
            "planted it. Remove the link (and check the folder's permissions)."
        )
    else:
        fix = "Check the folder's permissions and free space, then run again."
    return CJMConfigError(f"Could not write {what} at {path}: {reason}. Fix: {fix}")


def real_dir(path: Path, *, what: str) -> Path:
    """Make ``path`` a folder (with its parents) and refuse it when it is a symbolic link."""
    if path.is_symlink():
        raise CJMConfigError(
            f"{what} {path} is a symbolic link; cjm-lab does not write through links in a report folder. "
            "Fix: remove the link (someone with write access to the folder may have planted it)."
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise CJMConfigError(f"{what} {path} exists and is a file, not a folder. Fix: move the file away.") from None
    except OSError as err:
        raise disk_error(err, path, what) from None
    return path


def check_out_dir(out: str | os.PathLike) -> Path:
    """The report folder ``out``, checked before a kernel starts: a folder (made when missing) that
    this user can create files in.

    Raises
    ------
    CJMConfigError
        ``out`` is a file, cannot be created, is a symbolic link to nowhere, or is read-only.
    """
    path = Path(out).expanduser()
    if path.exists() and not path.is_dir():
        raise CJMConfigError(
            f"--out {str(out)!r} is a file, not a folder. Fix: pass a folder for the run folders (it is made when "
            "missing), e.g. --out reports."
        )
    if path.is_symlink() and not path.exists():
        raise CJMConfigError(f"--out {str(out)!r} is a symbolic link to nothing. Fix: pass an existing folder.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CJMConfigError(
            f"--out {str(out)!r} cannot be created ({err.strerror or err}). Fix: pass a folder under one you may "
            "write to, or create it first."
        ) from None
    path = path.resolve()
    probe = path / f".cjm-write-test-{uuid.uuid4().hex[:8]}"
    try:  # os.access is no proof (root, read-only mounts, ACLs): create a file and remove it
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600)
        os.close(fd)
    except OSError as err:
        raise CJMConfigError(
            f"--out {str(out)!r} is not writable ({err.strerror or err}). Fix: pass a folder you may write to, "
            "or ask for write permission on it."
        ) from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    return path


def open_lock(path: Path) -> int:
    """Open (or create) a lock file without following a link; the caller closes the descriptor.

    The file is never truncated or written: a lock file that is a link (to someone's notebook,
    say) is refused instead of being emptied.
    """
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC, 0o644)
    except OSError as err:
        if err.errno == errno.ELOOP or path.is_symlink():
            raise CJMConfigError(
                f"The lock file {path} is a symbolic link; cjm-lab refuses to open it (writing it would change "
                "the link's target). Fix: remove the link (someone with write access to the report folder may "
                "have planted it) and run again."
            ) from None
        raise disk_error(err, path, "the lock file") from None


def create_new(path: Path, *, mode: int = 0o644) -> int:
    """Create ``path`` exclusively (``O_EXCL|O_NOFOLLOW``) and return its descriptor."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, mode)


def write_atomic(path: Path, data: str | bytes, *, what: str) -> Path:
    """Replace ``path`` with ``data`` in one step: a new temporary file beside it (exclusive, no link
    followed), flushed to disk, then renamed over ``path``.  On any failure the temporary file is
    removed and ``path`` is unchanged.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        fd = create_new(tmp)
        try:
            view = memoryview(raw)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(err, OSError):
            raise disk_error(err, path, what) from None
        raise
    return path
