"""The course library stands apart from the book toolkit: notebooks need only hwlib's core dependencies."""

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from hwlib.book import runner

ROOT = Path(__file__).resolve().parents[1]
COURSE = sorted((ROOT / "hwlib").glob("*.py"))
# What only the toolkit (the "book" extra) may use.
TOOLKIT_ONLY = {"papermill", "jupytext", "nbformat", "nbclient", "jupyter_book", "sphinx", "myst_nb",
                "myst_parser", "yaml", "nbval", "playwright", "bs4"}
TOOLKIT_DISTS = {"papermill", "jupytext", "nbformat", "jupyter-book", "sphinx", "sphinx-book-theme", "pyyaml"}
MAX_COURSE_LINES = 2500


def imported(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports (at any depth of the file)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                names.add(node.module.split(".")[0])
            elif node.module and node.module.split(".")[0] == "book":
                names.add("hwlib.book")
    return names


@pytest.mark.parametrize("path", COURSE, ids=[p.name for p in COURSE])
def test_course_modules_import_nothing_of_the_toolkit(path):
    assert not imported(path) & (TOOLKIT_ONLY | {"hwlib.book"}), f"{path.name} imports the book toolkit"


def test_notebooks_never_import_the_toolkit():
    for source in runner.all_sources():
        text = source.read_text(encoding="utf-8")
        assert "hwlib.book" not in text and "myst_nb" not in text, f"{source.name} imports the toolkit"


def test_toolkit_packages_are_an_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = {d.split(";")[0].split("[")[0].split("=")[0].split(">")[0].split("<")[0].split("~")[0].strip()
            for d in project["dependencies"]}
    assert not core & TOOLKIT_DISTS, "the toolkit's packages belong in the 'book' extra"
    extra = " ".join(project["optional-dependencies"]["book"])
    assert all(name in extra for name in ("papermill", "jupytext", "jupyter-book"))


def test_course_library_is_small():
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in COURSE)
    assert lines <= MAX_COURSE_LINES, f"the course library has {lines} lines (at most {MAX_COURSE_LINES})"


def test_the_course_library_works_without_the_toolkit(tmp_path):
    """With every toolkit package made unimportable, hwlib imports, every page's method cells run and
    glue still works (what ``pip install hwlib`` without extras gives a notebook in Colab)."""
    import json

    from pagecode import definition_cells

    cells = {runner.page_name(s): definition_cells(runner.page_name(s)) for s in runner.all_sources()}
    (tmp_path / "cells.json").write_text(json.dumps(cells))
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {sorted(TOOLKIT_ONLY)!r}:\n"
        "            raise ModuleNotFoundError(f'No module named {name!r} (blocked)', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import hwlib, hwlib.data, hwlib.page, hwlib.results, hwlib.training, hwlib.provenance\n"
        "import json\n"
        "for page_name, sources in json.load(open('cells.json')).items():\n"
        "    namespace = {}\n"
        "    for source in sources:\n"
        "        exec(compile(source, page_name, 'exec'), namespace)\n"
        "from hwlib import page\n"
        "print(page.number(1234.5, ',.1f'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "۱٬۲۳۴٫۵"
    assert sum(map(len, cells.values())) >= 20, "the pages define their methods in cells tagged 'definition'"


def test_cache_key_covers_the_course_library_not_the_toolkit(monkeypatch, tmp_path):
    before = runner.hwlib_digest()
    fake = tmp_path / "hwlib"
    (fake / "book").mkdir(parents=True)
    for p in COURSE:
        (fake / p.name).write_bytes(p.read_bytes())
    (fake / "book" / "runner.py").write_text("# toolkit")
    monkeypatch.setattr(runner, "__file__", str(fake / "book" / "runner.py"))
    assert runner.hwlib_digest() == before
    (fake / "book" / "site.py").write_text("# a toolkit change")
    assert runner.hwlib_digest() == before, "a toolkit change does not invalidate executed notebooks"
    (fake / "new_helpers.py").write_text("X = 1\n")
    assert runner.hwlib_digest() != before, "any course module, even a new one, is in the key"


def test_the_lock_pins_every_dependency_within_its_range():
    """requirements.lock (what make install installs) names one exact version, with hashes, of every
    package pyproject.toml asks for (core and the book, test and lab extras), inside its range."""
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for extra in ("book", "test", "lab") for r in project["optional-dependencies"][extra]]
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", text, re.M))
    pins = {name.lower().replace("_", "-"): version for name, version in pins.items()}
    assert pins and len(re.findall(r"--hash=sha256:", text)) >= len(pins), "every pin has its hashes"
    linux = {"platform_machine": "x86_64", "sys_platform": "linux", "python_version": "3.11"}
    for req in wanted:
        if req.marker and not req.marker.evaluate(linux):
            continue
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not in requirements.lock: run make lock"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"requirements.lock pins {name}=={pins[name]}, outside {req.specifier}: run make lock"
