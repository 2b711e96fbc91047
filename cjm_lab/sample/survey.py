"""The two-wave NPS survey of the Nordlicht Home sample.

Every customer has a latent answer for each wave: driver ratings that reflect
what the customer lived in the six months before the answer date (delays,
billing loops, invoices from the old billing system, a failed checkout,
service contacts, returns), and a recommendation score built from them with
planted effects::

    recommend = round(clip(b0 + sum_j b_j * (rating_j - 3) + persona + noise, 0, 10))

About a quarter of the customers answer each wave; young and app customers
answer more often, which raking weights correct.  The survey also carries
planted quality problems: speeders, straight-liners, "don't know" codes and
verbatims with personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cjm_lab.sample._text import format_ids, take_labels
from cjm_lab.sample.catalogue import TP
from cjm_lab.sample.customers import PERSONAS
from cjm_lab.sample.journeys import BILLING_FIX, DAY, T0, Journeys

__all__ = [
    "DRIVERS",
    "DRIVER_EFFECTS",
    "DRIVER_ORDER",
    "RECOMMEND_INTERCEPT",
    "RECOMMEND_NOISE_SD",
    "WAVES",
    "RATING_WINDOW_DAYS",
    "DONT_KNOW",
    "SURVEY_COLUMNS",
    "EXPERIENCE_EFFECTS",
    "SurveyChunk",
    "WaveScores",
    "Disposition",
    "draw_disposition",
    "wave_scores",
    "draw_survey",
    "rake_weights",
    "shapley_shares",
    "nps_counts",
]

#: The six driver ratings (1-5), in column order.
DRIVERS: tuple[str, ...] = (
    "sat_website",
    "sat_checkout",
    "sat_delivery",
    "sat_billing",
    "sat_service",
    "sat_product",
)
#: Planted effect of one rating point on ``recommend``.
DRIVER_EFFECTS: dict[str, float] = {
    "sat_delivery": 1.2,
    "sat_service": 0.8,
    "sat_product": 0.5,
    "sat_billing": 0.3,
    "sat_checkout": 0.15,
    "sat_website": 0.05,
}
#: Drivers from the strongest to the weakest planted effect.
DRIVER_ORDER: tuple[str, ...] = tuple(sorted(DRIVER_EFFECTS, key=lambda d: DRIVER_EFFECTS[d], reverse=True))
RECOMMEND_INTERCEPT = 5.9
RECOMMEND_NOISE_SD = 0.9
#: Fielding periods (first and last answer day) of the two waves.
WAVES: dict[int, tuple[str, str]] = {1: ("2025-07-01", "2025-07-31"), 2: ("2026-01-05", "2026-01-31")}
#: Ratings reflect the experiences of this many days before the answer.
RATING_WINDOW_DAYS = 183
#: Code of a "don't know" answer on the ``sat_*`` items.
DONT_KNOW = 99

RESPONSE_RATE = 0.25
#: Highest response rate per wave a caller may ask for: above it the 0.95 cap on the
#: answer probability of young app customers would flatten the planted response bias.
MAX_RESPONSE_RATE = 0.35
#: Share of wave-2 respondents who also answered wave 1.
PANEL_SHARE = 0.30
SPEEDER_RATE = 0.03
STRAIGHTLINER_RATE = 0.03
DONT_KNOW_RATE = 0.01
COMMENT_RATE = 0.70
ENGLISH_RATE = 0.20
PII_RATE = 0.05
DURATION_MEDIAN = 330.0

#: Over-response of young and app customers (the bias the weights correct).
_AGE_RESPONSE = np.array([1.6, 1.25, 1.0, 0.8, 0.6])
_CHANNEL_RESPONSE = np.array([1.1, 1.5, 0.8, 0.7])

#: Mean latent rating by persona (rows) and driver (columns, as :data:`DRIVERS`).
_RATING_MEANS = np.array(
    [
        [3.8, 3.4, 3.9, 3.8, 3.6, 3.5],  # price_hunter
        [4.1, 4.0, 4.0, 3.9, 3.7, 3.9],  # digital_convenience
        [3.1, 3.6, 4.0, 3.9, 4.0, 4.0],  # advice_seeker
        [3.8, 3.8, 4.0, 3.9, 3.8, 4.2],  # quality_premium
        [3.7, 3.7, 3.8, 3.8, 3.7, 3.8],  # eco_conscious
    ]
)
#: General satisfaction of a customer, shared by all ratings and both waves.
_COMMON_SD = 0.2
#: Spread of each latent rating around the persona mean (product opinions vary most).
_ITEM_SD = np.array([0.85, 0.85, 0.85, 0.85, 0.85, 1.0])
#: Share of the rating and recommend noise variance that a customer keeps
#: across waves (stable opinions); the rest is drawn anew per wave.
PERSISTENT_SHARE = 0.7
#: Effects of lived experiences (in the rating window) on the latent ratings;
#: ``sat_billing_old_system`` applies to customers with an invoice from before
#: the billing fix, which is why wave 2 scores higher than wave 1.
EXPERIENCE_EFFECTS: dict[str, float] = {
    "sat_delivery_per_delay": -2.3,
    "sat_service_per_contact": -0.6,
    "sat_billing_per_loop": -2.0,
    "sat_checkout_after_dropoff": -1.8,
    "sat_product_after_return": -2.0,
    "sat_billing_old_system": -1.3,
}
#: Touchpoints that count as service contacts for ``sat_service`` and effort.
CONTACT_TOUCHPOINTS = (TP["Service hotline"], TP["Service chat"])
_MAX_CONTACTS = 4
_FIX_SECONDS = float((BILLING_FIX - T0) / np.timedelta64(1, "s"))

SURVEY_COLUMNS: tuple[str, ...] = (
    "respondent_id",
    "customer_id",
    "wave",
    "date",
    "recommend",
    *DRIVERS,
    "ces_effort",
    "weight",
    "duration_sec",
    "language",
    "comment",
)


@dataclass(frozen=True)
class Disposition:
    """What a customer brings to every survey wave.

    Attributes
    ----------
    common : numpy.ndarray
        General satisfaction, added to all six ratings.
    items : numpy.ndarray
        ``(n, 6)`` stable part of each rating's deviation from the persona mean.
    recommend : numpy.ndarray
        Stable part of the recommend noise.
    """

    common: np.ndarray
    items: np.ndarray
    recommend: np.ndarray


def draw_disposition(rng: np.random.Generator, n: int) -> Disposition:
    """Draw the stable survey disposition of ``n`` customers.

    Examples
    --------
    >>> draw_disposition(np.random.default_rng(0), 4).items.shape
    (4, 6)
    """
    keep = np.sqrt(PERSISTENT_SHARE)
    return Disposition(
        common=rng.normal(0.0, _COMMON_SD, n),
        items=rng.normal(0.0, 1.0, size=(n, len(DRIVERS))) * _ITEM_SD * keep,
        recommend=rng.normal(0.0, RECOMMEND_NOISE_SD * keep, n),
    )


@dataclass(frozen=True)
class WaveScores:
    """Latent answers of every customer of a chunk for one wave."""

    wave: int
    answer: np.ndarray  # seconds after T0
    ratings: np.ndarray  # (n, 6) ints 1-5
    recommend: np.ndarray
    ces: np.ndarray
    delay: np.ndarray
    loops: np.ndarray
    dropoff: np.ndarray
    returned: np.ndarray
    contacts: np.ndarray


def _wave_days(wave: int) -> tuple[int, int]:
    first, last = (np.datetime64(d, "D") for d in WAVES[wave])
    origin = T0.astype("datetime64[D]")
    return int((first - origin).astype(int)), int((last - origin).astype(int))


def _experiences(j: Journeys, answer: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Count what each customer lived in the window before the answer."""
    t_answer = answer[j.customer]
    inside = (j.seconds < t_answer) & (j.seconds >= t_answer - RATING_WINDOW_DAYS * DAY)
    cust = j.customer[inside]
    state = j.state[inside]

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(cust[mask], minlength=n)

    contact = np.isin(state, CONTACT_TOUCHPOINTS)
    invoice = state == TP["Invoice"]
    dropoff = (j.state == TP["Checkout payment"]) & j.is_last & ~j.truncated[j.customer]
    return {
        "delay": count(state == TP["Delivery delay notice"]) > 0,
        "contacts": count(contact),
        "loops": np.minimum(count(state == TP["Billing complaint"]), 2),
        "dropoff": count(dropoff[inside]) > 0,
        "returned": count(state == TP["Return"]) > 0,
        "old_invoice": count(invoice & (j.seconds[inside] < _FIX_SECONDS)) > 0,
    }


