"""The driver of the Spark cluster test: every journey analysis once on the cluster, once on DuckDB.

``tests/journeys/test_spark_cluster.py`` starts a standalone master and a worker, then runs this
file in a process of its own (so its driver JVM is its own, apart from any local session of the
other Spark tests)::

    python cluster_driver.py spark://127.0.0.1:<port> <out.pickle>

It connects with ``SparkSession.builder.master(<url>)``, checks that executors registered, runs
each analysis on a Spark DataFrame of the sample and on the same sample in pandas (DuckDB), and
pickles both results per analysis with what the session was: the test compares them.
"""

from __future__ import annotations

import pickle
import sys
import time
import warnings
from pathlib import Path
from typing import Any

#: Options of the test's JVMs (measured on 2 cores: half the CPU of the defaults, 46 s instead of 96 s).
JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"

STEPS = ["Website", "Product page", "Cart", "Checkout payment", "Order confirmation"]


def calls(sample: Any) -> dict[str, Any]:
    """Each journey analysis once, as ``name -> function(events)``."""
    from cjm_lab import journeys as jm

    cat, survey = sample.touchpoints, sample.survey
    return {
        "build_journeys": lambda e: jm.build_journeys(e, touchpoints=cat),
        "cut_journeys": lambda e: jm.cut_journeys(e, start="Website", end="Order confirmation"),
        "variants": lambda e: jm.variants(e, top=15, by="persona"),
        "path_parts": lambda e: jm.path_parts(e, n=2, side="suffix"),
        "path_lengths": lambda e: jm.path_lengths(e, journey="session", until_conversion=True, touchpoints=cat),
        "transitions": lambda e: jm.transitions(e, level="stage", touchpoints=cat, by="persona"),
        "funnel": lambda e: jm.funnel(e, steps=STEPS, window="30D", by="persona", exclude=["Service hotline"]),
        "funnel_dropoffs": lambda e: jm.funnel_dropoffs(e, steps=STEPS),
        "pain_points": lambda e: jm.pain_points(e, touchpoints=cat, survey=survey),
        "journey_map_data": lambda e: jm.journey_map_data(e, touchpoints=cat, survey=survey),
        "sequential_patterns": lambda e: jm.sequential_patterns(e, min_support=0.1, max_length=3),
        "discriminating_patterns": lambda e: jm.discriminating_patterns(
            e, outcome="conversion", touchpoints=cat, min_support=0.05, n_permutations=99
        ),
        "time_to_convert": lambda e: jm.time_to_convert(e, touchpoints=cat, start="Website"),
        "attribution": lambda e: jm.attribution(e, touchpoints=cat, order=2, value="value"),
        "retention": lambda e: jm.retention(e, touchpoints=cat, periods=4),
        "time_to_repeat": lambda e: jm.time_to_repeat(e, touchpoints=cat),
        "time_to_outcome": lambda e: jm.time_to_outcome(e, outcome=["Order confirmation", "Return"]),
        "cluster_journeys": lambda e: jm.cluster_journeys(e, k=3, touchpoints=cat),
    }


def main(master: str, out: str) -> None:
    from pyspark.sql import SparkSession

    from cjm_lab.sample import make_sample

    sample = make_sample(customers=150, random_state=11)
    events = sample.events.merge(sample.personas, on="customer_id")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "PySpark does not yet fully support pandas >= 3"
        spark = (
            SparkSession.builder.master(master)
            .appName("cjm-lab-cluster-test")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.memory", "1g")
            .config("spark.executor.memory", "512m")
            .config("spark.executor.cores", "2")
            .config("spark.cores.max", "2")
            # tiny data: one shuffle partition, no whole-stage code generation to compile, no
            # re-planning between stages, no waiting for data locality (one executor has it all)
            .config("spark.sql.shuffle.partitions", "1")
            .config("spark.default.parallelism", "2")
            .config("spark.sql.codegen.wholeStage", "false")
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.locality.wait", "0s")
            # short-lived JVMs: the quick JIT and the serial collector halve the CPU of this test
            .config("spark.driver.extraJavaOptions", JVM_OPTIONS)
            .config("spark.executor.extraJavaOptions", JVM_OPTIONS)
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.warehouse.dir", str(Path(out).parent / "spark-warehouse"))  # not in the checkout
            .getOrCreate()
        )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        sc = spark.sparkContext
        deadline = time.monotonic() + 60
        while sc._jsc.sc().getExecutorIds().size() == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        executors = [str(x) for x in sc._jsc.sc().getExecutorIds().toList().mkString(",").split(",") if x]
        frame = spark.createDataFrame(events)
        frame.cache().count()
        results: dict[str, Any] = {}
        for name, call in calls(sample).items():  # one analysis after the other, each once per engine
            t0 = time.perf_counter()
            on_spark = call(frame)
            seconds = time.perf_counter() - t0
            results[name] = (call(events), on_spark, seconds)
        info = {"master": sc.master, "app_id": sc.applicationId, "app_name": sc.appName, "executors": executors}
    finally:
        spark.stop()
    with open(out, "wb") as fh:
        pickle.dump({"results": results, "info": info}, fh)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
