"""`scripts/soak [--seconds 60] [--seed 1] [--work DIR]`: run the soak and print its verdict."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import sys
import tempfile

from scripts._soak.checks import table
from scripts._soak.run import run
from scripts._soak.stack import spawn, stop


def main(argv: list[str]) -> int:
    """Run the soak; exit status 0 when every check passed."""
    parser = argparse.ArgumentParser(prog="scripts/soak", description=__doc__)
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="how long faults come"
    )
    parser.add_argument("--seed", type=int, default=1, help="the random sequence")
    parser.add_argument(
        "--work", type=Path, help="where the logs go (default: a temp dir)"
    )
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="voicemail-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    stack = spawn(work)
    try:
        report = asyncio.run(run(stack, seconds=args.seconds, seed=args.seed))
    finally:
        stop(stack)
    print(f"Soak: seed {report.seed}, {report.seconds:.0f} s of faults, logs in {work}")
    print()
    print("| step | times |\n|---|---|")
    for name, count in report.steps.items():
        print(f"| {name} | {count} |")
    print()
    print(table(report.checks))
    print()
    print(f"Settled {report.settle_seconds:.1f} s after the last fault.")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
