"""Shared inputs and helpers of the chart tests: the sample, its analyses, rendering and texts."""

from __future__ import annotations

import struct
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="session")
def sample(sample_of):
    """2,000 customers, seed 3: the charts' hand-checked numbers (drop-off 18.3 %, low bases) are of it."""
    return sample_of(2000, seed=3)


@pytest.fixture(scope="session")
def survey(sample):
    """Survey responses with the (planted) persona of each respondent."""
    return sample.survey.merge(sample.personas, on="customer_id", how="left")


@pytest.fixture(scope="session")
def events(sample):
    """The event log with the (planted) persona of each customer."""
    return sample.events.merge(sample.personas, on="customer_id", how="left")


@pytest.fixture(scope="session")
def catalogue(sample):
    return sample.touchpoints


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def figure_of(obj) -> Figure:
    return obj if isinstance(obj, Figure) else obj.get_figure()


@pytest.fixture
def render(tmp_path):
    """Save a chart once as PNG, check the file, and return its Figure (drawn, so tick labels exist)."""

    def _render(obj, name: str, *, min_bytes: int = 8_000) -> Figure:
        fig = figure_of(obj)
        path = Path(tmp_path) / f"{name}.png"
        fig.savefig(path, dpi=70, bbox_inches="tight")
        data = path.read_bytes()
        assert data[:8] == PNG_SIGNATURE, f"{name}: not a PNG"
        width, height = struct.unpack(">II", data[16:24])
        assert width > 200 and height > 150, f"{name}: image only {width}x{height}"
        assert len(data) > min_bytes, f"{name}: PNG of {len(data)} bytes looks empty"
        return fig

    return _render


def all_texts(obj) -> list[str]:
    """Every text of a figure (titles, labels, tick labels, annotations, legends), after drawing."""
    fig = figure_of(obj)
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def joined(obj) -> str:
    return "\n".join(all_texts(obj))


def patches_by_gid(ax, gid: str) -> list:
    return [p for p in ax.patches if p.get_gid() == gid]


def hexcolor(artist) -> str:
    from matplotlib.colors import to_hex

    return to_hex(artist.get_facecolor(), keep_alpha=False).upper()


@pytest.fixture(scope="session")
def helpers():
    """The helper functions above, for the test modules (conftest cannot be imported by name)."""

    class H:
        pass

    h = H()
    h.all_texts = all_texts
    h.joined = joined
    h.patches_by_gid = patches_by_gid
    h.hexcolor = hexcolor
    h.pd = pd
    return h
