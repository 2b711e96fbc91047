"""Typing tools: assign new respondents to existing personas.

* The **full typing tool** is the fitted :class:`PersonaModel` itself, saved with
  :func:`save_model` (``model.save(path)``) together with its feature list, category
  levels and the package versions, and loaded with :func:`load_model`
  (``PersonaModel.load(path)``).  New data must have every feature column (extra columns
  are ignored); categories the model has not seen raise a clear error unless the model's
  ``unknown="ignore"`` treats them as missing answers
  (``model.set_params(unknown="ignore")``).
* The **short typing tool** asks only a few "golden questions":
  :func:`golden_questions` picks 5–10 of the candidate questions with an L1-penalised
  multinomial logit (the order in which questions enter the regularisation path) or a
  stepwise linear discriminant analysis (Wilks' lambda), and reports its hold-out
  accuracy beside that of all candidate questions.
* :func:`type_file` types a Parquet or CSV file of any size with either tool, record batch
  by record batch, into a new Parquet file of ids and personas.

Files are joblib pickles: load only files you trust.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from cjm_lab._params import (
    BOOLEAN,
    RANDOM_STATE,
    WHOLE_NUMBER,
    Interval,
    Real,
    StrOptions,
    validate_params,
)
from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io.batches import BATCH_SIZE
from cjm_lab.personas._persist import FORMAT, load_model, save_model
from cjm_lab.personas._prep import UNKNOWN, MixedPreprocessor, as_frame, check_weights
from cjm_lab.personas.model import PersonaModel
from cjm_lab.personas.profiles import persona_labels

__all__ = ["save_model", "load_model", "golden_questions", "GoldenQuestions", "type_file", "FORMAT"]

# ---------------------------------------------------------------------------- golden questions


class GoldenQuestions:
    """A short typing tool: a few questions and a classifier from them to personas.

    Made by :func:`golden_questions`; ``predict`` types new respondents from the
    golden questions alone.

    Attributes
    ----------
    questions : list of str
        The golden questions, most useful first.
    table : DataFrame
        ``step, question, role, accuracy`` (hold-out accuracy with the first ``step``
        questions), ``selected``.
    accuracy : float
        Hold-out accuracy of the golden questions.
    accuracy_all : float
        Hold-out accuracy of the same classifier on all candidate questions.
    method : str
    n_test : int
        Rows in the hold-out set.
    """

    #: What :func:`save_model` records the model as.
    typing_kind: ClassVar[str] = "GoldenQuestions"

    def __init__(
        self,
        method: str,
        questions: list[str],
        table: pd.DataFrame,
        accuracy: float,
        accuracy_all: float,
        n_test: int,
        prep: MixedPreprocessor,
        classifier: Any,
        classes: np.ndarray,
    ) -> None:
        self.method = method
        self.questions = questions
        self.table = table
        self.accuracy = accuracy
        self.accuracy_all = accuracy_all
        self.n_test = n_test
        self._prep = prep
        self._classifier = classifier
        self.classes_ = classes

    def __repr__(self) -> str:
        return (
            f"GoldenQuestions(method={self.method!r}, questions={self.questions!r}, "
            f"accuracy={self.accuracy:.3f}, accuracy_all={self.accuracy_all:.3f})"
        )

    def _design(self, data: Any, where: str, unknown: str) -> np.ndarray:
        frame = as_frame(data, where=where)
        self._prep.where = where
        self._prep.check_columns(frame)
        return self._prep.design(frame, unknown=unknown)

    @validate_params({"unknown": [UNKNOWN]})
    def predict(self, data: Any, *, unknown: str = "error") -> np.ndarray:
        """Personas of new respondents from the golden questions (other columns are ignored)."""
        return self.classes_[self._classifier.predict(self._design(data, "GoldenQuestions.predict()", unknown))]

    @validate_params({"unknown": [UNKNOWN]})
    def predict_proba(self, data: Any, *, unknown: str = "error") -> np.ndarray:
        """Probabilities per persona (columns in the order of ``classes_``)."""
        return self._classifier.predict_proba(self._design(data, "GoldenQuestions.predict_proba()", unknown))

    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> str:
        """Save with :func:`save_model`."""
        return save_model(self, path, overwrite=overwrite)


def _groups(prep: MixedPreprocessor) -> list[np.ndarray]:
    """Design-matrix columns of each feature, in feature order."""
    out, start = [], 0
    widths = dict.fromkeys(prep.continuous_columns, 1)
    widths.update({c: len(prep.levels[c]) for c in prep.categorical_columns})
    order = prep.continuous_columns + prep.categorical_columns
    for c in order:
        out.append(np.arange(start, start + widths[c]))
        start += widths[c]
    return [out[order.index(c)] for c in prep.features]


def _classifier(method: str, seed: int) -> Any:
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.linear_model import LogisticRegression

    if method == "lda":
        return LinearDiscriminantAnalysis()
    return LogisticRegression(C=1.0, max_iter=500, random_state=seed)


def _wilks_order(X: np.ndarray, y: np.ndarray, groups: list[np.ndarray], n_max: int) -> list[int]:
    """Forward selection of feature groups by Wilks' lambda = det(W) / det(T)."""
    classes = np.unique(y)
    centred = X - X.mean(axis=0)
    T = centred.T @ centred
    W = np.zeros_like(T)
    for c in classes:  # a handful of personas
        Xc = X[y == c]
        d = Xc - Xc.mean(axis=0)
        W += d.T @ d
    ridge = 1e-6 * np.trace(T) / max(T.shape[0], 1)
    chosen: list[int] = []
    for _ in range(min(n_max, len(groups))):
        best, best_val = None, np.inf
        for g in range(len(groups)):  # candidate questions
            if g in chosen:
                continue
            cols = np.concatenate([groups[i] for i in [*chosen, g]])
            sub = np.ix_(cols, cols)
            sign_w, logdet_w = np.linalg.slogdet(W[sub] + ridge * np.eye(cols.size))
            sign_t, logdet_t = np.linalg.slogdet(T[sub] + ridge * np.eye(cols.size))
            val = logdet_w - logdet_t if sign_w > 0 and sign_t > 0 else np.inf
            if val < best_val:
                best, best_val = g, val
        if best is None:
            break
        chosen.append(best)
    return chosen


