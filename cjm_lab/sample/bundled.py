"""The bundled sample: the files ``cjm-lab report`` runs on by default, shipped in the package.

``make demo`` and every report's default parameters read these files (5,000 customers,
seed 42, about 1.3 MB). In a checkout, ``data/sample`` is a link to the same folder.
"""

from __future__ import annotations

from pathlib import Path

from cjm_lab._params import validate_params
from cjm_lab._validate import suggest
from cjm_lab.errors import CJMConfigError

__all__ = ["SAMPLE_DIR", "SAMPLE_FILES", "sample_path"]

#: The folder of the bundled sample inside the installed package.
SAMPLE_DIR = Path(__file__).resolve().parent / "data"

#: The files of the bundled sample.
SAMPLE_FILES = (
    "customers.csv",
    "events.csv.gz",
    "survey.csv",
    "touchpoints.csv",
    "personas_truth.csv",
    "ground_truth.json",
    "codebook.yaml",
)


@validate_params({})
def sample_path(name: str) -> Path:
    """The path of one file of the bundled sample, wherever cjm-lab is installed.

    Parameters
    ----------
    name : str
        One of :data:`SAMPLE_FILES`, e.g. ``"survey.csv"``.

    Returns
    -------
    Path
        The file inside the package.

    Raises
    ------
    CJMConfigError
        ``name`` is not a file of the sample (the message lists them).

    Examples
    --------
    >>> from cjm_lab.io import load_survey
    >>> len(load_survey(sample_path("survey.csv")))
    2607
    >>> sample_path("survey.xlsx")
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMConfigError: sample_path(): ... no file 'survey.xlsx'. Did you mean 'survey.csv'? ...
    """
    if name not in SAMPLE_FILES:
        raise CJMConfigError(
            f"The bundled sample has no file {name!r}.{suggest(str(name), SAMPLE_FILES)} "
            f"Its files: {', '.join(SAMPLE_FILES)}."
        )
    return SAMPLE_DIR / name
