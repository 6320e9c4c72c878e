"""JupyterLab on the book's notebooks: ``python -m hwlib lab [--lang en|fa] [--port N] [--no-browser]``.

Without ``--lang`` JupyterLab opens on ``notebooks/``, the sources; with ``--lang en`` or ``--lang fa``
on scratch copies of them in ``_build/lab/<lang>/`` that hold that language's cells only (see
:func:`write_scratch`). The project's settings live in ``book/lab/`` and reach JupyterLab without
touching the user's own ``~/.jupyter``:

- ``labconfig/default_setting_overrides.json``: the folder is put on ``JUPYTER_CONFIG_PATH``, where
  jupyterlab_server reads default settings: MyST ``.md`` notebooks open as notebooks on double-click.
- ``custom/custom.css`` (``LabApp.custom_css``, served from ``/custom/`` with Vazirmatn's woff2 file beside
  it when ``node_modules/`` has it: ``make install``): Persian cells right to left, English cells, code
  and outputs left to right. The server's ``static_custom_path`` is not configurable, so it is set
  through ``ServerApp.tornado_settings``.

``notebooks/jupytext.toml`` says what jupytext writes back into a source (only what the sources hold),
and the server saves through :class:`hwlib.book.labserver.BookContentsManager`, which keeps the text of
every cell that did not change: opening and saving a notebook leaves its ``.md`` byte-identical.
JupyterLab's workspaces (open tabs, layout) go to ``_build/lab/workspaces/``. Its Python kernel is
:mod:`hwlib.book.labkernel`, whose own stderr (TensorFlow's start-up lines) goes to ``_build/lab/kernel.log``.
"""

from __future__ import annotations

import argparse
import copy
import functools
import hashlib
import importlib.util
import json
import os
import socket
import sys
from pathlib import Path

import jupytext
import nbformat

from . import paths
from .site import LANG_TAGS, NODE_MODULES

SETTINGS = paths.ROOT / "book" / "lab"
SCRATCH = paths.BUILD / "lab"
WORKSPACES = SCRATCH / "workspaces"
KERNEL_LOG = SCRATCH / "kernel.log"
RECORD = ".hwlib-scratch.json"  # in _build/lab/<lang>/: the sha256 of every copy as it was written
FONT = Path("vazirmatn") / "fonts" / "webfonts" / "Vazirmatn[wght].woff2"
NEEDED = {"jupyterlab": "jupyterlab", "jupytext": "jupytext",
          "jupyterlab_celltagsclasses": "jupyterlab-celltagsclasses"}
LANGUAGE = {"en": "English", "fa": "Persian"}
BANNER = {
    "en": "**Scratch copy.** This notebook is a copy of `{source}` with its English cells only. Edits made "
          "here do not reach `notebooks/`: to change the book, edit the source. What you run here saves its "
          "results in `hwlib-outputs/` beside this file.",
    "fa": "**رونوشت چرک‌نویس.** این دفترچه رونوشتی از `{source}` است، تنها با سلول‌های فارسی آن. ویرایش‌های "
          "این رونوشت به `notebooks/` نمی‌رسند: برای تغییر کتاب، خودِ منبع را ویرایش کنید. آنچه این‌جا اجرا "
          "می‌کنید نتیجه‌هایش را در `hwlib-outputs/` کنار همین پرونده نگه می‌دارد.",
}


class LabError(RuntimeError):
    """A problem starting JupyterLab that the user has to fix."""


def check_installed() -> None:
    """JupyterLab, jupytext and jupyterlab-celltagsclasses must be importable by this Python."""
    missing = [name for module, name in NEEDED.items() if importlib.util.find_spec(module) is None]
    if missing:
        raise LabError(f"python -m hwlib lab needs {' and '.join(missing)}, not installed for {sys.executable}: "
                       f"run `make install`")


def check_port(port: int, host: str = "127.0.0.1") -> None:
    """``port`` must be a port number nothing listens on at ``host``."""
    if not 1 <= port <= 65535:
        raise LabError(f"--port {port} is not a port number: give one from 1 to 65535")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: a closed port is free
        try:
            probe.bind((host, port))
        except OSError:
            raise LabError(f"port {port} is in use (another JupyterLab?): stop that server or choose "
                           f"another port with --port N") from None


