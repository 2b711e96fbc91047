"""The declarative parameter check (``cjm_lab._params``) and the tables of the public functions."""

from __future__ import annotations

import dataclasses
import inspect
import os
import pickle
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
import pytest

import cjm_lab
from cjm_lab import io, journeys, labels, personas, plots, privacy, reports, sample, survey, widgets
from cjm_lab._params import (
    CONFIDENCE,
    LANGUAGE,
    WHOLE_NUMBER,
    InstanceOf,
    Interval,
    Rule,
    StrOptions,
    check_param,
    check_params,
    deprecated_alias,
    k_candidates,
    renamed_args,
    validate_params,
)
from cjm_lab._validate import require_columns, require_frame
from cjm_lab.errors import CJMConfigError, CJMDataError

PACKAGE_DIR = os.path.dirname(cjm_lab.__file__)


# --------------------------------------------------------------------------- constraints
@pytest.mark.parametrize(
    ("constraint", "good", "bad"),
    [
        (Interval(Real, 0, 1, closed="neither"), [0.5, np.float32(0.1), 1e-9], [0, 1, -0.1, 95, True, np.nan, "0.5"]),
        (Interval(Real, 0, 1, closed="both"), [0, 1, 0.0, 1.0], [1.0000001, -1e-12]),
        (Interval(Real, 0, 1, closed="left"), [0], [1]),
        (Interval(Real, 0, 1, closed="right"), [1], [0]),
        (Interval(Integral, 1, None, closed="left"), [1, np.int64(7), 10**12], [0, 1.0, 2.5, True, np.True_, None]),
        (Interval(Integral, None, 3), [-(10**9), 3], [4]),
        (StrOptions({"a", "b"}), ["a", "b"], ["c", "A", None, 1, ["a"]]),
        (InstanceOf(bool), [True, np.False_], [0, 1, "True", None]),
        (InstanceOf(pd.DataFrame), [pd.DataFrame()], [pd.Series(dtype=float), None]),
        (Rule(lambda v: v % 2 == 0, "an even number"), [2, 4], [3, "x"]),  # a predicate that raises rejects
    ],
)
def test_constraints_accept_and_reject(constraint, good, bad):
    assert all(constraint.accepts(v) for v in good)
    assert not any(constraint.accepts(v) for v in bad)


@pytest.mark.parametrize(
    ("constraint", "text"),
    [
        (Interval(Integral, 1, None, closed="left"), "a whole number of at least 1"),
        (Interval(Integral, 2, 9), "a whole number from 2 to 9"),
        (Interval(Real, 0, 1, closed="neither"), "a number strictly between 0 and 1"),
        (
            Interval(Real, 0, 1, closed="right", note="a share", example="0.3"),
            "a number above 0 and at most 1 (a share), e.g. 0.3",
        ),
        (Interval(Real, None, 5, closed="neither"), "a number below 5"),
        (StrOptions(("x", "y", "z")), "'x', 'y' or 'z'"),
        (StrOptions({"high": "little effort at the top"}), "'high' (little effort at the top)"),
        (InstanceOf(str), "a text"),
    ],
)
def test_constraints_say_their_rule(constraint, text):
    assert str(constraint) == text


def test_an_error_names_function_argument_rule_and_value():
    with pytest.raises(CJMConfigError) as err:
        check_param(95, [CONFIDENCE], name="confidence", where="nps()")
    message = str(err.value)
    assert message.startswith("nps(): `confidence` must be a number strictly between 0 and 1")
    assert "e.g. 0.95, got 95. Fix: pass the level as a share" in message
    assert (err.value.function, err.value.argument, err.value.value) == ("nps()", "confidence", 95)
    assert err.value.rule.startswith("a number strictly between 0 and 1")
    again = pickle.loads(pickle.dumps(err.value))  # joblib workers send errors back pickled
    assert str(again) == message and again.argument == "confidence"


def test_a_table_shows_its_type_not_its_contents():
    with pytest.raises(CJMConfigError, match=r"got a DataFrame\.$"):
        check_param(pd.DataFrame({"a": range(30)}), [InstanceOf(str)], name="x", where="f()")


