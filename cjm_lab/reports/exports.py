"""What a run hands to clients besides the HTML: a PDF printed by Chromium (and the old deck entry point)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from cjm_lab.errors import CJMConfigError

__all__ = ["find_chromium", "print_pdf", "build_pptx", "CHROMIUM_FLAGS"]

#: Flags that let headless Chromium run here: no sandbox as root, no GPU, no network chatter.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def find_chromium() -> str:
    """The Chromium executable: ``$CJM_LAB_CHROMIUM``, else chromium/chromium-browser/google-chrome on PATH."""
    env = os.environ.get("CJM_LAB_CHROMIUM")
    if env and Path(env).is_file():
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    raise CJMConfigError(
        "PDF export prints the HTML report with a local Chromium, and none was found. Install Debian's "
        "package (`apt-get install chromium`) or set CJM_LAB_CHROMIUM to the browser's path; browsers are "
        "never downloaded at run time."
    )


def print_pdf(html: Path, pdf: Path, *, timeout: int = 120) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium (A4, no header or footer)."""
    browser = find_chromium()
    with tempfile.TemporaryDirectory(prefix="cjm-chromium-") as profile:
        cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
               f"--print-to-pdf={pdf}", html.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if proc.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        raise CJMConfigError(f"Chromium could not print {html.name} to PDF (exit {proc.returncode}): "
                             f"{proc.stderr.strip()[-500:]}")
    return pdf


def build_pptx(folder: Path, *, title: str, subtitle: str = "") -> Path | None:
    """Deprecated alias of :func:`cjm_lab.reports.build_deck` (native charts and tables, takeaways, notes)."""
    import warnings

    from cjm_lab.reports.deck import build_deck

    warnings.warn("build_pptx() is deprecated; use cjm_lab.reports.build_deck().", FutureWarning, stacklevel=2)
    return build_deck(folder, title=title, subtitle=subtitle)
