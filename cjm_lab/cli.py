"""The ``cjm-lab`` command: reports, their parameters, and sample data.

Examples (from a shell)::

    cjm-lab --version
    cjm-lab report list
    cjm-lab report show cx_overview
    cjm-lab report cx_overview -p language=de --label DACH --pdf
    cjm-lab report new nps_monthly --from survey_nps      # notebooks/nps_monthly.ipynb, yours to edit
    cjm-lab report nps_monthly -p survey_path=data/march.csv
    cjm-lab report cx_overview --each language=en,de
    cjm-lab report survey_nps --pptx-template corporate.pptx
    cjm-lab index --out reports
    cjm-lab sample --customers 100000 --out data/generated
    cjm-lab inspect data/real/mobiles_feedback_survey.sav --write-config mobiles.yaml
    cjm-lab --log-level info report all --quiet

Results (run folders, written files) go to standard output, one per line; messages go to standard
error through :mod:`logging` (``--log-level``), and progress bars only to a terminal (``--quiet``
turns them off). A new subcommand is one ``_add_<name>(sub)`` function listed in ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from cjm_lab.errors import CJMConfigError, CJMError

__all__ = ["main", "build_parser"]

log = logging.getLogger("cjm_lab")


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
    """The reports (the user's folders first, then the shipped ones) with their titles and parameters."""
    from cjm_lab.reports.notebooks import PACKAGE_NOTEBOOKS, list_reports, report_parameters, report_title

    notebooks = getattr(args, "notebooks", None)
    found = list_reports(notebooks, paths=True)
    if not found:
        print("No reports found.")
        return 0
    width = max(len(n) for n in found)
    for name, path in found.items():
        where = "cjm-lab" if path.parent == PACKAGE_NOTEBOOKS else _shown_path(path)
        print(f"{name:<{width}}  {report_title(path)}  [{where}]")
        names = report_parameters(name, notebooks)["name"]
        print(" " * (width + 2) + "parameters: " + ", ".join(n for n in names if n != "output_dir"))
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    """One report: its title, where it lives, its parameters with types, defaults and help."""
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
    """A report of one's own: a copy of the template or of a report, in notebooks/ (or --to)."""
    from cjm_lab.reports import new_report

    path = new_report(args.name, source=args.source, to=args.to, notebooks=args.notebooks)
    shown = _shown_path(path)
    print(shown)
    found_by_itself = Path(args.to).resolve() == (Path.cwd() / "notebooks").resolve()
    log.info(
        "next: edit it in JupyterLab (jupyter lab %s), run it (cjm-lab report %s%s), schedule it "
        "(cron: cd <this folder> && cjm-lab report %s --quiet)",
        shown,
        args.name,
        "" if found_by_itself else f" --notebooks {args.to}",
        args.name,
    )
    return 0


#: `cjm-lab report ACTION`: the words that are commands, never report names.
_REPORT_ACTIONS = {"list": _cmd_list, "show": _cmd_params, "new": _cmd_new}


def _cmd_report_or_action(args: argparse.Namespace) -> int:
    """`cjm-lab report NAME` runs a report; `report list`, `report show NAME`, `report new NAME` act on them."""
    action = _REPORT_ACTIONS.get(args.name)
    if action is None:
        if args.target is not None:
            raise CJMConfigError(
                f"`cjm-lab report {args.name}` takes no second name ({args.target!r}). Fix: set parameters with "
                "-p KEY=VALUE; `cjm-lab report show NAME` lists them."
            )
        return _cmd_report(args)
    if args.name == "list":
        if args.target is not None:
            raise CJMConfigError(f"`cjm-lab report list` takes no name, got {args.target!r}.")
        return action(args)
    if args.target is None:
        raise CJMConfigError(
            f"`cjm-lab report {args.name}` needs a report name, e.g. `cjm-lab report {args.name} "
            f"{'nps_monthly' if args.name == 'new' else 'cx_overview'}`."
        )
    return action(argparse.Namespace(**{**vars(args), "name": args.target}))


def _cmd_report(args: argparse.Namespace) -> int:
    from cjm_lab._progress import track
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
        "pptx_template": args.pptx_template,
    }
    runs = _batch_runs(args)
    failed = 0
    written: list[Any] = []
    for name in track(
        names, total=len(names), desc="Reports", unit="report", progress=None if len(names) > 1 else False
    ):
        if runs is None:
            log.info("running %s", name)
            result = run_report(name, params, label=args.label, **options)
            print(result.folder)
            _warn_index(result)
            written.append(result)
            continue
        for item in run_batch(name, runs, parameters=params, **options):
            if isinstance(item, ReportError):
                failed += 1
                log.error("%s", item)
            else:
                print(item.folder)
                _warn_index(item)
                written.append(item)
    if len(written) > 1 or (written and args.name == "all"):
        _print_summary(written, Path(args.out))
    return 1 if failed else 0


