"""``python -m hwlib lab``: JupyterLab with the book's settings (hwlib/book/lab.py, hwlib/book/labserver.py).

Unit tests of the settings folder (book/lab/), the server command, the per-language scratch copies and the
save that keeps unchanged cells; then one JupyterLab server, started as ``python -m hwlib lab --no-browser``
on a copy of the project's notebooks in a tmp folder (so that nothing it saves can touch notebooks/), for a
round trip of every notebook through the contents API and for one browser test: Debian's Chromium driven by
Playwright, as in tests/test_browser.py (``HWLIB_BROWSER_TESTS=require`` turns a missing browser into a
failure). The server is always stopped, with its kernels, when the tests end. Screenshots go to
``_build/screenshots/lab-*.png``.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.config import load_jupytext_configuration_file

from chromium import launched
from hwlib.book import cli, lab, labserver, paths

REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "_build" / "screenshots"
SOURCES = sorted(p for p in paths.NOTEBOOKS.rglob("*.md") if ".ipynb_checkpoints" not in p.parts)
CONFIG = load_jupytext_configuration_file(str(paths.NOTEBOOKS / "jupytext.toml"))
PAGE = "hw1/01_dataset_tour"  # the browser test's page: its first code cells run in seconds
PERSIAN = re.compile("[\u0600-\u06ff]")


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _read(source: Path):
    return jupytext.reads(source.read_text(encoding="utf-8"), fmt="md:myst")


# --------------------------------------------------------------------------- settings folder


def test_settings_open_myst_notebooks_as_notebooks():
    overrides = json.loads((lab.SETTINGS / "labconfig" / "default_setting_overrides.json").read_text())
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers == {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}


def test_custom_css_sets_persian_right_to_left():
    css = (lab.SETTINGS / "custom" / "custom.css").read_text()
    rules = dict(re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))
    rules = {" ".join(k.split()): " ".join(v.split()) for k, v in rules.items()}
    assert "direction: rtl" in rules[".jp-Notebook .cell-tag-fa .jp-RenderedMarkdown"]
    assert "direction: ltr" in rules[".jp-Notebook .cell-tag-en .jp-RenderedMarkdown"]
    kept_ltr = next(v for k, v in rules.items() if k.startswith(".jp-Notebook .cell-tag-fa") and "code, pre" in k)
    assert "direction: ltr" in kept_ltr
    assert "padding-right" in rules[".jp-Notebook .cell-tag-fa .jp-RenderedMarkdown :is(ul, ol)"]


def test_jupytext_config_keeps_the_front_matter_and_adds_no_versions():
    config = tomllib.loads((paths.NOTEBOOKS / "jupytext.toml").read_text())
    assert "hwlib" in config["notebook_metadata_filter"].split(",")
    source = paths.NOTEBOOKS / "hw7q" / "q4_cnn_vs_rnn.md"
    text = jupytext.writes(_read(source), fmt="md:myst", config=CONFIG)
    assert "hwlib:" in text and "timing_repeats" in text
    assert not re.search("jupytext_version|format_version|metadata_filter", text)


def test_server_command_and_environment(tmp_path):
    command = lab.server_command(tmp_path / "root", 8123, open_browser=False, settings=tmp_path / "settings",
                                 node_modules=tmp_path / "none", workspaces=tmp_path / "ws")
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path / 'root'}" in command
    assert "--LabApp.custom_css=True" in command and "--no-browser" in command
    assert "--ServerApp.contents_manager_class=hwlib.book.labserver.BookContentsManager" in command
    assert {"--ServerApp.port=8123", "--ServerApp.port_retries=0"} <= set(command)
    tornado = json.loads(next(c for c in command if c.startswith("--ServerApp.tornado_settings=")).split("=", 1)[1])
    assert tornado == {"static_custom_path": [str(tmp_path / "settings" / "custom")]}, "no font folder: none served"
    font = tmp_path / "node_modules" / lab.FONT
    font.parent.mkdir(parents=True)
    font.write_bytes(b"woff2")
    command = lab.server_command(tmp_path, None, settings=tmp_path / "settings", node_modules=tmp_path / "node_modules")
    tornado = json.loads(next(c for c in command if c.startswith("--ServerApp.tornado_settings=")).split("=", 1)[1])
    assert tornado["static_custom_path"][1] == str(font.parent)
    assert not any(c.startswith("--ServerApp.port") for c in command) and "--no-browser" not in command
    env = lab.server_env(tmp_path / "settings", {"JUPYTER_CONFIG_PATH": "/a", "HOME": "/h"})
    assert env["JUPYTER_CONFIG_PATH"] == os.pathsep.join([str(tmp_path / "settings"), "/a"]) and env["HOME"] == "/h"


# --------------------------------------------------------------------------- errors


def test_port_in_use_is_one_line_naming_the_fix(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.main(["lab", "--port", str(port), "--no-browser"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: port {port} is in use (another JupyterLab?): stop that server or choose another port with --port N"
    with pytest.raises(lab.LabError, match="from 1 to 65535"):
        lab.check_port(70000)


def test_unknown_language_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["lab", "--lang", "de"])
    assert exit_.value.code == 2
    assert "invalid choice: 'de' (choose from 'en', 'fa')" in capsys.readouterr().err


def test_missing_jupyterlab_names_make_install(monkeypatch, capsys):
    find_spec = lab.importlib.util.find_spec
    monkeypatch.setattr(lab.importlib.util, "find_spec", lambda name: None if name == "jupyterlab" else find_spec(name))
    assert cli.main(["lab", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert "needs jupyterlab, not installed for" in err and err.strip().endswith("run `make install`")


# --------------------------------------------------------------------------- scratch copies


@pytest.mark.parametrize("lang", lab.LANG_TAGS)
def test_scratch_copies_hold_one_language_and_every_code_cell(tmp_path, lang):
    done = lab.write_scratch(lang, paths.NOTEBOOKS, tmp_path)
    assert len(done["written"]) == len(SOURCES) and not done["kept"]
    other = ({"en", "fa"} - {lang}).pop()
    for source in SOURCES:
        page = source.relative_to(paths.NOTEBOOKS).with_suffix("")
        copy_ = nbformat.read(tmp_path / f"{page}.ipynb", as_version=4)
        nbformat.validate(copy_)
        banner, cells = copy_.cells[0], copy_.cells[1:]
        assert banner.cell_type == "markdown" and _tags(banner) == {lang}
        assert f"`notebooks/{page}.md`" in banner.source and "`notebooks/`" in banner.source
        assert bool(PERSIAN.search(banner.source)) == (lang == "fa")
        original = _read(source).cells
        assert [c.source for c in cells if c.cell_type == "code"] == \
               [c.source for c in original if c.cell_type == "code"], f"{page}: every code cell, in order"
        wanted = [c.source for c in original if c.cell_type == "markdown" and other not in _tags(c)]
        assert [c.source for c in cells if c.cell_type == "markdown"] == wanted, f"{page}: only {lang} markdown"
        assert not any(other in _tags(c) for c in cells)
        assert copy_.metadata["kernelspec"]["name"] == "python3" and "language_info" in copy_.metadata


def test_scratch_copy_changed_by_the_user_is_kept(tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    for name in ("hw7q/q4_cnn_vs_rnn.md", "hw1/01_dataset_tour.md"):
        (notebooks / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(paths.NOTEBOOKS / name, notebooks / name)
    folder = tmp_path / "fa"
    assert sorted(lab.write_scratch("fa", notebooks, folder)["written"]) == \
           ["hw1/01_dataset_tour.ipynb", "hw7q/q4_cnn_vs_rnn.ipynb"]
    assert lab.write_scratch("fa", notebooks, folder) == \
           {"written": [], "current": ["hw1/01_dataset_tour.ipynb", "hw7q/q4_cnn_vs_rnn.ipynb"], "kept": []}

    edited = folder / "hw7q" / "q4_cnn_vs_rnn.ipynb"
    nb = nbformat.read(edited, as_version=4)
    nb.cells[2].source += "\nprint('my experiment')"
    nbformat.write(nb, edited)
    mine = edited.read_bytes()
    for name in ("hw7q/q4_cnn_vs_rnn.md", "hw1/01_dataset_tour.md"):  # both sources change (a code cell)
        source = notebooks / name
        source.write_text(source.read_text(encoding="utf-8").replace("\nimport ", "\nimport  ", 1), encoding="utf-8")
    done = lab.write_scratch("fa", notebooks, folder)
    assert done == {"written": ["hw1/01_dataset_tour.ipynb"], "current": [], "kept": ["hw7q/q4_cnn_vs_rnn.ipynb"]}
    assert edited.read_bytes() == mine, "a copy the user changed is never overwritten"
    assert "import  " in (folder / "hw1" / "01_dataset_tour.ipynb").read_text(encoding="utf-8")

    lab.announce_scratch("fa", folder, done)
    out = capsys.readouterr().out
    assert "Persian cells only" in out and "do not reach notebooks/" in out
    assert re.search(r"kept .*hw7q/q4_cnn_vs_rnn\.ipynb \(delete it for a fresh copy\)", out)


# --------------------------------------------------------------------------- saving a source


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_save_of_an_unedited_notebook_is_the_source(source):
    text = source.read_text(encoding="utf-8")
    nb = _read(source)
    nb.metadata = lab.with_kernel_metadata(nb.metadata)  # what JupyterLab holds once the kernel started
    nb.metadata["kernelspec"] = _read(source).metadata["kernelspec"]  # BookContentsManager.save puts it back
    assert labserver.merge(text, nb, CONFIG) == text


def test_save_of_an_edited_notebook_changes_only_the_edited_cells():
    source = paths.NOTEBOOKS / "hw7q" / "q4_cnn_vs_rnn.md"
    text = source.read_text(encoding="utf-8")
    nb = _read(source)
    edited = copy.deepcopy(nb)
    fa = next(i for i, c in enumerate(edited.cells) if "fa" in _tags(c))
    edited.cells[fa].source = "# پرسش ۴: عنوانِ تازه"
    edited.cells.insert(fa + 1, nbformat.v4.new_markdown_cell("A new English note.", metadata={"tags": ["en"]}))
    merged = labserver.merge(text, edited, CONFIG)
    changed = [line for line in difflib.unified_diff(text.splitlines(), merged.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++ ", "--- ")) and line not in ("+++", "---")]
    removed = [line[1:] for line in changed if line.startswith("-")]
    assert removed and all(line in nb.cells[fa].source for line in removed), "only the edited cell's lines go"
    assert "+# پرسش ۴: عنوانِ تازه" in changed and "+A new English note." in changed
    assert merged.split("\n---\n", 1)[0] == text.split("\n---\n", 1)[0], "the front matter is kept as written"
    wanted = jupytext.reads(jupytext.writes(edited, fmt="md:myst", config=CONFIG), fmt="md:myst")
    assert labserver._same(labserver._canonical(jupytext.reads(merged, fmt="md:myst"), CONFIG), wanted)


def test_save_falls_back_to_jupytext_when_kept_text_would_read_differently():
    """A markdown cell inserted before one that needs no ``+++`` would join it: jupytext's text is written."""
    text = "---\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n\n```{code-cell} ipython3\nx = 1\n```\n\nAfter the code.\n"
    nb = jupytext.reads(text, fmt="md:myst")
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("A new paragraph."))
    merged = labserver.merge(text, nb, CONFIG)
    assert [c.source for c in jupytext.reads(merged, fmt="md:myst").cells] == ["x = 1", "A new paragraph.", "After the code."]
    assert merged == jupytext.writes(nb, fmt="md:myst", config=CONFIG)


