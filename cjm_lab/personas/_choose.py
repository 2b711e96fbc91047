"""The evaluation behind :func:`~cjm_lab.personas.choose_k` and ``PersonaModel(n_personas="auto")``.

Fits every k on prepared rows, scores internal indices, BIC and bootstrap stability, and
recommends the most detailed k that replicates, with the reasons in English and German (see
:mod:`cjm_lab.personas.choose_k` for the method and its calibration).  Both the function and the
model's automatic k run :func:`evaluate_ks` here, so neither imports the other.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score, silhouette_score
from threadpoolctl import threadpool_limits

from cjm_lab._format import format_number, format_percent
from cjm_lab._progress import track
from cjm_lab.personas._engines import Layout, Prepared, fit_engine, gower_distances, predict_engine

__all__ = ["evaluate_ks"]


_COLUMNS = [
    "k",
    "silhouette",
    "calinski_harabasz",
    "davies_bouldin",
    "bic",
    "entropy",
    "stability",
    "stability_low",
    "stability_high",
    "persona_stability",
    "smallest_share",
    "stable",
    "recommended",
    "reason_en",
    "reason_de",
]


def _num(x: float, language: str) -> str:
    return format_number(x, 2, language)


def _pct(x: float, language: str) -> str:
    """A share (0–1) as a whole percentage."""
    return format_percent(x * 100, 0, language)


def _jaccard(reference: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """For each reference persona, the Jaccard similarity with its best match among ``pred``."""
    kp = int(pred.max()) + 1 if pred.size else 1
    table = np.bincount(reference * kp + pred, minlength=k * kp).reshape(k, kp).astype(float)
    union = table.sum(axis=1, keepdims=True) + table.sum(axis=0, keepdims=True) - table
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = np.where(union > 0, table / union, 0.0)
    return jac.max(axis=1)


def evaluate_ks(
    model: Any,
    p: Prepared,
    lay: Layout,
    reduced: bool,
    ks: list[int],
    *,
    seed: int,
    resamples: int,
    stability_rows: int,
    silhouette_rows: int,
    min_stability: float = 0.8,
    min_persona_stability: float = 0.75,
    min_share: float = 0.03,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """The choose_k table for prepared rows (shared by choose_k and PersonaModel(n_personas='auto')).

    Runs with one BLAS/OpenMP thread (see ``_engines.limited_threads``); the limit set here also
    keeps the fits running side by side from changing it under each other.
    """
    with threadpool_limits(1):
        return _evaluate_limited(
            model,
            p,
            lay,
            reduced,
            ks,
            seed=seed,
            resamples=resamples,
            stability_rows=stability_rows,
            silhouette_rows=silhouette_rows,
            min_stability=min_stability,
            min_persona_stability=min_persona_stability,
            min_share=min_share,
            n_jobs=n_jobs,
        )


def _evaluate_limited(
    model: Any,
    p: Prepared,
    lay: Layout,
    reduced: bool,
    ks: list[int],
    *,
    seed: int,
    resamples: int,
    stability_rows: int,
    silhouette_rows: int,
    min_stability: float,
    min_persona_stability: float,
    min_share: float,
    n_jobs: int | None,
) -> pd.DataFrame:
    started = time.perf_counter()
    n = p.n
    rng = np.random.default_rng(seed)
    algorithm = model.algorithm
    w = np.ones(n) if p.weights is None else p.weights
    m = min(n, stability_rows)
    evaluation = np.arange(n) if n <= stability_rows else np.sort(rng.choice(n, stability_rows, replace=False))
    p_eval = p.take(evaluation)
    draws = [rng.choice(n, m, replace=True) for _ in range(resamples)]
    s_rows = np.arange(n) if n <= silhouette_rows else np.sort(rng.choice(n, silhouette_rows, replace=False))
    gower = None
    if algorithm == "gower_agglomerative":
        gower = gower_distances(p.cont[s_rows], p.codes[s_rows], p.cont[s_rows], p.codes[s_rows], lay.cont_range)
        gower = (gower + gower.T) / 2
        np.fill_diagonal(gower, 0.0)

    def full(k: int) -> dict[str, Any]:
        """Fit on all rows and compute the internal indices (one task)."""
        res = fit_engine(
            algorithm, p, k, lay=lay, reduced=reduced, n_init=model.n_init, max_iter=model.max_iter, seed=seed
        )
        labels = res.labels
        share = np.bincount(labels, weights=w, minlength=k) / w.sum()
        rec: dict[str, Any] = {"k": k, "smallest_share": float(share.min()), "_labels": labels}
        if np.unique(labels).size > 1 and np.unique(labels[s_rows]).size > 1:
            if gower is not None:
                rec["silhouette"] = float(silhouette_score(gower, labels[s_rows], metric="precomputed"))
            else:
                rec["silhouette"] = float(silhouette_score(p.design[s_rows], labels[s_rows]))
            rec["calinski_harabasz"] = float(calinski_harabasz_score(p.design, labels))
            rec["davies_bouldin"] = float(davies_bouldin_score(p.design, labels))
        if np.isfinite(res.loglik):
            rec["bic"] = -2.0 * res.loglik + res.n_parameters * np.log(n)
        if res.resp is not None and k > 1:
            r = np.clip(res.resp, 1e-300, 1.0)
            ent = -np.sum(w[:, None] * r * np.log(r)) / (w.sum() * np.log(k))
            rec["entropy"] = float(1.0 - ent)
        return rec

    def replicate(k: int, b: int, idx: np.ndarray) -> np.ndarray:
        """Refit on one resample and label the evaluation rows (one task)."""
        rb = fit_engine(
            algorithm,
            p.take(idx),
            k,
            lay=lay,
            reduced=reduced,
            n_init=model.n_init,
            max_iter=model.max_iter,
            seed=seed + 1 + b,
        )
        return predict_engine(rb, p_eval, lay, reduced)[0]

    # every fit is a task of its own (all k, all resamples); with n_jobs they run side by side in threads
    tasks = [delayed(full)(k) for k in ks] + [delayed(replicate)(k, b, idx) for k in ks for b, idx in enumerate(draws)]
    fits = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")(tasks)
    done = list(track(fits, total=len(tasks), desc=f"choose_k: {len(tasks)} fits", unit="fit"))
    records = done[: len(ks)]
    for i, rec in enumerate(records):
        k = rec["k"]
        reference = rec.pop("_labels")[evaluation]
        preds = done[len(ks) + i * resamples : len(ks) + (i + 1) * resamples]
        if preds:
            aris = np.array([adjusted_rand_score(reference, pred) for pred in preds])
            rec["stability"] = float(np.mean(aris))
            rec["stability_low"] = float(np.quantile(aris, 0.1))
            rec["stability_high"] = float(np.quantile(aris, 0.9))
            rec["persona_stability"] = float(np.min(np.mean([_jaccard(reference, pred, k) for pred in preds], axis=0)))
    table = pd.DataFrame.from_records(records).reindex(columns=_COLUMNS[:11])
    table = _recommend(
        table,
        min_stability=min_stability,
        min_persona_stability=min_persona_stability,
        min_share=min_share,
        resamples=resamples,
        m=m,
        n=n,
        n_sil=s_rows.size,
        algorithm=algorithm,
    )
    table.attrs["cjm"]["seconds"] = round(time.perf_counter() - started, 2)
    return table


def _recommend(
    table: pd.DataFrame,
    *,
    min_stability: float,
    min_persona_stability: float,
    min_share: float,
    resamples: int,
    m: int,
    n: int,
    n_sil: int,
    algorithm: str,
) -> pd.DataFrame:
    t = table.copy()
    ks = t["k"].to_numpy()
    sil = t["silhouette"].to_numpy(dtype=float)
    stab = t["stability"].to_numpy(dtype=float)
    pstab = t["persona_stability"].to_numpy(dtype=float)
    big = t["smallest_share"].to_numpy() >= min_share
    if resamples:
        stable = (stab >= min_stability) & (pstab >= min_persona_stability)
    else:
        stable = np.zeros(len(t), dtype=bool)
    t["stable"] = stable
    ok = stable & big
    weak = not ok.any()
    if not weak:
        rec = int(ks[ok].max())
    elif resamples and np.isfinite(pstab).any():
        score = np.where(big, pstab, -np.inf) if big.any() else pstab
        rec = int(ks[np.nanargmax(score)])
    else:
        rec = int(ks[np.nanargmax(sil)]) if np.isfinite(sil).any() else int(ks[0])
    t["recommended"] = ks == rec
    k_sil = int(ks[np.nanargmax(sil)]) if np.isfinite(sil).any() else None
    bic = t["bic"].to_numpy(dtype=float)
    k_bic = int(ks[np.nanargmin(bic)]) if np.isfinite(bic).any() else None
    crit: dict[str, Any] = {
        "min_stability": min_stability,
        "min_persona_stability": min_persona_stability,
        "min_share": min_share,
        "resamples": resamples,
    }
    for lang in ("en", "de"):
        t[f"reason_{lang}"] = [
            _row_reason(row, ok=bool(ok[i]), rec=rec, weak=weak, lang=lang, **crit)
            for i, row in enumerate(t.itertuples())
        ]
    summary = {
        lang: _summary(t, rec=rec, weak=weak, k_sil=k_sil, k_bic=k_bic, lang=lang, m=m, n=n, n_sil=n_sil, **crit)
        for lang in ("en", "de")
    }
    t.attrs["cjm"] = {
        "recommended_k": rec,
        "weak_structure": weak,
        "reason": summary,
        "algorithm": algorithm,
        "stability_resamples": resamples,
        "stability_rows": m,
        "rows": n,
        "silhouette_rows": n_sil,
        "min_stability": min_stability,
        "min_persona_stability": min_persona_stability,
        "min_share": min_share,
        "silhouette_best_k": k_sil,
        "bic_best_k": k_bic,
    }
    return t[_COLUMNS]


def _row_reason(
    row: Any,
    *,
    ok: bool,
    rec: int,
    weak: bool,
    lang: str,
    min_stability: float,
    min_persona_stability: float,
    min_share: float,
    resamples: int,
) -> str:
    de = lang == "de"
    parts = []
    if resamples and np.isfinite(row.stability):
        if row.stability < min_stability:
            parts.append(
                f"nicht reproduzierbar (ARI {_num(row.stability, lang)} < {_num(min_stability, lang)})"
                if de
                else f"does not replicate (ARI {_num(row.stability, lang)} < {_num(min_stability, lang)})"
            )
        elif row.persona_stability < min_persona_stability:
            parts.append(
                f"eine Persona reproduziert sich nicht (Jaccard {_num(row.persona_stability, lang)} < "
                f"{_num(min_persona_stability, lang)})"
                if de
                else f"a persona does not replicate (Jaccard {_num(row.persona_stability, lang)} < "
                f"{_num(min_persona_stability, lang)})"
            )
        else:
            parts.append(
                f"stabil (ARI {_num(row.stability, lang)}, schwächste Persona {_num(row.persona_stability, lang)})"
                if de
                else f"stable (ARI {_num(row.stability, lang)}, weakest persona {_num(row.persona_stability, lang)})"
            )
    if np.isfinite(row.silhouette):
        parts.append(f"Silhouette {_num(row.silhouette, lang)}" if de else f"silhouette {_num(row.silhouette, lang)}")
    if row.smallest_share < min_share:
        parts.append(
            f"kleinste Persona nur {_pct(row.smallest_share, lang)}"
            if de
            else f"smallest persona only {_pct(row.smallest_share, lang)}"
        )
    text = ", ".join(parts)
    if row.k == rec:
        if weak:
            verdict = (
                "Notbehelf: keine Lösung erfüllt alle Kriterien" if de else "stopgap: no solution meets all criteria"
            )
        else:
            verdict = (
                "empfohlen: die detaillierteste stabile Lösung"
                if de
                else "recommended: the most detailed stable solution"
            )
    elif ok and row.k < rec:
        verdict = f"stabil, aber gröber als k = {rec}" if de else f"stable but coarser than k = {rec}"
    else:
        verdict = "nicht empfohlen" if de else "not recommended"
    return f"{text} — {verdict}" if text else verdict


def _summary(
    t: pd.DataFrame,
    *,
    rec: int,
    weak: bool,
    k_sil: int | None,
    k_bic: int | None,
    lang: str,
    min_stability: float,
    min_persona_stability: float,
    min_share: float,
    resamples: int,
    m: int,
    n: int,
    n_sil: int,
) -> str:
    de = lang == "de"
    row = t.loc[t["k"] == rec].iloc[0]
    if not resamples:
        text = (
            f"k = {rec} hat die beste Silhouette ({_num(row['silhouette'], lang)}). Die Stabilität wurde nicht "
            "geprüft (resamples=0); ohne sie ist die Empfehlung nur ein Anhaltspunkt."
            if de
            else f"k = {rec} has the best silhouette ({_num(row['silhouette'], lang)}). Stability was not checked "
            "(resamples=0); without it the recommendation is only a pointer."
        )
    elif weak:
        text = (
            f"k = {rec} ist nur ein Notbehelf: Keine Lösung reproduziert sich über die Stichproben (mittlerer ARI "
            f"≥ {_num(min_stability, lang)} und jede Persona mit Jaccard ≥ {_num(min_persona_stability, lang)}) ohne "
            f"eine Persona unter {_pct(min_share, lang)}; k = {rec} ist am stabilsten (schwächste Persona "
            f"{_num(row['persona_stability'], lang)}). Die Daten zeigen keine klare Persona-Struktur – behandeln Sie "
            "jede Segmentierung als zweckmäßige Einteilung, nicht als natürliche Gruppen."
            if de
            else f"k = {rec} is a stopgap: no solution replicates across resamples (mean ARI ≥ "
            f"{_num(min_stability, lang)} and every persona with Jaccard ≥ {_num(min_persona_stability, lang)}) "
            f"without a persona below {_pct(min_share, lang)}; k = {rec} is the most stable (weakest persona "
            f"{_num(row['persona_stability'], lang)}). The data show no clear persona structure — treat any "
            "segmentation as a convenient partition, not as natural groups."
        )
    else:
        text = (
            f"Empfohlen: k = {rec}. Das ist die detaillierteste Lösung, die sich wiederfindet: Über "
            f"{resamples} Bootstrap-Stichproben stimmen die Personas mit der Lösung auf allen Daten überein "
            f"(mittlerer ARI {_num(row['stability'], lang)}, Schwelle {_num(min_stability, lang)}), und auch die "
            f"schwächste Persona wird wiedergefunden (Jaccard {_num(row['persona_stability'], lang)}, Schwelle "
            f"{_num(min_persona_stability, lang)}); die kleinste Persona umfasst "
            f"{_pct(row['smallest_share'], lang)} (Minimum {_pct(min_share, lang)})."
            if de
            else f"Recommended: k = {rec}. It is the most detailed solution that replicates: across {resamples} "
            f"bootstrap resamples the personas agree with the full-data solution (mean ARI "
            f"{_num(row['stability'], lang)}, threshold {_num(min_stability, lang)}) and even the least stable "
            f"persona is found again (Jaccard {_num(row['persona_stability'], lang)}, threshold "
            f"{_num(min_persona_stability, lang)}); the smallest persona holds {_pct(row['smallest_share'], lang)} "
            f"(minimum {_pct(min_share, lang)})."
        )
        if k_sil is not None and k_sil != rec:
            s_best = t.loc[t["k"] == k_sil, "silhouette"].iloc[0]
            coarse = k_sil < rec
            text += (
                f" Die Silhouette allein wählte k = {k_sil} ({_num(s_best, lang)} gegenüber "
                f"{_num(row['silhouette'], lang)})"
                + (
                    f"; diese gröbere Lösung fasst Personas zusammen, die bei k = {rec} getrennt bleiben."
                    if coarse
                    else "."
                )
                if de
                else f" Silhouette alone would pick k = {k_sil} ({_num(s_best, lang)} against "
                f"{_num(row['silhouette'], lang)})"
                + (f"; that coarser solution merges personas that k = {rec} keeps apart." if coarse else ".")
            )
        coarser = [
            int(k)
            for k, st, big in zip(t["k"], t["stable"], t["smallest_share"] >= min_share, strict=True)
            if k < rec and st and big
        ]
        if coarser:
            ks = ", ".join(map(str, coarser))
            text += f" Ebenfalls stabil, aber gröber: k = {ks}." if de else f" Also stable, but coarser: k = {ks}."
        nxt = t.loc[t["k"] > rec]
        if len(nxt):
            r = nxt.iloc[0]
            kk = int(r["k"])
            if r["stability"] < min_stability:
                text += (
                    f" k = {kk} reproduziert sich nicht (ARI {_num(r['stability'], lang)})."
                    if de
                    else f" k = {kk} does not replicate (ARI {_num(r['stability'], lang)})."
                )
            elif r["persona_stability"] < min_persona_stability:
                text += (
                    f" k = {kk} enthält eine Persona, die sich nicht wiederfindet (Jaccard "
                    f"{_num(r['persona_stability'], lang)}): eine Aufteilung, die die Daten nicht tragen."
                    if de
                    else f" k = {kk} holds a persona that is not found again (Jaccard "
                    f"{_num(r['persona_stability'], lang)}): a split the data do not support."
                )
            elif r["smallest_share"] < min_share:
                text += (
                    f" k = {kk} hat eine Persona unter {_pct(min_share, lang)}."
                    if de
                    else f" k = {kk} has a persona below {_pct(min_share, lang)}."
                )
    if k_bic is not None:
        if k_bic == rec:
            text += (
                f" Das BIC ist ebenfalls bei k = {k_bic} am kleinsten." if de else f" BIC is lowest at k = {k_bic} too."
            )
        else:
            text += (
                f" Das BIC ist bei k = {k_bic} am kleinsten; es setzt voraus, dass das Mischmodell die Daten genau "
                "beschreibt, und wird daher berichtet, aber nicht zur Wahl genutzt."
                if de
                else f" BIC is lowest at k = {k_bic}; it assumes the mixture describes the data exactly, so it is "
                "reported but not used for the choice."
            )
    if resamples:
        sub = m < n
        rows_m, rows_n, rows_s = (format_number(v, 0, lang) for v in (m, n, n_sil))
        text += (
            f" Stabilität: {resamples} Bootstrap-Stichproben zu je {rows_m} Zeilen"
            + (f" (Teilstichproben der {rows_n} Zeilen), verglichen auf {rows_m} Zeilen" if sub else "")
            + f"; Silhouette auf {rows_s} von {rows_n} Zeilen."
            if de
            else f" Stability: {resamples} bootstrap resamples of {rows_m} rows"
            + (f" (subsamples of the {rows_n} rows), compared on {rows_m} rows" if sub else "")
            + f"; silhouette on {rows_s} of {rows_n} rows."
        )
    return text