def _round_clip(x: np.ndarray, low: int, high: int) -> np.ndarray:
    return np.clip(np.rint(x), low, high).astype(np.int64)


def wave_scores(
    rng: np.random.Generator, j: Journeys, persona: np.ndarray, disposition: Disposition, wave: int
) -> WaveScores:
    """Latent survey answers of all customers for one wave.

    Parameters
    ----------
    rng : numpy.random.Generator
        The chunk's random generator.
    j : Journeys
        The chunk's journeys.
    persona : numpy.ndarray
        Persona code per customer.
    disposition : Disposition
        The customers' stable survey disposition (shared by both waves).
    wave : int
        1 or 2.

    Returns
    -------
    WaveScores
        Answer time, ratings, ``recommend``, ``ces_effort`` and the lived
        experiences behind them.

    Examples
    --------
    >>> from cjm_lab.sample.journeys import simulate_journeys
    >>> rng = np.random.default_rng(0)
    >>> p = np.array([0, 1, 2])
    >>> j = simulate_journeys(rng, p, p, np.array([0, 50, 100]))
    >>> s = wave_scores(rng, j, p, draw_disposition(rng, 3), wave=1)
    >>> s.ratings.shape, bool(((s.recommend >= 0) & (s.recommend <= 10)).all())
    ((3, 6), True)
    """
    n = persona.size
    first, last = _wave_days(wave)
    day = rng.integers(first, last + 1, size=n)
    answer = day * DAY + rng.uniform(9 * 3600, 21 * 3600, size=n)
    lived = _experiences(j, answer, n)
    contacts = np.minimum(lived["contacts"], _MAX_CONTACTS)

    fresh = np.sqrt(1.0 - PERSISTENT_SHARE)
    wave_noise = rng.normal(0.0, 1.0, size=(n, len(DRIVERS))) * _ITEM_SD * fresh
    latent = _RATING_MEANS[persona] + disposition.common[:, None] + disposition.items + wave_noise
    col = {name: k for k, name in enumerate(DRIVERS)}
    eff = EXPERIENCE_EFFECTS
    latent[:, col["sat_delivery"]] += eff["sat_delivery_per_delay"] * lived["delay"]
    latent[:, col["sat_service"]] += eff["sat_service_per_contact"] * contacts
    latent[:, col["sat_billing"]] += eff["sat_billing_per_loop"] * lived["loops"]
    latent[:, col["sat_checkout"]] += eff["sat_checkout_after_dropoff"] * lived["dropoff"]
    latent[:, col["sat_product"]] += eff["sat_product_after_return"] * lived["returned"]
    latent[:, col["sat_billing"]] += eff["sat_billing_old_system"] * lived["old_invoice"]
    ratings = _round_clip(latent, 1, 5)

    effects = np.array([DRIVER_EFFECTS[name] for name in DRIVERS])
    persona_effect = np.array([p.recommend_effect for p in PERSONAS])[persona]
    score = RECOMMEND_INTERCEPT + (ratings - 3) @ effects + persona_effect
    noise = disposition.recommend + rng.normal(0.0, RECOMMEND_NOISE_SD * fresh, n)
    recommend = _round_clip(score + noise, 0, 10)
    effort = 5.6 - 0.35 * contacts - 0.8 * lived["loops"] - 1.2 * lived["dropoff"] + rng.normal(0.0, 0.9, n)
    return WaveScores(
        wave=wave,
        answer=answer,
        ratings=ratings,
        recommend=recommend,
        ces=_round_clip(effort, 1, 7),
        contacts=contacts,
        **{k: lived[k] for k in ("delay", "loops", "dropoff", "returned")},
    )


