"""`make bench`: run every benchmark in turn and print its figures (nothing is asserted)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = (
    "bench_sandbox.py", "bench_broadcast.py", "bench_pledges.py", "bench_webhook.py",
    "bench_replicas.py", "bench_totals.py", "bench_reminders.py",
    "bench_mixed.py",
)


def main() -> int:
    """Run the benchmarks that exist, one after the other, on this machine."""
    scripts = [HERE / name for name in ORDER if (HERE / name).exists()]
    failures = 0
    for script in scripts:
        print(f"== {script.name}", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
        print(
            f"== {script.name}: exit {result.returncode}, {time.monotonic() - started:.0f} s",
            flush=True,
        )
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
