"""The ``cjm-lab`` command: reports, their parameters, and sample data.

Examples (from a shell)::

    cjm-lab report list
    cjm-lab report show cx_overview
    cjm-lab report cx_overview -p language=de --label DACH --pdf
    cjm-lab report cx_overview --each language=en,de
    cjm-lab report new nps_monthly --from survey_nps      # notebooks/nps_monthly.ipynb, yours to edit
    cjm-lab report nps_monthly -p survey_path=data/march.csv
    cjm-lab index --out reports
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


def _cmd_list(args: argparse.Namespace) -> int:
    from cjm_lab.reports.notebooks import PACKAGE_NOTEBOOKS, list_reports, report_parameters, report_title

    found = list_reports(getattr(args, "notebooks", None), paths=True)
    if not found:
        print("No reports found.")
        return 0
    width = max(len(n) for n in found)
    for name, path in found.items():
        where = "cjm-lab" if path.parent == PACKAGE_NOTEBOOKS else _shown_path(path)
        print(f"{name:<{width}}  {report_title(path)}  [{where}]")
        names = report_parameters(name, getattr(args, "notebooks", None))["name"]
        print(" " * (width + 2) + "parameters: " + ", ".join(n for n in names if n != "output_dir"))
    return 0


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _cmd_params(args: argparse.Namespace) -> int:
    from cjm_lab.reports import report_parameters
    from cjm_lab.reports.notebooks import report_path, report_title

    notebooks = getattr(args, "notebooks", None)
    path = report_path(args.name, notebooks)
    print(f"{args.name}: {report_title(path)}\n{_shown_path(path)}\n")
    table = report_parameters(args.name, notebooks)
    for row in table.itertuples(index=False):
        print(f"{row.name}: {row.type} = {row.default!r}\n    {row.help}")
    return 0


def _cmd_new(args: argparse.Namespace) -> int:
    from cjm_lab.reports import new_report

    path = new_report(args.name, source=args.source, to=args.to, notebooks=args.notebooks)
    shown = _shown_path(path)
    print(shown)
    print(
        f"Next: edit it in JupyterLab (jupyter lab {shown}), run it (cjm-lab report {args.name}"
        + ("" if Path(args.to).resolve() == (Path.cwd() / "notebooks").resolve() else f" --notebooks {args.to}")
        + "), schedule it (cron: cd <this folder> && cjm-lab report "
        + f"{args.name} --quiet)."
    )
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from cjm_lab.reports import ReportError, list_reports, run_batch, run_report

    params: dict[str, Any] = {}
    if args.config:
        params.update(_read_yaml(args.config, "a mapping of parameter: value"))
    params.update(_parse_pairs(args.param or []))
    names = list_reports(args.notebooks) if args.name == "all" else [args.name]
    options = {
        "notebooks": args.notebooks,
        "out": args.out,
        "timeout": args.timeout,
        "progress": not args.quiet,
        "pdf": args.pdf,
        "min_group_size": args.min_group_size,
    }
    runs = _batch_runs(args)
    failed = 0
    for name in names:
        if runs is None:
            result = run_report(name, params, label=args.label, **options)
            print(result.folder)
            _warn_index(result)
            continue
        for item in run_batch(name, runs, parameters=params, **options):
            if isinstance(item, ReportError):
                failed += 1
                print(f"cjm-lab: error: {item}", file=sys.stderr)
            else:
                print(item.folder)
                _warn_index(item)
    return 1 if failed else 0


def _warn_index(result: Any) -> None:
    """A finished run whose index could not be rebuilt: exit 0 (the run is complete; a retry would
    duplicate it), a warning, and run.json says the same.
    """
    if getattr(result, "index_error", None):
        print(
            f"cjm-lab: warning: the run finished in {result.folder}, but index.html was not rebuilt: "
            f"{result.index_error} Run `cjm-lab index --out {result.folder.parent}` once the cause is fixed.",
            file=sys.stderr,
        )


def _cmd_index(args: argparse.Namespace) -> int:
    from cjm_lab.reports import rebuild_index

    print(rebuild_index(args.out))
    return 0


def _read_yaml(path: str, what: str) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            loaded = yaml.safe_load(fh)
    except OSError as err:
        raise CJMConfigError(f"Cannot read {path}: {err}") from err
    except yaml.YAMLError as err:
        raise CJMConfigError(f"{path} is not valid YAML: {err}") from err
    if loaded is None:
        return {}
    if what.startswith("a mapping") and not isinstance(loaded, dict):
        raise CJMConfigError(f"{path} must hold {what}.")
    return loaded


def _batch_runs(args: argparse.Namespace) -> Any:
    if args.batch and args.each:
        raise CJMConfigError("Use either --batch or --each, not both.")
    if args.batch:
        runs = _read_yaml(args.batch, "a batch")
        if not isinstance(runs, (dict, list)):
            raise CJMConfigError(f"{args.batch} must map labels to parameters, or list {{label, parameters}}.")
        return runs
    if args.each:
        key, _, values = args.each.partition("=")
        if not key or not values:
            raise CJMConfigError(f"--each takes key=value1,value2,...; got {args.each!r}.")
        from cjm_lab.reports.notebooks import parse_cli_value

        return {v.strip(): {key.strip(): parse_cli_value(v.strip())} for v in values.split(",") if v.strip()}
    return None


def _cmd_sample(args: argparse.Namespace) -> int:
    from cjm_lab.sample import write_sample
    from cjm_lab.sample.generator import DEFAULT_CHUNK

    written = write_sample(
        Path(args.out),
        customers=args.customers,
        seed=args.seed,
        format=args.format,
        chunk_customers=args.chunk_customers or DEFAULT_CHUNK,
        survey_responses=args.survey_responses,
    )
    for path in written.values():
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``cjm-lab`` (exposed for tests and documentation)."""
    from cjm_lab import __version__

    parser = argparse.ArgumentParser(prog="cjm-lab", description="Customer Journey Management workbench.")
    parser.add_argument("--version", action="version", version=f"cjm-lab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{report,index,sample}")
    notebooks_help = (
        "a folder of your own report notebooks (repeatable); also $CJM_LAB_NOTEBOOKS and ./notebooks are searched, "
        "then the reports shipped with cjm-lab"
    )

    p = sub.add_parser("report-list", help=argparse.SUPPRESS)
    p.add_argument("--notebooks", action="append", metavar="DIR", help=notebooks_help)
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("report-show", help=argparse.SUPPRESS)
    p.add_argument("name")
    p.add_argument("--notebooks", action="append", metavar="DIR", help=notebooks_help)
    p.set_defaults(func=_cmd_params)

    p = sub.add_parser("report-new", help=argparse.SUPPRESS, description="Start a report of your own.")
    p.add_argument("name", help="the new report's name: letters, digits, _ and -")
    p.add_argument("--from", dest="source", metavar="REPORT", help="copy this report (default: the template)")
    p.add_argument("--to", default="notebooks", metavar="DIR", help="where to write it (default: notebooks)")
    p.add_argument("--notebooks", action="append", metavar="DIR", help=notebooks_help)
    p.set_defaults(func=_cmd_new)

    # the first commands, kept for scripts that use them
    p = sub.add_parser("list", help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_list)
    p = sub.add_parser("params", help=argparse.SUPPRESS)
    p.add_argument("name")
    p.set_defaults(func=_cmd_params)

    p = sub.add_parser(
        "report",
        help="run a report (or all) into a new folder under --out; report list | show NAME | new NAME",
        description="Run a report into a new folder under --out. Also: `cjm-lab report list` (the reports and "
        "their parameters), `cjm-lab report show NAME` (one report's parameters), `cjm-lab report new NAME "
        "[--from REPORT]` (a report of your own in notebooks/).",
    )
    p.add_argument("name", help="report name, or 'all'")
    p.add_argument("--notebooks", action="append", metavar="DIR", help=notebooks_help)
    p.add_argument("-p", "--param", action="append", metavar="KEY=VALUE", help="set a parameter (repeatable)")
    p.add_argument("--config", help="YAML file of parameters (-p values win)")
    p.add_argument("--out", default="reports", help="folder for run folders (default: reports)")
    p.add_argument("--label", help="suffix of the run folder, e.g. a market")
    p.add_argument("--timeout", type=int, default=600, help="seconds a cell may run (default 600)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--pdf", action="store_true", help="also print the HTML to PDF with a local Chromium")
    p.add_argument(
        "--min-group-size",
        type=int,
        default=None,
        help="hide groups smaller than this in report tables (default $CJM_LAB_MIN_GROUP_SIZE, else 5); "
        "the pseudonym salt comes from $CJM_LAB_SALT or $CJM_LAB_SALT_FILE",
    )
    p.add_argument("--batch", help="YAML file: {label: {parameters}} — one run per label, fresh kernel each")
    p.add_argument("--each", metavar="KEY=V1,V2", help="one run per value of a parameter, labelled by the value")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("index", help="rebuild index.html of a report folder from its run folders")
    p.add_argument("--out", default="reports", help="the report folder (default: reports)")
    p.set_defaults(func=_cmd_index)

    p = sub.add_parser("sample", help="generate sample data with planted truth")
    p.add_argument("--customers", type=int, default=5000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", required=True, help="a new or empty folder")
    p.add_argument(
        "--format",
        choices=["csv", "parquet"],
        default="csv",
        help="parquet writes the events as a folder of parts, one per chunk",
    )
    p.add_argument(
        "--chunk-customers",
        type=int,
        default=None,
        help="customers generated and written per chunk, i.e. per Parquet part (default 200,000); "
        "memory stays bounded by one chunk",
    )
    p.add_argument(
        "--survey-responses",
        type=int,
        default=None,
        help="expected survey answers over both waves, at most 0.7 per customer (default: about 0.5 per customer)",
    )
    p.set_defaults(func=_cmd_sample)
    return parser


def _terminate(signum: int, _frame: Any) -> None:
    """SIGTERM (cron timeouts, systemd stop) unwinds like Ctrl-C: a run in progress is moved
    to <out>/_failed/ and no folder is left under a final name; a run that already has its final
    folder stays there (the message says which).
    """
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cjm-lab`` command; returns the exit code."""
    import signal

    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) >= 2 and argv[0] == "report" and argv[1] in ("list", "show", "new"):
        argv = [f"report-{argv[1]}", *argv[2:]]
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(args.func(args))
    except CJMError as err:
        print(f"cjm-lab: error: {err}", file=sys.stderr)
        return 1
    except OSError as err:  # a disk or permission problem outside the runner's own checks
        where = f" {err.filename}" if err.filename else ""
        print(
            f"cjm-lab: error: cannot read or write{where}: {err.strerror or err}. Fix: check that the path exists, "
            "that you may write there and that the disk is not full or read-only.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt as err:
        from cjm_lab.reports.runner import RunInterrupted

        if isinstance(err, RunInterrupted):
            print(f"cjm-lab: {err}", file=sys.stderr)
            return 0 if err.finished else 130
        print(f"cjm-lab: interrupted ({err or 'Ctrl-C'}); no run was finished", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
