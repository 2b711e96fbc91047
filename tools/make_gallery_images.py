"""Render the chart gallery of the documentation from the gallery report notebook.

The gallery notebook (``notebooks/gallery.ipynb``) draws every chart of cjm-lab on a
generated sample, in English and German, and saves each figure as PNG through the
report runner.  This script runs it once through that same runner (a fresh kernel,
the notebook as users run it), then writes small copies of the figures to
``docs/assets/gallery/``: at most ``--width`` pixels wide and quantised to a palette
of ``--colors`` colours (the charts use a few colours each), so that all images together
stay about 400 KB.

Run it after a chart changed and commit the images::

    PYTHONPATH=$PWD .venv/bin/python tools/make_gallery_images.py

The documentation build never runs a kernel: it only shows the committed images.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "assets" / "gallery"

#: The figures the gallery page shows: every English figure of the notebook, and the
#: German version of the journey map (the figure with the longest texts).
GERMAN = ("journey_map",)


def shrink(source: Path, target: Path, *, width: int, colors: int) -> int:
    """Write ``source`` to ``target`` at most ``width`` pixels wide, as a PNG of ``colors`` colours.

    Returns the size of the written file in bytes.
    """
    with Image.open(source) as image:
        image = image.convert("RGB")
        if image.width > width:
            height = round(image.height * width / image.width)
            image = image.resize((width, height), Image.Resampling.LANCZOS)
        image = image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        image.save(target, optimize=True)
    return target.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--width", type=int, default=900, help="largest width in pixels (default 900)")
    parser.add_argument("--colors", type=int, default=64, help="colours of the palette (default 64)")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the images (default docs/assets/gallery)")
    args = parser.parse_args(argv)

    from cjm_lab.reports import run_report

    with tempfile.TemporaryDirectory(prefix="cjm-gallery-") as tmp:
        run = run_report("gallery", {"languages": ["en", "de"]}, out=tmp, progress=False)
        figures = sorted(run.folder.glob("gallery_*.png"))
        if not figures:
            print(f"The gallery run in {run.folder} wrote no gallery_*.png figures.", file=sys.stderr)
            return 1
        args.out.mkdir(parents=True, exist_ok=True)
        for old in args.out.glob("*.png"):
            old.unlink()
        total = 0
        for figure in figures:
            stem = figure.stem.removeprefix("gallery_")
            name, _, language = stem.rpartition("_")
            if language == "en" or (language == "de" and name in GERMAN):
                size = shrink(figure, args.out / f"{stem}.png", width=args.width, colors=args.colors)
                total += size
                print(f"{stem}.png  {size / 1024:6.0f} KB")
        print(f"{total / 1024:.0f} KB in {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
