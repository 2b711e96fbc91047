"""Chunked generation of the Nordlicht Home sample and its ground truth.

Customers are generated in chunks; chunk ``k`` draws all its random numbers
from the ``k``-th child of ``numpy.random.SeedSequence(seed).spawn(...)``, so
the output depends only on the seed and the chunk size.  :func:`make_sample`
and :func:`cjm_lab.sample.write_sample` share this path: the writer streams the
events of each chunk to disk, :func:`make_sample` keeps them in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._params import Interval, check_param, check_params, renamed_args, validate_params
from cjm_lab._progress import progress_bar
from cjm_lab.sample._text import take_labels
from cjm_lab.sample.catalogue import TOUCHPOINTS, TP, touchpoint_catalogue
from cjm_lab.sample.customers import (
    AGE_BANDS,
    ATTITUDE_ITEMS,
    CHANNELS,
    PERSONA_KEYS,
    PERSONAS,
    draw_customers,
)
from cjm_lab.sample.journeys import (
    BILLING_FIX,
    BILLING_RATE_AFTER_FIX,
    BILLING_RATE_BEFORE_FIX,
    CHECKOUT_EXIT,
    DELAY_RATE,
    DUPLICATE_RATE,
    MAX_STEPS,
    OUTAGE_FAILURE_RATE,
    PAYMENT_OUTAGE,
    PING_PONG_RATE,
    PING_PONG_TEAMS,
    SECOND_LOOP_RATE,
    SERVICE_CONTACTS_AFTER_DELAY,
    TEAMS,
    build_events,
    journey_stats,
    plant_outage_and_teams,
    simulate_journeys,
)
from cjm_lab.sample.survey import (
    DONT_KNOW,
    DRIVER_EFFECTS,
    DRIVER_ORDER,
    EXPERIENCE_EFFECTS,
    MAX_RESPONSE_RATE,
    RATING_WINDOW_DAYS,
    RECOMMEND_INTERCEPT,
    RECOMMEND_NOISE_SD,
    RESPONSE_RATE,
    SURVEY_COLUMNS,
    THEME_KEYS,
    WAVES,
    SurveyChunk,
    draw_disposition,
    draw_survey,
    nps_counts,
    rake_weights,
    shapley_shares,
    wave_scores,
)
from cjm_lab.vocab import DEFAULT_STAGES

__all__ = ["SampleData", "Chunk", "make_sample", "iter_chunks", "Assembler", "check_parameters", "response_rate"]

#: Chunk size used when none is given.
DEFAULT_CHUNK = 200_000
MIN_CUSTOMERS = 10
#: Customers simulated once (fixed seed) for the population Shapley shares;
#: both waves are scored, giving twice as many answers.
REFERENCE_CUSTOMERS = 100_000
REFERENCE_SEED = 20_250_101


@dataclass(frozen=True)
class SampleData:
    """The four tables of the sample, the hidden personas and the planted truth.

    Attributes
    ----------
    customers : pandas.DataFrame
        One row per customer (attributes, no persona).
    touchpoints : pandas.DataFrame
        The touchpoint catalogue.
    events : pandas.DataFrame
        One row per event, in customer and time order.
    survey : pandas.DataFrame
        One row per answer of either wave.
    truth : dict
        JSON-serialisable ground truth (what was planted, with observed sizes).
    personas : pandas.DataFrame
        ``customer_id, persona``: the hidden segment of every customer.
    """

    customers: pd.DataFrame
    touchpoints: pd.DataFrame
    events: pd.DataFrame
    survey: pd.DataFrame
    truth: dict[str, Any]
    personas: pd.DataFrame


@dataclass
class Chunk:
    """The tables and counts of one chunk of customers."""

    customers: pd.DataFrame
    personas: pd.DataFrame
    events: pd.DataFrame
    survey: SurveyChunk
    stats: dict[str, Any]


#: The options of the generator (:func:`make_sample`, :func:`~cjm_lab.sample.write_sample`).
OPTIONS = {
    "customers": [Interval(Integral, MIN_CUSTOMERS, None, closed="left", example="5000")],
    "random_state": [Interval(Integral, 0, None, closed="left", example="42")],
    "chunk_customers": [Interval(Integral, 1, None, closed="left", example="200_000")],
}


def check_parameters(
    customers: object,
    seed: object,
    chunk_customers: object,
    survey_responses: object = None,
    *,
    where: str = "make_sample()",
) -> None:
    """Raise :class:`~cjm_lab.errors.CJMConfigError` for unusable parameters (:data:`OPTIONS`).

    Examples
    --------
    >>> check_parameters(5000, 42, 200_000)
    >>> check_parameters(5000, 42, 200_000, survey_responses=3500)
    >>> check_parameters(5000, 42, 200_000, survey_responses=3501)
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMConfigError: make_sample(): `survey_responses` must be a whole number from 1 to 3500 ...
    >>> check_parameters(5, 42, 200_000)
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMConfigError: make_sample(): `customers` must be a whole number of at least 10, e.g. 5000, got 5.
    """
    check_params(
        {"customers": customers, "random_state": seed, "chunk_customers": chunk_customers}, OPTIONS, where=where
    )
    if survey_responses is not None:
        most = int(2 * MAX_RESPONSE_RATE * customers + 1e-9)  # type: ignore[operator]
        answers = Interval(
            Integral,
            1,
            most,
            note=f"0.7 answers per customer over the two waves for {customers} customers",
            fix="pass fewer responses, more customers, or None for the default (about 0.5 per customer).",
        )
        check_param(survey_responses, [answers], name="survey_responses", where=where)


def response_rate(customers: int, survey_responses: int | None) -> float:
    """The share of customers answering each of the two waves.

    ``None`` gives the default rate (25 % per wave, about half an answer per
    customer); a number of responses gives the rate that yields that many
    answers in expectation over both waves.

    Examples
    --------
    >>> response_rate(1_000_000, None), response_rate(1_000_000, 200_000)
    (0.25, 0.1)
    """
    return RESPONSE_RATE if survey_responses is None else survey_responses / (2 * customers)


def _simulate_chunk(
    rng: np.random.Generator,
    first: int,
    n: int,
    width: int,
    rate: float = RESPONSE_RATE,
    plant_rng: np.random.Generator | None = None,
) -> Chunk:
    """Simulate the customers, journeys, events and survey answers of one chunk.

    ``plant_rng`` draws the payment outage and the teams (a stream of its own, so that the
    chains, the duplicates and the survey draw the same numbers with or without them).
    """
    draw = draw_customers(rng, first, n, width)
    walk = simulate_journeys(rng, draw.persona, draw.channel, draw.start_day)
    planted = plant_outage_and_teams(plant_rng or np.random.default_rng(first), walk)
    journeys = planted.journeys  # what the customers lived: the outage cut some journeys short
    events, value, n_duplicates = build_events(rng, walk, draw.ids, draw.persona, draw.channel, planted)
    disposition = draw_disposition(rng, n)
    scores = (
        wave_scores(rng, journeys, draw.persona, disposition, 1),
        wave_scores(rng, journeys, draw.persona, disposition, 2),
    )
    numbers = np.arange(first + 1, first + n + 1)
    survey = draw_survey(rng, scores, draw.ids, numbers, width, draw.persona, draw.age, draw.channel, rate)

    spend = np.bincount(walk.customer, weights=np.nan_to_num(value), minlength=n)
    median = np.array([p.order_value_median for p in PERSONAS])[draw.persona]
    other = 0.3 * median * np.exp(rng.normal(0.0, 0.8, n))
    customers = draw.frame
    customers.insert(customers.columns.get_loc("signup_date"), "annual_spend", np.round(spend + other, 2))
    personas = pd.DataFrame(
        {"customer_id": customers["customer_id"], "persona": take_labels(PERSONA_KEYS, draw.persona).to_pandas()}
    )

    stats = journey_stats(journeys, draw.persona)
    stats.update(
        duplicates=n_duplicates,
        rows=len(events),
        truncated=int(journeys.truncated.sum()),
        persona_counts=np.bincount(draw.persona, minlength=len(PERSONAS)),
        attitude_sums=np.stack(
            [customers[list(ATTITUDE_ITEMS)].to_numpy()[draw.persona == p].sum(axis=0) for p in range(len(PERSONAS))]
        ),
        age_counts=np.bincount(draw.age, minlength=len(AGE_BANDS)),
        channel_counts=np.bincount(draw.channel, minlength=len(CHANNELS)),
        nps_wave1=nps_counts(scores[0].recommend),
        nps_wave2=nps_counts(scores[1].recommend),
        outage_checkouts=planted.outage_checkouts,
        outage_failures=planted.outage_failures,
        week_payments=planted.outage_weeks["payments"],
        week_confirmed=planted.outage_weeks["confirmed"],
        delayed_with_contacts=planted.delayed,
        ping_pong=planted.ping_pong,
    )
    return Chunk(customers=customers, personas=personas, events=events, survey=survey, stats=stats)


def iter_chunks(
    customers: int, seed: int, chunk_customers: int, survey_responses: int | None = None
) -> Iterator[Chunk]:
    """Yield the chunks of a sample in order (each from its own seed child).

    ``survey_responses`` sets the expected number of survey answers (see
    :func:`response_rate`); the events do not depend on it.

    Examples
    --------
    >>> [len(c.customers) for c in iter_chunks(25, seed=1, chunk_customers=10)]
    [10, 10, 5]
    """
    check_parameters(customers, seed, chunk_customers, survey_responses)
    rate = response_rate(customers, survey_responses)
    n_chunks = -(-customers // chunk_customers)
    children = np.random.SeedSequence(seed).spawn(n_chunks)
    width = max(7, len(str(customers)))
    for k, child in enumerate(children):
        first = k * chunk_customers
        n = min(chunk_customers, customers - first)
        # the outage and the teams come from a grandchild: the child's own stream is unchanged by them
        plant = np.random.default_rng(np.random.SeedSequence(child.entropy, spawn_key=(*child.spawn_key, 0)))
        yield _simulate_chunk(np.random.default_rng(child), first, n, width, rate, plant)


@lru_cache(maxsize=1)
def _reference_shares() -> tuple[tuple[str, float], ...]:
    """Shapley shares of R² on a large population simulated with a fixed seed."""
    rng = np.random.default_rng(np.random.SeedSequence(REFERENCE_SEED))
    n = REFERENCE_CUSTOMERS
    draw = draw_customers(rng, 0, n, 7)
    walk = simulate_journeys(rng, draw.persona, draw.channel, draw.start_day)
    journeys = plant_outage_and_teams(np.random.default_rng(np.random.SeedSequence(REFERENCE_SEED + 1)), walk).journeys
    disposition = draw_disposition(rng, n)
    scores = [wave_scores(rng, journeys, draw.persona, disposition, w) for w in (1, 2)]
    ratings = np.vstack([s.ratings for s in scores])
    recommend = np.concatenate([s.recommend for s in scores])
    return tuple(shapley_shares(ratings, recommend).items())


def _plain(value: Any) -> Any:
    """Turn numpy scalars inside nested dicts and lists into Python values (for JSON)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _nps(counts: np.ndarray) -> float:
    n, promoters, detractors = counts
    return round(100.0 * (promoters - detractors) / n, 2)


