"""Screenshots of every report page and every slide of runs, to look at what a client receives.

Usage (from the repository root)::

    PYTHONPATH=. .venv/bin/python tools/screenshots.py reports/ --out /tmp/shots

For each run folder under the given folders (or each run folder given): ``<run>/report.html``
as a full-page PNG (Debian's Chromium driven by playwright, 1200 px wide, network blocked) and
``<run>/report.pptx`` rendered slide by slide (LibreOffice ``soffice --convert-to pdf``, then
``pdftoppm``), plus the index page.  LibreOffice (``apt-get install libreoffice-impress``) is
too heavy for the CI tests, so this step lives here; the tests read the deck back with
python-pptx instead.  Nothing is downloaded: a missing browser or LibreOffice is reported.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def _runs(paths: list[Path]) -> list[Path]:
    out = []
    for p in paths:
        if (p / "run.json").is_file():
            out.append(p)
        else:
            out += sorted(q for q in p.iterdir() if (q / "run.json").is_file())
    return out


def pages(runs: list[Path], target: Path, extra: list[Path]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from cjm_lab.reports import find_chromium

    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.route("http*://**", lambda route: route.abort())  # offline: a page must not need the network
        for html in [r / "report.html" for r in runs if (r / "report.html").is_file()] + extra:
            page.goto(html.resolve().as_uri())
            page.wait_for_timeout(800)
            name = f"{html.parent.name}.png" if html.name == "report.html" else f"{html.stem}.png"
            page.screenshot(path=str(target / name), full_page=True)
            written.append(target / name)
        browser.close()
    return written


def slides(runs: list[Path], target: Path, dpi: int = 60) -> list[Path]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        print("LibreOffice or pdftoppm is missing: apt-get install libreoffice-impress poppler-utils", file=sys.stderr)
        return []
    written = []
    for run in runs:
        deck = run / "report.pptx"
        if not deck.is_file():
            continue
        with tempfile.TemporaryDirectory(prefix="cjm-slides-") as tmp:
            subprocess.run(
                [
                    soffice,
                    "--headless",
                    f"-env:UserInstallation=file://{tmp}/profile",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    tmp,
                    str(deck),
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
            prefix = target / f"{run.name}_slide"
            subprocess.run(
                ["pdftoppm", "-png", "-r", str(dpi), str(Path(tmp) / "report.pdf"), str(prefix)],
                check=True,
                capture_output=True,
                timeout=300,
            )
        written += sorted(target.glob(f"{run.name}_slide*.png"))
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="run folders, or folders of run folders")
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--dpi", type=int, default=60, help="resolution of the slide PNGs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    runs = _runs(args.folders)
    index = [f / "index.html" for f in args.folders if (f / "index.html").is_file()]
    shots = pages(runs, args.out, index) + slides(runs, args.out, args.dpi)
    print(f"{len(shots)} screenshots of {len(runs)} run(s) in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
