"""The workshop in a real browser: JupyterLab + headless Debian Chromium driven by Playwright.

Starts JupyterLab on 127.0.0.1 (a free port, a token made here, a fresh runtime/config/settings
folder), opens a copy of the workshop notebook, runs all cells, changes one control in each of the
three explorers and checks that what the page shows changed. Screenshots go to
``tests/artifacts/browser/`` (or ``$CJM_TEST_ARTIFACTS``); the server is stopped in a finaliser.

Nothing is downloaded: Playwright drives the system's Chromium (``apt-get install chromium``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from .conftest import ROOT, SAMPLE

pytestmark = [pytest.mark.browser, pytest.mark.notebook]

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("CJM_TEST_ARTIFACTS", ROOT / "tests" / "artifacts")) / "browser"
#: Seconds the whole notebook may take to run in the browser.
RUN_ALL_TIMEOUT_S = 150
#: Seconds an explorer may take to show the effect of a change in the page.
CHANGE_TIMEOUT_S = 60


def _chromium(candidates=None) -> str:
    if candidates is None:
        candidates = (os.environ.get("CJM_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    pytest.fail(
        "The browser test needs Debian's Chromium at /usr/bin/chromium and it is missing. "
        "Install it with `apt-get install chromium` (.ci/run does this); browsers are never downloaded.",
        pytrace=False,
    )


def _requirements() -> None:
    missing = []
    for module, package in (
        ("playwright", "playwright"),
        ("jupyterlab", "jupyterlab"),
        ("jupyterlab_widgets", "jupyterlab_widgets"),
    ):
        try:
            __import__(module)
        except ImportError:
            missing.append(package)
    if missing:
        pytest.fail(
            f"The browser test needs {', '.join(missing)}: pip install -e '.[test,lab]' (make test does).",
            pytrace=False,
        )
    ext = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter-widgets" / "jupyterlab-manager"
    if not ext.is_dir():
        pytest.fail(
            f"The ipywidgets JupyterLab extension is not installed ({ext} is missing): pip install jupyterlab_widgets.",
            pytrace=False,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workshop_copy(folder: Path) -> Path:
    """The workshop notebook with absolute data paths and a fixed k (the explorers offer 'auto')."""
    nb = nbformat.read(ROOT / "cjm_lab" / "notebooks" / "workshop_personas.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    values = {
        "customers_path": str(SAMPLE / "customers.csv"),
        "survey_path": str(SAMPLE / "survey.csv"),
        "events_path": str(SAMPLE / "events.csv.gz"),
        "touchpoints_path": str(SAMPLE / "touchpoints.csv"),
        "n_personas": 5,
        "resamples": 3,
    }
    source = cell.source
    for name, value in values.items():
        source, n = re.subn(
            rf"^({name}: [^=]+= ).*?(  # help:.*)$",
            lambda m, value=value: m.group(1) + repr(value) + m.group(2),
            source,
            flags=re.M,
        )
        assert n == 1, name
    cell.source = source
    path = folder / "workshop_personas.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_missing_chromium_fails_with_the_install_instruction():
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install chromium"):
        _chromium(["/nonexistent/chromium", None])


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory, request):
    """A JupyterLab server on a free port with a token of its own; stopped when the module ends."""
    _requirements()
    _chromium()
    base = tmp_path_factory.mktemp("lab")
    root, settings = base / "root", base / "settings"
    root.mkdir()
    notebook = _workshop_copy(root)
    # windowing off: every cell stays in the page; no news or update checks (no network)
    for plugin, values in {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        target = settings / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the kernel draws inline
    env.update(
        {
            "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
            "JUPYTER_CONFIG_DIR": str(base / "config"),
            "IPYTHONDIR": str(base / "ipython"),
            "JUPYTER_PLATFORM_DIRS": "1",
        }
    )
    if "PYTHONPATH" not in env:
        env["PYTHONPATH"] = str(ROOT)
    log = open(base / "jupyterlab.log", "wb")
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop() -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # the server shuts its kernels down on SIGTERM
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()

    request.addfinalizer(stop)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{(base / 'jupyterlab.log').read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"JupyterLab did not answer on {url} within 90 s:\n{(base / 'jupyterlab.log').read_text()[-3000:]}"
            )
        time.sleep(0.5)
    return {"url": url, "token": token, "notebook": notebook.name, "log": base / "jupyterlab.log"}


@pytest.fixture(scope="module")
def page(jupyterlab, request):
    from playwright.sync_api import sync_playwright

    chromium = _chromium()
    pw = sync_playwright().start()
    profile = Path(jupyterlab["log"]).parent / "chromium-profile"
    context = pw.chromium.launch_persistent_context(
        str(profile),
        executable_path=chromium,
        headless=True,
        args=CHROMIUM_FLAGS,
        viewport={"width": 1400, "height": 3400},
    )

    def close() -> None:
        context.close()
        pw.stop()

    request.addfinalizer(close)
    pg = context.pages[0] if context.pages else context.new_page()
    pg.set_default_timeout(60_000)
    return pg


def _explorer(page, title: str):
    return page.locator(".cjm-explorer", has=page.locator("h3", has_text=title))


def _updates(explorer) -> int:
    """Finished updates of an explorer, from the status line (each update counts one up; -1 while
    an update runs and the line shows its progress)."""
    status = explorer.locator(".cjm-status[data-updates]")
    return int(status.get_attribute("data-updates")) if status.count() else -1


def _change(explorer, what: str, act) -> None:
    """Do ``act`` (change a control) and wait until the explorer finished the update it starts."""
    before = _updates(explorer)
    assert before >= 1, "the explorer had not finished its first update"
    act()
    _wait_changed(lambda: str(max(_updates(explorer), before)), str(before), f"{what}: the explorer's update")
    status = explorer.locator(".cjm-status").inner_text()
    assert status.startswith("Updated in"), status


def _wait_until(predicate, what: str) -> None:
    deadline = time.monotonic() + CHANGE_TIMEOUT_S
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not seen within {CHANGE_TIMEOUT_S} s")
        time.sleep(0.2)


def _wait_changed(read, before: str, what: str) -> str:
    deadline = time.monotonic() + CHANGE_TIMEOUT_S
    while time.monotonic() < deadline:
        now = read()
        if now != before:
            return now
        time.sleep(0.2)
    pytest.fail(f"{what} did not change within {CHANGE_TIMEOUT_S} s")


def test_workshop_explorers_in_chromium(jupyterlab, page):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    page.goto(f"{jupyterlab['url']}/lab/tree/{jupyterlab['notebook']}?token={jupyterlab['token']}")
    page.locator(".jp-Notebook").wait_for()
    # JupyterLab may ask which kernel to start: take the preferred one (python3)
    accept = page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
    try:
        accept.wait_for(timeout=5_000)
        accept.click()
    except PlaywrightTimeout:
        pass
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=90_000)
    # Run → Run All Cells
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    deadline = time.monotonic() + RUN_ALL_TIMEOUT_S
    while True:
        prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        # every visible prompt numbered ("[ ]:" not run yet, "[*]:" running; the hidden solution cells
        # show no prompt)
        done = [p for p in prompts if re.fullmatch(r"\[\d+\]:", p.strip())]
        if prompts and len(done) == len(prompts):
            break
        if time.monotonic() > deadline:
            page.screenshot(path=str(ARTIFACTS / "timeout.png"), full_page=False)
            pytest.fail(f"Run all did not finish within {RUN_ALL_TIMEOUT_S} s: prompts {prompts}")
        time.sleep(1)
    run_all_s = time.monotonic() - started
    outputs = " ".join(page.locator(".jp-OutputArea-output").all_inner_texts())
    assert "Traceback" not in outputs, outputs[outputs.find("Traceback") - 500 :][:3000]

    # --- persona explorer: k 5 → 4, then rename persona 0
    persona = _explorer(page, "Persona explorer")
    persona.scroll_into_view_if_needed()
    assert persona.locator(".cjm-card").count() == 5
    persona.screenshot(path=str(ARTIFACTS / "persona_explorer_before.png"))
    cards_before = persona.locator(".cjm-card-name").all_inner_texts()
    profile_src = persona.locator("img").nth(0).get_attribute("src")
    _change(
        persona,
        "k",
        lambda: persona.locator(".widget-dropdown", has_text="Personas (k)").locator("select").select_option(label="4"),
    )
    _wait_changed(lambda: str(persona.locator(".cjm-card").count()), "5", "The number of persona cards")
    _wait_changed(lambda: persona.locator("img").nth(0).get_attribute("src"), profile_src, "The profile chart")
    assert persona.locator(".cjm-card-name").all_inner_texts() != cards_before
    first_name = persona.locator(".cjm-card-name").first.inner_text()
    box = persona.locator(".widget-text input").first
    box.fill("Browser persona")
    _change(persona, "rename", lambda: box.press("Enter"))
    _wait_changed(lambda: persona.locator(".cjm-card-name").first.inner_text(), first_name, "The first card")
    assert persona.locator(".cjm-card-name").first.inner_text() == "Browser persona"
    persona.screenshot(path=str(ARTIFACTS / "persona_explorer_after.png"))

    # --- NPS explorer: filter on one persona
    nps = _explorer(page, "NPS explorer")
    nps.scroll_into_view_if_needed()
    headline = nps.locator(".cjm-headline").inner_text()
    chart = nps.locator("img").first.get_attribute("src")
    assert re.search(r"NPS -?−?\d", headline), headline
    nps.screenshot(path=str(ARTIFACTS / "nps_explorer_before.png"))
    _change(
        nps,
        "persona filter",
        lambda: nps.locator(".widget-dropdown", has_text="Persona name").locator("select").select_option(index=1),
    )
    after = _wait_changed(lambda: nps.locator(".cjm-headline").inner_text(), headline, "The NPS headline")
    assert after.startswith("NPS") and after != headline
    _wait_changed(lambda: nps.locator("img").first.get_attribute("src"), chart, "The NPS chart")
    nps.screenshot(path=str(ARTIFACTS / "nps_explorer_after.png"))

    # --- journey explorer: paths from the cart on
    journey = _explorer(page, "Journey explorer")
    journey.scroll_into_view_if_needed()
    summary = journey.locator(".cjm-paths-summary").inner_text()
    sankey = journey.locator("img").first.get_attribute("src")
    journey.screenshot(path=str(ARTIFACTS / "journey_explorer_before.png"))
    _change(
        journey,
        "start",
        lambda: journey.locator(".widget-dropdown", has_text="From").locator("select").select_option(label="Cart"),
    )
    after = _wait_changed(lambda: journey.locator(".cjm-paths-summary").inner_text(), summary, "The paths summary")
    assert "from Cart to (any)" in after
    _wait_changed(lambda: journey.locator("img").first.get_attribute("src"), sankey, "The Sankey")
    journey.screenshot(path=str(ARTIFACTS / "journey_explorer_after.png"))

    # --- persona explorer again: k = auto runs the choose_k diagnostics behind a progress bar
    persona.scroll_into_view_if_needed()
    before = _updates(persona)
    persona.locator(".widget-dropdown", has_text="Personas (k)").locator("select").select_option(label="auto")
    bar = persona.locator(".widget-hprogress")
    bar.wait_for(state="visible", timeout=CHANGE_TIMEOUT_S * 1000)
    _wait_until(lambda: "Diagnostics for k" in persona.locator(".cjm-status").inner_text(), "The progress text")
    persona.screenshot(path=str(ARTIFACTS / "persona_explorer_auto_progress.png"))
    _wait_changed(lambda: str(max(_updates(persona), before)), str(before), "k = auto: the explorer's update")
    assert "Recommended k =" in persona.inner_text()
    persona.screenshot(path=str(ARTIFACTS / "persona_explorer_auto.png"))
    page.screenshot(path=str(ARTIFACTS / "workshop_page.png"))
    status = " ".join(page.locator(".cjm-status").all_inner_texts())
    assert "Could not update" not in status, status
    print(
        f"\nrun all cells: {run_all_s:.1f} s; whole browser test: {time.monotonic() - started:.1f} s; "
        f"screenshots in {ARTIFACTS}"
    )
