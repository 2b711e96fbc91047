"""Write the package's 16:9 PowerPoint template, cjm_lab/reports/templates/deck.pptx.

Run: PYTHONPATH=. .venv/bin/python tools/make_deck_template.py — the layouts and theme colours are
made by cjm_lab.reports.deck.make_template (tested there); the file is shipped as package data.
"""

from __future__ import annotations

from pathlib import Path

from cjm_lab.reports.deck import make_template

if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "cjm_lab" / "reports" / "templates" / "deck.pptx"
    print(make_template(target))
