"""How many plausible wrong versions of the exercises the pages' own checks catch, per page: a
benchmark that prints the figure, not a test (tests/test_wrong_versions.py is the test).

Each wrong version of ``tests/wrong/*.py`` is put in place of its solution and the page runs from the
top through the last check of that function (tests/mutants.py), in a scratch folder.

    .venv/bin/python benchmarks/wrong_versions.py            # every page with wrong versions
    .venv/bin/python benchmarks/wrong_versions.py hw7q/q4     # pages whose name starts so
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from mutants import caught, run_wrong, wrong_versions  # noqa: E402


def main(prefixes: list[str]) -> int:
    chosen = [w for w in wrong_versions() if not prefixes or w.page.startswith(tuple(prefixes))]
    if not chosen:
        print("no wrong versions match", " ".join(prefixes))
        return 2
    tally, missed = defaultdict(lambda: [0, 0, 0.0]), []
    for wrong in chosen:
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            error = run_wrong(wrong, Path(folder))
            seconds = time.perf_counter() - start
        row = tally[wrong.page]
        row[0], row[1], row[2] = row[0] + 1, row[1] + caught(error), row[2] + seconds
        if not caught(error):
            missed.append(f"{wrong.id}: " + ("ran through its checks" if error is None
                                            else f"stopped outside a check ({error.ename})"))
        print(f"  {'caught' if caught(error) else 'MISSED'}  {wrong.id}  ({seconds:.0f} s)", flush=True)
    print(f"\n{'page':32s} {'tried':>5s} {'caught':>6s} {'seconds':>8s}")
    for page, (tried, hit, seconds) in sorted(tally.items()):
        print(f"{page:32s} {tried:5d} {hit:6d} {seconds:8.0f}")
    total = [sum(r[i] for r in tally.values()) for i in range(3)]
    print(f"{'all':32s} {total[0]:5d} {total[1]:6d} {total[2]:8.0f}")
    for line in missed:
        print("missed:", line)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
