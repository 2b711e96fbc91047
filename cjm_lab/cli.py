"""The ``cjm-lab`` command: reports, their parameters, and sample data.

Examples (from a shell)::

    cjm-lab list
    cjm-lab params cx_overview
    cjm-lab report cx_overview -p language=de --label DACH
    cjm-lab sample --customers 100000 --out data/generated
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from cjm_lab.errors import CJMConfigError, CJMError

__all__ = ["main"]


def _parse_pairs(pairs: Sequence[str]) -> dict[str, Any]:
    from cjm_lab.reports.notebooks import parse_cli_value

    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise CJMConfigError(f"-p takes key=value, got {pair!r}.")
        key, value = pair.split("=", 1)
        out[key.strip()] = parse_cli_value(value) if value.strip() else ""
    return out


def _cmd_list(_: argparse.Namespace) -> int:
    from cjm_lab.reports import list_reports

    for name in list_reports():
        print(name)
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    from cjm_lab.reports import report_parameters

    table = report_parameters(args.name)
    for row in table.itertuples(index=False):
        print(f"{row.name}: {row.type} = {row.default!r}\n    {row.help}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from cjm_lab.reports import list_reports, run_report

    params: dict[str, Any] = {}
    if args.config:
        with open(args.config, encoding="utf-8") as fh:
            loaded = yaml.safe_load(fh) or {}
        if not isinstance(loaded, dict):
            raise CJMConfigError(f"{args.config} must hold a mapping of parameter: value.")
        params.update(loaded)
    params.update(_parse_pairs(args.param or []))
    names = list_reports() if args.name == "all" else [args.name]
    for name in names:
        result = run_report(
            name, params, out=args.out, label=args.label, timeout=args.timeout, progress=not args.quiet
        )
        print(result.folder)
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from cjm_lab.sample import write_sample

    written = write_sample(
        Path(args.out), customers=args.customers, seed=args.seed, format=args.format
    )
    for path in written.values():
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``cjm-lab`` (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(prog="cjm-lab", description="Customer Journey Management workbench.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="list the report notebooks")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("params", help="show a report's parameters with types, defaults and help")
    p.add_argument("name")
    p.set_defaults(func=_cmd_params)

    p = sub.add_parser("report", help="run a report (or all) into a new folder under --out")
    p.add_argument("name", help="report name, or 'all'")
    p.add_argument("-p", "--param", action="append", metavar="KEY=VALUE", help="set a parameter (repeatable)")
    p.add_argument("--config", help="YAML file of parameters (-p values win)")
    p.add_argument("--out", default="reports", help="folder for run folders (default: reports)")
    p.add_argument("--label", help="suffix of the run folder, e.g. a market")
    p.add_argument("--timeout", type=int, default=600, help="seconds a cell may run (default 600)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("sample", help="generate sample data with planted truth")
    p.add_argument("--customers", type=int, default=5000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", required=True, help="a new or empty folder")
    p.add_argument("--format", choices=["csv", "parquet"], default="csv")
    p.set_defaults(func=_cmd_sample)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cjm-lab`` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CJMError as err:
        print(f"cjm-lab: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