def _stage(touchpoint: str) -> str:
    return TOUCHPOINTS[TP[touchpoint]].stage


def _department(touchpoint: str) -> str:
    return TOUCHPOINTS[TP[touchpoint]].department


def _rate(numerator: float, denominator: float) -> float | None:
    return round(float(numerator) / float(denominator), 4) if denominator else None


@dataclass
class Assembler:
    """Collects the survey rows and counts of all chunks; builds the weighted survey and the truth.

    The customers, personas and events of a chunk are not kept: the caller
    stores them (in memory or on disk).

    Examples
    --------
    >>> asm = Assembler(customers=30, seed=3, chunk_customers=20)
    >>> for chunk in iter_chunks(30, 3, 20):
    ...     asm.add(chunk)
    >>> survey, truth = asm.finish()
    >>> truth["n_customers"], sorted(survey["wave"].unique().tolist())
    (30, [1, 2])
    """

    customers: int
    seed: int
    chunk_customers: int
    survey_responses: int | None = None
    _surveys: list[SurveyChunk] = field(default_factory=list)
    _stats: dict[str, Any] = field(default_factory=dict)

    def add(self, chunk: Chunk) -> None:
        """Keep a chunk's survey rows and sum its counts."""
        self._surveys.append(chunk.survey)
        for key, value in chunk.stats.items():
            self._stats[key] = self._stats[key] + value if key in self._stats else value

    def finish(self) -> tuple[pd.DataFrame, dict[str, Any]]:
        """Return the weighted survey and the truth."""
        survey = self._survey()
        return survey, self._truth(survey)

    def _survey(self) -> pd.DataFrame:
        frame = pd.concat([s.frame for s in self._surveys], ignore_index=True)
        age = np.concatenate([s.age for s in self._surveys])
        channel = np.concatenate([s.channel for s in self._surveys])
        wave = frame["wave"].to_numpy()
        frame["weight"] = rake_weights(wave, age, channel, self._stats["age_counts"], self._stats["channel_counts"])
        order = np.argsort(wave, kind="stable")
        return frame.iloc[order].reset_index(drop=True)[list(SURVEY_COLUMNS)]

    def _truth(self, survey: pd.DataFrame) -> dict[str, Any]:
        st = self._stats
        n = self.customers
        truth = {
            "generator": "cjm_lab.sample",
            "company": "Nordlicht Home",
            "seed": self.seed,
            "n_customers": n,
            "chunk_customers": self.chunk_customers,
            "stages": list(DEFAULT_STAGES),
            "personas": self._persona_truth(),
            "pain_points": self._pain_points(),
            "checkout_dropoff": {
                key: {
                    "planned": CHECKOUT_EXIT[key],
                    "observed": _rate(st["checkout_exits"][p], st["checkouts"][p]),
                    "n_checkouts": int(st["checkouts"][p]),
                }
                for p, key in enumerate(PERSONA_KEYS)
            },
            "driver_effects": dict(DRIVER_EFFECTS),
            "driver_order": list(DRIVER_ORDER),
            "driver_shapley_shares": {k: round(v, 4) for k, v in _reference_shares()},
            "recommend_model": {
                "formula": (
                    "recommend = round(clip(intercept + sum_j b_j * (rating_j - 3) + persona_effect + noise, 0, 10))"
                ),
                "intercept": RECOMMEND_INTERCEPT,
                "noise_sd": RECOMMEND_NOISE_SD,
                "persona_effects": {p.key: p.recommend_effect for p in PERSONAS},
                "rating_window_days": RATING_WINDOW_DAYS,
                "experience_effects": dict(EXPERIENCE_EFFECTS),
                "shapley_population": f"{REFERENCE_CUSTOMERS} customers x 2 waves, fixed seed {REFERENCE_SEED}",
            },
            "true_nps_by_wave": {"1": _nps(st["nps_wave1"]), "2": _nps(st["nps_wave2"])},
            "survey": self._survey_truth(survey),
            "speeder_respondent_ids": [i for s in self._surveys for i in s.speeders],
            "straightliner_respondent_ids": [i for s in self._surveys for i in s.straightliners],
            "speeder_rule": "duration_sec < 0.3 * median(duration_sec)",
            "n_pii_comments": int(sum(s.n_pii for s in self._surveys)),
            "comment_themes": {
                f"{theme}_{polarity}": int(count)
                for (theme, polarity), count in zip(
                    THEME_KEYS, np.sum([s.themes for s in self._surveys], axis=0), strict=True
                )
            },
            "dont_know_code": DONT_KNOW,
            "n_duplicate_events": int(st["duplicates"]),
            "duplicate_rule": "same customer_id, timestamp and touchpoint (and all other columns but sequence)",
            "n_events": int(st["rows"]),
            "events_per_customer": round(st["rows"] / n, 2),
            "journeys": {
                "converted_share": _rate(st["converters"], n),
                "repeat_buyer_share": _rate(st["repeat_buyers"], n),
                "max_steps": MAX_STEPS,
                "truncated_journeys": int(st["truncated"]),
            },
        }
        return _plain(truth)

    def _persona_truth(self) -> list[dict[str, Any]]:
        counts = self._stats["persona_counts"]
        sums = self._stats["attitude_sums"]
        out = []
        for p, persona in enumerate(PERSONAS):
            size = int(counts[p])
            out.append(
                {
                    "key": persona.key,
                    "label_de": persona.label_de,
                    "label_en": persona.label_en,
                    "planned_share": persona.share,
                    "n": size,
                    "share": _rate(size, self.customers),
                    "attitude_means": dict(zip(ATTITUDE_ITEMS, persona.attitudes, strict=True)),
                    "observed_attitude_means": {
                        item: (round(float(sums[p, k]) / size, 3) if size else None)
                        for k, item in enumerate(ATTITUDE_ITEMS)
                    },
                    "age_band_probs": dict(zip(AGE_BANDS, persona.age, strict=True)),
                    "income_band_probs": dict(zip(("low", "middle", "high"), persona.income, strict=True)),
                    "preferred_channel_probs": dict(zip(CHANNELS, persona.channel, strict=True)),
                }
            )
        return out

    def _pain_points(self) -> list[dict[str, Any]]:
        st = self._stats
        everyone = list(PERSONA_KEYS)
        others = [k for k in PERSONA_KEYS if k != "price_hunter"]
        other_rate = _rate(
            sum(st["checkout_exits"][PERSONA_KEYS.index(k)] for k in others),
            sum(st["checkouts"][PERSONA_KEYS.index(k)] for k in others),
        )
        invoices = st["invoices_before_fix"] + st["invoices_after_fix"]
        complaints = st["complaints_before_fix"] + st["complaints_after_fix"]
        return [
            {
                "id": "delivery_delay",
                "name_en": "Delivery delay leads to repeated service contacts",
                "name_de": "Lieferverzögerung führt zu wiederholten Servicekontakten",
                "touchpoint": "Delivery delay notice",
                "stage": _stage("Delivery delay notice"),
                "department": _department("Delivery delay notice"),
                "departments": ["logistics", "customer_service"],
                "personas": everyone,
                "follow_up_touchpoints": ["Service hotline", "Service chat"],
                "effect": {
                    "planned_delay_rate": DELAY_RATE,
                    "observed_delay_rate": _rate(st["delays"], st["shipments"]),
                    "service_contacts_per_delay": list(SERVICE_CONTACTS_AFTER_DELAY),
                    "observed_contacts_per_delay": _rate(st["delay_contacts"], st["delays"]),
                    "contact_window_days": 7,
                    "sat_delivery_effect": EXPERIENCE_EFFECTS["sat_delivery_per_delay"],
                },
            },
            {
                "id": "checkout_dropoff",
                "name_en": "Price hunters abandon the payment step",
                "name_de": "Schnäppchenjäger brechen beim Bezahlen ab",
                "touchpoint": "Checkout payment",
                "stage": _stage("Checkout payment"),
                "department": _department("Checkout payment"),
                "personas": ["price_hunter"],
                "effect": {
                    "planned_exit_rate_persona": CHECKOUT_EXIT["price_hunter"],
                    "planned_exit_rate_others": CHECKOUT_EXIT["digital_convenience"],
                    "observed_exit_rate_persona": _rate(st["checkout_exits"][0], st["checkouts"][0]),
                    "observed_exit_rate_others": other_rate,
                    "sat_checkout_effect": EXPERIENCE_EFFECTS["sat_checkout_after_dropoff"],
                },
            },
            {
                "id": "billing_loop",
                "name_en": "Billing error loop",
                "name_de": "Schleife aus Rechnungsfehlern",
                "touchpoint": "Billing complaint",
                "stage": _stage("Billing complaint"),
                "department": _department("Billing complaint"),
                "personas": everyone,
                "loop": ["Invoice", "Billing complaint", "Invoice correction", "Invoice"],
                "effect": {
                    "planned_complaint_rate_before_fix": BILLING_RATE_BEFORE_FIX,
                    "planned_complaint_rate_after_fix": BILLING_RATE_AFTER_FIX,
                    "billing_fix_date": str(BILLING_FIX.astype("datetime64[D]")),
                    "planned_second_loop_rate": SECOND_LOOP_RATE,
                    "observed_complaint_rate": _rate(complaints, invoices),
                    "observed_complaint_rate_before_fix": _rate(st["complaints_before_fix"], st["invoices_before_fix"]),
                    "observed_complaint_rate_after_fix": _rate(st["complaints_after_fix"], st["invoices_after_fix"]),
                    "n_second_loops": int(st["second_loops"]),
                    "sat_billing_effect_per_loop": EXPERIENCE_EFFECTS["sat_billing_per_loop"],
                },
            },
            self._outage_truth(),
            {
                "id": "service_ping_pong",
                "name_en": "Delayed deliveries ping-pong between the service desk and the logistics desk",
                "name_de": "Verspätete Lieferungen pendeln zwischen Service-Desk und Logistik-Desk",
                "touchpoint": "Service hotline",
                "stage": _stage("Service hotline"),
                "department": _department("Service hotline"),
                "column": "team",
                "teams": list(PING_PONG_TEAMS),
                "personas": everyone,
                "effect": {
                    "planned_ping_pong_rate": PING_PONG_RATE,
                    "delays_with_contacts": int(st["delayed_with_contacts"]),
                    "n_ping_pong": int(st["ping_pong"]),
                    "observed_ping_pong_rate": _rate(st["ping_pong"], st["delayed_with_contacts"]),
                    "team_of": dict(TEAMS),
                },
            },
        ]

    def _outage_truth(self) -> dict[str, Any]:
        st = self._stats
        start, end = (str(d.astype("datetime64[D]")) for d in PAYMENT_OUTAGE)
        payments, confirmed = st["week_payments"], st["week_confirmed"]
        # ISO weeks of 2025 (index 0 = 2025-W01); the outage covers W14 and W15
        during = [13, 14]
        outside = np.setdiff1d(np.arange(payments.size), during)
        weekly = {
            f"2025-W{w + 1:02d}": _rate(confirmed[w], payments[w]) for w in range(min(52, payments.size)) if payments[w]
        }
        return {
            "id": "payment_outage",
            "name_en": "Payment outage: half the payments fail for two weeks",
            "name_de": "Störung der Zahlung: zwei Wochen lang scheitert die Hälfte der Zahlungen",
            "touchpoint": "Checkout payment",
            "stage": _stage("Checkout payment"),
            "department": _department("Checkout payment"),
            "personas": list(PERSONA_KEYS),
            "window": [start, end],
            "weeks": ["2025-W14", "2025-W15"],
            "effect": {
                "planned_failure_rate": OUTAGE_FAILURE_RATE,
                "payments_in_window": int(st["outage_checkouts"]),
                "failed_payments": int(st["outage_failures"]),
                "confirmed_share_during": _rate(confirmed[during].sum(), payments[during].sum()),
                "confirmed_share_outside": _rate(confirmed[outside].sum(), payments[outside].sum()),
                "confirmed_share_by_week": weekly,
            },
        }

    def _survey_truth(self, survey: pd.DataFrame) -> dict[str, Any]:
        waves, counts = np.unique(survey["wave"].to_numpy(), return_counts=True)
        return {
            "waves": {str(w): list(days) for w, days in WAVES.items()},
            "response_rate_per_wave": response_rate(self.customers, self.survey_responses),
            "survey_responses_asked": self.survey_responses,
            "n_respondents": {str(w): int(c) for w, c in zip(waves, counts, strict=True)},
            "panel_respondents": int(sum(s.panel for s in self._surveys)),
            "response_bias": "younger and app customers answer more often",
            "weighting": "raking on age_band and preferred_channel to the customer base, mean 1 per wave",
            "duplicate_event_rate": DUPLICATE_RATE,
        }


