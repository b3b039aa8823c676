"""The ``uscipy`` command line: ``uscipy tracker`` (the compatibility tracker) and
``uscipy demo`` (SciPy dispatching through uscipy's engine)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="uscipy", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    from .tracker.cli import add_arguments

    add_arguments(commands.add_parser(
        "tracker", help="which backend implements and verifiably computes which SciPy function"))
    commands.add_parser("demo", help="show SciPy dispatching through uscipy's engine")
    args = parser.parse_args(argv)
    if args.command == "tracker":
        from .tracker.cli import run

        return run(args)
    from ._demo import run as demo

    return demo()


if __name__ == "__main__":
    sys.exit(main())