def _print_summary(results: Sequence[Any], out: Path) -> None:
    """A short table of the runs written and the file to open for each (after several runs)."""
    rows = [
        (
            str(r.record.get("report", r.folder.name)),
            f"{float(r.record.get('duration_s', 0.0)):.0f} s",
            _shown_path(r.html),
        )
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(("report", "time", "open"))]
    line = "  {:<{}}  {:>{}}  {}"
    print()
    print(f"{len(rows)} report(s) written; open the HTML files in a browser:")
    print(line.format("report", widths[0], "time", widths[1], "open"))
    for report, seconds, path in rows:
        print(line.format(report, widths[0], seconds, widths[1], path))
    index = out / "index.html"
    if index.exists():
        print(f"  all runs: {_shown_path(index)}")


def _shown_path(path: Path) -> str:
    """A path relative to the working folder when it lies inside it (shorter to read and to copy)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _warn_index(result: Any) -> None:
    """A finished run whose index could not be rebuilt: exit 0 (the run is complete; a retry would
    duplicate it), a warning, and run.json says the same.
    """
    if getattr(result, "index_error", None):
        log.warning(
            "the run finished in %s, but index.html was not rebuilt: %s Run `cjm-lab index --out %s` once the "
            "cause is fixed.",
            result.folder,
            result.index_error,
            result.folder.parent,
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
        random_state=args.seed,
        format=args.format,
        chunk_customers=args.chunk_customers or DEFAULT_CHUNK,
        survey_responses=args.survey_responses,
    )
    for path in written.values():
        print(path)
    log.info("wrote %d files of %s customers (seed %s) to %s", len(written), args.customers, args.seed, args.out)
    return 0


_INSPECT_HEADERS = {
    "en": {
        "column": "column",
        "label": "label",
        "type": "type",
        "measure": "measure",
        "value_labels": "value labels",
        "missing_codes": "missing",
        "dont_know": "don't know (undeclared)",
        "multiple_response": "MR set",
        "roles": "roles",
        "scale": "scale",
    },
    "de": {
        "column": "Spalte",
        "label": "Beschriftung",
        "type": "Typ",
        "measure": "Messniveau",
        "value_labels": "Wertelabels",
        "missing_codes": "fehlend",
        "dont_know": "weiß nicht (nicht deklariert)",
        "multiple_response": "Mehrfachnennung",
        "roles": "Rollen",
        "scale": "Skala",
    },
}


def _clip(text: object, width: int) -> str:
    value = "" if text is None else str(text)
    return value if len(value) <= width else value[: width - 1] + "…"


def _cmd_inspect(args: argparse.Namespace) -> int:
    from cjm_lab.io.inspect import inspect_file, write_config

    table = inspect_file(
        args.file, codebook=args.codebook, sheet=args.sheet, encoding=args.encoding, delimiter=args.delimiter
    )
    info = table.attrs.get("inspect", {})
    heads = _INSPECT_HEADERS[args.language]
    de = args.language == "de"
    print(
        f"{info.get('source')}: {info.get('rows')} {'Zeilen' if de else 'rows'} × {info.get('columns')} "
        f"{'Variablen' if de else 'variables'} ({info.get('format')})"
    )
    sets = info.get("multiple_response_sets") or {}
    if sets:
        print(
            ("Mehrfachnennungen: " if de else "Multiple-response sets: ")
            + "; ".join(
                f"{name} ({spec['kind']}, {len(spec['variables'])} {'Spalten' if de else 'columns'}: {spec['label']})"
                for name, spec in sets.items()
            )
        )
    shown = table[list(heads)].copy()
    widths = {"label": 38, "value_labels": 34, "dont_know": 26, "missing_codes": 10, "roles": 22}
    for col, width in widths.items():
        shown[col] = [_clip(v, width) for v in shown[col]]
    shown.columns = [heads[c] for c in heads]
    print(shown.to_string(index=False, max_colwidth=40))
    roles: dict[str, list[str]] = {}
    for row in table.itertuples():
        for role in filter(None, row.roles.split(", ")):
            roles.setdefault(role, []).append(row.column)
    if roles:
        print(
            ("Mögliche Rollen: " if de else "Candidate roles: ")
            + "; ".join(f"{role}: {', '.join(cols[:6])}{' …' if len(cols) > 6 else ''}" for role, cols in roles.items())
        )
    if args.write_config:
        path = write_config(table, args.write_config)
        print(("Entwurf geschrieben: " if de else "Draft written: ") + str(path))
    return 0


_NOTEBOOKS_HELP = (
    "a folder of your own report notebooks (repeatable); $CJM_LAB_NOTEBOOKS and ./notebooks are searched too, "
    "then the reports shipped with cjm-lab"
)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keep the examples' line breaks."""