@renamed_args({"seed": "random_state"})
@validate_params({})
def make_sample(
    customers: int = 5000,
    *,
    random_state: int = 42,
    chunk_customers: int = DEFAULT_CHUNK,
    survey_responses: int | None = None,
) -> SampleData:
    """Generate the Nordlicht Home sample with planted ground truth.

    Parameters
    ----------
    customers : int, default 5000
        Number of customers (at least 10).
    random_state : int, default 42
        Seed; the same seed and chunk size always give the same data.  42 is the sample the
        documentation, the bundled files and the planted-truth tests describe (analyses
        default to 0).  (Called ``seed`` before 0.2; the old name works until 0.3.)
    chunk_customers : int, default 200_000
        Customers generated per chunk (each chunk has its own seed child,
        so changing it changes the data).
    survey_responses : int, optional
        Expected number of survey answers over both waves (at most 0.7 per
        customer); the response rate per wave becomes
        ``survey_responses / (2 * customers)``, with the same response bias,
        panel share and planted effects.  Default: 25 % per wave (about 0.5
        answers per customer).  The events and the customers' attributes do
        not depend on it (but for the random part of ``annual_spend``).

    Returns
    -------
    SampleData
        ``customers``, ``touchpoints``, ``events``, ``survey``, ``truth`` and
        ``personas``.

    Raises
    ------
    cjm_lab.errors.CJMConfigError
        For a bad ``customers``, ``random_state``, ``chunk_customers`` or ``survey_responses``.

    Examples
    --------
    >>> data = make_sample(200, random_state=7)
    >>> len(data.customers), data.truth["n_customers"]
    (200, 200)
    >>> sorted(data.personas["persona"].unique())[:2]
    ['advice_seeker', 'digital_convenience']
    """
    check_parameters(customers, random_state, chunk_customers, survey_responses)
    assembler = Assembler(
        customers=customers, seed=random_state, chunk_customers=chunk_customers, survey_responses=survey_responses
    )
    tables: dict[str, list[pd.DataFrame]] = {"customers": [], "personas": [], "events": []}
    with progress_bar(total=customers, desc="Generating the sample", unit="customer") as bar:
        for chunk in iter_chunks(customers, random_state, chunk_customers, survey_responses):
            for name, frames in tables.items():
                frames.append(getattr(chunk, name))
            assembler.add(chunk)
            bar.update(len(chunk.customers))
    survey, truth = assembler.finish()
    return SampleData(
        customers=pd.concat(tables["customers"], ignore_index=True),
        touchpoints=touchpoint_catalogue(),
        events=pd.concat(tables["events"], ignore_index=True),
        survey=survey,
        truth=truth,
        personas=pd.concat(tables["personas"], ignore_index=True),
    )
