"""Hypothesis profiles for the property suite.

``ci`` (default): a small, derandomised example budget so the suite stays within a few
minutes on two cores and fails the same way every time.  ``long``: many random examples
for a soak run.  Choose with ``CJM_HYPOTHESIS_PROFILE=long``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "ci", max_examples=12, deadline=None, derandomize=True, print_blob=True, suppress_health_check=_SLOW_OK
)
settings.register_profile(
    "long", max_examples=300, deadline=None, derandomize=False, print_blob=True, suppress_health_check=_SLOW_OK
)
settings.register_profile("dev", max_examples=40, deadline=None, suppress_health_check=_SLOW_OK)
settings.load_profile(os.environ.get("CJM_HYPOTHESIS_PROFILE", "ci"))
