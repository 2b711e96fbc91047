"""What every test suite shares: one generated sample, the data folders, a headless matplotlib.

``sample`` is the generated sample of the suites: ``make_sample(customers=3000, random_state=42)``, built
once per session. Suites whose hand-checked numbers were computed on another size or seed override
``sample`` in their folder through ``sample_of(customers, seed=...)``, which builds each sample once
per session for everyone who asks for it. Tests of the generator itself (chunking, seeds, file
writing) and of Spark (a small sample) call :func:`cjm_lab.sample.make_sample` directly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pytest

from cjm_lab.sample import make_sample

ROOT = Path(__file__).resolve().parents[1]
#: The real public datasets (copies of ../shared/data/real with their SOURCES.md).
REAL = ROOT / "data" / "real"
#: The bundled sample files: ``cjm-lab sample --customers 5000 --seed 42``.
SAMPLE_DIR = ROOT / "data" / "sample"
SAMPLE_CUSTOMERS = 3000
SAMPLE_SEED = 42
#: Tests without kernel, Spark or browser that took 3 s or more in a full run on the 2-core machine
#: (under load; about 0.7 s quiet and more), and those sharing such a test's fixture: marked
#: ``slow``, so ``make test-fast`` leaves them to ``make test``. Chosen from ``--durations=0`` of the
#: fast tier (docs/measured/suite.md), and the slowest of the fast tier when it neared 90 s quietly.
SLOW = frozenset(
    {
        "tests/test_packaging.py::test_every_imported_library_is_declared",
        "tests/reports/test_notebooks.py::test_make_clean_notebooks_strips_outputs_and_keeps_every_edit",
        "tests/security/test_reading.py::test_csv_round_trips_exactly_or_raises",
        "tests/journeys/test_clustering.py::test_sample_clusters_separate_converters",
        "tests/survey/test_nps_parquet.py::test_any_batching_gives_the_same_table",
        "tests/security/test_collisions.py::test_labels_round_trip_and_never_pass_for_a_reserved_label",
        "tests/journeys/test_engine_limits.py::test_more_option_sets_than_open_databases_run_at_once",
        "tests/journeys/test_engine.py::test_parquet_stored_by_customer_runs_in_ranges_of_customers",
        "tests/plots/test_sankey.py::test_static_labels_never_overlap_on_the_sample",
        "tests/journeys/test_painpoints.py::test_node_codes_and_stage_bits_change_nothing",
        "tests/journeys/test_engine.py::test_analyses_in_customer_buckets_equal_one_pass",
        "tests/journeys/test_engine.py::test_parquet_folder_glob_and_csv_with_bounded_memory_equal_pandas",
        "tests/journeys/test_engine.py::test_spills_to_the_temp_directory_under_a_small_memory_limit",
        "tests/personas/test_choose_k.py::test_kmeans_has_no_bic_and_model_settings_are_used",
        "tests/personas/test_choose_k.py::test_large_data_subsample_notes",
        "tests/personas/test_choose_k.py::test_mixture_rejects_a_split_that_kmeans_finds_stable",
        "tests/personas/test_choose_k.py::test_no_structure_is_called_weak",
        "tests/personas/test_choose_k.py::test_recommends_the_planted_k",
        "tests/personas/test_choose_k.py::test_threads_do_not_change_the_result",
        "tests/personas/test_choose_k.py::test_table_columns_and_reasons",  # shares the planted choose_k run
        "tests/personas/test_model.py::test_auto_k",
        "tests/personas/test_type_file.py::test_peak_memory_depends_on_the_batch_not_the_file",
        "tests/personas/test_typing_tool.py::test_golden_questions",
        "tests/plots/test_journey_charts.py::test_pain_point_ranking[en]",
        "tests/plots/test_journey_charts.py::test_segmented_tables_need_a_segment",
        "tests/plots/test_journey_charts.py::test_touchpoint_transitions_follow_the_catalogue",
        "tests/plots/test_journey_map.py::test_exports_print_size_and_html",
        "tests/plots/test_journey_map.py::test_map_refuses_a_pain_point_table_computed_otherwise",
        "tests/plots/test_journey_map.py::test_map_reuses_a_computed_pain_point_table",
        "tests/plots/test_journey_map.py::test_planted_pain_points_in_the_right_stage_and_lane_per_persona",
        "tests/plots/test_persona_charts.py::test_choose_k_diagnostics[de]",
        "tests/plots/test_persona_charts.py::test_choose_k_diagnostics[en]",
        "tests/plots/test_persona_charts.py::test_persona_cards[en]",
        "tests/plots/test_persona_charts.py::test_persona_profile_heatmap[en]",
        "tests/plots/test_survey_charts.py::test_nps_distribution[de]",
        "tests/property/test_io_properties.py::test_csv_in_any_dialect_reads_back",
        "tests/reports/test_recommendations.py::test_on_the_sample_the_planted_pain_points_lead",
        "tests/sample/test_generator.py::test_personas_recoverable_by_kmeans",
        "tests/widgets/test_journeys.py::test_explorer_progress_bar_names_the_step",
        "tests/widgets/test_journeys.py::test_explorer_updates_only_what_changed",
        "tests/widgets/test_nps.py::test_explorer_shows_errors_instead_of_raising",
        "tests/widgets/test_nps.py::test_explorer_updates_live",
        "tests/widgets/test_nps.py::test_further_segment_filters",
        "tests/widgets/test_nps.py::test_german_labels",
        "tests/widgets/test_personas.py::test_auto_k_uses_choose_k_and_reports_progress",
        "tests/widgets/test_personas.py::test_explorer_auto_shows_diagnostics_with_progress",
        "tests/widgets/test_personas.py::test_explorer_refits_renames_and_saves",
        # the documentation site built once (mkdocs build --strict, 15-25 s) and the checks on it
        "tests/test_docs.py::test_site_builds_strict_and_offline",
        "tests/test_docs.py::test_api_reference_shows_every_public_name",
        "tests/test_docs.py::test_sphinx_roles_become_inline_code",
        "tests/test_docs.py::test_docstrings_completed_at_import_are_read_from_the_object",
        "tests/test_docs.py::test_readme_provenance_table_is_included_in_the_docs",
    }
)


@functools.cache
def _made(customers: int, seed: int) -> Any:
    return make_sample(customers=customers, random_state=seed)


@pytest.fixture(scope="session")
def sample_of() -> Callable[..., Any]:
    """``make_sample(customers, random_state=...)`` made once per session: suites whose hand-checked numbers
    belong to another size or seed share one copy of it. Treat the tables as read-only.
    """

    def made(customers: int, *, seed: int) -> Any:
        return _made(int(customers), int(seed))

    return made


@pytest.fixture(scope="session")
def sample(sample_of):
    """The generated sample with its planted truth: 3,000 customers, seed 42."""
    return sample_of(SAMPLE_CUSTOMERS, seed=SAMPLE_SEED)


@pytest.fixture(scope="session")
def real_dir() -> Path:
    """``data/real``: the real datasets the known-fact tests read."""
    return REAL


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """``data/sample``: the bundled sample files the loaders and reports read."""
    return SAMPLE_DIR


def pytest_collection_modifyitems(config, items):
    """Mark the tests listed in ``SLOW`` (node ids relative to the repository root)."""
    for item in items:
        if item.nodeid in SLOW or item.nodeid.split("[")[0] in SLOW:
            item.add_marker(pytest.mark.slow)
