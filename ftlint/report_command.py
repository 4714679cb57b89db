"""`ftlint report PATHS`: the HTML report as a command of its own.

It is `check --output-format html` with the defaults a person opening a report wants: a file
(ftlint-report.html) rather than standard output, and exit 0 once the report is written, even
with findings (a build that must fail uses `check`). Unreadable input still exits 2.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable


def run_report(args: argparse.Namespace, check: Callable[[argparse.Namespace], int]) -> int:
    """Write the report through the check command's own path (baseline, fail-on, cache)."""
    to_stdout = args.output_file in ("-", "")
    args.output_format = "html"
    args.output_file = None if to_stdout else args.output_file
    args.statistics = False
    args.quiet = False
    args.exit_zero = True
    args.update_baseline = False
    code = check(args)
    if not to_stdout:
        print(f"ftlint: wrote the HTML report to {args.output_file}", file=sys.stderr)
    return code