def test_several_constraints_and_none():
    cons = [Interval(Integral, 2, None, closed="left"), StrOptions({"auto"}), None]
    for ok in (2, "auto", None):
        assert check_param(ok, cons, name="k", where="f()") == ok
    with pytest.raises(
        CJMConfigError, match=r"f\(\): `k` must be a whole number of at least 2 or 'auto' \(or None\), got 1\."
    ):
        check_param(1, cons, name="k", where="f()")


def test_check_params_checks_only_what_is_given():
    table = {"alpha": [Interval(Real, 0, 1)], "n": [WHOLE_NUMBER]}
    check_params({"alpha": 0.1, "other": object()}, table, where="f()")
    with pytest.raises(CJMConfigError, match="`n` must be"):
        check_params({"n": 0}, table, where="f()")


# --------------------------------------------------------------------------- the decorator
@validate_params({"confidence": [CONFIDENCE], "n": [WHOLE_NUMBER, None], "language": [LANGUAGE]})
def _demo(data, n=None, *, confidence=0.95, language="en"):
    if data == "raise":
        raise CJMConfigError("`data` says raise.")
    if data == "named":
        raise CJMConfigError("other(): something.")
    return data, n, confidence, language


def test_the_decorator_checks_keywords_and_positions():
    assert _demo(1, 3, confidence=0.9, language="de") == (1, 3, 0.9, "de")
    with pytest.raises(
        CJMConfigError, match=r"^_demo\(\): `n` must be a whole number of at least 1 \(or None\), got 0\."
    ):
        _demo(1, 0)
    with pytest.raises(CJMConfigError, match=r"`language` must be 'en' or 'de', got 'fr'\..*language='de'"):
        _demo(1, language="fr")


def test_other_configuration_errors_get_the_function_name():
    with pytest.raises(CJMConfigError, match=r"^_demo\(\): `data` says raise\.$") as err:
        _demo("raise")
    assert err.value.function == "_demo()"
    with pytest.raises(CJMConfigError, match=r"^other\(\): something\.$"):  # already named: left alone
        _demo("named")


def test_the_signature_and_doctests_stay():
    assert list(inspect.signature(_demo).parameters) == ["data", "n", "confidence", "language"]
    assert _demo.__wrapped__.__name__ == "_demo"


def test_a_table_and_its_signature_cannot_drift_apart():
    with pytest.raises(TypeError, match="names 'alpah', which is no argument"):

        @validate_params({"alpah": [CONFIDENCE]})
        def f(*, alpha=0.05):
            return alpha

    with pytest.raises(TypeError, match="the default confidence=95 breaks its own rule"):

        @validate_params({"confidence": [CONFIDENCE]})
        def g(*, confidence=95):
            return confidence

    with pytest.raises(TypeError, match="put @renamed_args above @validate_params"):

        @validate_params({})
        @renamed_args({"old": "new"})
        def h(*, new=1):
            return new


# --------------------------------------------------------------------------- the shim
@renamed_args({"low_base": "min_base"}, positional=["top"])
@validate_params({"min_base": [Interval(Real, 0, None)]})
def _renamed(table, *, top=10, min_base=50):
    return top, min_base


def test_an_old_name_works_and_warns_with_the_new_one():
    with pytest.warns(
        FutureWarning, match=r"_renamed\(\): `low_base` is now called `min_base`; pass min_base=\.\.\."
    ) as seen:
        assert _renamed(None, low_base=30) == (10, 30)
    assert seen[0].filename == __file__  # the warning points at the caller's line
    with pytest.warns(FutureWarning), pytest.raises(CJMConfigError, match=r"`min_base` must be a number of at least 0"):
        _renamed(None, low_base=-1)  # the new name's rule applies to the old one
    with pytest.raises(CJMConfigError, match="pass `min_base` or its old name `low_base`, not both"):
        _renamed(None, low_base=30, min_base=40)


def test_an_option_passed_by_position_works_and_warns():
    with pytest.warns(FutureWarning, match=r"pass `top` by name \(top=\.\.\.\), not by position"):
        assert _renamed(None, 3) == (3, 50)
    with pytest.raises(TypeError):
        _renamed(None, 3, 4)


