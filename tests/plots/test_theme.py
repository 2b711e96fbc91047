"""The theme: palettes (size, fixed mappings, colour-blind and grey safety), words, numbers."""

from __future__ import annotations

import itertools
import re

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from cjm_lab.errors import CJMConfigError
from cjm_lab.plots import theme as T
from cjm_lab.vocab import DEFAULT_STAGES, DEPARTMENT_LABELS, DEPARTMENTS, STAGE_LABELS

PALETTES = {
    "nps": list(T.NPS_COLORS.values()),
    "personas": list(T.PERSONA_PALETTE),
    "stages": list(T.STAGE_COLORS.values()),
    "departments": list(T.DEPARTMENT_COLORS.values()),
    "models": list(T.MODEL_COLORS.values()),
    "quadrants": list(T.QUADRANT_COLORS.values()),
}

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
CVD = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}


def _linear(color: str) -> np.ndarray:
    c = np.array(to_rgb(color))
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(rgb_linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb_linear
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _luminance(color: str) -> float:
    return float(_linear(color) @ np.array([0.2126, 0.7152, 0.0722]))


@pytest.mark.parametrize("name", list(PALETTES))
def test_palettes_are_small_distinct_hex(name):
    colors = PALETTES[name]
    assert 2 <= len(colors) <= 6
    assert len(set(colors)) == len(colors)
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colors)


def test_fixed_mappings_cover_the_vocabulary():
    assert tuple(T.NPS_COLORS) == T.NPS_GROUPS == ("detractor", "passive", "promoter")
    assert tuple(T.STAGE_COLORS) == DEFAULT_STAGES
    assert tuple(T.DEPARTMENT_COLORS) == DEPARTMENTS
    assert set(T.DEPARTMENT_HATCHES) == set(DEPARTMENTS)
    assert len(set(T.DEPARTMENT_HATCHES.values())) == len(DEPARTMENTS)  # each department its own hatch
    assert len(set(T.NPS_HATCHES.values())) == 3
    assert T.stage_colors() == T.STAGE_COLORS
    assert T.department_colors() == T.DEPARTMENT_COLORS


@pytest.mark.parametrize("name", list(PALETTES))
@pytest.mark.parametrize("deficiency", list(CVD))
def test_palettes_stay_distinct_for_colour_blind_viewers(name, deficiency):
    labs = [_lab(np.clip(CVD[deficiency] @ _linear(c), 0, 1)) for c in PALETTES[name]]
    closest = min(np.linalg.norm(a - b) for a, b in itertools.combinations(labs, 2))
    assert closest >= 12, f"{name} under {deficiency}: two colours only ΔE {closest:.1f} apart"


def test_nps_groups_differ_in_grey():
    lum = sorted(_luminance(c) for c in T.NPS_COLORS.values())
    assert min(np.diff(lum)) > 0.08


def test_neighbouring_stages_differ_in_grey():
    lum = [_luminance(T.STAGE_COLORS[s]) for s in DEFAULT_STAGES]
    assert min(abs(a - b) for a, b in itertools.pairwise(lum)) > 0.1


def test_persona_colours_follow_label_order_and_whole_number_labels():
    assert T.persona_colors(["b", "a"]) == {"b": T.PERSONA_PALETTE[0], "a": T.PERSONA_PALETTE[1]}
    assert T.persona_colors([3, 1]) == {3: T.PERSONA_PALETTE[3], 1: T.PERSONA_PALETTE[1]}
    many = list(range(9))
    pairs = {(T.persona_colors(many)[p], T.persona_markers(many)[p]) for p in many}
    assert len(pairs) == 9  # colours repeat after six, but never with the same marker


def test_stage_colours_for_a_catalogue_with_its_own_stages():
    colors = T.stage_colors(["A_SUBMITTED", "A_PREACCEPTED", "A_ACCEPTED"])
    assert list(colors.values()) == [
        T.STAGE_COLORS["research"],
        T.STAGE_COLORS["comparison"],
        T.STAGE_COLORS["purchase"],
    ]
    assert T.department_colors(["billing_team"]) == {"billing_team": T.NEUTRAL}


def test_labels_come_from_the_vocabulary():
    for lang in ("en", "de"):
        assert [T.stage_label(s, lang) for s in DEFAULT_STAGES] == [STAGE_LABELS[lang][s] for s in DEFAULT_STAGES]
        assert [T.department_label(d, lang) for d in DEPARTMENTS] == [DEPARTMENT_LABELS[lang][d] for d in DEPARTMENTS]
    assert [T.nps_group_label(g, "de") for g in T.NPS_GROUPS] == ["Kritiker", "Passive", "Promotoren"]
    assert T.kind_label("internal", "de") == "Intern"
    assert T.model_label("position_based", "de") == "Positionsbasiert"
    assert T.text("nps_by", "de", segment="Persona") == "Net Promoter Score nach Persona"


@pytest.mark.parametrize(
    ("value", "decimals", "language", "sign", "expected"),
    [
        (1234.5, 1, "de", False, "1.234,5"),
        (1234.5, 1, "en", False, "1,234.5"),
        (1234567, 0, "de", False, "1.234.567"),
        (-4.9, 0, "de", True, "−5"),
        (17.8, 0, "en", True, "+18"),
        (-0.2, 0, "en", True, "0"),
        (float("nan"), 1, "de", False, "–"),
        (None, 1, "en", False, "–"),
    ],
)
def test_format_number(value, decimals, language, sign, expected):
    assert T.format_number(value, decimals, language, sign=sign) == expected


def test_format_percent_and_tick_formatter():
    assert T.format_percent(12.5, 1, "de") == "12,5 %"
    assert T.format_percent(12.5, 1, "en") == "12.5%"
    assert T.format_percent(-3.25, 2, "de", sign=True) == "−3,25 %"
    assert T.number_formatter(None, "de")(2.5, 0) == "2,5"
    assert T.number_formatter(None, "de")(8500, 0) == "8.500"
    assert T.number_formatter(0, "en", percent=True)(40, 0) == "40%"
    assert T.number_formatter(0, "de", sign=True)(20, 0) == "+20"


def test_bad_language_names_the_fix():
    with pytest.raises(CJMConfigError, match=r"`language` must be 'en' or 'de', got 'fr'.*language='de'"):
        T.check_language("fr")
    with pytest.raises(CJMConfigError, match="language"):
        T.format_number(1.0, 0, "fr")


def test_cjm_style_is_scoped_and_set_theme_applies():
    before = mpl.rcParams["axes.spines.top"]
    with T.cjm_style(font_scale=1.5):
        assert mpl.rcParams["axes.spines.top"] is False
        assert mpl.rcParams["axes.titlesize"] == pytest.approx(18.0)
        _, ax = plt.subplots()
        assert not ax.spines["right"].get_visible()
    assert mpl.rcParams["axes.spines.top"] == before
    with mpl.rc_context():
        T.set_theme(rc={"font.size": 11})
        assert mpl.rcParams["font.size"] == 11
        assert mpl.rcParams["hatch.color"] == "#333333"
    with pytest.raises(CJMConfigError, match="font_scale"):
        T.set_theme(font_scale=0)


def test_footnotes_stack_below_the_axes():
    fig, ax = plt.subplots()
    ax.set_xlabel("x")
    first = T.add_footnote(ax, "one")
    second = T.add_footnote(ax, "two")
    assert first.get_gid() == second.get_gid() == "footnote"
    fig.canvas.draw()
    assert second.get_window_extent().y1 <= first.get_window_extent().y0 + 1
    assert first.get_window_extent().y1 <= ax.xaxis.label.get_window_extent().y0 + 1
