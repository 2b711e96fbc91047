"""What a run hands to clients besides the HTML: a PDF printed by Chromium (and the old deck entry point)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from cjm_lab._params import WHOLE_NUMBER, validate_params
from cjm_lab.errors import CJMConfigError

__all__ = ["find_chromium", "print_pdf", "build_pptx", "CHROMIUM_FLAGS", "chromium_flags"]

#: Flags of the headless Chromium that prints reports: no GPU, no first-run or background traffic,
#: and no network at all (every host name resolves to nothing, every request goes to a dead proxy).
#: The sandbox stays on, except where Chromium cannot run with it (as root: see :func:`chromium_flags`).
CHROMIUM_FLAGS = (
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)


def chromium_flags() -> list[str]:
    """:data:`CHROMIUM_FLAGS`, plus ``--no-sandbox`` only where Chromium refuses to start with its
    sandbox (running as root, as in containers and CI).
    """
    flags = list(CHROMIUM_FLAGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")
    return flags


@validate_params({})
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


@validate_params({"timeout": [WHOLE_NUMBER]})
def print_pdf(html: Path, pdf: Path, *, timeout: int = 120) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium (A4, no header or footer), JavaScript-free.

    What is printed is a copy of the page whose Content-Security-Policy allows no script at all
    (and from which the script elements are removed): a script or event handler that slipped
    into the page from data cannot run while printing, and figures print as their static
    images; the browser's own policy engine enforces it (a flag that switches scripts off
    altogether also stops headless printing).  Chromium runs with its sandbox where it can (not
    as root) and with no network (see :data:`CHROMIUM_FLAGS`).
    """
    from cjm_lab.reports.csp import add_content_security_policy

    browser = find_chromium()
    page = html.read_text(encoding="utf-8")
    static = re.sub(r"<script\b[^>]*>.*?</script\s*>", "", page, flags=re.IGNORECASE | re.DOTALL)
    static = add_content_security_policy(static, [])  # script-src 'none', whatever is left
    with tempfile.TemporaryDirectory(prefix="cjm-chromium-") as profile:
        copy = Path(profile) / "print.html"
        copy.write_text(static, encoding="utf-8")
        cmd = [
            browser,
            *chromium_flags(),
            f"--user-data-dir={profile}/profile",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            copy.as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)  # noqa: S603 - our own argument list, no shell
    if proc.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        raise CJMConfigError(
            f"Chromium could not print {html.name} to PDF (exit {proc.returncode}): {proc.stderr.strip()[-500:]}"
        )
    return pdf


@validate_params({})
def build_pptx(folder: Path, *, title: str, subtitle: str = "") -> Path | None:
    """Deprecated alias of :func:`cjm_lab.reports.build_deck` (native charts and tables, takeaways, notes)."""
    import warnings

    from cjm_lab.reports.deck import build_deck

    warnings.warn("build_pptx() is deprecated; use cjm_lab.reports.build_deck().", FutureWarning, stacklevel=2)
    return build_deck(folder, title=title, subtitle=subtitle)