def test_the_package_itself_is_not_warned():
    code = compile("result = _renamed(None, low_base=30)", os.path.join(PACKAGE_DIR, "_inside.py"), "exec")
    scope = {"_renamed": _renamed}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(code, scope)  # a call from a file of the package
    assert scope["result"] == (10, 30)


def test_a_renamed_function_warns():
    def sequential_patterns(x):
        return x * 2

    patterns = deprecated_alias(sequential_patterns, "patterns")
    with pytest.warns(FutureWarning, match=r"patterns\(\): now called sequential_patterns\(\)"):
        assert patterns(2) == 4


def test_k_candidates():
    assert k_candidates(range(2, 5), where="f()") == [2, 3, 4]
    assert k_candidates((2, 3), where="f()") == [2, 3]  # two neighbours mean the same either way
    with pytest.warns(FutureWarning, match=r"`k_range=\(2, 6\)` as \(smallest, largest\) is read as range\(2, 7\)"):
        assert k_candidates((2, 6), where="f()") == [2, 3, 4, 5, 6]
    with pytest.raises(CJMConfigError, match=r"`k_range` must be a range or a list of whole numbers of at least 2"):
        k_candidates([1, 2], where="f()")


# --------------------------------------------------------------------------- the column error
def test_the_column_error_names_the_argument_that_holds_the_table():
    t = pd.DataFrame({"n": [1], "wave": [1]})
    with pytest.raises(CJMDataError, match=r"does not appear in `table`\. Did you mean 'wave'") as err:
        require_columns(t, {"by": "wav"}, where="shown_rows()", name="table")
    assert err.value.fix == "Pass one of the columns of `table`: 'n', 'wave'."
    with pytest.raises(CJMDataError) as err:
        require_columns(t, {"by": "segment"}, where="variants()", name="events")
    assert "does not appear in `events`" in str(err.value) and "`columns=` in load_events()" in err.value.fix
    with pytest.raises(CJMDataError) as err:
        require_columns(t, {"importance": "x"}, where="f()", name="drivers_table", origin="key_drivers")
    assert err.value.fix.endswith("`drivers_table` is the table key_drivers() returns.")
    with pytest.raises(CJMDataError) as err:
        require_columns(t, {"score": "x"}, where="nps()")
    assert "not appear in `data`" in str(err.value) and "`columns=` when loading" in err.value.fix
    with pytest.raises(CJMDataError, match=r"needs a pandas DataFrame as `events`, got list.*load_events"):
        require_frame([1], where="variants()", name="events")


# --------------------------------------------------------------------------- the public functions
MODULES = [io, survey, personas, privacy, sample, labels, journeys, plots, widgets, reports]


def _public():
    for module in MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                yield f"{module.__name__}.{name}", obj
            elif inspect.isclass(obj) and obj.__module__.startswith("cjm_lab"):
                for attr, member in vars(obj).items():
                    if inspect.isfunction(member) and (not attr.startswith("_") or attr == "__init__"):
                        yield f"{module.__name__}.{name}.{attr}", member


PUBLIC = dict(_public())
PUBLIC_OWNERS = {
    name: getattr(module, name.split(".")[2])
    for module in MODULES
    for name in PUBLIC
    if name.startswith(module.__name__ + ".") and name.count(".") == 3
}
#: Methods that take options a caller passes (accessors of results and labels take none but a
#: language, which goes through check_language; estimators check theirs in fit).
CHECKED_METHODS = {
    "cjm_lab.labels.Labels.__init__",
    "cjm_lab.labels.Labels.apply",
    "cjm_lab.personas.PersonaProfile.table",
    "cjm_lab.personas.GoldenQuestions.predict",
    "cjm_lab.personas.GoldenQuestions.predict_proba",
    "cjm_lab.io.MultipleResponse.option_labels",
}


@pytest.mark.parametrize("name", sorted(n for n in PUBLIC if n.count(".") == 2 or n in CHECKED_METHODS))
def test_every_public_function_states_its_options(name):
    assert hasattr(PUBLIC[name], "__cjm_params__"), f"{name} has no @validate_params table"


