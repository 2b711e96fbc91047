"""cjm-lab: a Jupyter research workbench for Customer Journey Management.

Subpackages: :mod:`cjm_lab.io` (load and validate the four tables),
:mod:`cjm_lab.sample` (a fictional company with planted truth).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from cjm_lab.errors import CJMConfigError, CJMDataError, CJMError

try:
    __version__ = version("cjm-lab")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["CJMError", "CJMDataError", "CJMConfigError", "__version__"]
