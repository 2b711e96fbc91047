"""Personas and customer attributes of the Nordlicht Home sample.

Five planted personas differ in their attitude means (eight Likert items) and
in their categorical tendencies (age, region, income, preferred channel).  The
customers table carries the attributes only; the persona of each customer is
the hidden truth that a segmentation should recover.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from cjm_lab.sample._text import format_ids, take_labels

__all__ = [
    "Persona",
    "PERSONAS",
    "PERSONA_KEYS",
    "ATTITUDE_ITEMS",
    "AGE_BANDS",
    "REGIONS",
    "INCOME_BANDS",
    "CHANNELS",
    "ATTITUDE_SD",
    "REFERENCE_DATE",
    "YEAR_START",
    "YEAR_DAYS",
    "CustomerDraw",
    "draw_customers",
]

#: The eight attitude items (1-5 Likert), in column order.
ATTITUDE_ITEMS: tuple[str, ...] = (
    "att_price",
    "att_digital",
    "att_advice",
    "att_quality",
    "att_brand",
    "att_eco",
    "att_convenience",
    "att_service",
)
AGE_BANDS: tuple[str, ...] = ("18-29", "30-39", "40-49", "50-64", "65+")
REGIONS: tuple[str, ...] = ("Nord", "Süd", "West", "Ost")
INCOME_BANDS: tuple[str, ...] = ("low", "middle", "high")
#: Preferred channels of a customer (a subset of the catalogue's channels).
CHANNELS: tuple[str, ...] = ("online", "app", "store", "phone")

#: Standard deviation of an attitude item around its persona mean, before rounding.
ATTITUDE_SD = 0.7
#: Tenure and sign-up dates are counted back from this day.
REFERENCE_DATE = np.datetime64("2026-01-01", "D")
#: First day of the simulated year; journeys start on one of its 365 days.
YEAR_START = np.datetime64("2025-01-01", "D")
YEAR_DAYS = 365


@dataclass(frozen=True)
class Persona:
    """A planted persona: attitude means and categorical tendencies.

    Probabilities are given in the order of :data:`AGE_BANDS`,
    :data:`REGIONS`, :data:`INCOME_BANDS` and :data:`CHANNELS`.
    """

    key: str
    label_de: str
    label_en: str
    share: float
    attitudes: tuple[float, ...]
    age: tuple[float, ...]
    region: tuple[float, ...]
    income: tuple[float, ...]
    channel: tuple[float, ...]
    tenure_mean_months: float
    order_value_median: float
    recommend_effect: float


#: The five personas; attitude means follow :data:`ATTITUDE_ITEMS`
#: (price, digital, advice, quality, brand, eco, convenience, service).
PERSONAS: tuple[Persona, ...] = (
    Persona(
        key="price_hunter",
        label_de="Preisbewusste Schnäppchenjäger",
        label_en="Price-conscious bargain hunters",
        share=0.28,
        attitudes=(4.6, 3.4, 1.8, 2.2, 1.8, 2.2, 3.0, 2.2),
        age=(0.42, 0.30, 0.15, 0.09, 0.04),
        region=(0.20, 0.24, 0.30, 0.26),
        income=(0.62, 0.32, 0.06),
        channel=(0.70, 0.20, 0.07, 0.03),
        tenure_mean_months=20.0,
        order_value_median=140.0,
        recommend_effect=-0.4,
    ),
    Persona(
        key="digital_convenience",
        label_de="Digitale Bequemlichkeitskäufer",
        label_en="Digital convenience shoppers",
        share=0.24,
        attitudes=(2.8, 4.6, 1.8, 3.2, 3.0, 2.6, 4.6, 2.8),
        age=(0.30, 0.38, 0.20, 0.10, 0.02),
        region=(0.22, 0.28, 0.34, 0.16),
        income=(0.15, 0.65, 0.20),
        channel=(0.12, 0.80, 0.05, 0.03),
        tenure_mean_months=28.0,
        order_value_median=260.0,
        recommend_effect=0.0,
    ),
    Persona(
        key="advice_seeker",
        label_de="Beratungsorientierte Kunden",
        label_en="Advice seekers",
        share=0.20,
        attitudes=(2.8, 1.6, 4.6, 3.4, 2.6, 3.0, 2.4, 4.6),
        age=(0.03, 0.07, 0.15, 0.37, 0.38),
        region=(0.20, 0.28, 0.30, 0.22),
        income=(0.30, 0.50, 0.20),
        channel=(0.06, 0.02, 0.52, 0.40),
        tenure_mean_months=70.0,
        order_value_median=380.0,
        recommend_effect=0.3,
    ),
    Persona(
        key="quality_premium",
        label_de="Qualitätsbewusste Premiumkäufer",
        label_en="Quality-minded premium buyers",
        share=0.16,
        attitudes=(1.6, 3.2, 3.0, 4.7, 4.6, 2.8, 3.4, 3.4),
        age=(0.05, 0.18, 0.32, 0.32, 0.13),
        region=(0.20, 0.36, 0.30, 0.14),
        income=(0.03, 0.27, 0.70),
        channel=(0.45, 0.15, 0.30, 0.10),
        tenure_mean_months=50.0,
        order_value_median=720.0,
        recommend_effect=0.3,
    ),
    Persona(
        key="eco_conscious",
        label_de="Nachhaltigkeitsbewusste Käufer",
        label_en="Eco-conscious shoppers",
        share=0.12,
        attitudes=(2.8, 2.8, 3.0, 3.4, 2.2, 4.7, 2.6, 3.2),
        age=(0.22, 0.28, 0.22, 0.18, 0.10),
        region=(0.30, 0.22, 0.30, 0.18),
        income=(0.20, 0.50, 0.30),
        channel=(0.35, 0.25, 0.25, 0.15),
        tenure_mean_months=36.0,
        order_value_median=320.0,
        recommend_effect=0.1,
    ),
)

PERSONA_KEYS: tuple[str, ...] = tuple(p.key for p in PERSONAS)


def _table(field: str) -> np.ndarray:
    """Stack one tuple field of all personas into a (persona, level) array."""
    return np.array([getattr(p, field) for p in PERSONAS], dtype=float)


def _draw_category(rng: np.random.Generator, probs: np.ndarray, persona: np.ndarray) -> np.ndarray:
    """Draw one category per customer from its persona's probability row."""
    cdf = np.cumsum(probs, axis=1)
    cdf[:, -1] = 1.0
    u = rng.random(persona.size)
    return (u[:, None] >= cdf[persona]).sum(axis=1)


