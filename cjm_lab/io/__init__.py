"""Load and validate the four tables of cjm-lab: events, touchpoints, survey, customers.

See :mod:`cjm_lab.io.contracts` for the loaders and :mod:`cjm_lab.io.readers` for the
file formats.  Nothing here ever writes to an input file.
"""

from cjm_lab.errors import CJMConfigError, CJMDataError
from cjm_lab.io.contracts import (
    ROLES,
    describe_tables,
    load_customers,
    load_events,
    load_survey,
    load_touchpoints,
    parse_timestamps,
    table_metadata,
)
from cjm_lab.io.inspect import draft_config, inspect_file
from cjm_lab.io.metadata import carry_metadata, column_metadata, multiple_response_sets
from cjm_lab.io.missing import DONT_KNOW_PHRASES, detect_missing
from cjm_lab.io.multi import MultipleResponse, multiple_response, selected
from cjm_lab.io.readers import TableMeta, decide_encoding, read_table, sniff_csv
from cjm_lab.io.reshape import events_from_milestones
from cjm_lab.io.spss import write_sav
from cjm_lab.io.xes import read_xes, write_xes

__all__ = [
    "CJMDataError",
    "CJMConfigError",
    "ROLES",
    "load_events",
    "load_touchpoints",
    "load_survey",
    "load_customers",
    "table_metadata",
    "column_metadata",
    "carry_metadata",
    "multiple_response_sets",
    "multiple_response",
    "MultipleResponse",
    "selected",
    "detect_missing",
    "inspect_file",
    "draft_config",
    "DONT_KNOW_PHRASES",
    "describe_tables",
    "parse_timestamps",
    "read_table",
    "sniff_csv",
    "decide_encoding",
    "TableMeta",
    "write_sav",
    "read_xes",
    "write_xes",
    "events_from_milestones",
]