# --------------------------------------------------------------------------- one JupyterLab server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LabServer:
    """``python -m hwlib lab --no-browser`` on a tmp copy of the project (HWLIB_ROOT), with a token."""

    def __init__(self, root: Path):
        self.root, self.port, self.token = root, _free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = root / "lab.log"
        home = root / "jupyter"
        env = {**os.environ, "HWLIB_ROOT": str(root), "JUPYTER_TOKEN": self.token,
               "PYTHONPATH": os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
               "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
               "JUPYTER_RUNTIME_DIR": str(home / "runtime")}  # nothing of the user's ~/.jupyter is read or written
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "hwlib", "lab", "--no-browser", "--port", str(self.port)],
                                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def request(self, method: str, path: str, body=None, timeout: float = 30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as response:
            text = response.read()
            return json.loads(text) if text else None

    def wait_ready(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"python -m hwlib lab exited with {self.process.returncode}:\n{self.tail()}")
            try:
                self.request("GET", "/api/status", timeout=5)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        pytest.fail(f"JupyterLab did not answer within {seconds} s:\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])

    def stop(self) -> None:
        """Shut the server down through its API (it stops its kernels), else by signal."""
        if self.process.poll() is None:
            try:
                self.request("POST", "/api/shutdown", timeout=10)
                self.process.wait(timeout=30)
            except (urllib.error.URLError, ConnectionError, TimeoutError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab-project")
    shutil.copytree(paths.NOTEBOOKS, root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "hwlib-outputs"))
    shutil.copytree(lab.SETTINGS, root / "book" / "lab")
    if (REPO / "node_modules").is_dir():
        (root / "node_modules").symlink_to(REPO / "node_modules")
    lab_server = LabServer(root)
    try:
        lab_server.wait_ready()
        yield lab_server
    finally:
        lab_server.stop()


def test_server_says_where_it_opens(server):
    assert "JupyterLab on notebooks/, the sources" in server.log.read_text()
    settings = server.request("GET", "/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    assert settings["schema"]["properties"]["defaultViewers"]["default"]["markdown"] == "Jupytext Notebook"


def test_contents_api_round_trip_leaves_every_source_byte_identical(server):
    changed = []
    for source in sorted((server.root / "notebooks").rglob("*.md")):
        rel = source.relative_to(server.root / "notebooks").as_posix()
        before = source.read_bytes()
        model = server.request("GET", f"/api/contents/{rel}?type=notebook&content=1")
        assert model["type"] == "notebook" and model["content"]["metadata"]["language_info"]["name"] == "python"
        server.request("PUT", f"/api/contents/{rel}", {"type": "notebook", "format": "json", "content": model["content"]})
        if source.read_bytes() != before:
            changed.append(rel)
            source.write_bytes(before)
    assert not changed, f"open + save changed {changed}"


def test_contents_api_save_of_an_edit_writes_only_that_cell(server):
    source = server.root / "notebooks" / "hw7q" / "q4_cnn_vs_rnn.md"
    before = source.read_text(encoding="utf-8")
    model = server.request("GET", "/api/contents/hw7q/q4_cnn_vs_rnn.md?type=notebook&content=1")
    cell = next(c for c in model["content"]["cells"] if c["cell_type"] == "code")
    cell["source"] += "\nprint('edited')"
    try:
        server.request("PUT", "/api/contents/hw7q/q4_cnn_vs_rnn.md",
                       {"type": "notebook", "format": "json", "content": model["content"]})
        after = source.read_text(encoding="utf-8")
        diff = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
                if line[:1] in "+-" and not line.startswith(("+++ ", "--- "))]
        assert diff == ["+print('edited')"]
    finally:
        source.write_text(before, encoding="utf-8")


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def browser():
    yield from launched()


DIRECTION = """(selector) => { const e = document.querySelector(selector);
    return e ? getComputedStyle(e).direction : 'missing: ' + selector; }"""
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def test_notebook_opens_clean_runs_and_reads_right_to_left(server, browser):
    source = server.root / "notebooks" / f"{PAGE}.md"
    before = source.read_bytes()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/lab/tree/{PAGE}.md?token={server.token}")
        page.wait_for_selector(f"{PANEL} .jp-Notebook .cell-tag-fa .jp-RenderedMarkdown p", timeout=60000)
        assert page.locator(".jp-FileEditor").count() == 0, "the .md opened in the text editor, not as a notebook"
        page.wait_for_function("() => /\\|\\s*Idle/.test(document.querySelector('#jp-main-statusbar').textContent)",
                               timeout=60000)  # the kernel is connected and has told its spec and language
        page.wait_for_timeout(1000)
        assert page.locator(".lm-TabBar-tab.jp-mod-dirty").count() == 0, "opening marked the notebook modified"

        fa_p = f"{PANEL} .cell-tag-fa .jp-RenderedMarkdown p"
        assert page.evaluate(DIRECTION, fa_p) == "rtl"
        assert page.evaluate(DIRECTION, f"{PANEL} .cell-tag-en .jp-RenderedMarkdown p") == "ltr"
        assert page.evaluate(DIRECTION, f"{PANEL} .jp-CodeCell .cm-content") == "ltr"
        assert page.evaluate(f"() => getComputedStyle(document.querySelector('{fa_p}')).textAlign") == "right"
        if (server.root / "node_modules" / lab.FONT).is_file():
            page.wait_for_function("() => [...document.fonts].some(f => f.family.includes('Vazirmatn') && f.status === 'loaded')",
                                   timeout=15000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "lab-notebook.png"))

        page.locator(f"{PANEL} .jp-CodeCell").first.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")  # the parameters cell
        page.keyboard.press("Shift+Enter")  # imports and data
        page.wait_for_function(f"""() => {{ const prompts = [...document.querySelectorAll('{PANEL} .jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 2 && /\\[1\\]/.test(prompts[0].textContent) && /\\[2\\]/.test(prompts[1].textContent); }}""",
                               timeout=60000)
        output = page.locator(f"{PANEL} .jp-CodeCell").nth(1).locator(".jp-OutputArea-output").first.inner_text()
        assert output.startswith("profile: quick"), output
        assert page.evaluate(DIRECTION, f"{PANEL} .jp-CodeCell .jp-OutputArea-output") == "ltr"
        page.screenshot(path=str(SHOTS / "lab-run.png"))

        page.keyboard.press("Escape")
        page.keyboard.press("Control+s")
        page.wait_for_function("() => document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty').length === 0", timeout=15000)
        assert source.read_bytes() == before, "run + save changed the .md source"
    finally:
        context.close()


LAYOUT = """(cell) => { const box = e => e.getBoundingClientRect(), ul = cell.querySelector('ul'), li = ul.querySelector('li');
    const style = getComputedStyle(ul), math = cell.querySelector('mjx-container'), code = cell.querySelector('p code, li code');
    return {li: getComputedStyle(li).direction, indentRight: parseFloat(style.paddingRight), indentLeft: parseFloat(style.paddingLeft),
            liRightGap: box(ul).right - box(li).right, math: math && getComputedStyle(math).direction,
            code: code && getComputedStyle(code).direction,
            anchorGap: parseFloat(getComputedStyle(cell.querySelector('.jp-InternalAnchorLink')).marginRight)}; }"""


def test_persian_lists_math_and_heading_links_in_the_browser(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/lab/tree/hw14/02_triplet_loss.md?token={server.token}")
        cell = page.locator(f"{PANEL} .jp-Cell.cell-tag-fa", has_text="فروریزش").first
        cell.wait_for(timeout=60000)
        cell.scroll_into_view_if_needed()
        page.wait_for_function("(el) => el.querySelector('mjx-container')", arg=cell.element_handle(), timeout=30000)
        layout = page.evaluate(LAYOUT, cell.element_handle())
        assert layout["li"] == "rtl" and layout["math"] == "ltr" and layout["code"] == "ltr", layout
        assert layout["indentRight"] > 0 and layout["indentLeft"] == 0, f"list indented from the right: {layout}"
        assert layout["liRightGap"] >= layout["indentRight"] - 1, f"bullets on the right: {layout}"
        assert layout["anchorGap"] > 0, f"a heading's ¶ link after (left of) the Persian heading: {layout}"
        box = cell.bounding_box()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "lab-fa-list.png"),
                        clip={"x": 0, "y": max(0, box["y"] - 40), "width": 1400, "height": min(700, box["height"] + 80)})
    finally:
        context.close()


