"""The Python kernel JupyterLab starts for the book (``python -m hwlib lab``).

It is IPython's kernel with one change: what the kernel process itself writes to its stderr
(TensorFlow's C++ start-up lines, absl's note before them) goes to a log file, as in the runner
(:func:`hwlib.book.runner.kernel_with_log`), instead of into the output of the first cell that
imports TensorFlow. What Python code prints to ``sys.stderr``, warnings and tracebacks included,
still shows in the cells. The lab puts :func:`write_spec`'s folder first on ``JUPYTER_PATH``, so
its ``python3`` kernel is this one; nothing is installed for the user.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

NAME = "python3"  # the name every notebook's kernelspec gives


def write_spec(share: Path, log: Path) -> Path:
    """Write the kernelspec (``share/kernels/python3/kernel.json``) that starts this kernel with this
    Python, logging to ``log``; return ``share``, the folder to put on ``JUPYTER_PATH``."""
    folder = share / "kernels" / NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "hwlib.book.labkernel", str(log), "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)", "language": "python", "metadata": {"debugger": True}}
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    return share


def main(argv: list[str]) -> None:
    """``python -m hwlib.book.labkernel LOG -f CONNECTION_FILE``: the kernel, its own stderr appended to LOG."""
    log, rest = Path(argv[0]), argv[1:]
    log.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    from ipykernel import kernelapp

    # without fd capture, writes to file descriptor 2 stay in the log; sys.stderr still reaches the cells
    kernelapp.launch_new_instance(argv=[*rest, "--IPKernelApp.capture_fd_output=False"])


if __name__ == "__main__":
    main(sys.argv[1:])
