"""One way to retire a name: it keeps working for one release, with a FutureWarning naming the new one.

A ``FutureWarning`` (shown by default, unlike ``DeprecationWarning``) points at the user's own
line: the first frame outside the package, however deep inside cjm-lab the old name was met.
"""

from __future__ import annotations

import inspect
import warnings
from pathlib import Path

__all__ = ["warn_deprecated"]

_PACKAGE = str(Path(__file__).resolve().parent)


def _user_stacklevel() -> int:
    """The stack level of the first frame outside cjm-lab (counted from the caller of ``warn``)."""
    here = inspect.currentframe()
    frame = here.f_back if here is not None else None  # warn_deprecated(), stack level 1
    level = 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level


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
    warnings.warn(message, FutureWarning, stacklevel=_user_stacklevel())
