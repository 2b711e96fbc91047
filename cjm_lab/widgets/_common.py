"""What the three explorers share: the explorer container, progress, figures and tables as widgets."""

from __future__ import annotations

import html
import io
import time
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from cjm_lab._params import COUNT, WHOLE_NUMBER, validate_params
from cjm_lab.errors import CJMError
from cjm_lab.plots.theme import check_language

__all__ = ["Explorer", "figure_png", "table_html", "ALL", "Progress"]

#: The choice of a filter control that keeps every row.
ALL = "(all)"

_WORDS = {
    "en": {"updated": "Updated in {s:.2f} s", "working": "Working…", "error": "Could not update: {e}"},
    "de": {
        "updated": "Aktualisiert in {s:.2f} s",
        "working": "Wird berechnet…",
        "error": "Aktualisierung nicht möglich: {e}",
    },
}


@validate_params({"dpi": [WHOLE_NUMBER]})
def figure_png(fig: Any, *, dpi: int = 80) -> bytes:
    r"""Render a matplotlib Figure (or the Figure of an Axes) to PNG bytes and close it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> figure_png(ax)[:4]
    b'\x89PNG'
    """
    import matplotlib.pyplot as plt

    figure = getattr(fig, "figure", fig)
    buf = io.BytesIO()
    figure.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return buf.getvalue()


@validate_params({"max_rows": [WHOLE_NUMBER], "digits": [COUNT], "flag": [str, None]})
def table_html(table: pd.DataFrame, *, max_rows: int = 30, digits: int = 1, flag: str | None = None) -> str:
    """A small HTML table of ``table`` (numbers rounded); rows where column ``flag`` is true get a ⚠.

    Examples
    --------
    >>> t = pd.DataFrame({"wave": [1, 2], "nps": [20.04, -3.5], "low_base": [False, True]})
    >>> "⚠" in table_html(t, flag="low_base")
    True
    """
    shown = table.head(max_rows).copy()
    if flag is not None and flag in shown:
        marks = shown[flag].fillna(False).astype(bool)
        first = shown.columns[0]
        shown[first] = [f"⚠ {v}" if m else str(v) for v, m in zip(shown[first], marks)]
        shown = shown.drop(columns=flag)
    shown = shown.round(digits)
    body = shown.to_html(index=False, border=0, classes="cjm-table", na_rep="–", escape=True)
    style = (
        "<style>.cjm-table{border-collapse:collapse;font-size:12px}.cjm-table th,.cjm-table td"
        "{padding:2px 8px;text-align:right;border-bottom:1px solid #ddd}.cjm-table th{background:#f4f4f4}"
        "</style>"
    )
    return style + body


def escape(value: Any) -> str:
    """HTML-escape a value for a widget's text."""
    return html.escape(str(value))


class Progress:
    """Report steps of a slow computation to an optional callback ``(done, total, text)``.

    Examples
    --------
    >>> seen = []
    >>> p = Progress(lambda done, total, text: seen.append((done, total, text)), total=2)
    >>> p.step("fit"); p.step("profile")
    >>> seen
    [(0, 2, 'fit'), (1, 2, 'profile')]
    """

    def __init__(self, callback: Callable[[int, int, str], None] | None, total: int) -> None:
        self.callback = callback
        self.total = total
        self.done = 0

    def step(self, text: str) -> None:
        if self.callback is not None:
            self.callback(self.done, self.total, text)
        self.done += 1


def _ipywidgets():
    import ipywidgets

    return ipywidgets


class Explorer(_ipywidgets().VBox):  # type: ignore[misc]  # ipywidgets is imported when an explorer is built
    """An explorer: a title with a status line (progress bar while working), controls, outputs.

    Attributes
    ----------
    controls : dict
        Name → control widget (change ``.value`` to drive the explorer from code).
    outputs : dict
        Name → output widget (``HTML`` or ``Image``).
    result
        The result of the last update (the plain function's return value).
    timings : list of (str, float, float)
        What each update recomputed, its wall-clock seconds and the CPU seconds of this
        process (analysis and rendering; the CPU time is what a quiet machine would wait).
    error : str or None
        The message of the last failed update.
    """

    def __init__(
        self,
        *,
        title: str,
        controls: Mapping[str, Any],
        outputs: Mapping[str, Any],
        layout: list[Any],
        language: str = "en",
    ) -> None:
        w = _ipywidgets()
        self.language = check_language(language)
        self.title = title
        self.controls = dict(controls)
        self.outputs = dict(outputs)
        self.result: Any = None
        self.timings: list[tuple[str, float, float]] = []
        self.error: str | None = None
        self.updates = 0  # finished updates (also shown as data-updates on the status, for browser tests)
        self.progress = w.IntProgress(
            value=0, min=0, max=1, description="", layout=w.Layout(width="240px", visibility="hidden")
        )
        self.status = w.HTML(value="")
        header = w.HTML(value=f"<h3 style='margin:4px 0'>{escape(title)}</h3>")
        status_row = w.HBox([self.progress, self.status])
        # the status line sits under the title, where it is seen however tall the outputs are
        super().__init__(children=[header, status_row, *layout], layout=w.Layout(width="100%"))
        self.add_class("cjm-explorer")

    # progress ---------------------------------------------------------------------------------
    def _progress(self, done: int, total: int, text: str) -> None:
        self.progress.max = 2 * max(total, 1)
        self.progress.value = 2 * done + 1  # half a step: the step in hand shows as under way
        self.progress.bar_style = "info"
        self.progress.layout.visibility = "visible"
        self.status.value = f"<span class='cjm-status'>{escape(text)}</span>"

    def _run(self, what: str, func: Callable[[], None]) -> bool:
        """Run one update with the status line; errors of the analysis are shown, not raised."""
        words = _WORDS[self.language]
        self._progress(0, 1, words["working"])
        started, cpu = time.perf_counter(), time.process_time()
        try:
            func()
        except (CJMError, ValueError, KeyError) as err:
            self.error = str(err)
            self.updates += 1
            self.progress.bar_style = "danger"
            self.status.value = (
                f"<span class='cjm-status' data-updates='{self.updates}' style='color:#BB5566'>"
                f"{escape(words['error'].format(e=err))}</span>"
            )
            return False
        seconds = time.perf_counter() - started
        self.error = None
        self.timings.append((what, seconds, time.process_time() - cpu))
        self.progress.value = self.progress.max
        self.progress.layout.visibility = "hidden"
        self.updates += 1
        self.status.value = (
            f"<span class='cjm-status' data-updates='{self.updates}'>"
            f"{escape(words['updated'].format(s=seconds))}</span>"
        )
        return True

    def __repr__(self) -> str:  # the text shown where widgets cannot render (reports, consoles)
        return f"<{type(self).__name__}: {len(self.controls)} controls>"
