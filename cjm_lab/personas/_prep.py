"""Preprocessing of mixed customer data for persona clustering (private).

:class:`MixedPreprocessor` decides the role of every column (numeric, ordinal,
categorical) from its dtype unless told, validates the columns once with the
project's clear errors, and produces three views of the same rows:

* ``continuous`` — numeric and ordinal columns on one scale (log1p for strongly
  skewed non-negative numerics, then weighted standardisation, clipped at ±5 SD);
  missing stays NaN;
* ``codes`` — categorical columns as integer codes, ``-1`` for missing;
* ``design`` — the numeric matrix every distance-based algorithm uses:
  ``continuous`` with missing set to the mean (0), then one centred indicator
  column per category level, scaled so that each categorical *variable* carries
  the same total variance as one standardised numeric (``"unit"``) or as in
  FAMD (``"famd"``: indicator / sqrt(share), a variable with L levels weighs L − 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cjm_lab._params import StrOptions, check_params
from cjm_lab._validate import offending, suggest
from cjm_lab.errors import CJMConfigError, CJMDataError

__all__ = ["MixedPreprocessor", "check_weights", "as_frame", "UNKNOWN"]

#: Standardised values are clipped to ± this many standard deviations.
CLIP_Z = 5.0
#: A non-negative numeric column whose skewness exceeds this is log1p-transformed.
SKEW_LIMIT = 2.0
#: An automatically detected categorical column with more levels than this is refused.
MAX_LEVELS = 50

_SCALINGS = ("standard", "robust", "none")
_CAT_SCALINGS = ("unit", "famd")
_OPTIONS = {"scaling": [StrOptions(_SCALINGS)], "categorical_scaling": [StrOptions(_CAT_SCALINGS)]}

#: What to do with categories a model has not seen.
UNKNOWN = StrOptions({"error": "raise", "ignore": "treat them as missing answers"})
_UNKNOWN = ("error", "ignore")


def as_frame(X: Any, *, where: str) -> pd.DataFrame:
    """A DataFrame view of ``X``: DataFrames pass, 2-D arrays get columns ``x0, x1, …``."""
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, np.ndarray) and X.ndim == 2:
        return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    raise CJMDataError(
        f"{where} needs a pandas DataFrame (or a 2-D numpy array) of customers, got {type(X).__name__}.",
        fix="Pass the customers table, e.g. cjm_lab.io.load_customers(path), or pd.DataFrame(...).",
    )


def check_weights(sample_weight: Any, n: int, *, where: str) -> np.ndarray | None:
    """Validate survey weights: ``n`` positive finite numbers (or None)."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, str):
        raise CJMConfigError(
            f"{where}: `sample_weight` takes the weights themselves (e.g. data['weight']), not the column "
            f"name {sample_weight!r}."
        )
    w = pd.to_numeric(pd.Series(np.asarray(sample_weight).ravel()), errors="coerce").to_numpy(dtype=float)
    if w.size != n:
        raise CJMDataError(
            f"{where}: `sample_weight` has {w.size} values for {n} rows.",
            fix="Pass one weight per row of the data, in the same order.",
        )
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        idx = np.flatnonzero(bad)[:5]
        raise CJMDataError(
            f"{where}: {int(bad.sum())} weight(s) are missing, zero, negative or not numbers.",
            column="sample_weight",
            rows=list(idx),
            values=list(w[idx]),
            fix="Weights must be positive numbers; drop those respondents or recompute the weights.",
        )
    return w


def _wmean(x: np.ndarray, w: np.ndarray) -> float:
    ok = ~np.isnan(x)
    return float(np.sum(x[ok] * w[ok]) / np.sum(w[ok]))


def _wstd(x: np.ndarray, w: np.ndarray, mean: float) -> float:
    ok = ~np.isnan(x)
    return float(np.sqrt(np.sum(w[ok] * (x[ok] - mean) ** 2) / np.sum(w[ok])))


def _wquantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    ok = ~np.isnan(x)
    xs, ws = x[ok], w[ok]
    order = np.argsort(xs, kind="stable")
    cw = np.cumsum(ws[order])
    return float(xs[order][np.searchsorted(cw, q * cw[-1])])


def _keys(s: pd.Series) -> pd.Series:
    """Category values as text keys (``1.0`` and ``1`` alike), missing stays missing."""
    obj = s.astype(object)
    notna = obj.notna()
    numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
    num = pd.to_numeric(obj, errors="coerce") if numeric else None
    if num is not None and bool(((num == np.round(num)) | num.isna()).all()):
        text = num.astype("Int64").astype(str)
    else:
        text = obj.astype(str)
    return text.where(notna.to_numpy())


