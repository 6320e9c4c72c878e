"""Command line of the book toolkit: ``python -m hwlib run|book|list|params|records|student|lab``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import lab as book_lab
from . import paths, runner
from .params import ParameterError, declared, describe, parameters_cell, parse_assignments


def _common(sub, profile_help="quick: offline, CPU, subset (default); full: the report's settings"):
    sub.add_argument("--profile", default="quick", choices=runner.PROFILES, help=profile_help)
    sub.add_argument("--set", dest="assignments", action="append", default=[], metavar="NAME=VALUE",
                     help="override a parameter (repeatable); see `python -m hwlib params NOTEBOOK`")
    sub.add_argument("--force", action="store_true", help="execute even if nothing changed")
    sub.add_argument("--timeout", type=int, default=None,
                     help="seconds allowed per cell, a positive number (default: no limit)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hwlib", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="execute notebooks into _build/executed/<profile>/")
    run.add_argument("notebooks", nargs="*", help="notebook paths or page names (hw1/02_baseline_cnn)")
    run.add_argument("--all", action="store_true", help="every page of the book, in the order of its table of contents")
    _common(run)
    run.add_argument("--out", default=None, metavar="DIR",
                     help="write the executed notebooks to DIR and what they save (results, models, tuner "
                          "trials) to DIR/outputs, instead of _build/ (the book's pages and files stay as they are)")
    run.add_argument("--record", action="store_true",
                     help="with --profile full: keep the finished run on the record, to commit: records/<page>.json "
                          "(parameters, data, device, versions, time, headline numbers, claims), records/<page>.ipynb "
                          "(the executed notebook) and records/<page>/results/ (what later pages read)")
    book = commands.add_parser("book", help="build the bilingual site: each page's recorded full run, the quick run "
                                            "where there is none")
    _common(book, "without it: each page's current full record, the quick run (executed as needed) for the "
                  "others; quick: every page's quick run (the smoke edition); full: run and record every page's "
                  "full run first")
    book.set_defaults(profile=None)
    book.add_argument("--no-strict", action="store_true", help="do not turn Sphinx warnings into errors")
    commands.add_parser("list", help="list the notebooks")
    listing = commands.add_parser("records", help="the recorded full runs (records/), as a markdown table")
    listing.add_argument("--readme", action="store_true",
                         help="write the table into README.md between its records markers instead of printing it")
    show = commands.add_parser("params", help="show a notebook's parameters and profiles")
    show.add_argument("notebook")
    students = commands.add_parser("student", help="write the student notebooks (exercises left to write) "
                                                   "to _build/student/<lang>/")
    students.add_argument("--lang", choices=("en", "fa"), action="append",
                          help="one language (repeatable; default: both)")
    students.add_argument("--profile", default="quick", choices=runner.PROFILES,
                          help="whose executed notebooks give the expected outputs (default: quick)")
    lab = commands.add_parser("lab", help="JupyterLab on the notebooks with the book's settings "
                                          "(MyST notebooks open as notebooks, Persian right to left)")
    book_lab.add_arguments(lab)
    args = parser.parse_args(argv)

    try:
        if args.command == "list":
            for source in runner.all_sources():
                print(runner.page_name(source))
            return 0
        if args.command == "params":
            return _show_params(args.notebook)
        if args.command == "student":
            from .student import LANGS, without_expected_outputs, write_student_notebooks

            executed = paths.executed_dir(args.profile)
            for lang in args.lang or LANGS:
                done = write_student_notebooks(lang, executed_dir=executed)
                print(f"_build/student/{lang}/: {len(done['written'])} written, {len(done['current'])} up to date, "
                      f"{len(done['kept'])} kept because they were changed there"
                      + "".join(f"\n  kept {page} (delete it for a fresh copy)" for page in done["kept"]))
            print("pages without exercises (the data tour, the discussion) have no student notebook")
            missing = without_expected_outputs(executed)
            if missing:
                print(f"no expected outputs yet for {', '.join(missing)}: run "
                      f"`python -m hwlib run {' '.join(missing)} --profile {args.profile}` first, then this again")
            return 0
        if args.command == "lab":
            return book_lab.main(args)
        if args.command == "records":
            if args.readme:
                print(f"wrote the records table into {write_readme_table()}")
            else:
                print(records_table())
            return 0
        overrides = parse_assignments(args.assignments)
        if args.command == "run":
            if bool(args.notebooks) == args.all:
                raise runner.RunError("name the notebooks to run (python -m hwlib run hw1/02_baseline_cnn), "
                                      "or --all for every page of the book, not both")
            sources = runner.book_sources() if args.all else [runner.resolve_source(n) for n in args.notebooks]
        else:
            sources = runner.book_sources()
        if args.command == "book":
            return _book(sources, args, overrides)
        outcomes = runner.run(sources, args.profile, overrides, force=args.force, timeout=args.timeout,
                              out_dir=getattr(args, "out", None), record=getattr(args, "record", False))
    except (runner.RunError, ParameterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # while planning or locking (the runner reports one during the notebooks)
        print("interrupted: no notebook was run", file=sys.stderr)
        return 130
    if any(o.status == "interrupted" for o in outcomes):
        return 130
    if any(o.status == "failed" for o in outcomes):
        return 1
    return 0


def _book(sources: list[Path], args, overrides: dict) -> int:
    """``python -m hwlib book``: choose the run each page shows (:mod:`hwlib.book.published`), execute the
    quick runs that needs (``--profile full``: first run and record every full run), then build the site."""
    from . import published
    from . import site as book_site

    pages = [runner.page_name(s) for s in sources]
    full_failed = []
    if args.profile == "full":
        outcomes = runner.run(sources, "full", overrides, force=args.force, timeout=args.timeout, record=True)
        if any(o.status == "interrupted" for o in outcomes):
            return 130
        full_failed = [o.page for o in outcomes if o.status == "failed"]
        overrides = {}
    shown = [published.choose(p, smoke=args.profile == "quick") for p in pages]
    quick = set(published.quick_runs(shown))
    outcomes = runner.run([s for s in sources if runner.page_name(s) in quick], "quick", overrides,
                          force=args.force, timeout=args.timeout) if quick else []
    if any(o.status == "interrupted" for o in outcomes):
        return 130
    if any(o.status == "failed" for o in outcomes):
        return 1
    folder = published.assemble(shown, paths.executed_dir("quick"))
    label = " + ".join(dict.fromkeys(s.run for s in shown))
    try:
        site = book_site.build_site(folder, label, paths.BUILD / "site", strict=not args.no_strict)
    except book_site.BookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    width = max(len(p) for p in pages)
    print("\nthe run each page shows:")
    for s in shown:
        why = f"full run recorded {s.record['finished'][:10]}" if s.run == "full" else f"quick run ({s.why})"
        print(f"  {s.page:<{width}}  {why}" + (f": {'; '.join(s.reasons)}" if s.reasons else ""))
    print(f"site: {site / 'index.html'}")
    if full_failed:
        print(f"error: the full runs of {', '.join(full_failed)} failed (above); their pages show the quick run",
              file=sys.stderr)
        return 1
    return 0


README_MARKERS = ("<!-- records table: written by python -m hwlib records --readme -->", "<!-- end of records table -->")


def records_table() -> str:
    """The last recorded full run of every page (date, device, data, the settings --set changed, wall time,
    whether it is current, headline numbers), or the command that would record it, as markdown."""
    from . import records

    lines = ["| page | recorded | device | data | changed from the full profile | wall time | current | headline numbers |",
             "|---|---|---|---|---|---|---|---|"]
    for source in runner.all_sources():
        name = runner.page_name(source)
        record = records.last(name)
        if record is None:
            lines.append(f"| {name} | not run yet: `{records.command(name)}` | | | | | | |")
            continue
        numbers = ", ".join(f"{k} {v:.4g}" for k, v in record["headlines"].items()) or "—"
        changed = ", ".join(f"{k}={v}" for k, v in record.get("changed", {}).items()) or "—"
        stale = records.staleness(name)
        current = "yes" if not stale else "stale: " + "; ".join(stale)
        lines.append(f"| {name} | {record['finished'][:10]} | {record['device']} | {records.data_kind(record)} | "
                     f"{changed} | {record['seconds'] / 60:.1f} min | {current} | {numbers} |")
    return "\n".join(lines)


def readme_with_table(text: str) -> str:
    """``text`` (the README) with the part between :data:`README_MARKERS` replaced by :func:`records_table`."""
    begin, end = README_MARKERS
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise runner.RunError(f"README.md needs one line {begin} and, after it, one line {end}")
    head, rest = text.split(begin)
    return f"{head}{begin}\n{records_table()}\n{end}{rest.split(end, 1)[1]}"


def write_readme_table() -> Path:
    """Rewrite README.md's records table from records/ (whole or not at all)."""
    readme = paths.ROOT / "README.md"
    text = readme_with_table(readme.read_text(encoding="utf-8"))
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(readme)
    return readme


def _show_params(name: str) -> int:
    source = runner.resolve_source(name)
    for profile in runner.PROFILES:  # a broken source or profile value: one line naming the file and the fix
        runner.plan(source, profile)
    nb, meta = runner.read_source(source)
    print(f"{runner.page_name(source)} parameters:\n{describe(declared(parameters_cell(nb)))}")
    for profile, values in meta["profiles"].items():
        print(f"profile {profile}: " + (", ".join(f"{k}={v}" for k, v in values.items()) or "defaults"))
    print("ranges: [ and ] include the bound, ( and ) exclude it; change a value with --set NAME=VALUE, "
          "the profile with --profile")
    return 0


if __name__ == "__main__":
    sys.exit(main())