@functools.cache
def kernel_metadata(name: str) -> dict:
    """The notebook metadata JupyterLab sets when kernel ``name`` starts: ``kernelspec`` (name, display
    name, language) and, for an ipykernel kernel, ``language_info`` as ipykernel reports it. A notebook
    that holds them already is not marked modified on opening. {} for a kernel that is not installed."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        return {}
    metadata = {"kernelspec": {"name": name, "display_name": spec.display_name, "language": spec.language}}
    if {"ipykernel_launcher", "ipykernel", "hwlib.book.labkernel"} & set(spec.argv):
        from ipykernel.ipkernel import IPythonKernel

        metadata["language_info"] = json.loads(json.dumps(IPythonKernel.language_info))
    return metadata


def with_kernel_metadata(metadata: dict) -> dict:
    """``metadata`` (a notebook's) with :func:`kernel_metadata` of its kernel filled in."""
    name = metadata.get("kernelspec", {}).get("name")
    return {**metadata, **copy.deepcopy(kernel_metadata(name))} if name else metadata


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def scratch_notebook(source: Path, lang: str, shown: str) -> nbformat.NotebookNode:
    """The notebook ``source`` (MyST) for one language: its markdown cells of ``lang`` and untagged
    ones, every code cell, and first a markdown cell in ``lang`` that says it is a scratch copy of
    ``shown`` (the source's path as the user types it)."""
    if lang not in LANG_TAGS:
        raise LabError(f"unknown language {lang!r}: choose one of {', '.join(LANG_TAGS)}")
    nb = jupytext.reads(source.read_text(encoding="utf-8"), fmt="md:myst")
    others = set(LANG_TAGS) - {lang}
    cells = [cell for cell in nb.cells
             if cell.cell_type != "markdown" or lang in _tags(cell) or not others & _tags(cell)]
    banner = nbformat.v4.new_markdown_cell(BANNER[lang].format(source=shown), metadata={"tags": [lang]})
    metadata = with_kernel_metadata({key: value for key, value in nb.metadata.items() if key != "jupytext"})
    out = nbformat.v4.new_notebook(cells=[banner, *cells], metadata=metadata)
    for number, cell in enumerate(out.cells):
        cell.id = f"{lang}-{number}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(out)
    return out


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_scratch(lang: str, notebooks: Path = paths.NOTEBOOKS, folder: Path | None = None,
                  build=scratch_notebook) -> dict[str, list[str]]:
    """Write the ``lang`` copy of every notebook under ``notebooks`` to ``folder/<page>.ipynb``
    (default ``_build/lab/<lang>/``), made by ``build(source, lang, shown)`` (None: no copy of that
    page; :func:`hwlib.book.student.student_copy` makes student notebooks). A copy changed since it
    was written (edited, run and saved) is kept as it is; the others are refreshed. Returns the pages
    by what happened to them: ``written``, ``current`` (already up to date) and ``kept``."""
    folder = SCRATCH / lang if folder is None else folder
    record_file = folder / RECORD
    record = json.loads(record_file.read_text(encoding="utf-8")) if record_file.is_file() else {}
    done: dict[str, list[str]] = {"written": [], "current": [], "kept": []}
    for source in sorted(p for p in notebooks.rglob("*.md") if ".ipynb_checkpoints" not in p.parts):
        page = source.relative_to(notebooks).with_suffix(".ipynb").as_posix()
        shown = f"notebooks/{source.relative_to(notebooks).as_posix()}"
        copy = build(source, lang, shown)
        if copy is None:
            continue
        data = (nbformat.writes(copy) + "\n").encode("utf-8")
        target = folder / page
        if target.is_file():
            on_disk = target.read_bytes()
            if record.get(page) != _digest(on_disk):
                done["kept"].append(page)
                continue
            if on_disk == data:
                done["current"].append(page)
                continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        record[page] = _digest(data)
        done["written"].append(page)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = record_file.with_name(f"{RECORD}.tmp")
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(record_file)
    return done


def font_dir(node_modules: Path = NODE_MODULES) -> Path | None:
    """The folder holding Vazirmatn's variable woff2 file, or None when npm has not installed it."""
    font = node_modules / FONT
    return font.parent if font.is_file() else None


def server_command(root: Path, port: int | None = None, open_browser: bool = True,
                   settings: Path = SETTINGS, node_modules: Path = NODE_MODULES,
                   workspaces: Path = WORKSPACES) -> list[str]:
    """The command that starts JupyterLab on ``root`` with the project's settings."""
    static = [str(d) for d in [settings / "custom", font_dir(node_modules)] if d is not None]
    command = [sys.executable, "-m", "jupyterlab",
               f"--ServerApp.root_dir={root}",
               "--ServerApp.ip=127.0.0.1",
               "--ServerApp.contents_manager_class=hwlib.book.labserver.BookContentsManager",
               "--LabApp.custom_css=True",
               f"--ServerApp.tornado_settings={json.dumps({'static_custom_path': static})}",
               f"--LabApp.workspaces_dir={workspaces}"]
    if not open_browser:
        command.append("--no-browser")
    if port is not None:
        command += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # Jupyter refuses root otherwise (containers, CI)
    return command


def server_env(settings: Path = SETTINGS, environ: dict | None = None, share: Path | None = None) -> dict[str, str]:
    """The environment for JupyterLab: ``settings`` first on ``JUPYTER_CONFIG_PATH`` (its ``labconfig/``),
    ``share`` (the book's kernelspec, :func:`hwlib.book.labkernel.write_spec`) first on ``JUPYTER_PATH``."""
    env = dict(os.environ if environ is None else environ)
    for name, first in (("JUPYTER_CONFIG_PATH", settings), ("JUPYTER_PATH", share)):
        if first is not None:
            env[name] = os.pathsep.join([str(first)] + [p for p in env.get(name, "").split(os.pathsep) if p])
    return env


def _shown(path: Path) -> str:
    try:
        return f"{path.resolve().relative_to(paths.ROOT.resolve()).as_posix()}/"
    except ValueError:
        return f"{path}/"


def announce_scratch(lang: str, folder: Path, done: dict[str, list[str]]) -> None:
    """Say on the terminal where JupyterLab opens, that edits there stay there, and what was refreshed."""
    print(f"JupyterLab on {_shown(folder)}: scratch copies of the notebooks with their {LANGUAGE[lang]} cells only.")
    print("Edits there do not reach notebooks/ (change the sources with `python -m hwlib lab`, without --lang).")
    print(f"copies written: {len(done['written'])}, already up to date: {len(done['current'])}, "
          f"kept because they changed since they were written: {len(done['kept'])}")
    for page in done["kept"]:
        print(f"  kept {_shown(folder)}{page} (delete it for a fresh copy)")


def announce_sources(root: Path) -> None:
    """Say on the terminal that JupyterLab opens on the sources and where a run by hand saves."""
    print(f"JupyterLab on {_shown(root)}, the sources: saving a notebook writes its .md (unchanged cells "
          f"keep their text); a notebook run here saves its results in hwlib-outputs/ beside it.")


def start(lang: str | None = None, port: int | None = None, open_browser: bool = True,
          student: bool = False) -> None:
    """Start JupyterLab (this process becomes the server; it returns only by raising LabError)."""
    check_installed()
    if student and lang is None:
        raise LabError("--student needs the language of the student notebooks: --student --lang fa (or en)")
    if port is not None:
        check_port(port)
    if student:
        from .student import write_student_notebooks

        root = paths.BUILD / "student" / lang
        done = write_student_notebooks(lang, root, executed_dir=paths.executed_dir("quick"))
        print(f"JupyterLab on {_shown(root)}: the student notebooks ({LANGUAGE[lang]}), exercises left to write.")
        print(f"notebooks written: {len(done['written'])}, already up to date: {len(done['current'])}, "
              f"kept because you changed them: {len(done['kept'])}")
    elif lang is None:
        root = paths.NOTEBOOKS
        announce_sources(root)
    else:
        root = SCRATCH / lang
        announce_scratch(lang, root, write_scratch(lang, paths.NOTEBOOKS, root))
    if font_dir() is None:
        print(f"note: no Vazirmatn font in {NODE_MODULES} (run `make install`): Persian shows in the browser's font")
    workspace = f"student-{lang}" if student else lang or "sources"
    command = server_command(root, port, open_browser, workspaces=WORKSPACES / workspace)
    from .labkernel import write_spec

    share = write_spec(SCRATCH / "share", KERNEL_LOG)
    print(f"the kernel's own messages (TensorFlow's start-up lines) go to {_shown(KERNEL_LOG).rstrip('/')}")
    sys.stdout.flush()
    os.execve(command[0], command, server_env(share=share))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m hwlib lab``."""
    parser.add_argument("--lang", choices=LANG_TAGS, default=None,
                        help="open scratch copies with this language's cells only (_build/lab/<lang>/); "
                             "default: the sources in notebooks/, both languages")
    parser.add_argument("--port", type=int, default=None,
                        help="serve on this port (default: 8888, or the next free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser; print the URL")
    parser.add_argument("--student", action="store_true",
                        help="with --lang: open the student notebooks (_build/student/<lang>/), exercises left to write")


def main(args: argparse.Namespace) -> int:
    """Run ``python -m hwlib lab`` with the parsed ``args``: 2 and one line on stderr when it cannot start."""
    try:
        start(args.lang, args.port, not args.no_browser, args.student)
    except LabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
