"""Progress bars for long work: tqdm in a terminal and in Jupyter (a widget there), nothing elsewhere.

A bar shows when standard error is a terminal or the code runs in a Jupyter notebook, and never in
a log file, a pipe, a cron job or a report kernel. ``$CJM_LAB_PROGRESS`` overrides that (``0``
off, ``1`` on); ``cjm-lab --quiet`` and the report runner set it to ``0``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

__all__ = ["ENV_PROGRESS", "progress_enabled", "progress_bar", "track"]

ENV_PROGRESS = "CJM_LAB_PROGRESS"
T = TypeVar("T")


def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def progress_enabled(progress: bool | None = None) -> bool:
    """Whether to draw a bar: ``progress`` when given, else ``$CJM_LAB_PROGRESS``, else terminal/notebook.

    Examples
    --------
    >>> progress_enabled(False), progress_enabled(True)
    (False, True)
    """
    if progress is not None:
        return bool(progress)
    setting = os.environ.get(ENV_PROGRESS, "").strip().lower()
    if setting in ("0", "false", "no", "off"):
        return False
    if setting in ("1", "true", "yes", "on"):
        return True
    stream = sys.stderr
    return _in_notebook() or bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


class _NoBar:
    """What :func:`progress_bar` gives when no bar is drawn: the same methods, doing nothing."""

    def update(self, n: float = 1) -> None:
        """Nothing to count."""

    def set_postfix_str(self, s: str = "") -> None:
        """Nothing to show."""

    def close(self) -> None:
        """Nothing to close."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


def progress_bar(*, total: float | None, desc: str, unit: str = "it", progress: bool | None = None) -> Any:
    """A tqdm bar to ``update(n)`` (a context manager), or a silent stand-in when bars are off.

    Examples
    --------
    >>> with progress_bar(total=3, desc="Batches", progress=False) as bar:
    ...     for _ in range(3):
    ...         bar.update(1)
    """
    if not progress_enabled(progress):
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, leave=False, dynamic_ncols=True)


def track(
    items: Iterable[T], *, total: float | None = None, desc: str, unit: str = "it", progress: bool | None = None
) -> Iterator[T]:
    """``items`` with a bar counting them (or just ``items`` when bars are off).

    Examples
    --------
    >>> list(track(range(3), desc="Runs", progress=False))
    [0, 1, 2]
    """
    if not progress_enabled(progress):
        yield from items
        return
    with progress_bar(total=total, desc=desc, unit=unit, progress=True) as bar:
        for item in items:
            yield item
            bar.update(1)
