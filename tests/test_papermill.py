"""A source runs with jupytext and papermill alone, as the README shows (no hwlib toolkit, no runner)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def readme_command() -> str:
    """The README's papermill command: the line that pipes a source from jupytext into papermill."""
    lines = [line for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
             if line.startswith("jupytext --to ipynb ") and "| papermill - " in line]
    assert len(lines) == 1, "the README shows one jupytext | papermill command"
    return lines[0]


def test_the_readmes_papermill_command_runs_a_source(tmp_path):
    command = readme_command()
    output = re.search(r"papermill - (\S+\.ipynb)", command).group(1)
    (tmp_path / "notebooks").symlink_to(REPO / "notebooks")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for name in ("HWLIB_OUTPUTS", "HWLIB_PUBLISHED"):
        env.pop(name, None)
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    nb = json.loads((tmp_path / output).read_text(encoding="utf-8"))
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1, "papermill put its parameters cell after the parameters cell"
    for name, value in re.findall(r"-p (\w+) (\S+)", command):
        assert re.search(rf"^{name} = .*{re.escape(value)}", "".join(injected[0]["source"]), re.M), name
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == [] and nb["metadata"]["papermill"]["exception"] is None
    assert all(c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code"), "every cell ran"