def _l1_order(X: np.ndarray, y: np.ndarray, groups: list[np.ndarray], w: np.ndarray | None, seed: int) -> list[int]:
    """Order in which feature groups enter an L1-penalised multinomial logit path."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    entry = np.full(len(groups), np.inf)
    strength = np.zeros(len(groups))
    model = LogisticRegression(
        l1_ratio=1.0, solver="saga", C=1e-3, max_iter=300, tol=1e-3, warm_start=True, random_state=seed
    )
    for step, C in enumerate(np.logspace(-3, 1, 25)):  # the regularisation path
        model.set_params(C=C)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y, sample_weight=w)
        mag = np.array([np.abs(model.coef_[:, g]).sum() for g in groups])
        new = (mag > 1e-8) & ~np.isfinite(entry)
        entry[new] = step
        strength = mag
        if np.isfinite(entry).all():
            break
    order = sorted(range(len(groups)), key=lambda g: (entry[g], -strength[g]))
    return order


@validate_params(
    {
        "n": [WHOLE_NUMBER, None],
        "method": [StrOptions(("logit", "lda"))],
        "test_size": [Interval(Real, 0, 1, closed="neither", note="a share of the rows", example="0.25")],
        "random_state": RANDOM_STATE,
    }
)
def golden_questions(
    data: pd.DataFrame,
    labels: Any,
    *,
    candidates: Sequence[str],
    n: int | None = None,
    method: str = "logit",
    weight: str | None = None,
    test_size: float = 0.25,
    random_state: int = 0,
) -> GoldenQuestions:
    """Choose the 5–10 "golden questions" that type respondents into personas.

    Parameters
    ----------
    data : DataFrame
        Respondents with their answers.
    labels : str, PersonaModel or array-like
        Their personas (a column, a fitted model, or one label per row).
    candidates : list of str
        Questions that a short questionnaire could ask (numeric, Likert or categorical).
    n : int, optional
        Number of golden questions; default the smallest n from 5 to 10 whose hold-out
        accuracy is within 2 points of all candidates' (else 10; never more than there
        are candidates).
    method : {"logit", "lda"}, default "logit"
        ``"logit"``: questions in the order they enter an L1-penalised multinomial logit
        path, typed with a multinomial logit. ``"lda"``: stepwise selection by Wilks'
        lambda, typed with linear discriminant analysis.
    weight : str, optional
        Weight column of ``data`` (used to fit the logit).
    test_size : float, default 0.25
        Share of rows held out (stratified by persona) to measure accuracy.
    random_state : int, default 0

    Returns
    -------
    GoldenQuestions
        ``questions``, ``table`` (accuracy by number of questions), ``accuracy``,
        ``accuracy_all`` and ``predict`` for new respondents (refitted on all rows).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> seg = rng.integers(0, 3, 600)
    >>> df = pd.DataFrame({"q1": seg + rng.normal(0, 0.3, 600), "q2": rng.normal(size=600),
    ...                    "q3": (seg == 2) + rng.normal(0, 0.3, 600)})
    >>> gq = golden_questions(df, seg, candidates=["q1", "q2", "q3"], n=2)
    >>> gq.questions
    ['q1', 'q3']
    >>> gq.accuracy > 0.9
    True
    """
    from sklearn.model_selection import train_test_split

    where = "golden_questions()"
    frame = as_frame(data, where=where)
    lab = persona_labels(labels, frame, where=where)
    cands = [candidates] if isinstance(candidates, str) else list(candidates)
    if not cands:
        raise CJMConfigError(f"{where}: `candidates` must name at least one question.")
    w = None
    if weight is not None:
        from cjm_lab._validate import numeric_column

        w = check_weights(numeric_column(frame, weight, where=where), len(frame), where=where)
    prep = MixedPreprocessor(columns=cands, id_column=None, where=where).fit(frame, w)
    X = prep.design(frame)
    classes, y = np.unique(lab.to_numpy(), return_inverse=True)
    if classes.size < 2:
        raise CJMDataError(
            f"{where}: all rows belong to one persona; there is nothing to type.",
            fix="Pass the labels of at least two personas.",
        )
    counts = np.bincount(y)
    strat = y if counts.min() >= 2 else None
    idx = np.arange(len(frame))
    train, test = train_test_split(idx, test_size=test_size, random_state=random_state, stratify=strat)
    groups = _groups(prep)
    n_max = min(10, len(groups)) if n is None else min(int(n), len(groups))
    wt = None if w is None else w[train]
    if method == "lda":
        order = _wilks_order(X[train], y[train], groups, n_max)
    else:
        order = _l1_order(X[train], y[train], groups, wt, random_state)[:n_max]

    def accuracy(cols: np.ndarray) -> float:
        clf = _classifier(method, random_state)
        if method == "lda":
            clf.fit(X[np.ix_(train, cols)], y[train])
        else:
            clf.fit(X[np.ix_(train, cols)], y[train], sample_weight=wt)
        return float(np.mean(clf.predict(X[np.ix_(test, cols)]) == y[test]))

    acc_all = accuracy(np.arange(X.shape[1]))
    steps = []
    for s in range(1, len(order) + 1):  # at most ten questions
        cols = np.concatenate([groups[g] for g in order[:s]])
        steps.append(accuracy(cols))
    if n is None:
        ok = [s for s in range(min(5, len(order)), len(order) + 1) if steps[s - 1] >= acc_all - 0.02]
        chosen_n = ok[0] if ok else len(order)
    else:
        chosen_n = len(order)
    questions = [prep.features[g] for g in order[:chosen_n]]
    table = pd.DataFrame(
        {
            "step": np.arange(1, len(order) + 1),
            "question": [prep.features[g] for g in order],
            "role": [prep.roles[prep.features[g]] for g in order],
            "accuracy": steps,
        }
    )
    table["selected"] = table["step"] <= chosen_n
    # the deployed tool: refit on all rows with the golden questions
    final_prep = MixedPreprocessor(columns=questions, id_column=None, where=where).fit(frame, w)
    clf = _classifier(method, random_state)
    Xf = final_prep.design(frame)
    if method == "lda":
        clf.fit(Xf, y)
    else:
        clf.fit(Xf, y, sample_weight=w)
    return GoldenQuestions(method, questions, table, steps[chosen_n - 1], acc_all, len(test), final_prep, clf, classes)


# ---------------------------------------------------------------------------- typing a file in batches


def _typing_columns(model: Any, where: str) -> list[str]:
    from sklearn.utils.validation import check_is_fitted

    if isinstance(model, PersonaModel):
        check_is_fitted(model, "labels_")
        return [str(c) for c in model.feature_names_in_]
    if isinstance(model, GoldenQuestions):
        return list(model.questions)
    raise CJMConfigError(
        f"{where}: `model` must be a fitted PersonaModel or GoldenQuestions (e.g. from "
        f"load_model(path)), got {type(model).__name__}."
    )


def _typed(
    model: Any, frame: pd.DataFrame, ids: pd.Series | np.ndarray, id_name: str, names: dict[Any, Any] | None
) -> pd.DataFrame:
    """The output rows of one batch: id, persona, its name and probability where the model has them."""
    if isinstance(model, PersonaModel):  # one preparation of the batch for both
        persona, proba = model._predict_with_proba(frame)
        classes = np.arange(model.k_)
    else:
        persona, proba = np.asarray(model.predict(frame)), np.asarray(model.predict_proba(frame))
        classes = np.asarray(model.classes_)
    out = pd.DataFrame({id_name: ids.reset_index(drop=True) if isinstance(ids, pd.Series) else ids, "persona": persona})
    if names is not None:
        out["persona_name"] = pd.Series(persona).map(names).astype(object).to_numpy()
    if proba is not None:
        column = pd.Index(classes).get_indexer(persona)
        out["probability"] = proba[np.arange(len(persona)), column]
    return out


def _schema(first: pd.DataFrame) -> Any:
    """The output schema from the first batch, with pandas' metadata (an ``Int64`` id reads back as ``Int64``)."""
    import pyarrow as pa

    schema = pa.Schema.from_pandas(first, preserve_index=False)
    for col, kind in (("persona_name", pa.string()), ("probability", pa.float64())):
        if col in first.columns:  # a first batch of unnamed personas would make persona_name null-typed
            schema = schema.set(schema.get_field_index(col), pa.field(col, kind))
    return schema