def nps_counts(recommend: np.ndarray) -> np.ndarray:
    """Return ``[n, promoters, detractors]`` of a set of 0-10 scores.

    Examples
    --------
    >>> nps_counts(np.array([10, 9, 7, 3])).tolist()
    [4, 2, 1]
    """
    return np.array([recommend.size, int((recommend >= 9).sum()), int((recommend <= 6).sum())])


def _response_multiplier(age: np.ndarray, channel: np.ndarray) -> np.ndarray:
    """Relative response propensity, scaled to mean one over the planted population."""
    ages = np.array([p.age for p in PERSONAS])
    chans = np.array([p.channel for p in PERSONAS])
    shares = np.array([p.share for p in PERSONAS])
    mean = float(shares @ ((ages @ _AGE_RESPONSE) * (chans @ _CHANNEL_RESPONSE)))
    return _AGE_RESPONSE[age] * _CHANNEL_RESPONSE[channel] / mean


def _second_moment() -> float:
    ages = np.array([p.age for p in PERSONAS])
    chans = np.array([p.channel for p in PERSONAS])
    shares = np.array([p.share for p in PERSONAS])
    mean = float(shares @ ((ages @ _AGE_RESPONSE) * (chans @ _CHANNEL_RESPONSE)))
    return float(shares @ ((ages @ _AGE_RESPONSE**2) * (chans @ _CHANNEL_RESPONSE**2))) / mean**2


