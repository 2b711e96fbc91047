"""One way to retire a name: it keeps working for one release, with a FutureWarning naming the new one.

A ``FutureWarning`` (shown by default, unlike ``DeprecationWarning``) points at the user's own
line: the first frame outside the package, however deep inside cjm-lab the old name was met.
The shims built on it (renamed and keyword-only arguments, renamed functions) are in
:mod:`cjm_lab._params`; every warning of the package finds the user's line with
:func:`outside_stacklevel`.
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from pathlib import Path
from types import FrameType

__all__ = ["warn_deprecated", "outside_stacklevel", "called_from_package"]

_PACKAGE = str(Path(__file__).resolve().parent) + os.sep


@functools.lru_cache(maxsize=1024)
def _in_package(filename: str) -> bool:
    return str(Path(filename).resolve()).startswith(_PACKAGE)


def _inside(frame: FrameType) -> bool:
    return _in_package(frame.f_code.co_filename)


def outside_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning point at the first frame outside cjm-lab.

    Use it as ``warnings.warn(..., stacklevel=outside_stacklevel())``: the warning names the
    user's line however many package functions (and decorators) lie between.
    """
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and _inside(frame):
        frame = frame.f_back
        level += 1
    return level


def called_from_package(depth: int = 1) -> bool:
    """Whether the caller ``depth`` frames above the calling function lives in cjm-lab itself.

    A renamed argument warns the user's code, not cjm-lab's own: call sites inside the package
    that still use an old name are listed (and migrated) through the "to apply" column of the
    "Argument names" table in CONTRIBUTING.md, and a FutureWarning in a report would be noise
    its reader cannot act on.
    """
    return _inside(sys._getframe(depth + 1))


def warn_deprecated(message: str) -> None:
    """Warn with ``message`` (which names the new way) at the user's line, as a FutureWarning.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     warn_deprecated("old_name is now new_name.")
    >>> seen[0].category.__name__, str(seen[0].message)
    ('FutureWarning', 'old_name is now new_name.')
    """
    warnings.warn(message, FutureWarning, stacklevel=outside_stacklevel())
