"""The fixed vocabulary of customer journey management used across cjm-lab.

Stages, touchpoint kinds and departments have canonical English keys (used as
values in the data) and labels in English and German (used in reports).
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_STAGES",
    "KINDS",
    "DEPARTMENTS",
    "STAGE_LABELS",
    "KIND_LABELS",
    "DEPARTMENT_LABELS",
    "OUTCOME_KINDS",
    "OUTCOME_WORDS",
    "outcome_kind",
    "PAIN_COMPONENT_LABELS",
]

#: The five CJM stages, in journey order (the default ordered list of a catalogue).
DEFAULT_STAGES: tuple[str, ...] = (
    "research",
    "comparison",
    "purchase",
    "experience",
    "loyalty",
)

#: Touchpoint kinds: seen in public, run by the company's channels, run inside the company.
KINDS: tuple[str, ...] = ("peripheral", "external", "internal")

#: Departments that own touchpoints (each has its own moments of truth).
DEPARTMENTS: tuple[str, ...] = (
    "marketing",
    "sales",
    "accounting",
    "logistics",
    "customer_service",
    "product",
)

STAGE_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "research": "Research",
        "comparison": "Comparison",
        "purchase": "Purchase",
        "experience": "Experience & service",
        "loyalty": "Loyalty",
    },
    "de": {
        "research": "Recherche",
        "comparison": "Vergleich",
        "purchase": "Kauf",
        "experience": "Nutzung & Service",
        "loyalty": "Bindung",
    },
}

KIND_LABELS: dict[str, dict[str, str]] = {
    "en": {"peripheral": "Peripheral", "external": "External", "internal": "Internal"},
    "de": {"peripheral": "Peripher", "external": "Extern", "internal": "Intern"},
}

DEPARTMENT_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "marketing": "Marketing",
        "sales": "Sales",
        "accounting": "Accounting",
        "logistics": "Logistics",
        "customer_service": "Customer service",
        "product": "Product",
    },
    "de": {
        "marketing": "Marketing",
        "sales": "Vertrieb",
        "accounting": "Buchhaltung",
        "logistics": "Logistik",
        "customer_service": "Kundenservice",
        "product": "Produkt",
    },
}


#: The components of a pain score (``main_issue`` and ``drivers`` of
#: :func:`cjm_lab.journeys.pain_points`) as a reader sees them.
PAIN_COMPONENT_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "drop_off": "drop-off",
        "lift": "fewer outcomes",
        "rework": "rework",
        "ping_pong": "ping-pong",
        "reopen": "reopened",
        "repeat_contact": "repeated contacts",
        "long_wait": "long waits",
        "late": "late",
        "detractor": "detractors",
        "change": "changed for the worse",
    },
    "de": {
        "drop_off": "Abbruch",
        "lift": "seltener erfolgreich",
        "rework": "Nacharbeit",
        "ping_pong": "Ping-Pong",
        "reopen": "wieder geöffnet",
        "repeat_contact": "wiederholte Kontakte",
        "long_wait": "lange Wartezeit",
        "late": "Verspätung",
        "detractor": "Kritiker",
        "change": "verschlechtert",
    },
}


#: What a journey's success is: a conversion (shop: a purchase, a sign-up), a resolution (service
#: tickets, incidents, problems), an approval (applications, claims), or none (no outcome known).
OUTCOME_KINDS: tuple[str, ...] = ("conversion", "resolution", "approval", "none")

#: The words of each outcome kind, per language: ``column`` names the columns (``conversion_rate``,
#: ``resolution_rate`` …); ``noun``, ``noun_a`` (with its article), ``after`` and ``reached`` go into
#: sentences; ``unit``/``units`` name what a journey is (customers' journeys in a shop, cases in a
#: service or application process).
OUTCOME_WORDS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "conversion": {
            "column": "conversion",
            "noun": "conversion",
            "noun_a": "a conversion",
            "after": "after a conversion",
            "reached": "converted",
            "reach": "reaching a conversion",
            "unit": "journey",
            "units": "journeys",
        },
        "resolution": {
            "column": "resolution",
            "noun": "resolution",
            "noun_a": "a resolution",
            "after": "after a resolution",
            "reached": "resolved",
            "reach": "reaching a resolution",
            "unit": "case",
            "units": "cases",
        },
        "approval": {
            "column": "approval",
            "noun": "approval",
            "noun_a": "an approval",
            "after": "after an approval",
            "reached": "approved",
            "reach": "reaching an approval",
            "unit": "case",
            "units": "cases",
        },
        "none": {
            "column": "outcome",
            "noun": "outcome",
            "noun_a": "an outcome",
            "after": "after an outcome",
            "reached": "with an outcome",
            "reach": "reaching an outcome",
            "unit": "journey",
            "units": "journeys",
        },
    },
    "de": {
        "conversion": {
            "column": "conversion",
            "noun": "Abschluss",
            "noun_a": "einen Abschluss",
            "after": "nach dem Abschluss",
            "reached": "abgeschlossen",
            "reach": "mit Abschluss",
            "unit": "Journey",
            "units": "Journeys",
        },
        "resolution": {
            "column": "resolution",
            "noun": "Lösung",
            "noun_a": "eine Lösung",
            "after": "nach der Lösung",
            "reached": "gelöst",
            "reach": "mit Lösung",
            "unit": "Fall",
            "units": "Fälle",
        },
        "approval": {
            "column": "approval",
            "noun": "Genehmigung",
            "noun_a": "eine Genehmigung",
            "after": "nach der Genehmigung",
            "reached": "genehmigt",
            "reach": "mit Genehmigung",
            "unit": "Fall",
            "units": "Fälle",
        },
        "none": {
            "column": "outcome",
            "noun": "Ergebnis",
            "noun_a": "ein Ergebnis",
            "after": "nach dem Ergebnis",
            "reached": "mit Ergebnis",
            "reach": "mit Ergebnis",
            "unit": "Journey",
            "units": "Journeys",
        },
    },
}


def outcome_kind(kind: str | None, *, known: bool, where: str = "") -> str:
    """The outcome kind an analysis works with, checked: ``kind`` when given, else ``"conversion"``
    when outcomes are known (``outcome=`` or the catalogue's ``is_conversion``) and ``"none"``
    when they are not.

    Examples
    --------
    >>> outcome_kind(None, known=True), outcome_kind("resolution", known=True), outcome_kind(None, known=False)
    ('conversion', 'resolution', 'none')
    >>> outcome_kind("resolution", known=False, where="pain_points()")
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMConfigError: pain_points(): `outcome_kind='resolution'` needs the outcome events: ...
    """
    from cjm_lab.errors import CJMConfigError

    prefix = f"{where}: " if where else ""
    if kind is None:
        return "conversion" if known else "none"
    if kind not in OUTCOME_KINDS:
        raise CJMConfigError(
            f"{prefix}`outcome_kind` must be one of {', '.join(map(repr, OUTCOME_KINDS))}, got {kind!r}. "
            "Fix: 'conversion' for shops, 'resolution' for service cases, 'approval' for applications."
        )
    if kind != "none" and not known:
        raise CJMConfigError(
            f"{prefix}`outcome_kind={kind!r}` needs the outcome events: pass outcome=[...] with the "
            "touchpoints that mark it (e.g. 'Closed'), or a catalogue (touchpoints=) with is_conversion."
        )
    return kind