def _codes(s: pd.Series, levels: Sequence[Any]) -> np.ndarray:
    """Position of every value among ``levels`` (compared as text keys); -1 for missing or unseen."""
    index = pd.Index(_keys(pd.Series(list(levels))).to_numpy(dtype=object))
    return index.get_indexer(_keys(s).to_numpy(dtype=object)).astype(np.int64)


def _is_datetime(dtype: Any) -> bool:
    return (
        pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
        or isinstance(dtype, pd.PeriodDtype)
    )


@dataclass
class MixedPreprocessor:
    """Roles, validation and the three numeric views of mixed customer data.

    Built by :class:`~cjm_lab.personas.PersonaModel`; the attributes are what a saved
    typing tool keeps (feature list, category levels, centring and scaling).
    """

    columns: Sequence[str] | None = None
    numeric: Sequence[str] | None = None
    ordinal: Sequence[str] | Mapping[str, Sequence[Any]] | None = None
    categorical: Sequence[str] | None = None
    id_column: str | None = "auto"
    scaling: str = "standard"
    categorical_scaling: str = "unit"
    log_skewed: bool = True
    where: str = "PersonaModel.fit()"
    # fitted
    features: list[str] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    levels: dict[str, list[Any]] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)
    logged: list[str] = field(default_factory=list)
    center: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scale: np.ndarray = field(default_factory=lambda: np.ones(0))
    shares: dict[str, np.ndarray] = field(default_factory=dict)
    summary: pd.DataFrame | None = None

    # ------------------------------------------------------------------ roles
    @property
    def continuous_columns(self) -> list[str]:
        return [c for c in self.features if self.roles[c] in ("numeric", "ordinal")]

    @property
    def categorical_columns(self) -> list[str]:
        return [c for c in self.features if self.roles[c] == "categorical"]

    @property
    def design_names(self) -> list[str]:
        names = list(self.continuous_columns)
        for c in self.categorical_columns:
            names += [f"{c}={lvl}" for lvl in self.levels[c]]
        return names

    def _check_options(self) -> None:
        check_params(
            {"scaling": self.scaling, "categorical_scaling": self.categorical_scaling}, _OPTIONS, where=self.where
        )

    def _assign_roles(self, data: pd.DataFrame) -> None:
        where = self.where
        present = list(data.columns)

        def as_list(v):
            return [] if v is None else ([v] if isinstance(v, str) else list(v))

        declared: dict[str, str] = {}
        ordinal_levels: dict[str, list[Any]] = {}
        if isinstance(self.ordinal, Mapping):
            ordinal_levels = {c: list(v) for c, v in self.ordinal.items()}
        for role, cols in (
            ("numeric", as_list(self.numeric)),
            ("ordinal", as_list(self.ordinal)),
            ("categorical", as_list(self.categorical)),
        ):
            for c in cols:
                if c in declared and declared[c] != role:
                    raise CJMConfigError(f"{where}: column {c!r} is named in both `{declared[c]}` and `{role}`.")
                declared[c] = role
        wanted = as_list(self.columns) if self.columns is not None else None
        for arg, cols in (("columns", wanted or []), ("numeric/ordinal/categorical", list(declared))):
            for c in cols:
                if c not in present:
                    raise CJMDataError(
                        f"Could not interpret value {c!r} for `{arg}` in {where}. An entry with this name does not "
                        f"appear in `data`.{suggest(c, present)}",
                        column=str(c),
                        fix="Pass columns of `data`: "
                        + ", ".join(repr(p) for p in present[:20])
                        + (" ..." if len(present) > 20 else "")
                        + ".",
                    )
        ids = self._id_columns(data)
        if wanted is None:
            candidates = [c for c in present if c not in ids]
        else:
            candidates = list(dict.fromkeys(wanted + [c for c in declared if c not in wanted]))
        self.ignored = {}
        if wanted is None:
            for c in ids:
                self.ignored[c] = "id"
        self.roles, self.levels = {}, {}
        for c in candidates:
            s = data[c]
            role = declared.get(c)  # type: ignore[assignment]
            if role is None:
                if _is_datetime(s.dtype):
                    self.ignored[c] = "date"
                    continue
                if isinstance(s.dtype, pd.CategoricalDtype) and s.dtype.ordered:
                    role = "ordinal"
                elif pd.api.types.is_bool_dtype(s.dtype):
                    role = "categorical"
                elif pd.api.types.is_numeric_dtype(s.dtype):
                    role = "numeric"
                else:
                    role = self._text_role(s, c)
            self.roles[c] = role
            if role == "ordinal":
                if c in ordinal_levels:
                    self.levels[c] = ordinal_levels[c]
                elif isinstance(s.dtype, pd.CategoricalDtype):
                    if not s.dtype.ordered:
                        raise CJMDataError(
                            f"{where}: {c!r} is declared ordinal but its categories have no order.",
                            column=c,
                            fix=f"Give the order: ordinal={{{c!r}: [lowest, ..., highest]}}, or load it with "
                            f"load_customers(..., ordinal={{{c!r}: [...]}}).",
                        )
                    self.levels[c] = list(s.dtype.categories)
                elif not pd.api.types.is_numeric_dtype(s.dtype):
                    raise CJMDataError(
                        f"{where}: {c!r} is declared ordinal but holds text without an order.",
                        column=c,
                        fix=f"Give the order: ordinal={{{c!r}: [lowest, ..., highest]}}.",
                    )
        self.features = list(self.roles)
        if not self.features:
            raise CJMDataError(
                f"{where}: no column is left to cluster on (ignored: "
                + (", ".join(f"{c!r} ({why})" for c, why in self.ignored.items()) or "none")
                + ").",
                fix=(
                    "Pass a table with numeric, ordinal or categorical customer attributes, or name them in `columns=`."
                ),
            )

    def _id_columns(self, data: pd.DataFrame) -> list[str]:
        """The id columns left out: as named, or with ``"auto"`` the customer and respondent id roles."""
        if self.id_column is None:
            return []
        if self.id_column != "auto":
            return [self.id_column] if self.id_column in data.columns else []
        from cjm_lab.io.metadata import table_metadata

        roles = {"customer_id", "respondent_id"}
        named = {user for user, role in (table_metadata(data).get("roles") or {}).items() if role in roles}
        return [c for c in data.columns if c in roles or c in named]

    def _text_role(self, s: pd.Series, c: str) -> str:
        """Role of a text column: categorical, unless it is mostly numbers (then refuse the text)."""
        where = self.where
        present = s.dropna()
        if isinstance(s.dtype, pd.CategoricalDtype):
            n_levels = len(present.unique())
        else:
            present = present.astype(str).str.strip()
            present = present[present.ne("")]
            num = pd.to_numeric(present, errors="coerce")
            if len(present) and num.notna().mean() >= 0.8:
                if num.notna().all():
                    return "numeric"
                bad = num.isna()
                rows, vals = offending(bad.to_numpy(), present)
                raise CJMDataError(
                    f"{where}: {int(bad.sum())} value(s) in {c!r} are text, not numbers, in a column that is "
                    f"otherwise numeric.",
                    column=c,
                    rows=rows,
                    values=vals,
                    fix="Set such answers to missing (e.g. data[col].replace('unknown', np.nan)) or recode them to "
                    f"numbers; if {c!r} really is a category, pass categorical=[{c!r}].",
                )
            n_levels = present.nunique()
        if n_levels > MAX_LEVELS:
            raise CJMDataError(
                f"{where}: {c!r} has {n_levels} distinct text values; it looks like an id or free text, not a "
                f"category to cluster on.",
                column=c,
                fix=f"Leave it out (columns=[...] or data.drop(columns=[{c!r}])), or pass categorical=[{c!r}] if it "
                "really is a category.",
            )
        return "categorical"

    # ------------------------------------------------------------------ values
    def _raw_continuous(self, data: pd.DataFrame, c: str) -> np.ndarray:
        s = data[c]
        if self.roles[c] == "ordinal" and c in self.levels:
            codes = _codes(s, self.levels[c])
            unseen = (codes < 0) & s.notna().to_numpy()
            if unseen.any():
                self._unseen(data, c, unseen)
            return np.where(codes < 0, np.nan, codes.astype(float))
        if isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(s.dtype):
            s = s.astype(object)
        if pd.api.types.is_numeric_dtype(s.dtype):
            return s.astype("float64").to_numpy()
        text = s.where(s.notna(), None)
        stripped = text.astype("string").str.strip()
        vals = pd.to_numeric(stripped.where(stripped.ne(""), None), errors="coerce").astype("float64")
        bad = vals.isna() & stripped.notna() & stripped.ne("")
        if bad.any():
            rows, badvals = offending(bad.to_numpy(), s)
            raise CJMDataError(
                f"{self.where}: {int(bad.sum())} value(s) in {c!r} are text, not numbers.",
                column=c,
                rows=rows,
                values=badvals,
                fix="Recode the text to numbers or set such answers to missing first"
                + ("." if self.roles[c] == "ordinal" else f"; if {c!r} is a category, pass categorical=[{c!r}]."),
            )
        return vals.to_numpy()

    _unknown_mode = "error"

    def _unseen(self, data: pd.DataFrame, c: str, mask: np.ndarray) -> None:
        if self._unknown_mode == "ignore":
            return
        rows, vals = offending(mask, data[c])
        raise CJMDataError(
            f"{self.where}: {int(mask.sum())} value(s) in {c!r} are categories the personas were not built with "
            f"(known: {', '.join(map(repr, self.levels[c][:10]))}{' ...' if len(self.levels[c]) > 10 else ''}).",
            column=c,
            rows=rows,
            values=vals,
            fix="Recode them to a known category, or pass unknown='ignore' to treat them as missing answers.",
        )

    def _raw_codes(self, data: pd.DataFrame, c: str) -> np.ndarray:
        s = data[c]
        codes = _codes(s, self.levels[c])
        unseen = (codes < 0) & s.notna().to_numpy()
        if unseen.any():
            self._unseen(data, c, unseen)
        return codes

    # ------------------------------------------------------------------ fit
    def fit(self, data: pd.DataFrame, weights: np.ndarray | None = None) -> MixedPreprocessor:
        self._check_options()
        self._unknown_mode = "error"
        where = self.where
        self._assign_roles(data)
        n = len(data)
        w = np.ones(n) if weights is None else weights
        rows = []
        centers, scales = [], []
        self.logged, self.shares = [], {}
        for c in self.features:
            role = self.roles[c]
            s = data[c]
            n_missing = int(s.isna().sum())
            if n_missing == n:
                raise CJMDataError(
                    f"{where}: column {c!r} has no values at all (all {n} rows are missing).",
                    column=c,
                    fix=f"Leave {c!r} out of the clustering columns.",
                )
            if role == "categorical":
                present = s.dropna()
                if isinstance(s.dtype, pd.CategoricalDtype):
                    levels = [v for v in s.dtype.categories if (present == v).any()]
                else:
                    levels = sorted(present.unique(), key=lambda v: str(v))
                self.levels[c] = [v.item() if hasattr(v, "item") else v for v in levels]
                if len(levels) < 2:
                    raise self._constant(c, present)
                codes = self._raw_codes(data, c)
                ok = codes >= 0
                share = np.bincount(codes[ok], weights=w[ok], minlength=len(levels)) / w[ok].sum()
                self.shares[c] = share
                rows.append(
                    {
                        "column": c,
                        "role": role,
                        "levels": len(levels),
                        "n_missing": n_missing,
                        "transform": "one-hot (" + self.categorical_scaling + ")",
                    }
                )
                continue
            x = self._raw_continuous(data, c)
            ok = ~np.isnan(x)
            if np.isinf(x[ok]).any():
                mask = np.isinf(np.nan_to_num(x, nan=0.0))
                r, v = offending(mask, data[c])
                raise CJMDataError(
                    f"{where}: infinite value(s) in {c!r}.",
                    column=c,
                    rows=r,
                    values=v,
                    fix="Replace infinite values by valid numbers or missing.",
                )
            if np.unique(x[ok]).size < 2:
                raise self._constant(c, data[c].dropna())
            transform = "codes" if (role == "ordinal" and c in self.levels) else "value"
            if role == "numeric" and self.log_skewed and x[ok].min() >= 0:
                xs = x[ok]
                sd = xs.std()
                skew = float(np.mean(((xs - xs.mean()) / sd) ** 3)) if sd > 0 else 0.0
                if skew > SKEW_LIMIT:
                    self.logged.append(c)
                    x = np.log1p(x)
                    transform = "log1p"
            if self.scaling == "robust":
                centre = _wquantile(x, w, 0.5)
                spread = _wquantile(x, w, 0.75) - _wquantile(x, w, 0.25)
                if spread <= 0:
                    spread = _wstd(x, w, _wmean(x, w))
            elif self.scaling == "standard":
                centre = _wmean(x, w)
                spread = _wstd(x, w, centre)
            else:
                centre, spread = _wmean(x, w), 1.0
            centers.append(centre)
            scales.append(spread if spread > 0 else 1.0)
            rows.append(
                {
                    "column": c,
                    "role": role,
                    "levels": len(self.levels.get(c, [])) or np.nan,
                    "n_missing": n_missing,
                    "transform": transform + ("" if self.scaling == "none" else f", {self.scaling} scaled"),
                }
            )
        self.center = np.asarray(centers, dtype=float)
        self.scale = np.asarray(scales, dtype=float)
        summary = pd.DataFrame(rows)
        summary = summary.set_index("column").loc[self.features].reset_index()
        ignored = pd.DataFrame(
            {
                "column": list(self.ignored),
                "role": "ignored",
                "levels": np.nan,
                "n_missing": [int(data[c].isna().sum()) for c in self.ignored],
                "transform": [f"left out ({why})" for why in self.ignored.values()],
            }
        )
        self.summary = pd.concat([summary, ignored], ignore_index=True) if len(ignored) else summary
        return self

    def _constant(self, c: str, present: pd.Series) -> CJMDataError:
        value: Any = present.iloc[0] if len(present) else None
        value = value.item() if hasattr(value, "item") else value
        return CJMDataError(
            f"{self.where}: column {c!r} has the same value ({value!r}) in every row with an answer, so it cannot "
            "separate personas.",
            column=c,
            fix=f"Leave {c!r} out of the clustering columns.",
        )

    # ------------------------------------------------------------------ views
    def check_columns(self, data: pd.DataFrame) -> None:
        missing = [c for c in self.features if c not in data.columns]
        if missing:
            raise CJMDataError(
                f"{self.where}: the data lacks {len(missing)} column(s) the personas were built on: "
                + ", ".join(repr(c) for c in missing[:10])
                + (" ..." if len(missing) > 10 else "")
                + "."
                + suggest(missing[0], data.columns),
                column=str(missing[0]),
                fix="Provide every feature in `model.feature_names_in_` (extra columns are ignored); rename columns "
                "that carry another name, or add missing answers as empty (NaN) columns.",
            )

    def continuous(self, data: pd.DataFrame, *, unknown: str = "error") -> np.ndarray:
        """Numeric and ordinal columns, transformed and scaled; NaN where missing."""
        self._unknown_mode = unknown
        cont = self.continuous_columns
        out = np.empty((len(data), len(cont)))
        for j, c in enumerate(cont):
            x = self._raw_continuous(data, c)
            if c in self.logged:
                with np.errstate(invalid="ignore"):
                    x = np.log1p(np.maximum(x, 0.0))
            out[:, j] = x
        if cont:
            out = (out - self.center) / self.scale
            np.clip(out, -CLIP_Z, CLIP_Z, out=out)
        return out

    def codes(self, data: pd.DataFrame, *, unknown: str = "error") -> np.ndarray:
        """Categorical columns as integer codes, -1 for missing (and ignored unseen levels)."""
        self._unknown_mode = unknown
        cats = self.categorical_columns
        out = np.empty((len(data), len(cats)), dtype=np.int64)
        for j, c in enumerate(cats):
            out[:, j] = self._raw_codes(data, c)
        return out

    def onehot(self, codes: np.ndarray) -> np.ndarray:
        """Indicator matrix (rows of zeros where a code is missing), levels of all columns side by side."""
        sizes = [len(self.levels[c]) for c in self.categorical_columns]
        offsets = np.concatenate([[0], np.cumsum(sizes)])[:-1].astype(np.int64)
        out = np.zeros((codes.shape[0], int(sum(sizes))))
        if codes.size:
            rows, cols = np.nonzero(codes >= 0)
            out[rows, offsets[cols] + codes[rows, cols]] = 1.0
        return out

    def level_scale(self) -> tuple[np.ndarray, np.ndarray]:
        """Centre (level share) and scale of every indicator column of the design."""
        centre, scale = [], []
        for c in self.categorical_columns:
            p = self.shares[c]
            if self.categorical_scaling == "famd":
                s = 1.0 / np.sqrt(np.maximum(p, 1e-12))
            else:
                s = np.full(p.size, 1.0 / np.sqrt(max(float(np.sum(p * (1 - p))), 1e-12)))
            centre.append(p)
            scale.append(s)
        if not centre:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(centre), np.concatenate(scale)

    def design_from(self, cont: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """The design matrix from the continuous and code views."""
        parts = [np.nan_to_num(cont, nan=0.0)]
        if codes.shape[1]:
            onehot = self.onehot(codes)
            centre, scale = self.level_scale()
            observed = np.repeat(codes >= 0, [len(self.levels[c]) for c in self.categorical_columns], axis=1)
            parts.append(np.where(observed, (onehot - centre) * scale, 0.0))
        return np.hstack(parts)

    def design(self, data: pd.DataFrame, *, unknown: str = "error") -> np.ndarray:
        return self.design_from(self.continuous(data, unknown=unknown), self.codes(data, unknown=unknown))
