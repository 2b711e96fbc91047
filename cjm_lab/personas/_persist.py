"""Typing tools on disk: :func:`save_model` and :func:`load_model` (re-exported by
:mod:`cjm_lab.personas.typing_tool`, and behind ``PersonaModel.save`` / ``PersonaModel.load``).

A model says what it is by its class's ``typing_kind`` (``"PersonaModel"`` or
``"GoldenQuestions"``), so this module imports neither class and both the model and the typing
tool can use it.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from cjm_lab._params import BOOLEAN, outside_stacklevel, validate_params
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = ["save_model", "load_model", "FORMAT", "FORMAT_VERSION", "versions", "minor", "slim"]

#: Marker and version of the typing-tool file format.
FORMAT = "cjm_lab.personas/typing-tool"
FORMAT_VERSION = 1
_PACKAGES = ("cjm-lab", "scikit-learn", "numpy", "pandas", "scipy", "joblib")
_ALGORITHM_PACKAGES = {"kprototypes": ("kmodes",), "lca": ("stepmix",)}


def versions(algorithm: str | None) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in _PACKAGES + _ALGORITHM_PACKAGES.get(algorithm or "", ()):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def minor(v: str) -> tuple[str, ...]:
    return tuple(v.split(".")[:2])


@validate_params({"overwrite": [BOOLEAN]})
def save_model(model: Any, path: str | os.PathLike, *, overwrite: bool = False) -> str:
    """Save a fitted PersonaModel (or GoldenQuestions) as a typing tool.

    The file keeps the model, its feature list with roles and category levels, the
    persona sizes and the versions of Python and the packages it depends on.

    Parameters
    ----------
    model : PersonaModel or GoldenQuestions
        Fitted.
    path : str or path
        Target file (conventionally ``*.joblib``); its folder must exist.
    overwrite : bool, default False
        An existing file is never replaced unless this is set.

    Returns
    -------
    str
        The path written.

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> from cjm_lab.personas import PersonaModel
    >>> df = pd.DataFrame({"x": [1.0, 1.2, 0.9, 1.1, 5.0, 5.2, 4.9]})
    >>> model = PersonaModel(2, random_state=0).fit(df)
    >>> folder = tempfile.mkdtemp()
    >>> path = save_model(model, os.path.join(folder, "personas.joblib"))
    >>> load_model(path).predict(pd.DataFrame({"x": [5.1]})).tolist()
    [1]
    >>> save_model(model, path)
    Traceback (most recent call last):
    ... (traceback)
    cjm_lab.errors.CJMConfigError: save_model(): ... already exists...
    """
    import joblib

    where = "save_model()"
    kind = getattr(type(model), "typing_kind", None)
    if kind == "PersonaModel":
        if not hasattr(model, "labels_"):
            raise CJMConfigError(f"{where}: the PersonaModel is not fitted yet; call model.fit(data) first.")
        algorithm = model.algorithm
        features = [
            {"column": c, "role": model.roles_[c], "levels": list(model._prep.levels.get(c, []))}
            for c in model.feature_names_in_
        ]
        stored = slim(model)
        sizes = model.sizes_.to_dict(orient="list")
    elif kind == "GoldenQuestions":
        algorithm, stored, sizes = None, model, None
        features = [
            {"column": c, "role": model._prep.roles[c], "levels": list(model._prep.levels.get(c, []))}
            for c in model.questions
        ]
    else:
        raise CJMConfigError(
            f"{where}: `model` must be a fitted PersonaModel or GoldenQuestions, got {type(model).__name__}."
        )
    target = Path(path)
    if target.exists() and not overwrite:
        raise CJMConfigError(
            f"{where}: {str(target)!r} already exists. Pass overwrite=True to replace it, or choose another file name."
        )
    if not target.parent.exists():
        raise CJMConfigError(f"{where}: the folder {str(target.parent)!r} does not exist; create it first.")
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "model": stored,
        "features": features,
        "sizes": sizes,
        "algorithm": algorithm,
        "versions": versions(algorithm),
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        joblib.dump(payload, tmp, compress=3)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return str(target)


def slim(model: Any) -> Any:
    """A shallow copy without the training posteriors (large, and not needed to type)."""
    import copy

    out = copy.copy(model)
    engine = copy.copy(model._engine)
    engine.resp = None
    out._engine = engine
    return out


@validate_params({"strict": [BOOLEAN]})
def load_model(path: str | os.PathLike, *, strict: bool = False) -> Any:
    """Load a typing tool written by :func:`save_model`.

    Parameters
    ----------
    path : str or path
    strict : bool, default False
        Raise instead of warning when the file was written with other major.minor
        versions of Python, cjm-lab or a package the model depends on.

    Returns
    -------
    PersonaModel or GoldenQuestions

    Raises
    ------
    CJMDataError
        Missing file, a file that is no cjm-lab typing tool, a newer file format, or
        (``strict=True``) version differences.

    Warns
    -----
    UserWarning
        Version differences (predictions may then differ slightly; refit to be sure).
    """
    import joblib

    where = "load_model()"
    target = Path(path)
    if not target.is_file():
        raise CJMDataError(
            f"{where}: there is no file {str(target)!r}.",
            fix="Check the path; typing tools are written with model.save(path).",
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            payload = joblib.load(target)
        # any unpickling failure means "not a typing tool, or damaged"
        except Exception as err:
            raise CJMDataError(
                f"{where}: {str(target)!r} could not be read as a cjm-lab typing tool ({err}).",
                fix="Use a file written by model.save(path); re-save it if it came from another version.",
            ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CJMDataError(
            f"{where}: {str(target)!r} is not a cjm-lab typing tool.", fix="Use a file written by model.save(path)."
        )
    if int(payload.get("format_version", 0)) > FORMAT_VERSION:
        raise CJMDataError(
            f"{where}: {str(target)!r} was written by a newer cjm-lab (file format "
            f"{payload['format_version']}, this version reads {FORMAT_VERSION}).",
            fix="Upgrade cjm-lab, or re-save the model with this version.",
        )
    stored = payload.get("versions", {})
    now = versions(payload.get("algorithm"))
    diffs = [
        f"{pkg} {old} (now {now.get(pkg, 'not installed')})"
        for pkg, old in stored.items()
        if minor(str(old)) != minor(str(now.get(pkg, "not installed")))
    ]
    if diffs:
        text = (
            f"{str(target)!r} was saved with " + ", ".join(diffs) + ". Persona assignments may differ slightly; "
            "refit the model with this installation to be sure."
        )
        if strict:
            raise CJMDataError(f"{where}: {text}", fix="Install the versions listed, or refit and save again.")
        warnings.warn(text, UserWarning, stacklevel=outside_stacklevel())
    elif caught and strict:
        raise CJMDataError(f"{where}: unpickling warned: {caught[0].message}", fix="Refit and save the model again.")
    return payload["model"]