def test_estimators_check_their_options_when_fitting():
    df = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [2.0, 1, 2, 1, 2, 1]})
    with pytest.raises(CJMConfigError, match=r"^PersonaModel\.fit\(\): `n_init` must be a whole number of at least 1"):
        personas.PersonaModel(2, n_init=0).fit(df)
    with pytest.raises(CJMConfigError, match=r"^AttitudeFactors\.fit\(\): `rotation` must be"):
        personas.AttitudeFactors(["a", "b"], rotation="promax").fit(df)


def test_random_state_is_0_by_default():
    seeds = {}
    for name, func in PUBLIC.items():
        p = inspect.signature(func).parameters.get("random_state")
        if p is not None:
            seeds[name] = p.default
    assert seeds.pop("cjm_lab.sample.make_sample") == seeds.pop("cjm_lab.sample.write_sample") == 42
    assert seeds and set(seeds.values()) == {0}, seeds
    assert personas.PersonaModel().random_state == 0


def test_options_are_keyword_only_after_the_data():
    """Positional are the data and what a call is about; every option is keyword-only.

    Found by looking at the optional positional arguments; each exception says why.
    """
    allowed = {
        "cjm_lab.io.column_metadata": {"column"},  # the column asked about
        "cjm_lab.io.MultipleResponse.option_labels": {"labels"},  # the labels to read them with
        "cjm_lab.personas.PersonaModel.__init__": {"k"},  # an estimator's first option, as KMeans(n_clusters)
        "cjm_lab.personas.AttitudeFactors.__init__": {"items"},
        "cjm_lab.personas.PersonaProfile.table": {"value"},  # which value a result's wide view shows
        "cjm_lab.personas.FactorResult.table": {"cut"},
        "cjm_lab.privacy.min_group_size": {"value"},  # resolvers of a setting: the value to resolve
        "cjm_lab.privacy.report_salt": {"salt"},
        "cjm_lab.sample.make_sample": {"customers"},  # the size of the sample made
        "cjm_lab.labels.Labels.__init__": {"columns", "values"},  # the labels themselves
        "cjm_lab.labels.labels_for": {"labels"},
        "cjm_lab.plots.stage_colors": {"stages"},  # the things coloured
        "cjm_lab.plots.department_colors": {"departments"},
        # formatters read as format_number(value, decimals, language); touchpoint_labeller keeps
        # its order until the labels= argument of the charts has settled
        "cjm_lab.plots.number_formatter": {"decimals", "language"},
        "cjm_lab.plots.format_number": {"decimals", "language"},
        "cjm_lab.plots.format_percent": {"decimals", "language"},
        "cjm_lab.plots.touchpoint_labeller": {"touchpoints", "language", "labels"},
        "cjm_lab.reports.column_label": {"language", "labels"},
        "cjm_lab.reports.format_value": {"language"},
        "cjm_lab.reports.column_kind": {"values"},  # the column's values, read with its name
        "cjm_lab.reports.run_report": {"parameters"},  # the run's parameters: what the call is about
        "cjm_lab.reports.headline": {"previous"},  # the run compared with
        "cjm_lab.reports.recommendations": {"pain_points"},
        "cjm_lab.reports.list_reports": {"notebooks"},  # the folders searched
        "cjm_lab.reports.report_folders": {"notebooks"},
        "cjm_lab.reports.report_parameters": {"notebooks"},
        "cjm_lab.reports.check_parameters": {"notebooks"},
        "cjm_lab.reports.rebuild_index": {"out"},  # the folder indexed
        "cjm_lab.reports.current_report": {"where"},  # the caller's name for its message
    }
    found = {}
    for name, func in PUBLIC.items():
        is_result = dataclasses.is_dataclass(PUBLIC_OWNERS.get(name))
        if "Error" in name or is_result or name.endswith((".fit", ".get_feature_names_out")):
            continue  # exceptions, result containers, scikit-learn's own signatures
        params = inspect.signature(func).parameters.values()
        optional = {p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is not p.empty}
        extra = optional - allowed.get(name, set())
        if extra:
            found[name] = sorted(extra)
    assert not found, f"options that should be keyword-only: {found}"
