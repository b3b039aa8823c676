"""``uscipy tracker``: run the tracker and print or write its report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FORMATS = ("table", "markdown", "json", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from .._api.rules import MODULES

    parser.add_argument("--module", action="append", choices=MODULES, help="only this SciPy module (repeatable)")
    parser.add_argument("--group", action="append", help="only this group of SciPy's documentation, e.g. Filters")
    parser.add_argument("--backend", action="append", help="only this backend (repeatable); default: all built in")
    parser.add_argument("--function", action="append", help="only this function, e.g. gaussian_filter or fft.fft")
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument("-o", "--output", type=Path, help="write the report to this file")
    parser.add_argument("--jobs", type=int, default=1, help="functions checked in parallel")
    parser.add_argument("--no-timing", action="store_true", help="skip timing against SciPy")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .._api.table import API
    from . import formats, html
    from .run import track

    console = Console(stderr=args.format != "table" and args.output is None)
    total = sum(len(API[m]) for m in (args.module or API))
    with Progress(TextColumn("[bold]tracking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=console, transient=True) as progress:
        task = progress.add_task("", total=total)

        def advance(row):
            progress.update(task, advance=1, description=f"{row.module}.{row.name}")

        rows, chosen = track(args.module, args.backend, args.function, args.group, args.jobs,
                             not args.no_timing, advance)
    text = {
        "markdown": lambda: formats.markdown(rows, chosen),
        "json": lambda: formats.json_text(rows, chosen),
        "html": lambda: html.render(rows, chosen),
    }
    if args.format == "table":
        formats.print_table(rows, chosen, console)
        if args.output:
            args.output.write_text(formats.markdown(rows, chosen))
        return 0
    report = text[args.format]()
    if args.output:
        args.output.write_text(report)
        console.print(f"wrote {args.output} ({len(rows)} functions x {len(chosen)} backends)")
    else:
        sys.stdout.write(report)
    return 0