# --------------------------------------------------------------------------- the kernel


def test_the_labs_kernel_keeps_native_stderr_in_its_log_and_python_stderr_in_the_cell(tmp_path, monkeypatch):
    """The book's python3 kernel (found first on JUPYTER_PATH): what the process writes to file
    descriptor 2 (as TensorFlow's C++ logging does) lands in the log, not in the cell; a Python
    warning still shows in the cell."""
    from jupyter_client.manager import start_new_kernel

    from hwlib.book import labkernel

    log = tmp_path / "kernel.log"
    share = labkernel.write_spec(tmp_path / "share", log)
    monkeypatch.setenv("JUPYTER_PATH", lab.server_env(environ={}, share=share)["JUPYTER_PATH"])
    # ipykernel never captures file descriptors under pytest (it looks for PYTEST_CURRENT_TEST): a user's kernel would
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_CURRENT_TEST"}
    manager, client = start_new_kernel(kernel_name="python3", env=env)
    try:
        assert manager.kernel_spec.argv[:3] == [sys.executable, "-m", "hwlib.book.labkernel"]
        shown = []
        code = ("import os, sys, time, warnings\nos.write(2, b'I0000 native start-up line\\n')\n"
                "warnings.warn('a python warning')\nprint('printed')\ntime.sleep(0.5)")
        reply = client.execute_interactive(code, timeout=60, output_hook=lambda m: shown.append(m))
        assert reply["content"]["status"] == "ok"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    text = "".join(m["content"].get("text", "") for m in shown if m["msg_type"] == "stream")
    assert "printed" in text and "a python warning" in text
    assert "native start-up line" not in text
    assert "I0000 native start-up line" in log.read_text()
