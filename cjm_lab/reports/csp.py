"""A Content-Security-Policy for report pages: only the page's own scripts run.

Data strings are escaped before they reach a page (:mod:`cjm_lab.untrusted`); the policy is the
second wall, so that even a missed escape cannot run.  It is one post-processing step of the HTML
export (:func:`add_content_security_policy`), so it composes with any template:

* a script runs only if its exact text is one the page may hold: a script of the HTML template
  itself, or one inside an output the package marked as its own (:func:`trusted_html`, e.g. a
  plotly figure); each is allowed by its SHA-256 hash.  A ``<script>`` from data, an
  ``onerror=`` handler or a ``javascript:`` link is blocked by the browser;
* nothing is loaded from anywhere (``default-src 'none'``): images and fonts only as ``data:``
  URIs, no frames, objects, forms or connections; styles inline (the template's own).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable
from typing import Any

from cjm_lab._params import validate_params

__all__ = ["TRUSTED_KEY", "TrustedHTML", "trusted_html", "script_texts", "add_content_security_policy", "policy"]

#: The output metadata that marks an HTML output as the package's own (its scripts may run).
TRUSTED_KEY = "cjm_lab_trusted_scripts"

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)


class TrustedHTML:
    """HTML the package wrote itself (a plotly figure), shown with its scripts allowed to run.

    Display it with ``display(trusted_html(fig.to_html(...)))``; the output is marked in the
    notebook, and the HTML export allows exactly its scripts.  Never wrap text from data.
    """

    def __init__(self, markup: str) -> None:
        if not isinstance(markup, str):
            from cjm_lab.errors import CJMConfigError

            raise CJMConfigError(f"trusted_html() takes the HTML text, got {type(markup).__name__}.")
        self.markup = markup

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        return {"text/html": self.markup}, {TRUSTED_KEY: True}


@validate_params({})
def trusted_html(markup: str) -> TrustedHTML:
    """Mark HTML the package produced (a plotly figure's ``to_html``) so its scripts may run.

    Examples
    --------
    >>> trusted_html("<div>figure</div>")._repr_mimebundle_()[1]
    {'cjm_lab_trusted_scripts': True}
    """
    return TrustedHTML(markup)


def script_texts(markup: str) -> list[str]:
    """The text of every inline ``<script>`` element in ``markup`` (scripts with ``src`` give ``""``).

    Examples
    --------
    >>> script_texts('<p>x</p><script>alert(1)</script><script type="x">y</script>')
    ['alert(1)', 'y']
    """
    return [body for _, body in _SCRIPT.findall(markup)]


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def policy(script_hashes: Iterable[str]) -> str:
    """The policy text: scripts by hash only, nothing loaded from anywhere.

    Examples
    --------
    >>> policy([]).split("; ")[:2]
    ["default-src 'none'", "script-src 'none'"]
    """
    hashes = sorted(set(script_hashes))
    scripts = " ".join(hashes) if hashes else "'none'"
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {scripts}",
            "style-src 'unsafe-inline' data:",
            "img-src data:",
            "font-src data:",
            "connect-src 'none'",
            "frame-src 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def add_content_security_policy(page: str, allowed_scripts: Iterable[str]) -> str:
    """Put a Content-Security-Policy ``<meta>`` first into the page's ``<head>``.

    Parameters
    ----------
    page : str
        The whole HTML page.
    allowed_scripts : iterable of str
        The texts of the scripts that may run (the template's, the trusted outputs'); a script
        of the page whose text is not among them is blocked.

    Returns
    -------
    str
        The page with the policy.  Any ``<meta http-equiv="Content-Security-Policy">`` that was
        in the page (from data, say) is removed first, so it cannot loosen the policy.

    Examples
    --------
    >>> out = add_content_security_policy("<html><head></head><body><script>ok()</script>"
    ...                                   "<script>evil()</script></body></html>", ["ok()"])
    >>> out.count("sha256-") == 1  # one hash: only ok() may run
    True
    """
    allowed = set(allowed_scripts)
    hashes = {_hash(body) for body in script_texts(page) if body in allowed}
    page = re.sub(r"<meta\b[^>]*http-equiv\s*=\s*[\"']?content-security-policy[^>]*>", "", page, flags=re.IGNORECASE)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy(hashes), quote=True)}">'
    match = re.search(r"<head\b[^>]*>", page, flags=re.IGNORECASE)
    if match:
        return page[: match.end()] + meta + page[match.end() :]
    return meta + page
