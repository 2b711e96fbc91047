"""Shared checks of the report tests: what a report page must never hold."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
#: An e-mail address (a top-level domain of letters, so an npm version like ``maki@8.2.0`` in plotly.js is none).
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
PHONE = re.compile(r"(?<![\w.])(?:\+|00)\d[\d ()/-]{6,}\d|(?<![\w.])0\d{2,5}[ /-]?\d{5,}")
#: Customer and respondent ids of the sample (C0000001, R1-0000004).
SAMPLE_ID = re.compile(r"\b(?:C\d{7}|R\d-\d{7})\b")


@pytest.fixture(scope="session")
def planted_contacts() -> set[str]:
    """The fake e-mail addresses the sample generator planted in the verbatims."""
    comments = " ".join(pd.read_csv(SAMPLE / "survey.csv")["comment"].dropna())
    found = set(EMAIL.findall(comments))
    assert found  # the sample must hold some, or the checks below prove nothing
    return found


@pytest.fixture(scope="session")
def assert_no_personal_data(planted_contacts):
    """A check of a report page: no raw sample id, no planted or other e-mail, no phone number."""

    def check(page: str, name: str = "report.html") -> None:
        text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)  # images are no text
        # the embedded plotly.js library is code with its authors' addresses; the figures' data stay checked
        parts = re.split(r"(<script\b.*?</script>)", text, flags=re.DOTALL)
        text = html.unescape("".join(p for p in parts if not (p.startswith("<script") and "plotly.js v" in p)))
        assert not any(e in text for e in planted_contacts), name
        assert not EMAIL.search(text), (name, EMAIL.search(text))
        assert not SAMPLE_ID.search(text), (name, SAMPLE_ID.search(text))
        assert not PHONE.search(text), (name, PHONE.search(text))

    return check
