"""Personas: segments with distinct needs, behaviour and feelings, built from mixed data.

* :class:`PersonaModel` — a scikit-learn estimator for mixed data (numeric, Likert,
  categorical): a k-means-initialised mixture by default, or k-means, k-prototypes,
  Gower + Ward, StepMix latent classes; labels ordered by size.
* :func:`choose_k` — silhouette, Calinski–Harabasz,
  Davies–Bouldin, BIC and bootstrap stability, with a recommended k explained in
  English and German.
* :func:`profile` — sizes, means/shares, index vs total, significance, traits, NPS.
* :func:`persona_cards` — one card per persona (drawn by :func:`cjm_lab.plots.plot_persona_cards`).
* :func:`save_model` / :func:`load_model` (``model.save``, ``PersonaModel.load``) and
  :func:`golden_questions` — typing tools for new respondents; :func:`type_file` types a
  Parquet or CSV file of any size with them, in batches.
* :func:`factor_analysis` / :class:`AttitudeFactors` — factor analysis of an attitude
  battery, optional before clustering.
"""

from cjm_lab.personas.cards import persona_cards
from cjm_lab.personas.choose_k import choose_k
from cjm_lab.personas.factors import AttitudeFactors, FactorResult, factor_analysis
from cjm_lab.personas.model import PersonaModel
from cjm_lab.personas.profiles import PersonaProfile, profile
from cjm_lab.personas.typing_tool import GoldenQuestions, golden_questions, load_model, save_model, type_file

__all__ = [
    "PersonaModel",
    "choose_k",
    "profile",
    "PersonaProfile",
    "persona_cards",
    "save_model",
    "load_model",
    "golden_questions",
    "GoldenQuestions",
    "type_file",
    "factor_analysis",
    "FactorResult",
    "AttitudeFactors",
]