def _subcommand(sub: Any, name: str, *, help: str, examples: str) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with examples (every subcommand has some)."""
    return sub.add_parser(
        name,
        help=help,
        description=help[:1].upper() + help[1:] + ".",
        epilog="examples:\n" + "\n".join(f"  {line}" for line in examples.strip().splitlines()),
        formatter_class=_Formatter,
    )


def _add_list(sub: Any) -> None:
    p = _subcommand(sub, "list", help="list the report notebooks (as `cjm-lab report list`)", examples="cjm-lab list")
    p.add_argument("--notebooks", action="append", metavar="DIR", help=_NOTEBOOKS_HELP)
    p.set_defaults(func=_cmd_list)


def _add_params(sub: Any) -> None:
    p = _subcommand(
        sub,
        "params",
        help="show a report's parameters with types, defaults and help (as `cjm-lab report show NAME`)",
        examples="cjm-lab params cx_overview",
    )
    p.add_argument("name", help="report name (see cjm-lab list)")
    p.add_argument("--notebooks", action="append", metavar="DIR", help=_NOTEBOOKS_HELP)
    p.set_defaults(func=_cmd_params)


def _add_report(sub: Any) -> None:
    p = _subcommand(
        sub,
        "report",
        help="run a report (or all) into a new folder under --out; `report list`, `report show NAME` and "
        "`report new NAME [--from REPORT]` list, describe and start reports",
        examples="""
cjm-lab report cx_overview
cjm-lab report cx_overview -p language=de --label DACH --pdf
cjm-lab report survey_nps --config configs/survey_nps_mobiles.yaml
cjm-lab report cx_overview --each language=en,de
cjm-lab report all --out reports --quiet
cjm-lab report list
cjm-lab report show cx_overview
cjm-lab report new nps_monthly --from survey_nps
cjm-lab report nps_monthly --notebooks ~/team-reports
""",
    )
    p.add_argument("name", help="report name, or 'all', or one of: list, show, new")
    p.add_argument("target", nargs="?", help="with show and new: the report's name")
    p.add_argument("--notebooks", action="append", metavar="DIR", help=_NOTEBOOKS_HELP)
    p.add_argument(
        "--from", dest="source", metavar="REPORT", help="with new: the report to copy (default: the template)"
    )
    p.add_argument("--to", default="notebooks", metavar="DIR", help="with new: where to write it (default: notebooks)")
    p.add_argument("-p", "--param", action="append", metavar="KEY=VALUE", help="set a parameter (repeatable)")
    p.add_argument("--config", help="YAML file of parameters (-p values win)")
    p.add_argument("--out", default="reports", help="folder for run folders (default: reports)")
    p.add_argument("--label", help="suffix of the run folder, e.g. a market")
    p.add_argument("--timeout", type=int, default=600, help="seconds a cell may run (default 600)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--pdf", action="store_true", help="also print the HTML to PDF with a local Chromium")
    p.add_argument(
        "--pptx-template",
        metavar="FILE.pptx",
        help="a corporate PowerPoint template whose layouts and theme colours the deck uses",
    )
    p.add_argument(
        "--min-group-size",
        type=int,
        default=None,
        help="hide groups smaller than this in report tables (default $CJM_LAB_MIN_GROUP_SIZE, else 5); "
        "the pseudonym salt comes from $CJM_LAB_SALT or $CJM_LAB_SALT_FILE",
    )
    p.add_argument("--batch", help="YAML file: {label: {parameters}} — one run per label, fresh kernel each")
    p.add_argument("--each", metavar="KEY=V1,V2", help="one run per value of a parameter, labelled by the value")
    p.set_defaults(func=_cmd_report_or_action)


def _add_sample(sub: Any) -> None:
    p = _subcommand(
        sub,
        "sample",
        help="generate sample data with planted truth",
        examples="""