def _missing_ids(frame: pd.DataFrame, id_column: str, where: str) -> None:
    """Refuse rows without an id: their persona could not be linked back to anyone."""
    ids = frame[id_column]
    missing = ids.isna()
    if not pd.api.types.is_numeric_dtype(ids.dtype):
        missing = missing | ids.astype("string").str.strip().eq("").fillna(False)
    if missing.any():
        raise CJMDataError(
            f"{where}: {int(missing.sum())} row(s) have no id in {id_column!r}.",
            column=id_column,
            rows=list(frame.index[missing.to_numpy()]),
            fix="Every row needs an id to link its persona back; complete or drop those rows in the source, or "
            "pass id_column=None to write the row position instead.",
        )


def _inside_source(target: Path, source: Any) -> bool:
    """Whether ``target`` would itself be read as a part of ``source`` (a folder it lies in, a glob it matches)."""
    import fnmatch

    text = os.fspath(source)
    path = Path(text)
    resolved = target.resolve()
    if path.is_dir():
        return resolved.is_relative_to(path.resolve())
    if any(ch in text for ch in "*?[") and not path.exists():
        pattern = os.path.abspath(text)
        return any(fnmatch.fnmatchcase(p, pattern) for p in (os.path.abspath(target), str(resolved)))
    return False