def _ordered(codes: np.ndarray, levels: tuple[str, ...]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=list(levels), ordered=True)


@dataclass(frozen=True)
class CustomerDraw:
    """Customers of one chunk together with the hidden codes the simulator needs."""

    frame: pd.DataFrame
    ids: pa.Array
    persona: np.ndarray
    age: np.ndarray
    channel: np.ndarray
    start_day: np.ndarray


def draw_customers(rng: np.random.Generator, first: int, n: int, width: int) -> CustomerDraw:
    """Draw ``n`` customers with their hidden personas.

    Parameters
    ----------
    rng : numpy.random.Generator
        The chunk's random generator.
    first : int
        Zero-based number of the first customer (ids continue across chunks).
    n : int
        Number of customers.
    width : int
        Digits of the customer id.

    Returns
    -------
    CustomerDraw
        ``frame`` holds ``customer_id, age_band, region, income_band,
        preferred_channel``, the eight ``att_*`` items, ``tenure_months`` and
        ``signup_date`` (``annual_spend`` is added once the journeys are
        known); ``persona``, ``age`` and ``channel`` are integer codes and
        ``start_day`` the day of 2025 (0-364) on which the customer's journey
        starts (never before the sign-up).

    Examples
    --------
    >>> draw = draw_customers(np.random.default_rng(0), 0, 3, 7)
    >>> draw.ids.to_pylist()
    ['C0000001', 'C0000002', 'C0000003']
    """
    shares = np.array([p.share for p in PERSONAS])
    persona = rng.choice(len(PERSONAS), size=n, p=shares / shares.sum())
    ids = format_ids("C", np.arange(first + 1, first + n + 1), width)

    age = _draw_category(rng, _table("age"), persona)
    region = _draw_category(rng, _table("region"), persona)
    income = _draw_category(rng, _table("income"), persona)
    channel = _draw_category(rng, _table("channel"), persona)

    means = _table("attitudes")[persona]
    latent = means + rng.normal(0.0, ATTITUDE_SD, size=means.shape)
    items = np.clip(np.rint(latent), 1, 5).astype(np.int64)

    start_day = rng.integers(0, YEAR_DAYS, size=n)
    tenure_mean = _table("tenure_mean_months")[persona]
    days_back = np.floor(rng.gamma(1.6, tenure_mean / 1.6) * 30.4375).astype(np.int64)
    signup = REFERENCE_DATE - days_back.astype("timedelta64[D]")
    # a customer who "signed up" after the journey started did so on its first day
    signup = np.minimum(signup, YEAR_START + start_day.astype("timedelta64[D]"))
    tenure = np.floor((REFERENCE_DATE - signup).astype(np.int64) / 30.4375).astype(np.int64)

    columns: dict[str, object] = {
        "customer_id": ids.to_pandas(),
        "age_band": _ordered(age, AGE_BANDS),
        "region": take_labels(REGIONS, region).to_pandas(),
        "income_band": _ordered(income, INCOME_BANDS),
        "preferred_channel": take_labels(CHANNELS, channel).to_pandas(),
    }
    for j, item in enumerate(ATTITUDE_ITEMS):
        columns[item] = items[:, j]
    columns["tenure_months"] = tenure
    columns["signup_date"] = signup.astype("datetime64[us]")
    return CustomerDraw(
        frame=pd.DataFrame(columns), ids=ids, persona=persona, age=age, channel=channel, start_day=start_day
    )
