"""Customer journeys of the Nordlicht Home sample: a vectorised Markov simulator.

Every persona walks its own first-order Markov chain over the touchpoints of
:mod:`cjm_lab.sample.catalogue` until it reaches the absorbing *exit*.  The
simulator advances all customers of a chunk at once, one step per iteration
(at most :data:`MAX_STEPS`), so its cost grows with the number of steps, not
with the number of customers.

Three pain points are planted on top of the chains:

* **delivery delay** - a share of shipments get a "Delivery delay notice",
  followed by 2-4 service contacts within seven days before the delivery;
* **checkout drop-off** - ``price_hunter`` leaves at "Checkout payment" far
  more often than the other personas;
* **billing loop** - some invoices lead to "Billing complaint" -> "Invoice
  correction" -> "Invoice", sometimes twice.  A billing fix on 2025-07-01
  makes the loop rarer in the second half of the year.

Two more are planted after the walk, from a random stream of their own, so that
every other customer's journey stays exactly as the chains drew it:

* **payment outage** - in the two ISO weeks 2025-W14 and 2025-W15 (31 March to
  13 April 2025) half of the payments that would have gone through fail: the
  customer leaves at "Checkout payment" and the rest of the journey is cut;
* **service ping-pong** - the events carry the ``team`` that handled them
  (service contacts the "Service desk", billing complaints and corrections the
  "Billing team", delay notices and returns the "Logistics desk"; customers'
  own and automated events none).  For a share of the delayed deliveries the
  service desk passes the customer's contacts to the logistics desk and back,
  so the contacts alternate "Service desk", "Logistics desk", "Service desk" ...
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cjm_lab.sample._text import format_ids, take_labels
from cjm_lab.sample.catalogue import TOUCHPOINTS, TP
from cjm_lab.sample.customers import PERSONA_KEYS, PERSONAS, YEAR_START

__all__ = [
    "EXIT",
    "MAX_STEPS",
    "T0",
    "DAY",
    "BILLING_FIX",
    "DELAY_RATE",
    "CHECKOUT_EXIT",
    "BILLING_RATE_BEFORE_FIX",
    "BILLING_RATE_AFTER_FIX",
    "SECOND_LOOP_RATE",
    "SERVICE_CONTACTS_AFTER_DELAY",
    "DUPLICATE_RATE",
    "PAYMENT_OUTAGE",
    "OUTAGE_FAILURE_RATE",
    "TEAMS",
    "PING_PONG_RATE",
    "PING_PONG_TEAMS",
    "Journeys",
    "Planted",
    "plant_outage_and_teams",
    "transition_matrices",
    "simulate_journeys",
    "build_events",
    "journey_stats",
]

#: State number of the absorbing exit (one past the last touchpoint).
EXIT = len(TOUCHPOINTS)
N_STATES = EXIT + 1
#: Upper bound on the number of steps of one journey.
MAX_STEPS = 60
#: Time origin of the simulation (timestamps are seconds after it, in UTC).
T0 = YEAR_START.astype("datetime64[s]")
DAY = 86_400.0
MINUTE = 60.0
#: A session ends after more than this many seconds without an event.
SESSION_GAP = 1_800.0

#: Share of shipments that get a "Delivery delay notice".
DELAY_RATE = 0.15
#: Number of service contacts (inclusive range) forced after a delay notice.
SERVICE_CONTACTS_AFTER_DELAY = (2, 4)
#: Longest wait between two forced service contacts (4 x 1.7 days < 7 days).
MAX_CONTACT_GAP = 1.7 * DAY
#: Exit probability at "Checkout payment" by persona.
CHECKOUT_EXIT: dict[str, float] = {
    "price_hunter": 0.45,
    "digital_convenience": 0.08,
    "advice_seeker": 0.08,
    "quality_premium": 0.08,
    "eco_conscious": 0.08,
}
#: The billing system fix that makes billing errors rarer.
BILLING_FIX = np.datetime64("2025-07-01T00:00:00", "s")
BILLING_RATE_BEFORE_FIX = 0.165
BILLING_RATE_AFTER_FIX = 0.02
#: Probability that a corrected invoice is wrong again (a second loop; never a third).
SECOND_LOOP_RATE = 0.35
#: Share of event rows written twice by the "tracking system".
DUPLICATE_RATE = 0.005
#: Share of "Checkout payment" -> "Order confirmation" steps logged in the same second.
SAME_SECOND_CONFIRMATION = 0.5
#: The payment outage: from the first day (inclusive) to the last (exclusive), ISO weeks 2025-W14 and -W15.
PAYMENT_OUTAGE = (np.datetime64("2025-03-31T00:00:00", "s"), np.datetime64("2025-04-14T00:00:00", "s"))
#: Share of the payments in the outage that fail (the customer leaves at "Checkout payment").
OUTAGE_FAILURE_RATE = 0.5
#: The team that handles each company-side touchpoint (the ``team`` column; other events have none).
TEAMS: dict[str, str] = {
    "Service hotline": "Service desk",
    "Service chat": "Service desk",
    "Billing complaint": "Billing team",
    "Invoice correction": "Billing team",
    "Delivery delay notice": "Logistics desk",
    "Return": "Logistics desk",
}
#: Share of delayed deliveries whose service contacts ping-pong between the two teams below.
PING_PONG_RATE = 0.4
#: The teams of the ping-pong: the contacts alternate, the first with the first team.
PING_PONG_TEAMS = ("Service desk", "Logistics desk")

_X = "exit"

#: Start distribution by persona (research touchpoints and a few direct entries).
_START: dict[str, dict[str, float]] = {
    "price_hunter": {
        "Search ad": 0.32,
        "Social media ad": 0.15,
        "Price comparison site": 0.30,
        "Friend recommendation": 0.05,
        "Billboard": 0.05,
        "Website": 0.13,
    },
    "digital_convenience": {
        "Social media ad": 0.38,
        "Search ad": 0.20,
        "Website": 0.32,
        "Friend recommendation": 0.05,
        "Billboard": 0.05,
    },
    "advice_seeker": {
        "Friend recommendation": 0.30,
        "Billboard": 0.22,
        "Store visit": 0.30,
        "Website": 0.10,
        "Search ad": 0.05,
        "Sales call": 0.03,
    },
    "quality_premium": {
        "Search ad": 0.28,
        "Website": 0.30,
        "Friend recommendation": 0.15,
        "Billboard": 0.10,
        "Store visit": 0.10,
        "Customer reviews": 0.07,
    },
    "eco_conscious": {
        "Friend recommendation": 0.30,
        "Social media ad": 0.22,
        "Website": 0.25,
        "Search ad": 0.13,
        "Billboard": 0.10,
    },
}

#: Transition rows shared by all personas ("Billing complaint" after "Invoice"
#: and the service contacts after a delay notice are planted separately).
_BASE: dict[str, dict[str, float]] = {
    "Search ad": {"Website": 0.78, "Product page": 0.19, _X: 0.03},
    "Social media ad": {"Website": 0.54, "Product page": 0.38, _X: 0.08},
    "Friend recommendation": {"Website": 0.52, "Store visit": 0.30, "Product page": 0.14, _X: 0.04},
    "Billboard": {"Website": 0.57, "Store visit": 0.35, _X: 0.08},
    "Website": {"Product page": 0.78, "Store visit": 0.06, "Sales call": 0.04, "Price comparison site": 0.07, _X: 0.05},
    "Price comparison site": {"Product page": 0.76, "Website": 0.16, _X: 0.08},
    "Product page": {
        "Customer reviews": 0.18,
        "Price comparison site": 0.08,
        "Cart": 0.63,
        "Store visit": 0.04,
        _X: 0.07,
    },
    "Customer reviews": {"Product page": 0.25, "Cart": 0.67, _X: 0.08},
    "Store visit": {"Checkout payment": 0.72, "Sales call": 0.08, "Product page": 0.10, _X: 0.10},
    "Sales call": {"Checkout payment": 0.70, "Store visit": 0.18, _X: 0.12},
    "Cart": {"Checkout payment": 0.88, "Product page": 0.08, _X: 0.04},
    "Order confirmation": {"Shipping notice": 1.0},
    "Shipping notice": {"Delivery delay notice": DELAY_RATE, "Delivery": 1.0 - DELAY_RATE},
    "Delivery delay notice": {"Delivery": 1.0},
    "Delivery": {"Invoice": 1.0},
    "Invoice": {"Product use": 0.80, "Return": 0.06, "Service chat": 0.03, "Service hotline": 0.03, _X: 0.08},
    "Billing complaint": {"Invoice correction": 1.0},
    "Invoice correction": {"Invoice": 1.0},
    "Service hotline": {"Product use": 0.40, "Return": 0.10, _X: 0.50},
    "Service chat": {"Product use": 0.45, "Return": 0.08, _X: 0.47},
    "Product use": {
        "Review request": 0.47,
        "Newsletter": 0.22,
        "Return": 0.04,
        "Service hotline": 0.03,
        "Service chat": 0.04,
        _X: 0.20,
    },
    "Return": {"Service chat": 0.10, "Service hotline": 0.08, "Newsletter": 0.12, _X: 0.70},
    "Review request": {"Newsletter": 0.45, "Loyalty programme": 0.25, _X: 0.30},
    "Newsletter": {"Repeat purchase": 0.25, "Website": 0.10, "Loyalty programme": 0.20, _X: 0.45},
    "Loyalty programme": {"Repeat purchase": 0.40, "Newsletter": 0.15, _X: 0.45},
    "Repeat purchase": {"Shipping notice": 1.0},
}

#: Persona-specific rows that replace the shared ones.
_PERSONA_ROWS: dict[str, dict[str, dict[str, float]]] = {
    "price_hunter": {
        "Website": {"Product page": 0.76, "Price comparison site": 0.16, _X: 0.08},
        "Product page": {"Customer reviews": 0.10, "Price comparison site": 0.28, "Cart": 0.54, _X: 0.08},
        "Newsletter": {"Repeat purchase": 0.20, "Website": 0.16, "Loyalty programme": 0.06, _X: 0.58},
    },
    "digital_convenience": {
        "Website": {"Product page": 0.90, "Store visit": 0.02, _X: 0.08},
        "Cart": {"Checkout payment": 0.90, "Product page": 0.05, _X: 0.05},
        "Product use": {
            "Review request": 0.40,
            "Loyalty programme": 0.15,
            "Newsletter": 0.13,
            "Service chat": 0.06,
            "Return": 0.04,
            _X: 0.22,
        },
        "Loyalty programme": {"Repeat purchase": 0.48, "Newsletter": 0.10, _X: 0.42},
    },
    "advice_seeker": {
        "Website": {"Product page": 0.48, "Store visit": 0.24, "Sales call": 0.20, _X: 0.08},
        "Product page": {"Customer reviews": 0.15, "Store visit": 0.27, "Sales call": 0.12, "Cart": 0.36, _X: 0.10},
        "Store visit": {"Checkout payment": 0.74, "Sales call": 0.12, _X: 0.14},
        "Product use": {"Review request": 0.35, "Newsletter": 0.20, "Service hotline": 0.12, "Return": 0.05, _X: 0.28},
    },
    "quality_premium": {
        "Product page": {
            "Customer reviews": 0.35,
            "Price comparison site": 0.03,
            "Cart": 0.49,
            "Store visit": 0.06,
            _X: 0.07,
        },
        "Customer reviews": {"Product page": 0.20, "Cart": 0.72, _X: 0.08},
        "Review request": {"Newsletter": 0.35, "Loyalty programme": 0.35, _X: 0.30},
        "Loyalty programme": {"Repeat purchase": 0.50, "Newsletter": 0.10, _X: 0.40},
    },
    "eco_conscious": {
        "Product page": {
            "Customer reviews": 0.30,
            "Price comparison site": 0.08,
            "Cart": 0.50,
            "Store visit": 0.04,
            _X: 0.08,
        },
        "Product use": {"Review request": 0.50, "Newsletter": 0.22, "Return": 0.03, "Service chat": 0.03, _X: 0.22},
    },
}

#: Mean waiting time (seconds) of a transition and whether the next event is
#: moved to a plausible time of day (between sessions).  Unlisted pairs wait
#: two days on average and are moved.
_WAIT: dict[tuple[str, str], tuple[float, bool]] = {
    ("Search ad", "Website"): (0.5 * MINUTE, False),
    ("Search ad", "Product page"): (0.5 * MINUTE, False),
    ("Social media ad", "Website"): (0.5 * MINUTE, False),
    ("Social media ad", "Product page"): (0.5 * MINUTE, False),
    ("Website", "Product page"): (2 * MINUTE, False),
    ("Website", "Price comparison site"): (3 * MINUTE, False),
    ("Price comparison site", "Product page"): (1 * MINUTE, False),
    ("Price comparison site", "Website"): (1 * MINUTE, False),
    ("Product page", "Customer reviews"): (3 * MINUTE, False),
    ("Product page", "Price comparison site"): (4 * MINUTE, False),
    ("Product page", "Cart"): (5 * MINUTE, False),
    ("Customer reviews", "Product page"): (3 * MINUTE, False),
    ("Customer reviews", "Cart"): (4 * MINUTE, False),
    ("Cart", "Checkout payment"): (3 * MINUTE, False),
    ("Cart", "Product page"): (2 * MINUTE, False),
    ("Checkout payment", "Order confirmation"): (20.0, False),
    ("Store visit", "Checkout payment"): (25 * MINUTE, False),
    ("Sales call", "Checkout payment"): (12 * MINUTE, False),
    ("Newsletter", "Website"): (3 * MINUTE, False),
    ("Delivery", "Invoice"): (2 * 3600.0, False),
    ("Invoice correction", "Invoice"): (20 * MINUTE, False),
    ("Order confirmation", "Shipping notice"): (1 * DAY, True),
    ("Shipping notice", "Delivery"): (2 * DAY, True),
    ("Shipping notice", "Delivery delay notice"): (1.5 * DAY, True),
    ("Service hotline", "Delivery"): (1.5 * DAY, True),
    ("Service chat", "Delivery"): (1.5 * DAY, True),
    ("Delivery delay notice", "Service hotline"): (0.8 * DAY, True),
    ("Delivery delay notice", "Service chat"): (0.8 * DAY, True),
    ("Service hotline", "Service hotline"): (0.8 * DAY, True),
    ("Service hotline", "Service chat"): (0.8 * DAY, True),
    ("Service chat", "Service chat"): (0.8 * DAY, True),
    ("Service chat", "Service hotline"): (0.8 * DAY, True),
    ("Invoice", "Billing complaint"): (3 * DAY, True),
    ("Billing complaint", "Invoice correction"): (4 * DAY, True),
    ("Invoice", "Product use"): (1 * DAY, True),
    ("Invoice", "Return"): (8 * DAY, True),
    ("Service hotline", "Product use"): (1 * DAY, True),
    ("Service chat", "Product use"): (1 * DAY, True),
    ("Product use", "Review request"): (12 * DAY, True),
    ("Product use", "Newsletter"): (20 * DAY, True),
    ("Product use", "Loyalty programme"): (15 * DAY, True),
    ("Product use", "Return"): (6 * DAY, True),
    ("Product use", "Service hotline"): (10 * DAY, True),
    ("Product use", "Service chat"): (10 * DAY, True),
    ("Return", "Newsletter"): (10 * DAY, True),
    ("Review request", "Newsletter"): (15 * DAY, True),
    ("Review request", "Loyalty programme"): (10 * DAY, True),
    ("Newsletter", "Repeat purchase"): (3 * DAY, True),
    ("Newsletter", "Loyalty programme"): (7 * DAY, True),
    ("Loyalty programme", "Repeat purchase"): (10 * DAY, True),
    ("Loyalty programme", "Newsletter"): (14 * DAY, True),
    ("Repeat purchase", "Shipping notice"): (1 * DAY, True),
}
_DEFAULT_WAIT = (2 * DAY, True)

#: Relative activity by hour of day (UTC) for consumer-driven events ...
_CONSUMER_HOURS = np.array(
    [
        1.0,
        0.5,
        0.3,
        0.2,
        0.2,
        0.3,
        0.6,
        1.2,
        2.0,
        3.0,
        4.0,
        4.5,
        5.0,
        5.0,
        4.5,
        4.5,
        4.5,
        5.0,
        6.0,
        7.0,
        7.0,
        6.0,
        4.0,
        2.0,
    ]
)
#: ... and for events that happen in business hours (stores, phones, logistics).
_BUSINESS_HOURS = np.array([0.0] * 7 + [1.0] * 12 + [0.0] * 5)
_BUSINESS_TOUCHPOINTS = (
    "Store visit",
    "Sales call",
    "Service hotline",
    "Billing complaint",
    "Shipping notice",
    "Delivery",
    "Delivery delay notice",
    "Invoice correction",
    "Return",
)

#: Chance that a customer's digital events happen in the app, by preferred channel.
_APP_SHARE = np.array([0.12, 0.92, 0.08, 0.04])
#: Chance that a service contact is a chat rather than a hotline call, by preferred channel.
_CHAT_SHARE = np.array([0.65, 0.80, 0.20, 0.10])
#: Digital touchpoints whose event channel follows the customer's device.
_DIGITAL = (
    "Website",
    "Product page",
    "Customer reviews",
    "Cart",
    "Checkout payment",
    "Service chat",
    "Repeat purchase",
)
#: Channels that can appear in the events, in code order.
EVENT_CHANNELS: tuple[str, ...] = ("online", "app", "store", "phone", "email", "mail", "public")

_S = TP  # short alias for state numbers below
_CONVERSIONS = np.array([_S[tp.touchpoint] for tp in TOUCHPOINTS if tp.is_conversion])


def _state(name: str) -> int:
    return EXIT if name == _X else TP[name]


def transition_matrices() -> np.ndarray:
    """Return the persona-specific transition matrices.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_personas, n_states, n_states)``; states are the catalogue
        rows followed by the absorbing exit.  Each row sums to one.  The
        planted "Billing complaint" after "Invoice" is not part of the matrix
        (its rate changes over time); the delay notice is.

    Examples
    --------
    >>> P = transition_matrices()
    >>> P.shape
    (5, 28, 28)
    >>> float(P[0, TP["Checkout payment"], EXIT])
    0.45
    """
    probs = np.zeros((len(PERSONAS), N_STATES, N_STATES))
    for p, key in enumerate(PERSONA_KEYS):
        rows = {**_BASE, **_PERSONA_ROWS.get(key, {})}
        rows["Checkout payment"] = {"Order confirmation": 1.0 - CHECKOUT_EXIT[key], _X: CHECKOUT_EXIT[key]}
        for src, row in rows.items():
            for dst, prob in row.items():
                probs[p, TP[src], _state(dst)] = prob
        probs[p, EXIT, EXIT] = 1.0
    sums = probs.sum(axis=2)
    if not np.allclose(sums, 1.0):  # pragma: no cover - guards the tables above
        bad = np.argwhere(~np.isclose(sums, 1.0))
        raise RuntimeError(f"transition rows do not sum to one: {bad.tolist()}")
    return probs


def _start_matrix() -> np.ndarray:
    start = np.zeros((len(PERSONAS), N_STATES))
    for p, key in enumerate(PERSONA_KEYS):
        for name, prob in _START[key].items():
            start[p, TP[name]] = prob
    return start / start.sum(axis=1, keepdims=True)


def _wait_tables() -> tuple[np.ndarray, np.ndarray]:
    mean = np.full((N_STATES, N_STATES), _DEFAULT_WAIT[0])
    snap = np.full((N_STATES, N_STATES), _DEFAULT_WAIT[1])
    for (src, dst), (m, s) in _WAIT.items():
        mean[TP[src], TP[dst]] = m
        snap[TP[src], TP[dst]] = s
    return mean, snap


class _RowSampler:
    """Draw from many categorical distributions at once with one ``searchsorted``.

    Row ``r`` of ``probs`` is stored as ``r + cdf_r`` in one increasing array,
    so the draw for row ``r`` and uniform ``u`` is the first entry above ``r + u``.
    """

    def __init__(self, probs: np.ndarray) -> None:
        cdf = np.cumsum(probs, axis=1)
        cdf[:, -1] = 1.0
        self.width = probs.shape[1]
        self.flat = (cdf + np.arange(probs.shape[0])[:, None]).ravel()

    def draw(self, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(self.flat, rows + u, side="right")
        return np.minimum(pos - rows * self.width, self.width - 1)


_TRANSITIONS = _RowSampler(transition_matrices().reshape(-1, N_STATES))
_STARTS = _RowSampler(_start_matrix())
_WAIT_MEAN, _WAIT_SNAP = _wait_tables()
_HOURS = _RowSampler(np.vstack([_CONSUMER_HOURS / _CONSUMER_HOURS.sum(), _BUSINESS_HOURS / _BUSINESS_HOURS.sum()]))
_HOUR_PROFILE = np.zeros(N_STATES, dtype=np.int64)
_HOUR_PROFILE[[TP[name] for name in _BUSINESS_TOUCHPOINTS]] = 1
_FIX_SECONDS = float((BILLING_FIX - T0) / np.timedelta64(1, "s"))


@dataclass(frozen=True)
class Journeys:
    """Simulated events of one chunk in customer and time order (no duplicates yet).

    Attributes
    ----------
    customer : numpy.ndarray
        Customer number within the chunk, per event.
    state : numpy.ndarray
        Touchpoint state number, per event.
    seconds : numpy.ndarray
        Whole seconds after :data:`T0`, per event.
    truncated : numpy.ndarray
        Per customer: the journey was cut at :data:`MAX_STEPS`.
    """

    customer: np.ndarray
    state: np.ndarray
    seconds: np.ndarray
    truncated: np.ndarray

    @property
    def starts(self) -> np.ndarray:
        """Index of each customer's first event (customers have at least one)."""
        counts = np.bincount(self.customer, minlength=self.truncated.size)
        return np.concatenate([[0], np.cumsum(counts)[:-1]])

    @property
    def is_last(self) -> np.ndarray:
        """Per event: it is the customer's last event."""
        last = np.ones(self.customer.size, dtype=bool)
        last[:-1] = self.customer[1:] != self.customer[:-1]
        return last