cjm-lab sample --out data/generated
cjm-lab sample --customers 100000 --seed 7 --format parquet --out data/big
""",
    )
    p.add_argument("--customers", type=int, default=5000, help="number of customers (default 5000)")
    p.add_argument("--seed", type=int, default=42, help="random seed: the same seed gives the same data (default 42)")
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


def _add_index(sub: Any) -> None:
    p = _subcommand(
        sub,
        "index",
        help="rebuild index.html of a report folder from its run folders",
        examples="cjm-lab index --out reports",
    )
    p.add_argument("--out", default="reports", help="the report folder (default: reports)")
    p.set_defaults(func=_cmd_index)


def _add_inspect(sub: Any) -> None:
    p = _subcommand(
        sub,
        "inspect",
        help="list the variables of a .sav/.csv/.xlsx file (labels, measure levels, missing and don't-know "
        "codes, multiple-response sets, candidate roles) and draft the column mapping",
        examples="""
cjm-lab inspect data/real/mobiles_feedback_survey.sav
cjm-lab inspect data/real/mobiles_feedback_survey.sav --write-config mobiles.yaml --language de
""",
    )
    p.add_argument("file", help="the data file (read-only)")
    p.add_argument(
        "--write-config",
        metavar="OUT.yaml",
        help="draft the YAML mapping load_survey and the reports take (a new file; never overwritten)",
    )
    p.add_argument("--language", choices=["en", "de"], default="en", help="language of the table's headings")
    p.add_argument(
        "--codebook",
        metavar="BOOK.yaml",
        help="labels and measure levels of a CSV/Excel file (YAML or CSV codebook); the draft names it",
    )
    p.add_argument("--sheet", help="Excel sheet (default: the first)")
    p.add_argument("--encoding", help="CSV encoding (default: guessed)")
    p.add_argument("--delimiter", help="CSV delimiter (default: guessed)")
    p.set_defaults(func=_cmd_inspect)


#: The subcommands, in the order --help lists them; a new one is a function that adds its parser.
SUBCOMMANDS = [_add_list, _add_params, _add_report, _add_index, _add_sample, _add_inspect]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``cjm-lab`` (exposed for tests and documentation)."""
    from cjm_lab import __version__

    parser = argparse.ArgumentParser(
        prog="cjm-lab",
        description="Customer Journey Management workbench: reports, their parameters, sample data.",
        epilog="examples:\n  cjm-lab list\n  cjm-lab report all --out reports\n  cjm-lab report cx_overview --help",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"cjm-lab {__version__}")
    parser.add_argument(
        "--log-level",
        default="warning",
        type=str.lower,
        choices=["debug", "info", "warning", "error"],
        help="messages shown on standard error (default: warning)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", dest="quiet_all", help="no progress bars")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(sub)
    return parser


class _LevelFormatter(logging.Formatter):
    """``cjm-lab: error: …`` like argparse's own messages; a library's messages name the library."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)
        record.levelname = record.levelname.lower()
        if not record.name.startswith("cjm_lab"):  # a library's message says whose it is
            record.msg, record.args = f"[{record.name}] {record.getMessage()}", None
        return super().format(record)


def _configure_logging(level: str) -> None:
    """Messages of cjm-lab and the libraries it drives on standard error, at ``level``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LevelFormatter("cjm-lab: %(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level.upper()))


def _terminate(signum: int, _frame: Any) -> None:
    """SIGTERM (cron timeouts, systemd stop) unwinds like Ctrl-C: a run in progress is moved
    to <out>/_failed/ and no folder is left under a final name; a run that already has its final
    folder stays there (the message says which).
    """
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cjm-lab`` command; returns the exit code."""
    import signal

    from cjm_lab._progress import ENV_PROGRESS

    args = build_parser().parse_args(argv)
    _configure_logging(args.log_level)
    if args.quiet_all or getattr(args, "quiet", False):
        os.environ[ENV_PROGRESS] = "0"
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(args.func(args))
    except CJMError as err:
        log.error("%s", err)
        return 1
    except OSError as err:  # a disk or permission problem outside the runner's own checks
        where = f" {err.filename}" if err.filename else ""
        log.error(
            "cannot read or write%s: %s. Fix: check that the path exists, that you may write there and that the "
            "disk is not full or read-only.",
            where,
            err.strerror or err,
        )
        return 1
    except KeyboardInterrupt as err:
        from cjm_lab.reports.runner import RunInterrupted

        if isinstance(err, RunInterrupted):
            log.error("%s", err)
            return 0 if err.finished else 130
        log.error("interrupted (%s); no run was finished", err or "Ctrl-C")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
