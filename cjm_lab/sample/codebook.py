"""The labels of the sample's columns, written as ``codebook.yaml`` beside its tables.

The reports read it through their ``codebook`` parameter (:func:`cjm_lab.labels.labels_for`), so
they show "delivery" / "Lieferung" where the data holds ``sat_delivery`` and write no names of
their own.  The columns are the same for every generated sample.
"""

from __future__ import annotations

from pathlib import Path

from cjm_lab._params import validate_params

__all__ = ["SAMPLE_CODEBOOK", "write_codebook"]

#: The codebook of the sample (the layout of :meth:`cjm_lab.labels.Labels.from_dict`).
SAMPLE_CODEBOOK: dict[str, dict[str, dict[str, str]]] = {
    "columns": {
        "recommend": {"en": "Likelihood to recommend", "de": "Weiterempfehlungsbereitschaft"},
        "sat_website": {"en": "the website", "de": "Website"},
        "sat_checkout": {"en": "checkout", "de": "Bestellabschluss"},
        "sat_delivery": {"en": "delivery", "de": "Lieferung"},
        "sat_billing": {"en": "billing", "de": "Rechnung"},
        "sat_service": {"en": "customer service", "de": "Kundenservice"},
        "sat_product": {"en": "the product", "de": "Produkt"},
        "ces_effort": {"en": "Customer effort", "de": "Kundenaufwand"},
        "wave": {"en": "Wave", "de": "Welle"},
        "weight": {"en": "Weight", "de": "Gewicht"},
        "comment": {"en": "Comment", "de": "Kommentar"},
        "att_price": {"en": "Price matters", "de": "Preis ist wichtig"},
        "att_digital": {"en": "Prefers digital", "de": "Bevorzugt digital"},
        "att_advice": {"en": "Wants advice", "de": "Möchte Beratung"},
        "att_quality": {"en": "Quality matters", "de": "Qualität ist wichtig"},
        "att_brand": {"en": "Brand matters", "de": "Marke ist wichtig"},
        "att_eco": {"en": "Eco-minded", "de": "Umweltbewusst"},
        "att_convenience": {"en": "Convenience matters", "de": "Bequemlichkeit ist wichtig"},
        "att_service": {"en": "Service matters", "de": "Service ist wichtig"},
    }
}

_HEADER = (
    "# Labels of the sample's columns (cjm_lab.labels.Labels.from_codebook); the reports read it\n"
    "# through their `codebook` parameter. Written by cjm_lab.sample.write_sample.\n"
)


@validate_params({})
def write_codebook(path: Path) -> Path:
    """Write :data:`SAMPLE_CODEBOOK` as YAML to ``path`` (the caller checked it is new).

    Examples
    --------
    >>> import tempfile
    >>> from cjm_lab.labels import Labels
    >>> p = write_codebook(Path(tempfile.mkdtemp()) / "codebook.yaml")
    >>> Labels.from_codebook(p).column("sat_delivery", language="de")
    'Lieferung'
    """
    import yaml

    text = yaml.safe_dump(SAMPLE_CODEBOOK, allow_unicode=True, sort_keys=False, width=120)
    path.write_text(_HEADER + text, encoding="utf-8")
    return path