def _time_of_day(rng: np.random.Generator, state: np.ndarray) -> np.ndarray:
    hours = _HOURS.draw(_HOUR_PROFILE[state], rng.random(state.size))
    return (hours + rng.random(state.size)) * 3600.0


def _start_times(rng: np.random.Generator, start_day: np.ndarray, state: np.ndarray) -> np.ndarray:
    """Journey starts: the customer's start day at a plausible time for the first touchpoint."""
    return start_day * DAY + _time_of_day(rng, state)


def _next_states(
    rng: np.random.Generator,
    persona: np.ndarray,
    state: np.ndarray,
    seconds: np.ndarray,
    pending: np.ndarray,
    after: np.ndarray,
    loops: np.ndarray,
    chat_share: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One Markov step for all active customers, with the planted overrides.

    Returns the next states and a mask of forced service contacts.
    """
    m = state.size
    nxt = _TRANSITIONS.draw(persona * N_STATES + state, rng.random(m))

    rate = np.where(seconds < _FIX_SECONDS, BILLING_RATE_BEFORE_FIX, BILLING_RATE_AFTER_FIX)
    rate = np.select([loops == 0, loops == 1], [rate, SECOND_LOOP_RATE], 0.0)
    complain = (state == _S["Invoice"]) & (rng.random(m) < rate)
    nxt[complain] = _S["Billing complaint"]

    contact = np.where(rng.random(m) < chat_share, _S["Service chat"], _S["Service hotline"])
    forced = pending > 0
    resume = ~forced & (after >= 0)
    nxt = np.where(forced, contact, nxt)
    nxt = np.where(resume, after, nxt)
    return nxt, forced


def _waits(
    rng: np.random.Generator, state: np.ndarray, nxt: np.ndarray, seconds: np.ndarray, forced: np.ndarray
) -> np.ndarray:
    """Timestamps of the next events: exponential waits, moved to daytime between sessions."""
    m = state.size
    # at least a second apart, so equal timestamps come only from the planted same-second logs
    gap = np.maximum(rng.exponential(1.0, m) * _WAIT_MEAN[state, nxt], 1.0)
    same_second = (
        (state == _S["Checkout payment"])
        & (nxt == _S["Order confirmation"])
        & (rng.random(m) < SAME_SECOND_CONFIRMATION)
    )
    gap[same_second] = 0.0
    target = seconds + np.where(forced, np.minimum(gap, MAX_CONTACT_GAP), gap)
    snapped = np.floor(target / DAY) * DAY + _time_of_day(rng, nxt)
    snapped = np.maximum(snapped, seconds + 3600.0)
    snapped = np.where(forced, np.minimum(snapped, seconds + MAX_CONTACT_GAP), snapped)
    return np.where(_WAIT_SNAP[state, nxt], snapped, target)


def simulate_journeys(
    rng: np.random.Generator, persona: np.ndarray, channel: np.ndarray, start_day: np.ndarray
) -> Journeys:
    """Walk every customer through its persona's chain until exit.

    Parameters
    ----------
    rng : numpy.random.Generator
        The chunk's random generator.
    persona, channel : numpy.ndarray
        Persona and preferred-channel codes per customer.
    start_day : numpy.ndarray
        Day of 2025 (0-364) on which each journey starts.

    Returns
    -------
    Journeys
        Events in customer and time order.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> j = simulate_journeys(rng, np.array([0, 2]), np.array([0, 2]), np.array([0, 150]))
    >>> sorted(set(j.customer.tolist()))
    [0, 1]
    """
    n = persona.size
    act = np.arange(n)
    per = persona.copy()
    chat = _CHAT_SHARE[channel]
    state = _STARTS.draw(per, rng.random(n))
    seconds = _start_times(rng, start_day, state)
    pending = np.zeros(n, dtype=np.int64)
    after = np.full(n, -1, dtype=np.int64)
    loops = np.zeros(n, dtype=np.int64)

    out_c, out_s, out_t = [], [], []
    for _ in range(MAX_STEPS):
        out_c.append(act)
        out_s.append(state)
        out_t.append(seconds)
        nxt, forced = _next_states(rng, per, state, seconds, pending, after, loops, chat)
        seconds = _waits(rng, state, nxt, seconds, forced)
        pending = np.where(forced, pending - 1, pending)
        after = np.where(~forced & (after >= 0), -1, after)
        delayed = nxt == _S["Delivery delay notice"]
        low, high = SERVICE_CONTACTS_AFTER_DELAY
        pending = np.where(delayed, rng.integers(low, high + 1, size=nxt.size), pending)
        after = np.where(delayed, _S["Delivery"], after)
        loops = np.where(nxt == _S["Billing complaint"], loops + 1, loops)
        loops = np.where(np.isin(nxt, _CONVERSIONS), 0, loops)

        keep = nxt != EXIT
        act, per, chat, state, seconds = act[keep], per[keep], chat[keep], nxt[keep], seconds[keep]
        pending, after, loops = pending[keep], after[keep], loops[keep]
        if act.size == 0:
            break

    truncated = np.zeros(n, dtype=bool)
    truncated[act] = True
    customer = np.concatenate(out_c)
    order = np.argsort(customer, kind="stable")
    return Journeys(
        customer=customer[order],
        state=np.concatenate(out_s)[order].astype(np.int16),
        seconds=np.rint(np.concatenate(out_t)[order]).astype(np.int64),
        truncated=truncated,
    )


def _event_channels(rng: np.random.Generator, j: Journeys, channel: np.ndarray) -> np.ndarray:
    """Channel code of each event: catalogue channel, app for app users, store/phone checkouts."""
    base = np.array([EVENT_CHANNELS.index(tp.channel) for tp in TOUCHPOINTS] + [0])
    codes = base[j.state]
    uses_app = rng.random(channel.size) < _APP_SHARE[channel]
    digital = np.isin(j.state, [TP[name] for name in _DIGITAL])
    codes = np.where(digital & uses_app[j.customer], EVENT_CHANNELS.index("app"), codes)
    previous = np.concatenate([[EXIT], j.state[:-1]])
    previous[j.starts] = EXIT
    checkout = j.state == TP["Checkout payment"]
    codes = np.where(checkout & (previous == TP["Store visit"]), EVENT_CHANNELS.index("store"), codes)
    codes = np.where(checkout & (previous == TP["Sales call"]), EVENT_CHANNELS.index("phone"), codes)
    return codes


def _order_values(rng: np.random.Generator, j: Journeys, persona: np.ndarray) -> np.ndarray:
    """Revenue on conversion events (repeat purchases are smaller), NaN elsewhere."""
    median = np.array([p.order_value_median for p in PERSONAS])[persona[j.customer]]
    median = np.where(j.state == TP["Repeat purchase"], 0.45 * median, median)
    value = np.round(median * np.exp(rng.normal(0.0, 0.55, j.state.size)), 2)
    return np.where(np.isin(j.state, _CONVERSIONS), value, np.nan)


@dataclass(frozen=True)
class Planted:
    """The payment outage and the teams, planted on a walk (see :func:`plant_outage_and_teams`).

    Attributes
    ----------
    keep : numpy.ndarray
        Per simulated event: it happens (False for the events an outage cut).
    team : numpy.ndarray
        Per simulated event: the code of its team in :data:`TEAMS` order of first
        appearance, -1 for none.
    journeys : Journeys
        The walk without the cut events (what the customers lived).
    outage_checkouts, outage_failures : int
        Payments attempted in the outage window, and those that failed.
    outage_weeks : dict
        Per ISO week of the year: payments attempted and those followed by an order
        confirmation (for the truth).
    delayed, ping_pong : int
        Delay notices followed by service contacts, and those whose contacts ping-pong.
    """

    keep: np.ndarray
    team: np.ndarray
    journeys: Journeys
    outage_checkouts: int
    outage_failures: int
    outage_weeks: dict[str, np.ndarray]
    delayed: int
    ping_pong: int


_OUTAGE_SECONDS = tuple(float((d - T0) / np.timedelta64(1, "s")) for d in PAYMENT_OUTAGE)


def plant_outage_and_teams(rng: np.random.Generator, j: Journeys) -> Planted:
    """Plant the payment outage and the service ping-pong on a walk, from a random stream of their own.

    A payment in the outage window that would have gone on to "Order confirmation" fails
    with probability :data:`OUTAGE_FAILURE_RATE`: its customer's later events are cut.  The
    company-side events get their team (:data:`TEAMS`); after a delay notice, a share
    :data:`PING_PONG_RATE` of the customers have their service contacts alternate between
    the :data:`PING_PONG_TEAMS`.

    Examples
    --------
    >>> rng = np.random.default_rng(5)
    >>> j = simulate_journeys(rng, np.zeros(300, dtype=int), np.zeros(300, dtype=int), np.full(300, 89))
    >>> p = plant_outage_and_teams(np.random.default_rng(6), j)
    >>> bool(p.outage_failures > 0), int(p.keep.sum()) == p.journeys.state.size
    (True, True)
    """
    state, seconds, customer = j.state, j.seconds, j.customer
    size = state.size
    same_next = np.zeros(size, dtype=bool)
    same_next[:-1] = customer[1:] == customer[:-1]
    nxt = np.where(same_next, np.concatenate([state[1:], [EXIT]]), EXIT)
    checkout = state == _S["Checkout payment"]
    paid = checkout & (nxt == _S["Order confirmation"])
    lo, hi = _OUTAGE_SECONDS
    window = checkout & (seconds >= lo) & (seconds < hi)
    fails = window & paid & (rng.random(size) < OUTAGE_FAILURE_RATE)
    # everything after a failed payment is cut: a running count of failures per customer
    starts = j.starts
    cum = np.cumsum(fails)
    before = cum - fails  # failures strictly before each event, within the chunk
    base = np.repeat(before[starts], np.diff(np.append(starts, size)))
    keep = (before - base) == 0
    # the weeks around the outage, for the truth: payments and confirmed payments per ISO week
    # ISO weeks: week 1 of 2025 starts on Monday 30 December 2024, two days before T0; index 0 is 2025-W01
    week = np.floor((seconds + 2 * DAY) / (7 * DAY)).astype(np.int64)
    confirmed = paid & ~fails
    weeks = {
        "payments": np.bincount(week[checkout & keep], minlength=54)[:54],
        "confirmed": np.bincount(week[confirmed & keep], minlength=54)[:54],
    }

    team = np.full(size, -1, dtype=np.int64)
    for name, label in TEAMS.items():
        team[state == _S[name]] = _TEAM_NAMES.index(label)
    # the service contacts right after a delay notice (the forced ones, up to four in a row)
    delay = np.flatnonzero((state == _S["Delivery delay notice"]) & keep)
    service = np.isin(state, [_S["Service hotline"], _S["Service chat"]])
    bounce = rng.random(delay.size) < PING_PONG_RATE
    has_contact = np.zeros(delay.size, dtype=bool)
    prev_run = np.ones(delay.size, dtype=bool)
    first, second = (_TEAM_NAMES.index(t) for t in PING_PONG_TEAMS)
    for offset in range(1, SERVICE_CONTACTS_AFTER_DELAY[1] + 1):  # a handful of offsets, vectorised over delays
        idx = np.minimum(delay + offset, size - 1)
        run = (delay + offset < size) & (customer[idx] == customer[delay]) & service[idx] & keep[idx]
        run &= prev_run
        has_contact |= run
        alternate = run & bounce
        team[idx[alternate]] = first if offset % 2 == 1 else second
        prev_run = run
    ping_pong = bounce & has_contact
    # a ping-pong needs the contacts to come back: at least two contacts (service, logistics, ...)
    # after the delay notice of the logistics desk
    kept = Journeys(
        customer=customer[keep],
        state=state[keep],
        seconds=seconds[keep],
        truncated=j.truncated & ~np.bincount(customer[fails], minlength=j.truncated.size).astype(bool),
    )
    return Planted(
        keep=keep,
        team=team,
        journeys=kept,
        outage_checkouts=int((window & keep).sum()),
        outage_failures=int(fails.sum()),
        outage_weeks=weeks,
        delayed=int(has_contact.sum()),
        ping_pong=int(ping_pong.sum()),
    )


def build_events(
    rng: np.random.Generator,
    j: Journeys,
    ids: pa.Array,
    persona: np.ndarray,
    channel: np.ndarray,
    planted: Planted | None = None,
) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Turn simulated journeys into the events table, with planted duplicates.

    Parameters
    ----------
    rng : numpy.random.Generator
        The chunk's random generator.
    j : Journeys
        The simulated journeys.
    ids : pyarrow.Array
        Customer ids of the chunk.
    persona, channel : numpy.ndarray
        Persona and preferred-channel codes per customer.
    planted : Planted, optional
        The payment outage and the teams (:func:`plant_outage_and_teams`): the events it
        cuts are left out, the others get its ``team``.  The random numbers are drawn for
        the whole walk either way, so the other customers' events do not change.

    Returns
    -------
    events : pandas.DataFrame
        ``customer_id, timestamp, touchpoint, sequence, session_id, channel,
        value, team``.  Duplicated rows repeat every column but ``sequence``.
    value : numpy.ndarray
        Revenue per simulated event (before duplication; 0 for events the outage cut),
        for spend totals.
    n_duplicates : int
        Number of duplicated rows added.

    Examples
    --------
    >>> from cjm_lab.sample._text import format_ids
    >>> rng = np.random.default_rng(1)
    >>> p, c = np.array([1, 3]), np.array([1, 0])
    >>> j = simulate_journeys(rng, p, c, np.array([10, 20]))
    >>> events, _, _ = build_events(rng, j, format_ids("C", np.array([1, 2]), 7), p, c)
    >>> list(events.columns)
    ['customer_id', 'timestamp', 'touchpoint', 'sequence', 'session_id', 'channel', 'value', 'team']
    """
    value = _order_values(rng, j, persona)
    codes = _event_channels(rng, j, channel)
    duplicate = rng.random(j.state.size) < DUPLICATE_RATE
    keep = np.ones(j.state.size, dtype=bool) if planted is None else planted.keep
    team = np.full(j.state.size, -1, dtype=np.int64) if planted is None else planted.team
    value = np.where(keep, value, np.nan)
    duplicate &= keep
    rows = np.repeat(np.arange(j.state.size), 1 + duplicate)
    rows = rows[keep[rows]]

    customer = j.customer[rows]
    seconds = j.seconds[rows]
    first = np.ones(rows.size, dtype=bool)
    first[1:] = customer[1:] != customer[:-1]
    starts = np.flatnonzero(first)
    position = np.arange(rows.size) - np.repeat(starts, np.diff(np.append(starts, rows.size)))
    new_session = first.copy()
    new_session[1:] |= np.diff(seconds) > SESSION_GAP
    session_count = np.cumsum(new_session)
    session_no = session_count - session_count[np.repeat(starts, np.diff(np.append(starts, rows.size)))] + 1

    customer_id = pc.take(ids, pa.array(customer))
    session_labels = format_ids("", np.arange(1, int(session_no.max(initial=1)) + 1), 2)
    session_digits = pc.take(session_labels, pa.array(session_no - 1))
    timestamps = (T0 + seconds.astype("timedelta64[s]")).astype("datetime64[us]")
    table = pa.table(
        {
            "customer_id": customer_id,
            "timestamp": pa.array(timestamps, type=pa.timestamp("us", tz="UTC")),
            "touchpoint": take_labels([tp.touchpoint for tp in TOUCHPOINTS], j.state[rows]),
            "sequence": pa.array(position + 1, type=pa.int64()),
            "session_id": pc.binary_join_element_wise(customer_id, session_digits, "-S"),
            "channel": take_labels(EVENT_CHANNELS, codes[rows]),
            "value": pa.array(value[rows], type=pa.float64(), from_pandas=True),
            "team": _team_labels(team[rows]),
        }
    )
    return table.to_pandas(), value, int(duplicate.sum())


_TEAM_NAMES: tuple[str, ...] = tuple(dict.fromkeys(TEAMS.values()))


def _team_labels(codes: np.ndarray) -> pa.Array:
    """Team names of team codes (-1: no team, a missing value)."""
    names = take_labels(_TEAM_NAMES, np.maximum(codes, 0))
    return pc.if_else(pa.array(codes >= 0), names, pa.scalar(None, pa.string()))


def journey_stats(j: Journeys, persona: np.ndarray) -> dict[str, np.ndarray | int]:
    """Count what lies behind the planted pain points (summed over chunks).

    Returns
    -------
    dict
        ``checkouts`` and ``checkout_exits`` per persona; ``shipments``,
        ``delays``, ``delay_contacts`` (service contacts within 7 days after
        a delay notice), ``invoices_before_fix``, ``invoices_after_fix``,
        ``complaints_before_fix``, ``complaints_after_fix``,
        ``second_loops``, ``converters``, ``repeat_buyers``, ``events``.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> p = np.zeros(50, dtype=int)
    >>> j = simulate_journeys(rng, p, p, np.arange(50))
    >>> int(journey_stats(j, p)["events"]) == j.state.size
    True
    """
    n_personas = len(PERSONAS)
    who = persona[j.customer]
    checkout = j.state == TP["Checkout payment"]
    exits = checkout & j.is_last & ~j.truncated[j.customer]
    invoice = j.state == TP["Invoice"]
    complaint = j.state == TP["Billing complaint"]
    before = j.seconds < _FIX_SECONDS
    back3 = np.concatenate([[EXIT] * 3, j.state[:-3]])
    same3 = np.concatenate([[False] * 3, j.customer[3:] == j.customer[:-3]])
    second = complaint & same3 & (back3 == TP["Billing complaint"])
    converted = np.zeros(persona.size, dtype=bool)
    converted[j.customer[np.isin(j.state, _CONVERSIONS)]] = True
    repeat = np.zeros(persona.size, dtype=bool)
    repeat[j.customer[j.state == TP["Repeat purchase"]]] = True
    return {
        "checkouts": np.bincount(who[checkout], minlength=n_personas),
        "checkout_exits": np.bincount(who[exits], minlength=n_personas),
        "shipments": int((j.state == TP["Shipping notice"]).sum()),
        "delays": int((j.state == TP["Delivery delay notice"]).sum()),
        "delay_contacts": _contacts_after_delay(j),
        "invoices_before_fix": int((invoice & before).sum()),
        "invoices_after_fix": int((invoice & ~before).sum()),
        "complaints_before_fix": int((complaint & before).sum()),
        "complaints_after_fix": int((complaint & ~before).sum()),
        "second_loops": int(second.sum()),
        "converters": int(converted.sum()),
        "repeat_buyers": int(repeat.sum()),
        "events": int(j.state.size),
    }


def _contacts_after_delay(j: Journeys) -> int:
    """Service contacts that follow a delay notice directly, within seven days."""
    delay = np.flatnonzero(j.state == TP["Delivery delay notice"])
    total = 0
    service = np.isin(j.state, [TP["Service hotline"], TP["Service chat"]])
    for offset in range(1, SERVICE_CONTACTS_AFTER_DELAY[1] + 1):
        idx = delay + offset
        idx = idx[idx < j.state.size]
        src = delay[: idx.size]
        ok = (j.customer[idx] == j.customer[src]) & service[idx] & (j.seconds[idx] - j.seconds[src] <= 7 * DAY)
        total += int(ok.sum())
    return total
