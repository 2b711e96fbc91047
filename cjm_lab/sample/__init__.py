"""A fictional company with planted ground truth: the *Nordlicht Home* sample.

Nordlicht Home is a German retailer of home electronics that sells online, in
its app, in stores and by phone.  :func:`make_sample` generates its four tables
(customers, touchpoint catalogue, events, two-wave NPS survey) from five hidden
personas, persona-specific Markov journeys and a driver model, and writes down
what it planted (personas, pain points, driver effects and Shapley shares, data
quality problems) so that every analysis in cjm-lab can be checked against the
truth.  :func:`write_sample` writes the same data to CSV or Parquet, streaming
the events chunk by chunk. :func:`sample_path` names a file of the bundled sample (5,000
customers, seed 42) that the reports run on by default.

Examples
--------
>>> from cjm_lab.sample import make_sample
>>> data = make_sample(300, random_state=1)
>>> data.truth["driver_order"][:2]
['sat_delivery', 'sat_service']
"""

from __future__ import annotations

from cjm_lab.sample.bundled import SAMPLE_DIR, sample_path
from cjm_lab.sample.catalogue import touchpoint_catalogue
from cjm_lab.sample.generator import SampleData, make_sample
from cjm_lab.sample.writer import write_sample

__all__ = ["SampleData", "make_sample", "write_sample", "touchpoint_catalogue", "sample_path", "SAMPLE_DIR"]
