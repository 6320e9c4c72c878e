"""How long the author's loop takes: a cold quick book, a rebuild with nothing changed, a prose-only
edit, and a code edit of a page that no other page reads. A benchmark that prints figures, not a test.

Each step runs ``python -m hwlib book`` (profile quick) in a scratch copy of this checkout's
files, so this checkout's ``_build`` and sources are never touched, and checks what the runner did:
the no-op rebuild executes nothing, the prose edit executes nothing and the new sentence reaches
the built Persian page, the code edit executes that one page only.

    .venv/bin/python benchmarks/rebuild.py              # all four steps (about 10 minutes here)
    .venv/bin/python benchmarks/rebuild.py --keep DIR   # keep the copy in DIR; run again with the
                                                        # same DIR to skip the cold build
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROSE_PAGE = "hw1/02_baseline_cnn"  # three pages read its results
CODE_PAGE = "hw7q/q4_cnn_vs_rnn"    # no page reads its results
ROW = re.compile(r"^(\S+/\S+)\s+(ran|cached|prose edit|failed|interrupted)\s+[\d.]+\s+\S+$")
WORD = "(بازنویسی‌شده)"


def copy_checkout(target: Path) -> None:
    """This checkout's files as they are on disk (tracked, and new ones git does not ignore) into
    ``target``, and a link to its npm assets."""
    listed = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    files = subprocess.run(listed, cwd=REPO, check=True, capture_output=True).stdout
    for name in filter(None, files.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / "node_modules").symlink_to((REPO / "node_modules").resolve())


def book(copy: Path) -> tuple[float, dict[str, str]]:
    """Run ``python -m hwlib book`` in the copy: wall seconds and each page's status."""
    env = {**os.environ, "HWLIB_ROOT": str(copy)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "hwlib", "book", "--profile", "quick"], cwd=copy, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"python -m hwlib book failed in {copy}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    statuses = dict(m.groups() for m in map(ROW.match, done.stdout.splitlines()) if m)
    return seconds, statuses


def edit_prose(copy: Path) -> None:
    """Add a word to the first Persian paragraph of PROSE_PAGE (a markdown cell)."""
    source = copy / "notebooks" / f"{PROSE_PAGE}.md"
    text = source.read_text(encoding="utf-8")
    cell = text.index('+++ {"tags": ["fa"]}')
    paragraph_end = text.index("\n\n", text.index("\n\n", text.index("\n# ", cell) + 1) + 2)
    source.write_text(text[:paragraph_end] + " " + WORD + text[paragraph_end:], encoding="utf-8")


def edit_code(copy: Path) -> None:
    """Add a comment line to the first code cell after the parameters cell of CODE_PAGE."""
    source = copy / "notebooks" / f"{CODE_PAGE}.md"
    text = source.read_text(encoding="utf-8")
    after_parameters = text.index("```{code-cell}", text.index(":tags: [parameters]"))
    body = text.index("\n", after_parameters) + 1
    source.write_text(text[:body] + "# benchmark: an edit of the code\n" + text[body:], encoding="utf-8")


def expect(statuses: dict[str, str], wanted: dict[str, str], step: str) -> str:
    """Check the runner's statuses (every page not named in ``wanted`` cached); a summary like ``1 ran``."""
    wrong = {page: status for page, status in statuses.items() if status != wanted.get(page, "cached")}
    if not statuses or wrong:
        sys.exit(f"{step}: unexpected statuses {wrong or statuses}")
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="the scratch copy's folder, kept (reused when it has a build)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="hwlib-bench-"))
    copy = folder / "book"
    rows = []
    try:
        if (copy / "_build" / "site" / "index.html").is_file():
            print(f"reusing the build in {copy}: no cold step", flush=True)
            for page in (PROSE_PAGE, CODE_PAGE):  # the sources as this checkout has them
                shutil.copy2(REPO / "notebooks" / f"{page}.md", copy / "notebooks" / f"{page}.md")
            book(copy)
        else:
            copy.mkdir(parents=True)
            copy_checkout(copy)
            print(f"cold quick book in {copy} ...", flush=True)
            seconds, statuses = book(copy)
            rows.append(("cold quick book", seconds, expect(statuses, {p: "ran" for p in statuses}, "cold")))
        seconds, statuses = book(copy)
        rows.append(("no-op rebuild", seconds, expect(statuses, {}, "no-op")))
        edit_prose(copy)
        seconds, statuses = book(copy)
        rows.append((f"prose-only edit ({PROSE_PAGE}, Persian)", seconds,
                     expect(statuses, {PROSE_PAGE: "prose edit"}, "prose edit")))
        built = (copy / "_build" / "site" / "fa" / f"{PROSE_PAGE}.html").read_text(encoding="utf-8")
        if WORD not in built:
            sys.exit("prose edit: the new word is not on the built Persian page")
        edit_code(copy)
        seconds, statuses = book(copy)
        rows.append((f"code edit ({CODE_PAGE})", seconds, expect(statuses, {CODE_PAGE: "ran"}, "code edit")))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\nmake book, profile quick, {os.cpu_count()} CPU cores:")
    print(f"{'step':<48} {'seconds':>8}  pages")
    for step, seconds, pages in rows:
        print(f"{step:<48} {seconds:>8.1f}  {pages}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