def _responders(
    rng: np.random.Generator, age: np.ndarray, channel: np.ndarray, rate: float = RESPONSE_RATE
) -> tuple[np.ndarray, np.ndarray]:
    """Who answers wave 1 and wave 2 (``rate`` each, 30 % of wave 2 also in wave 1)."""
    q = _response_multiplier(age, channel)
    q2 = _second_moment()
    p1 = np.minimum(rate * q, 0.95)
    first = rng.random(q.size) < p1
    again = PANEL_SHARE / q2
    fresh = rate * (1 - PANEL_SHARE) / (1 - rate * q2)
    p2 = np.minimum(np.where(first, again, fresh) * q, 0.95)
    second = rng.random(q.size) < p2
    return first, second


_TEMPLATES: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("delivery_delay", "neg"): {
        "de": (
            "Die Lieferung kam über eine Woche zu spät, und ich musste mehrmals beim Service nachfragen.",
            "Lieferverzögerung ohne klare Info – dreimal angerufen, bis das Paket endlich da war.",
            "Versand viel zu langsam, der Liefertermin wurde ständig verschoben.",
        ),
        "en": (
            "The delivery was more than a week late and I had to chase customer service several times.",
            "Delivery delayed with no clear information - called three times before the parcel arrived.",
            "Shipping far too slow, the delivery date kept moving.",
        ),
    },
    ("billing", "neg"): {
        "de": (
            "Die Rechnung war falsch und die Korrektur hat ewig gedauert.",
            "Die Rechnung war fehlerhaft und musste korrigiert werden – sehr ärgerlich.",
            "Falscher Betrag auf der Rechnung, die Reklamation war mühsam.",
        ),
        "en": (
            "The invoice was wrong and the correction took ages.",
            "The invoice was incorrect and had to be corrected - very annoying.",
            "Wrong amount on the invoice, the complaint was a hassle.",
        ),
    },
    ("checkout", "neg"): {
        "de": (
            "Beim Bezahlen ist der Checkout abgebrochen, ich habe dann woanders gekauft.",
            "Die Bezahlung hat nicht funktioniert, zu viele Schritte im Checkout.",
            "Versandkosten erst beim Bezahlen angezeigt – habe abgebrochen.",
        ),
        "en": (
            "The checkout failed at payment, so I bought elsewhere.",
            "Payment did not work, too many steps in the checkout.",
            "Shipping costs only shown at payment - I gave up.",
        ),
    },
    ("good_service", "pos"): {
        "de": (
            "Sehr freundliche und kompetente Beratung, gerne wieder!",
            "Der Kundenservice hat mir schnell und unkompliziert geholfen.",
            "Top Service, alles lief reibungslos.",
        ),
        "en": (
            "Very friendly and knowledgeable advice, happy to come back!",
            "Customer service helped me quickly and without fuss.",
            "Great service, everything went smoothly.",
        ),
    },
    ("price", "pos"): {
        "de": (
            "Gute Preise und faire Angebote.",
            "Preis-Leistung stimmt, besonders im Sale.",
            "Günstiger als die Konkurrenz, deshalb kaufe ich hier.",
        ),
        "en": (
            "Good prices and fair deals.",
            "Good value for money, especially in the sale.",
            "Cheaper than the competition, that's why I shop here.",
        ),
    },
    ("price", "neg"): {
        "de": (
            "Zu teuer im Vergleich zu anderen Shops.",
            "Die Preise sind leider gestiegen, woanders ist es günstiger.",
            "Preisvergleich lohnt sich, hier zahlt man zu viel.",
        ),
        "en": (
            "Too expensive compared with other shops.",
            "Prices have gone up, it is cheaper elsewhere.",
            "Worth comparing prices, you pay too much here.",
        ),
    },
    ("product_quality", "pos"): {
        "de": (
            "Das Gerät ist hochwertig verarbeitet und funktioniert einwandfrei.",
            "Sehr zufrieden mit der Qualität des Produkts.",
            "Tolles Produkt, hält, was es verspricht.",
        ),
        "en": (
            "The device is well made and works perfectly.",
            "Very happy with the product quality.",
            "Great product, does what it promises.",
        ),
    },
    ("product_quality", "neg"): {
        "de": (
            "Das Produkt war defekt und musste zurückgeschickt werden.",
            "Qualität enttäuschend, nach kurzer Zeit kaputt.",
            "Das Gerät entsprach nicht der Beschreibung.",
        ),
        "en": (
            "The product was faulty and had to be sent back.",
            "Disappointing quality, broke after a short time.",
            "The device did not match the description.",
        ),
    },
}
#: The (theme, polarity) keys of the comment templates, in the order the generator counts them.
THEME_KEYS = tuple(_TEMPLATES)
_VARIANTS = 3
_LANGS = ("de", "en")
_TEMPLATE_TEXT = [text for key in THEME_KEYS for lang in _LANGS for text in _TEMPLATES[key][lang]]
_PII_SUFFIX = {
    "de": (" Rückruf bitte unter ", " Meine E-Mail: "),
    "en": (" Please call me back on ", " My email: "),
}
_FIRST_NAMES = ("max", "erika", "jonas", "lea", "paul", "anna", "lukas", "marie")
_LAST_NAMES = ("mustermann", "musterfrau", "schmidt", "mueller", "weber", "becker")
_MOBILE_PREFIXES = ("151", "160", "170", "171", "176", "157")


