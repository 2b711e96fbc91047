"""Report pages run only their own scripts, and the PDF is printed from a script-free copy.

One small report, run once through the real runner with a real kernel and a real Chromium: it shows
a missed escape (raw HTML with a script and an ``onerror`` handler), escaped hostile text, and a
trusted output (the package's own script, as a plotly figure would bring).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from cjm_lab.reports import csp, find_chromium, run_report
from cjm_lab.reports.exports import chromium_flags

pytestmark = [pytest.mark.notebook, pytest.mark.browser]

BODY = r"""
from IPython.display import HTML, Markdown, display
from cjm_lab.reports import trusted_html
from cjm_lab.untrusted import format_markdown
display(HTML('<script>document.title = "pwned-script"</script>'))  # a missed escape
display(Markdown('<img src="x" onerror="document.title = &quot;pwned-onerror&quot;">[click](javascript:alert(1))'))
display(Markdown(format_markdown("Segment **{s}** has NPS {n}", s='<script>alert("x")</script> =1+1', n=12)))
display(trusted_html('<div id="fig">Figure</div><script>document.title = "trusted-ran"</script>'))
"""


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style", "title")
        attrs = dict(attrs)
        if tag == "img" and not str(attrs.get("src", "")).startswith("data:"):
            self.parts.append(attrs.get("alt") or "")  # a picture that cannot load shows its alt text

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style", "title")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@pytest.fixture(scope="module")
def run():
    folder = Path(tempfile.mkdtemp(prefix="cjm-pages-"))
    params = new_code_cell('output_dir: str = ""  # help: set by the runner')
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell(BODY)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (folder / "notebooks").mkdir()
    nbformat.write(nb, folder / "notebooks" / "page.ipynb")
    return run_report("page", out=folder / "reports", notebooks=folder / "notebooks", pdf=True, progress=False)


def test_the_page_carries_a_policy_that_allows_only_its_own_scripts(run):
    page = run.html.read_text(encoding="utf-8")
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert meta and page.index(meta.group(0)) < page.index("<script")  # before any script
    policy = meta.group(1).replace("&#x27;", "'")
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    allowed = set(re.findall(r"'(sha256-[^']+)'", policy))
    scripts = csp.script_texts(page)
    by_hash = {csp._hash(s).strip("'"): s for s in scripts}
    assert 'document.title = "trusted-ran"' in [by_hash[h] for h in allowed if h in by_hash]
    assert not [s for s in scripts if "pwned" in s and csp._hash(s).strip("'") in allowed]
    assert "&lt;script&gt;alert" in page  # the escaped text is text


def test_a_real_browser_runs_the_trusted_script_and_nothing_else(run):
    with tempfile.TemporaryDirectory() as profile:
        flags = [f for f in chromium_flags() if not f.startswith("--blink-settings")]  # scripts on here
        proc = subprocess.run(
            [find_chromium(), *flags, f"--user-data-dir={profile}", "--dump-dom", run.html.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
    title = re.search(r"<title>(.*?)</title>", proc.stdout, re.DOTALL).group(1)
    assert title == "trusted-ran", title


def test_the_pdf_text_equals_the_html_text(run):
    # poppler's pdftotext (Debian's poppler-utils, installed with chromium by .ci/run)
    text = subprocess.run(
        ["pdftotext", "-layout", str(run.folder / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    parser = _Text()
    parser.feed(run.html.read_text(encoding="utf-8"))
    assert "".join(_words(" ".join(parser.parts))) == "".join(_words(text))
    assert "pwned" not in text and '<script>alert("x")</script> =1+1' in text.replace("\n", " ")
