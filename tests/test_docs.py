"""The documentation: the site builds with ``mkdocs build --strict``, every page is in the nav,
the API reference shows every public name, and the README's links resolve."""

from __future__ import annotations

import doctest
import importlib.util
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README_MAX_LINES = 350
INSTALL = 'pip install -e ".[docs]"'


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _nav_pages(nav) -> list[str]:
    pages = []
    for entry in nav:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(value, list):
            pages += _nav_pages(value)
        elif isinstance(value, str) and not value.startswith(("http://", "https://")):
            pages.append(value)
    return pages


def _config() -> dict:
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _slug(heading: str) -> str:
    """The anchor GitHub and MkDocs give a heading (lower case, punctuation dropped, spaces → -)."""
    text = re.sub(r"`|\*\*|\[|\]\([^)]*\)", "", heading.strip()).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(markdown: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", markdown.read_text(encoding="utf-8"), flags=re.DOTALL)
    return {_slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built once with ``mkdocs build --strict``, with every network request refused."""
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("mkdocstrings") is None:
        pytest.fail(f"MkDocs is not installed; the documentation tests need it: {INSTALL} (make setup does it).")
    out = tmp_path_factory.mktemp("site")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "NO_MKDOCS_2_WARNING": "1",
        # a plugin or theme that tried to download (fonts, icons, social cards) would fail here
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "http_proxy": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
        "NO_PROXY": "",
        "no_proxy": "",
    }
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = re.sub(r"\x1b\[[0-9;]*m", "", run.stdout + run.stderr)
    assert run.returncode == 0, f"mkdocs build --strict failed (run `make docs` to see it):\n{log[-6000:]}"
    return out


def test_site_builds_strict_and_offline(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Customer Journey Management" in index
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in html, f"{page} loads web fonts (theme.font must stay false)"
        assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html), f"{page} loads an asset from the web"


def test_every_page_is_in_the_nav():
    nav = _nav_pages(_config()["nav"])
    pages = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    missing = [p for p in pages if p not in nav]
    assert not missing, (
        f"Pages under docs/ that the nav of mkdocs.yml does not list: {missing}. "
        "Add each under its section (User guide, How it is measured, API reference); "
        "a commented entry in the nav may already hold its place."
    )
    absent = [p for p in nav if not (DOCS / p).is_file()]
    assert not absent, f"The nav of mkdocs.yml lists pages that do not exist: {absent}"
    assert len(nav) == len(set(nav)), "A page is listed twice in the nav of mkdocs.yml."


def test_api_reference_shows_every_public_name(site):
    hooks = _tool("mkdocs_hooks")
    pages = {p.stem: p for p in (DOCS / "reference").glob("*.md")}
    checked = 0
    for name, page in pages.items():
        markers = hooks.MARKER.findall(page.read_text(encoding="utf-8"))
        if not markers:
            continue
        html = (site / "reference" / name / "index.html").read_text(encoding="utf-8")
        # the module docstring is shown without a heading; a submodule heading would mean that a
        # public name shadowed by its module (survey.nps) was documented as the module
        assert "doc-module-name" not in html, f"reference/{name}: a module is documented instead of a public name"
        for module, _level in markers:
            for public, identifier, _alias_of in hooks.public_names(module):
                assert f'id="{identifier}"' in html, f"reference/{name}: {module}.{public} (from __all__) is missing"
                checked += 1
    subpackages = {
        p.parent.name for p in (ROOT / "cjm_lab").glob("*/__init__.py") if "__all__" in p.read_text(encoding="utf-8")
    }
    documented = {m.split(".")[1] for page in pages.values() for m, _ in hooks.MARKER.findall(page.read_text())}
    assert subpackages <= documented, f"Subpackages without an API page: {sorted(subpackages - documented)}"
    assert checked > 150


def test_sphinx_roles_become_inline_code(site):
    roles = _tool("griffe_docstrings")
    assert roles.rewrite_roles("see :func:`~cjm_lab.survey.nps` and :class:`cjm_lab.io.TableMeta`") == (
        "see `nps()` and `cjm_lab.io.TableMeta`"
    )
    assert roles.rewrite_roles(":meth:`fit` :mod:`~cjm_lab.io.contracts` :func:`the runner <run_report>`") == (
        "`fit()` `contracts` `the runner`"
    )
    assert doctest.testmod(roles).failed == 0
    html = "".join(p.read_text(encoding="utf-8") for p in (site / "reference").rglob("*.html"))
    assert not re.search(r":(func|class|mod|meth|attr|data):`", html)
    assert "<p>::</p>" not in html and "::</p>" not in html, "a reST literal marker reached the API reference"


def test_docstrings_completed_at_import_are_read_from_the_object(site):
    docs = _tool("griffe_docstrings")
    assert docs.PLACEHOLDER.search("Parameters\n----------\n    {journey_options}\n")
    assert not docs.PLACEHOLDER.search("a set {1, 2} in a sentence")
    from cjm_lab.errors import format_rows

    assert docs.runtime_docstring("cjm_lab.errors.format_rows") == inspect.cleandoc(format_rows.__doc__)
    html = "".join(p.read_text(encoding="utf-8") for p in (site / "reference").rglob("*.html"))
    assert not re.search(r"<p>\s*\{[a-z_]+\}\s*</p>", html), "a docstring placeholder reached the API reference"


def test_readme_is_short_and_its_links_resolve():
    readme = ROOT / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines; keep it at most {README_MAX_LINES} and move reference text to docs/."
    )
    for source in (readme, ROOT / "CONTRIBUTING.md"):
        text = re.sub(r"```.*?```", "", source.read_text(encoding="utf-8"), flags=re.DOTALL)
        links = re.findall(r"\]\(([^)\s]+)\)", text)
        assert source.name == "CONTRIBUTING.md" or len(links) > 20
        broken = []
        for link in links:
            if link.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = link.partition("#")
            target = (source.parent / path).resolve() if path else source
            if not target.exists():
                broken.append(link)
            elif anchor and target.suffix == ".md" and anchor not in _anchors(target):
                broken.append(link)
        assert not broken, f"Links in {source.name} that resolve to no file or heading: {broken}"


def test_gallery_images_are_small_and_shown():
    images = sorted((DOCS / "assets" / "gallery").glob("*.png"))
    assert len(images) >= 10
    total = sum(p.stat().st_size for p in images)
    assert total < 600_000, f"The gallery images take {total / 1024:.0f} KB; rerun tools/make_gallery_images.py"
    gallery = (DOCS / "gallery.md").read_text(encoding="utf-8")
    unused = [p.name for p in images if f"assets/gallery/{p.name}" not in gallery]
    assert not unused, f"Gallery images that docs/gallery.md does not show: {unused}"


def test_readme_provenance_table_is_included_in_the_docs(site):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"--8<-- \[start:provenance\] -->\n(.*?)<!-- --8<-- \[end:provenance\]", readme, re.DOTALL)
    assert section, "README.md lost the provenance markers that docs/measured/index.md includes"
    rows = [r for r in section.group(1).splitlines() if r.startswith("| ") and not r.startswith("| judgement")]
    html = (site / "measured" / "index.html").read_text(encoding="utf-8")
    assert html.count("<tr>") >= len(rows) + 1
    assert "Rocks (2016)" in html