def _theme_codes(rng: np.random.Generator, s: WaveScores, idx: np.ndarray, persona: np.ndarray) -> np.ndarray:
    """Pick a comment theme that matches the respondent's experience and score."""
    m = idx.size
    rec = s.recommend[idx]
    u = rng.random(m)
    v = rng.random(m)
    code = {key: k for k, key in enumerate(THEME_KEYS)}
    positive = rec >= 7
    price = np.where(positive, code["price", "pos"], code["price", "neg"])
    quality = np.where(positive, code["product_quality", "pos"], code["product_quality", "neg"])
    hunter = persona[idx] == 0
    general = np.select(
        [rec >= 9, hunter | (v < 0.4)],
        [np.where(v < 0.5, code["good_service", "pos"], np.where(v < 0.8, quality, price)), price],
        quality,
    )
    return np.select(
        [
            s.delay[idx] & (u < 0.85),
            (s.loops[idx] > 0) & (u < 0.85),
            s.dropoff[idx] & (u < 0.85),
            s.returned[idx] & (u < 0.85),
        ],
        [
            code["delivery_delay", "neg"],
            code["billing", "neg"],
            code["checkout", "neg"],
            code["product_quality", "neg"],
        ],
        general,
    )


def _pii_texts(rng: np.random.Generator, english: np.ndarray) -> pa.Array:
    """Fake phone numbers and e-mail addresses appended to a few comments."""
    m = english.size
    phone = rng.random(m) < 0.5
    international = rng.random(m) < 0.5
    prefix = take_labels(_MOBILE_PREFIXES, rng.integers(0, len(_MOBILE_PREFIXES), m))
    digits = format_ids("", rng.integers(1_000_000, 9_999_999, m), 7)
    intl = pc.binary_join_element_wise("+49 ", prefix, " ", digits, "")
    local = pc.binary_join_element_wise("0", prefix, " ", digits, "")
    number = pc.if_else(pa.array(international), intl, local)
    first = take_labels(_FIRST_NAMES, rng.integers(0, len(_FIRST_NAMES), m))
    last = take_labels(_LAST_NAMES, rng.integers(0, len(_LAST_NAMES), m))
    email = pc.binary_join_element_wise(first, ".", last, "@example.com", "")
    lang = english.astype(np.int64)
    lead_phone = take_labels([_PII_SUFFIX[x][0] for x in _LANGS], lang)
    lead_mail = take_labels([_PII_SUFFIX[x][1] for x in _LANGS], lang)
    return pc.if_else(
        pa.array(phone),
        pc.binary_join_element_wise(lead_phone, number, ""),
        pc.binary_join_element_wise(lead_mail, email, ""),
    )


