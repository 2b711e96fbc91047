"""Every journey analysis on a real Spark standalone cluster gives DuckDB's results.

A master and one worker start on 127.0.0.1 from the installed PySpark distribution (its
``bin/spark-class`` launchers: ``org.apache.spark.deploy.master.Master`` and
``org.apache.spark.deploy.worker.Worker``, nothing downloaded); the driver
(``cluster_driver.py``, in a process and JVM of its own) connects with
``SparkSession.builder.master("spark://127.0.0.1:<port>")``, so the SQL runs in executors in
the worker's JVMs, not in the driver.  Each analysis runs once on the sample (150 customers,
one session) and must equal DuckDB's result as in ``test_spark.py`` (exact values, floats to
1e-9).  The executors get no Python (``PYSPARK_PYTHON`` names nothing): the analyses run as SQL,
without Python code on the executors.  Both daemons are stopped afterwards, also when the test
fails.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .test_spark import assert_same

pytestmark = pytest.mark.spark

HERE = Path(__file__).resolve().parent
#: How long the daemons may take to come up (seconds; measured: about 5 s each on 2 cores).
START_TIMEOUT = 90


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spark_home() -> Path:
    if importlib.util.find_spec("pyspark") is None:
        pytest.fail("PySpark is not installed: pip install -e '.[test]' installs it.", pytrace=False)
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.fail("Spark needs Java 17: apt-get install openjdk-17-jre-headless (.ci/run does this).", pytrace=False)
    import pyspark

    home = Path(pyspark.__file__).resolve().parent
    if not (home / "bin" / "spark-class").is_file():
        pytest.fail(f"The PySpark distribution at {home} has no bin/spark-class launcher.", pytrace=False)
    return home


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_for(log: Path, text: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the {what} exited with code {proc.returncode}:\n{_tail(log)}")
        if log.exists() and text in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise RuntimeError(f"the {what} did not report {text!r} within {START_TIMEOUT} s:\n{_tail(log)}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop a daemon and what it started (its process group, made for it), politely first."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A standalone master and one worker (2 cores, 1 GB) on 127.0.0.1; their URLs and logs."""
    home = _spark_home()
    folder = tmp_path_factory.mktemp("spark-cluster")
    (folder / "conf").mkdir()  # an empty configuration folder: nothing of the machine's leaks in
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_CONF_DIR": str(folder / "conf"),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(folder / "logs"),
        "SPARK_WORKER_DIR": str(folder / "work"),
        "SPARK_DAEMON_MEMORY": "512m",
        "SPARK_DAEMON_JAVA_OPTS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",  # short-lived daemons
        # the analyses send SQL only: executors never start a Python worker (one would fail here)
        "PYSPARK_PYTHON": str(folder / "no-python-on-executors"),
    }
    port, ui = _free_port(), _free_port()
    url = f"spark://127.0.0.1:{port}"
    launcher = str(home / "bin" / "spark-class")
    daemons: list[subprocess.Popen] = []
    logs = {"master": folder / "master.log", "worker": folder / "worker.log"}
    commands = {
        "master": [
            launcher,
            "org.apache.spark.deploy.master.Master",
            *("--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui)),
        ],
        "worker": [
            launcher,
            "org.apache.spark.deploy.worker.Worker",
            url,
            *("--host", "127.0.0.1", "--port", str(_free_port()), "--webui-port", str(_free_port())),
            *("--cores", "2", "--memory", "1g", "--work-dir", str(folder / "work")),
        ],
    }
    ready = {"master": "I have been elected leader", "worker": "Successfully registered with master"}
    started = time.perf_counter()
    try:
        for name in ("master", "worker"):
            with open(logs[name], "wb") as log:
                proc = subprocess.Popen(
                    commands[name], stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
                )
            daemons.append(proc)
            _wait_for(logs[name], ready[name], proc, name)
    except BaseException as err:
        for proc in reversed(daemons):
            _stop(proc)
        if isinstance(err, RuntimeError):
            pytest.fail(f"The Spark cluster did not start: {err}", pytrace=False)
        raise
    try:
        yield {
            "url": url,
            "ui": f"http://127.0.0.1:{ui}",
            "env": env,
            "logs": logs,
            "start_s": time.perf_counter() - started,
        }
    finally:
        for proc in reversed(daemons):  # the worker (and its executors) first, then the master
            _stop(proc)


def test_every_journey_analysis_on_a_standalone_cluster_equals_duckdb(cluster, tmp_path):
    out = tmp_path / "results.pickle"
    driver = subprocess.run(
        [sys.executable, str(HERE / "cluster_driver.py"), cluster["url"], str(out)],
        env={**cluster["env"], "PYTHONWARNINGS": "ignore::FutureWarning"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert driver.returncode == 0, (
        f"the driver failed:\n{driver.stderr[-4000:]}\n--- worker log:\n{_tail(cluster['logs']['worker'])}"
    )
    with open(out, "rb") as fh:
        ran = pickle.load(fh)
    info = ran["info"]
    assert info["master"] == cluster["url"] and info["executors"], info  # executors in the worker's JVMs
    assert len(ran["results"]) == 18
    for name, (ours, theirs, _seconds) in ran["results"].items():
        assert_same(ours, theirs, name)
    # the master ran the application (its own record, read from its status page on 127.0.0.1)
    with urllib.request.urlopen(f"{cluster['ui']}/json/", timeout=10) as page:
        status = json.load(page)
    assert [w["state"] for w in status["workers"]] == ["ALIVE"] and status["workers"][0]["cores"] == 2
    apps = [a for a in status["completedapps"] + status["activeapps"] if a["id"] == info["app_id"]]
    assert apps and apps[0]["name"] == "cjm-lab-cluster-test"
    timings = ", ".join(f"{name} {s:.1f} s" for name, (_, _, s) in ran["results"].items())
    print(f"cluster start {cluster['start_s']:.1f} s; on Spark: {timings}")
