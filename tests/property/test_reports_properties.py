"""Properties of the report runner's parameter handling (no kernel runs) and of the privacy
steps every report table passes."""

from __future__ import annotations

import re
import string
import tempfile
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_notebook

from cjm_lab.errors import CJMConfigError, CJMError
from cjm_lab.privacy import mask_pii, protect_table, pseudonymise, suppress_small_groups
from cjm_lab.reports import check_parameters, report_parameters
from cjm_lab.reports.notebooks import parse_cli_value

CELL = """
n_themes: int = 6  # help: number of themes
alpha: float = 0.05  # help: significance level
language: str = "en"  # help: en or de
pdf: bool = False  # help: also a PDF
k: int | str = "auto"  # help: a number or "auto"
segments: list = ["wave"]  # help: grouping columns
mapping: dict = {}  # help: column mapping
label: str | None = None  # help: optional label
output_dir: str = ""  # help: set by the runner
"""
DECLARED = {
    "n_themes": (int,),
    "alpha": (float, int),
    "language": (str,),
    "pdf": (bool,),
    "k": (int, str),
    "segments": (list,),
    "mapping": (dict,),
    "label": (str, type(None)),
    "output_dir": (str,),
}


def _books(cell: str = CELL, name: str = "demo") -> Path:
    folder = Path(tempfile.mkdtemp(prefix="cjm-books-"))
    params = new_code_cell(cell.strip())
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell("print(1)")])
    nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


BOOKS = _books()

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)
VALUES = {
    "n_themes": st.integers(-(10**6), 10**6),
    "alpha": st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-100, 100)),
    "language": TEXT,
    "pdf": st.booleans(),
    "k": st.one_of(st.integers(1, 20), TEXT),
    "segments": st.lists(TEXT, max_size=3),
    "mapping": st.dictionaries(TEXT, TEXT, max_size=3),
    "label": st.one_of(st.none(), TEXT),
    "output_dir": TEXT,
}


@given(st.fixed_dictionaries({}, optional=VALUES))
def test_valid_values_pass_unchanged(values):
    out = check_parameters("demo", values, BOOKS)
    assert set(out) == set(values)
    for key, value in values.items():
        if key == "alpha":
            assert isinstance(out[key], float) and out[key] == value
        elif isinstance(value, str) and key in ("k",):
            assert out[key] == value or out[key] == parse_cli_value(value)
        else:
            assert out[key] == value and type(out[key]) is type(value)


@given(st.integers(-(10**9), 10**9), st.floats(-1e6, 1e6, allow_nan=False), st.booleans())
def test_command_line_text_is_coerced_to_the_declared_type(i, x, b):
    out = check_parameters(
        "demo", {"n_themes": str(i), "alpha": repr(x), "pdf": str(b).lower(), "k": str(abs(i) + 1)}, BOOKS
    )
    assert out["n_themes"] == i and out["alpha"] == pytest.approx(x) and out["pdf"] is b and out["k"] == abs(i) + 1
    assert check_parameters("demo", {"language": str(i)}, BOOKS)["language"] == str(i)  # text stays text


@given(st.text(min_size=1, max_size=15))
def test_unknown_names_list_the_valid_ones(name):
    assume(name not in DECLARED)
    with pytest.raises(CJMConfigError) as err:
        check_parameters("demo", {name: 1}, BOOKS)
    text = str(err.value)
    assert "has no parameter" in text and "n_themes (int)" in text and "output_dir (str)" in text


WRONG = {
    "n_themes": st.one_of(
        st.floats(allow_nan=False).filter(lambda v: v != int(v) if np.isfinite(v) else True),
        st.lists(st.integers(), min_size=1),
        st.just("viele"),
        st.booleans(),
    ),
    "pdf": st.one_of(st.integers(2, 9), st.just("vielleicht"), st.lists(st.booleans(), min_size=1)),
    "segments": st.one_of(st.integers(), st.dictionaries(TEXT, TEXT, min_size=1)),
    "language": st.one_of(st.integers(), st.lists(TEXT, min_size=1), st.booleans()),
}


@given(st.sampled_from(sorted(WRONG)), st.data())
def test_wrong_types_name_the_parameter_and_its_type(key, data):
    value = data.draw(WRONG[key])
    with pytest.raises(CJMConfigError) as err:
        check_parameters("demo", {key: value}, BOOKS)
    assert repr(key) in str(err.value) and "must be" in str(err.value)


@given(TEXT)
def test_parse_cli_value_never_raises(text):
    parse_cli_value(text)


@given(st.text(min_size=1, max_size=20))
def test_unknown_report_names(name):
    assume(name != "demo")
    with pytest.raises(CJMError, match="There is no report|A report is named by its name"):
        check_parameters(name, {}, BOOKS)