def _comments(
    rng: np.random.Generator, s: WaveScores, idx: np.ndarray, persona: np.ndarray, english: np.ndarray
) -> tuple[pa.Array, int, np.ndarray]:
    """Verbatims (missing for some respondents), the number with PII and theme counts."""
    m = idx.size
    has = rng.random(m) < COMMENT_RATE
    theme = _theme_codes(rng, s, idx, persona)
    variant = rng.integers(0, _VARIANTS, m)
    template = (theme * len(_LANGS) + english) * _VARIANTS + variant
    text = take_labels(_TEMPLATE_TEXT, template)
    pii = has & (rng.random(m) < PII_RATE)
    with_contact = pc.binary_join_element_wise(text, _pii_texts(rng, english.astype(bool)), "")
    text = pc.if_else(pa.array(pii), with_contact, text)
    text = pc.if_else(pa.array(has), text, pa.scalar(None, pa.string()))
    themes = np.bincount(theme[has], minlength=len(THEME_KEYS))
    return text, int(pii.sum()), themes


def _quality_problems(
    rng: np.random.Generator, ratings: np.ndarray, ces: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Plant speeders, straight-liners and "don't know" codes.

    Returns the edited ratings, the edited effort scores, the interview
    durations and masks of speeders and straight-liners.
    """
    m = ratings.shape[0]
    ratings = ratings.copy()
    ces = ces.copy()
    kind = rng.random(m)
    speeder = np.asarray(kind < SPEEDER_RATE)
    straight = np.asarray((kind >= SPEEDER_RATE) & (kind < SPEEDER_RATE + STRAIGHTLINER_RATE))

    duration = DURATION_MEDIAN * np.exp(rng.normal(0.0, 0.35, m))
    duration = np.maximum(duration, 0.45 * DURATION_MEDIAN)
    duration = np.where(speeder, DURATION_MEDIAN * rng.uniform(0.08, 0.25, m), duration)
    random_answers = rng.integers(1, 6, size=ratings.shape)
    ratings[speeder] = random_answers[speeder]
    ces = np.where(speeder, rng.integers(1, 8, m), ces)

    # respondents who happen to give six equal ratings are nudged, so the only
    # straight-liners are the planted ones
    same = (ratings == ratings[:, :1]).all(axis=1) & ~straight
    ratings[same, 0] = np.where(ratings[same, 0] >= 3, ratings[same, 0] - 1, ratings[same, 0] + 1)
    level = _round_clip(ratings.mean(axis=1), 1, 5)
    ratings[straight] = level[straight, None]

    dont_know = (rng.random(ratings.shape) < DONT_KNOW_RATE) & ~straight[:, None]
    ratings[dont_know] = DONT_KNOW
    return ratings, ces, np.rint(duration).astype(np.int64), speeder, straight


@dataclass(frozen=True)
class SurveyChunk:
    """The survey rows of one chunk and the counts the truth needs."""

    frame: pd.DataFrame
    age: np.ndarray
    channel: np.ndarray
    speeders: list[str]
    straightliners: list[str]
    n_pii: int
    themes: np.ndarray
    panel: int


def draw_survey(
    rng: np.random.Generator,
    scores: tuple[WaveScores, WaveScores],
    ids: pa.Array,
    numbers: np.ndarray,
    width: int,
    persona: np.ndarray,
    age: np.ndarray,
    channel: np.ndarray,
    response_rate: float = RESPONSE_RATE,
) -> SurveyChunk:
    """Draw the respondents of both waves from the latent answers of a chunk.

    Parameters
    ----------
    rng : numpy.random.Generator
        The chunk's random generator.
    scores : tuple of WaveScores
        Latent answers for wave 1 and wave 2.
    ids : pyarrow.Array
        Customer ids of the chunk.
    numbers : numpy.ndarray
        Global customer numbers (1-based), used for respondent ids.
    width : int
        Digits of the ids.
    persona, age, channel : numpy.ndarray
        Codes per customer.
    response_rate : float, default 0.25
        Expected share of customers answering each wave.

    Returns
    -------
    SurveyChunk
        The rows in :data:`SURVEY_COLUMNS` order (``weight`` still 1.0)
        plus the planted-problem bookkeeping.

    Examples
    --------
    >>> from cjm_lab.sample.customers import draw_customers
    >>> from cjm_lab.sample.journeys import simulate_journeys
    >>> rng = np.random.default_rng(0)
    >>> c = draw_customers(rng, 0, 400, 7)
    >>> j = simulate_journeys(rng, c.persona, c.channel, c.start_day)
    >>> disposition = draw_disposition(rng, 400)
    >>> waves = tuple(wave_scores(rng, j, c.persona, disposition, w) for w in (1, 2))
    >>> chunk = draw_survey(rng, waves, c.ids, np.arange(1, 401), 7, c.persona, c.age, c.channel)
    >>> sorted(chunk.frame["wave"].unique().tolist())
    [1, 2]
    """
    answered = _responders(rng, age, channel, response_rate)
    frames, ages, chans, speeders, straights, themes = [], [], [], [], [], []
    n_pii = 0
    for s, mask in zip(scores, answered, strict=True):
        idx = np.flatnonzero(mask)
        m = idx.size
        ratings, ces, duration, speeder, straight = _quality_problems(rng, s.ratings[idx], s.ces[idx])
        english = (rng.random(m) < ENGLISH_RATE).astype(np.int64)
        comment, pii, theme_counts = _comments(rng, s, idx, persona, english)
        n_pii += pii
        themes.append(theme_counts)
        respondent = format_ids(f"R{s.wave}-", numbers[idx], width)
        day = np.floor(s.answer[idx] / DAY).astype("timedelta64[D]")
        columns: dict[str, object] = {
            "respondent_id": respondent.to_pandas(),
            "customer_id": pc.take(ids, pa.array(idx)).to_pandas(),
            "wave": np.full(m, s.wave, dtype=np.int64),
            "date": (T0.astype("datetime64[D]") + day).astype("datetime64[us]"),
            "recommend": s.recommend[idx],
        }
        for k, name in enumerate(DRIVERS):
            columns[name] = ratings[:, k]
        columns["ces_effort"] = ces
        columns["weight"] = np.ones(m)
        columns["duration_sec"] = duration
        columns["language"] = take_labels(_LANGS, english).to_pandas()
        columns["comment"] = comment.to_pandas()
        frame = pd.DataFrame(columns)
        frames.append(frame)
        ages.append(age[idx])
        chans.append(channel[idx])
        speeders.extend(frame.loc[speeder, "respondent_id"].tolist())
        straights.extend(frame.loc[straight, "respondent_id"].tolist())
    return SurveyChunk(
        frame=pd.concat(frames, ignore_index=True),
        age=np.concatenate(ages),
        channel=np.concatenate(chans),
        speeders=speeders,
        straightliners=straights,
        n_pii=n_pii,
        themes=np.sum(themes, axis=0),
        panel=int((answered[0] & answered[1]).sum()),
    )


def rake_weights(
    wave: np.ndarray,
    age: np.ndarray,
    channel: np.ndarray,
    population_age: np.ndarray,
    population_channel: np.ndarray,
    iterations: int = 100,
) -> np.ndarray:
    """Raking weights that match each wave to the population's age and channel mix.

    Parameters
    ----------
    wave, age, channel : numpy.ndarray
        Wave number and age-band / preferred-channel codes per respondent.
    population_age, population_channel : numpy.ndarray
        Population counts per age band and per channel.
    iterations : int
        Iterative proportional fitting rounds.

    Returns
    -------
    numpy.ndarray
        Positive weights with mean 1 within each wave.

    Examples
    --------
    Three young respondents and one older one, in a population that is half
    young and half older:

    >>> age, channel = np.array([0, 0, 0, 1]), np.array([0, 1, 0, 1])
    >>> w = rake_weights(np.ones(4, dtype=int), age, channel, np.array([50, 50]), np.array([60, 40]))
    >>> np.round(np.bincount(age, weights=w) / w.sum(), 2).tolist()
    [0.5, 0.5]
    >>> np.round(np.bincount(channel, weights=w) / w.sum(), 2).tolist()
    [0.6, 0.4]
    """
    weights = np.ones(wave.size)
    age_share = population_age / population_age.sum()
    channel_share = population_channel / population_channel.sum()
    for w in np.unique(wave):
        sel = wave == w
        a, c = age[sel], channel[sel]
        cur = np.ones(a.size)
        for _ in range(iterations):
            got = np.bincount(a, weights=cur, minlength=age_share.size)
            cur *= np.divide(age_share * cur.sum(), got, out=np.ones_like(got), where=got > 0)[a]
            got = np.bincount(c, weights=cur, minlength=channel_share.size)
            cur *= np.divide(channel_share * cur.sum(), got, out=np.ones_like(got), where=got > 0)[c]
        weights[sel] = cur / cur.mean()
    return weights


def shapley_shares(ratings: np.ndarray, recommend: np.ndarray) -> dict[str, float]:
    """Shapley decomposition of the OLS R² of ``recommend`` on the six drivers.

    Every one of the 64 subsets of drivers is fitted (from the covariance
    matrix), and each driver gets its average marginal contribution to R²,
    as a share of the full model's R².

    Parameters
    ----------
    ratings : numpy.ndarray
        ``(n, 6)`` driver ratings in :data:`DRIVERS` order.
    recommend : numpy.ndarray
        The 0-10 scores.

    Returns
    -------
    dict
        Share of R² per driver (summing to one), strongest first.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(5000, 6))
    >>> y = x @ np.array([0.1, 0.2, 1.0, 0.4, 0.8, 0.6]) + rng.normal(size=5000)
    >>> list(shapley_shares(x, y))[:2]
    ['sat_delivery', 'sat_service']
    """
    data = np.column_stack([ratings, recommend]).astype(float)
    cov = np.cov(data, rowvar=False)
    p = ratings.shape[1]
    sxx, sxy, syy = cov[:p, :p], cov[:p, p], cov[p, p]

    def r2(subset: tuple[int, ...]) -> float:
        if not subset:
            return 0.0
        s = list(subset)
        return float(sxy[s] @ np.linalg.solve(sxx[np.ix_(s, s)], sxy[s]) / syy)

    fits = {subset: r2(subset) for k in range(p + 1) for subset in combinations(range(p), k)}
    full = fits[tuple(range(p))]
    shares = {}
    for j in range(p):
        others = [i for i in range(p) if i != j]
        total = 0.0
        for k in range(p):
            weight = factorial(k) * factorial(p - k - 1) / factorial(p)
            for subset in combinations(others, k):
                total += weight * (fits[tuple(sorted((*subset, j)))] - fits[subset])
        shares[DRIVERS[j]] = total / full
    return dict(sorted(shares.items(), key=lambda kv: kv[1], reverse=True))
