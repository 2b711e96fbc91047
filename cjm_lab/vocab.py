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