@given(
    st.sampled_from(
        [
            "x = 1 +",  # a syntax error
            "x: int = len('abc')  # help: a call",  # not a literal
            "x: numpy.int64 = 3  # help: odd type",  # an unsupported annotation
            "import os",  # a statement
            "x, y = 1, 2",  # unpacking
            "for i in range(3): pass",
        ]
    )
)
def test_broken_parameter_cells_give_the_projects_error(cell):
    books = _books(cell, name="broken")
    with pytest.raises(CJMConfigError) as err:
        report_parameters("broken", books)
    assert "broken.ipynb" in str(err.value) or "annotation" in str(err.value)


# --- privacy --------------------------------------------------------------------------------


@given(st.integers(2, 6), st.integers(2, 6), st.integers(1, 10), st.data())
def test_suppressed_crosstabs_are_safe(n_rows, n_cols, k, data):
    m = np.array(
        data.draw(
            st.lists(
                st.lists(st.integers(0, 3 * k), min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows
            )
        )
    )
    table = pd.DataFrame(m, columns=[f"c{j}" for j in range(n_cols)])
    table.insert(0, "row", [f"r{i}" for i in range(n_rows)])
    table["Total"] = m.sum(axis=1)
    table.loc[len(table)] = ["Total", *m.sum(axis=0), m.sum()]
    out = suppress_small_groups(table, base="cells", min_group_size=k)
    cells = out.iloc[:n_rows, 1 : n_cols + 1]
    hidden = cells.isna().to_numpy()
    assert (hidden | (m >= k)).all()  # nothing small stays visible
    assert (cells.to_numpy()[~hidden] == m[~hidden]).all()  # what is shown is unchanged
    assert not (hidden.sum(axis=1) == 1).any() and not (hidden.sum(axis=0) == 1).any()  # no cell from totals
    margins = out.iloc[:, -1].to_numpy(dtype=float)
    assert np.isnan(margins[np.r_[m.sum(axis=1), m.sum()] < k]).all()


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", "d", "e"]), st.integers(0, 30)),
        min_size=1,
        max_size=5,
        unique_by=lambda t: t[0],
    ),
    st.integers(1, 10),
)
def test_suppressed_tidy_tables_are_safe(rows, k):
    table = pd.DataFrame(rows, columns=["segment", "n"]).assign(nps=lambda d: d["n"] * 1.5)
    table.loc[len(table)] = ["Total", table["n"].sum(), 0.0]
    out = suppress_small_groups(table, min_group_size=k)
    shown = out[~out["suppressed"]]
    assert (shown["n"] >= k).all() and shown["nps"].notna().all()
    groups = out[out["segment"] != "Total"]
    assert groups["suppressed"].sum() != 1 or len(groups) == 1
    assert out[out["suppressed"]][["n", "nps"]].isna().all().all()


IDS = st.text(string.ascii_letters + string.digits + "-_", min_size=3, max_size=12)


@given(st.lists(IDS, min_size=1, max_size=20), st.text(min_size=1, max_size=20).filter(str.strip))
def test_pseudonyms_are_stable_distinct_and_never_the_id(ids, salt):
    s = pd.Series(ids)
    p = pseudonymise(s, salt=salt)
    assert p.tolist() == pseudonymise(s, salt=salt).tolist()
    assert len(set(p)) == len(set(ids))
    assert not set(p) & set(ids) or all(len(i) == 16 for i in set(p) & set(ids))
    out = protect_table(pd.DataFrame({"customer_id": ids, "value": range(len(ids))}), salt=salt)
    assert not set(out["customer_id"]) & set(ids) or all(len(i) == 16 for i in set(ids))


LOCAL = st.text(string.ascii_lowercase + string.digits + ".", min_size=1, max_size=10).filter(
    lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s
)
DOMAIN = st.text(string.ascii_lowercase, min_size=2, max_size=10)
WORDS = st.text(string.ascii_letters + "äöüß ,!?", max_size=30)


@given(
    WORDS,
    LOCAL,
    DOMAIN,
    st.sampled_from(["de", "com", "org"]),
    WORDS,
    st.sampled_from(["+49 171 2345678", "0171 2345678", "030-1234567", "+1 (555) 123-4567", "0049 40 1234567"]),
)
def test_masked_text_keeps_no_address_or_number(before, local, domain, tld, after, phone):
    email = f"{local}@{domain}.{tld}"
    text = f"{before} {email} {after} Tel. {phone}"
    masked = mask_pii(pd.Series([text])).iloc[0]
    assert email not in masked and "@" not in masked
    assert not re.search(r"\d{3}[ -/]?\d{4}", masked)
    assert "[email]" in masked and "[phone]" in masked
