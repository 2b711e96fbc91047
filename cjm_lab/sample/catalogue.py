"""The touchpoint catalogue of the fictional retailer *Nordlicht Home*.

Nordlicht Home sells home electronics online, in its app, in stores and by
phone.  The catalogue lists every touchpoint a customer can meet, the stage it
belongs to, the channel it runs on, its kind and the department that owns it.
The journey simulator (:mod:`cjm_lab.sample.journeys`) refers to touchpoints by
their position in :data:`TOUCHPOINTS`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from cjm_lab._params import validate_params
from cjm_lab.vocab import DEFAULT_STAGES

__all__ = ["Touchpoint", "TOUCHPOINTS", "TP", "touchpoint_catalogue"]


class Touchpoint(NamedTuple):
    """One row of the catalogue."""

    touchpoint: str
    label_de: str
    stage: str
    channel: str
    kind: str
    department: str
    is_conversion: bool = False


#: The catalogue in journey order; the index of a row is its state number.
TOUCHPOINTS: tuple[Touchpoint, ...] = (
    # research
    Touchpoint("Search ad", "Suchmaschinenanzeige", "research", "online", "peripheral", "marketing"),
    Touchpoint("Social media ad", "Anzeige in sozialen Medien", "research", "online", "peripheral", "marketing"),
    Touchpoint(
        "Friend recommendation",
        "Empfehlung von Freunden und Bekannten",
        "research",
        "public",
        "peripheral",
        "marketing",
    ),
    Touchpoint("Billboard", "Plakatwerbung", "research", "public", "peripheral", "marketing"),
    Touchpoint("Website", "Website", "research", "online", "external", "marketing"),
    # comparison
    Touchpoint("Price comparison site", "Preisvergleichsportal", "comparison", "online", "peripheral", "marketing"),
    Touchpoint("Product page", "Produktdetailseite", "comparison", "online", "external", "product"),
    Touchpoint("Customer reviews", "Kundenbewertungen", "comparison", "online", "external", "product"),
    Touchpoint("Store visit", "Besuch in der Filiale", "comparison", "store", "external", "sales"),
    Touchpoint("Sales call", "Telefonische Kaufberatung", "comparison", "phone", "external", "sales"),
    # purchase
    Touchpoint("Cart", "Warenkorb", "purchase", "online", "external", "sales"),
    Touchpoint("Checkout payment", "Bezahlvorgang im Checkout", "purchase", "online", "external", "sales"),
    Touchpoint("Order confirmation", "Bestellbestätigung", "purchase", "email", "internal", "sales", True),
    # experience & service
    Touchpoint("Shipping notice", "Versandbenachrichtigung", "experience", "email", "internal", "logistics"),
    Touchpoint(
        "Delivery delay notice",
        "Benachrichtigung über Lieferverzögerung",
        "experience",
        "email",
        "internal",
        "logistics",
    ),
    Touchpoint("Delivery", "Lieferung", "experience", "mail", "internal", "logistics"),
    Touchpoint("Invoice", "Rechnung", "experience", "email", "internal", "accounting"),
    Touchpoint("Billing complaint", "Reklamation der Rechnung", "experience", "phone", "internal", "accounting"),
    Touchpoint("Invoice correction", "Rechnungskorrektur", "experience", "email", "internal", "accounting"),
    Touchpoint("Service hotline", "Service-Hotline", "experience", "phone", "internal", "customer_service"),
    Touchpoint("Service chat", "Service-Chat", "experience", "online", "internal", "customer_service"),
    Touchpoint("Product use", "Produktnutzung", "experience", "app", "external", "product"),
    Touchpoint("Return", "Rücksendung", "experience", "mail", "internal", "logistics"),
    # loyalty
    Touchpoint("Review request", "Bitte um Produktbewertung", "loyalty", "email", "external", "product"),
    Touchpoint("Newsletter", "Newsletter", "loyalty", "email", "external", "marketing"),
    Touchpoint("Loyalty programme", "Nordlicht-Vorteilsprogramm", "loyalty", "app", "external", "marketing"),
    Touchpoint("Repeat purchase", "Wiederholungskauf", "loyalty", "online", "external", "sales", True),
)

#: State number of each touchpoint, by its English id.
TP: dict[str, int] = {tp.touchpoint: i for i, tp in enumerate(TOUCHPOINTS)}

#: Names as an array, for fast look-ups by state number.
TOUCHPOINT_NAMES: np.ndarray = np.array([tp.touchpoint for tp in TOUCHPOINTS], dtype=object)


@validate_params({})
def touchpoint_catalogue() -> pd.DataFrame:
    """Return the touchpoint catalogue of Nordlicht Home.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint with the columns ``touchpoint`` (English id),
        ``label_de`` (German display name), ``stage`` (one of
        :data:`cjm_lab.vocab.DEFAULT_STAGES`), ``channel``, ``kind``
        (peripheral/external/internal), ``department`` and ``is_conversion``.

    Examples
    --------
    >>> cat = touchpoint_catalogue()
    >>> len(cat), cat["stage"].nunique()
    (27, 5)
    >>> cat.loc[cat["is_conversion"], "touchpoint"].tolist()
    ['Order confirmation', 'Repeat purchase']
    """
    frame = pd.DataFrame([tp._asdict() for tp in TOUCHPOINTS])
    frame["is_conversion"] = frame["is_conversion"].astype(bool)
    unknown = set(frame["stage"]) - set(DEFAULT_STAGES)
    if unknown:  # pragma: no cover - guards the constant above
        raise RuntimeError(f"catalogue uses unknown stages {sorted(unknown)}")
    return frame