def _file_mode() -> int:
    """The mode a newly created file gets under the current umask (mkstemp makes its files 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@validate_params({"batch_size": [BATCH_SIZE], "overwrite": [BOOLEAN]})
def type_file(
    model: Any,
    source: str | os.PathLike,
    out: str | os.PathLike,
    *,
    id_column: str | None = "customer_id",
    batch_size: int = 100_000,
    overwrite: bool = False,
) -> str:
    """Type every row of a Parquet or CSV file with a typing tool, batch by batch, into Parquet.

    Reads only the id and the model's feature columns, ``batch_size`` rows at a time,
    types them with ``model.predict`` and appends them to ``out``: memory depends on
    ``batch_size``, not on the size of the file.  The output is written to a temporary file
    beside ``out`` and renamed when every batch is typed; the input is only read.

    Parameters
    ----------
    model : PersonaModel or GoldenQuestions
        A fitted typing tool (e.g. ``load_model(path)``).
    source : path
        A Parquet file, a folder of Parquet parts or a glob, or one CSV file (read with
        the delimiter, encoding and decimal mark :func:`cjm_lab.io.sniff_csv` finds; the id
        column is read as text).
    out : path
        The Parquet file to write; its folder must exist.
    id_column : str or None, default "customer_id"
        The id to carry into the output (``respondent_id`` for survey answers); ``None``
        writes the row position instead, in a column ``row`` (counted from 0 across the
        parts in name order).
    batch_size : int, default 100,000
        Rows per batch.
    overwrite : bool, default False
        An existing ``out`` is never replaced unless this is set.

    Returns
    -------
    str
        The path written.  Its columns: the id (with the type it was read with; an
        ``Int64`` id reads back as ``Int64``), ``persona`` (as ``model.predict``),
        ``persona_name`` when the model carries ``persona_names_`` (as
        :func:`cjm_lab.widgets.export_typing_tool` stores them; personas without a name
        stay empty), and ``probability`` (of the assigned persona) when the model has
        ``predict_proba`` (the ``"gmm"`` and ``"lca"`` algorithms, golden questions).

    Raises
    ------
    CJMConfigError
        ``out`` exists (without ``overwrite``; also when it appears while the file is
        typed), is one of the input files, lies in a source folder or matches the source
        glob (it would become an input part), or lies in a missing folder; a model that is
        not a fitted typing tool; a source that is neither Parquet nor CSV.
    CJMDataError
        A feature or id column missing from the file, rows without an id, or a batch the
        model cannot type (unseen categories, text in a numeric column), naming the batch,
        its rows and the file.

    Examples
    --------
    >>> import os, tempfile
    >>> from cjm_lab.personas import PersonaModel
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e", "f", "g"],
    ...                    "q": [1.0, 1.2, 0.9, 1.1, 5.0, 5.2, 4.9]})
    >>> model = PersonaModel(2, random_state=0).fit(df)
    >>> folder = tempfile.mkdtemp()
    >>> df.to_parquet(os.path.join(folder, "customers.parquet"))
    >>> path = type_file(model, os.path.join(folder, "customers.parquet"),
    ...                  os.path.join(folder, "personas.parquet"), batch_size=4)
    >>> typed = pd.read_parquet(path)
    >>> typed.columns.tolist(), typed["persona"].tolist()
    (['customer_id', 'persona', 'probability'], [0, 0, 0, 0, 1, 1, 1])
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cjm_lab.io.batches import (
        batch_error,
        batch_source,
        iter_frames,
        require_source_columns,
    )

    where = "type_file()"
    features = _typing_columns(model, where)
    src = batch_source(source, where=where, csv=True)
    target = Path(out)
    if target.suffix.lower() not in (".parquet", ".pq"):
        raise CJMConfigError(f"{where}: `out` must be a .parquet file; got {str(target)!r}.")
    inputs = {p.resolve() for p in src.files}
    if target.resolve() in inputs:
        raise CJMConfigError(
            f"{where}: `out` ({str(target)!r}) is one of the input files; cjm-lab never writes to "
            "its input. Choose another file name."
        )
    if _inside_source(target, source):
        raise CJMConfigError(
            f"{where}: `out` ({str(target)!r}) lies in the source {src.text!r} (its folder or "
            "matches its pattern), so it would be read as one of the input parts next time. Write "
            "it to another folder."
        )
    if target.exists() and not overwrite:
        raise CJMConfigError(
            f"{where}: {str(target)!r} already exists. Pass overwrite=True to replace it, or choose another file name."
        )
    if not target.parent.exists():
        raise CJMConfigError(f"{where}: the folder {str(target.parent)!r} does not exist; create it first.")
    require_source_columns(src, {"id_column": id_column, "model features": features}, where=where)
    names = getattr(model, "persona_names_", None)
    names = dict(names) if isinstance(names, dict) and names else None
    id_name = id_column if id_column is not None else "row"
    if id_name in ("persona", "persona_name", "probability"):
        raise CJMConfigError(f"{where}: `id_column` cannot be named {id_name!r}, an output column.")
    read = [*features, *([id_column] if id_column is not None else [])]
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    writer = None
    try:
        for number, part, frame in iter_frames(
            src, read, batch_size=batch_size, text_columns=[id_column] if id_column is not None else []
        ):
            ids = frame[id_column] if id_column is not None else frame.index.to_numpy()
            try:
                if id_column is not None:
                    _missing_ids(frame, id_column, where)
                typed = _typed(model, frame[features], ids, id_name, names)
            except CJMDataError as err:
                raise batch_error(err, src, number, part, frame, batch_size=batch_size) from None
            if writer is None:
                schema = _schema(typed)
                writer = pq.ParquetWriter(tmp, schema)
            writer.write_table(pa.Table.from_pandas(typed, schema=schema, preserve_index=False))
        if writer is None:
            raise CJMDataError(
                f"{where}: the file holds no rows.", source=src.text, fix="Check the file, or the filter of the export."
            )
        writer.close()
        writer = None
        os.chmod(tmp, _file_mode())
        if overwrite:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # atomic, and fails instead of replacing a file that appeared meanwhile
            except FileExistsError:
                raise CJMConfigError(
                    f"{where}: {str(target)!r} already exists (it appeared while typing); nothing "
                    "was overwritten. Pass overwrite=True to replace it, or choose another file "
                    "name."
                ) from None
    finally:
        if writer is not None:
            writer.close()
        if tmp.exists():
            tmp.unlink()
    return str(target)
