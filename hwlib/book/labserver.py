"""What runs inside the Jupyter server that ``python -m hwlib lab`` starts: a contents manager that saves
the book's MyST notebooks without rewriting what did not change.

Jupytext writes a whole notebook back in its own layout: long YAML values folded at 80 columns,
``full: {epochs: 10}`` turned into a block, the front matter's keys in the kernel's order. Saving
through :class:`BookContentsManager` keeps the file's own text for its front matter and for every
cell whose type, source and metadata did not change, and writes jupytext's text only for the cells
that did; a notebook opened and saved unedited stays byte-identical. The merged text is read back
and must give the same notebook as jupytext's own text, else jupytext's text is written.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import jupytext
import nbformat
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from jupytext.async_contentsmanager import build_async_jupytext_contents_manager_class
from jupytext.config import notebook_formats
from jupytext.formats import guess_format
from jupytext.myst import CODE_DIRECTIVE, RAW_DIRECTIVE, get_parser, strip_blank_lines

from .lab import with_kernel_metadata

MYST = "md:myst"


def _lines(text: str) -> list[str]:
    """The lines of ``text`` with their ``\\n``, split as markdown-it counts them (only at ``\\n``)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _cell_starts(text: str) -> list[int] | None:
    """The line where each cell's text starts, reading the text as jupytext's MyST reader does: at the
    cell's ``{code-cell}`` fence, at the ``+++`` line before it, or, for a markdown cell after a code
    cell, right after that cell's closing fence. None when the text has no front matter."""
    lines = [line.rstrip("\n") for line in _lines(text)]
    tokens = get_parser().parse(text + "\n")
    if not tokens or tokens[0].type != "front_matter":
        return None
    starts: list[int] = []
    segment_start = text_start = tokens[0].map[1]

    def flush(end: int) -> None:
        if strip_blank_lines("\n".join(lines[text_start:end])):
            starts.append(segment_start)

    nesting = 0
    for token in tokens[1:]:
        nesting += token.nesting
        if nesting != 0:
            continue
        if token.type == "fence" and token.info.startswith((CODE_DIRECTIVE, RAW_DIRECTIVE)):
            flush(token.map[0])
            starts.append(token.map[0])
            segment_start = text_start = token.map[1]
        elif token.type == "myst_block_break":
            flush(token.map[0])
            segment_start, text_start = token.map[0], token.map[1]
    flush(len(lines))
    return starts


def _segments(text: str) -> tuple[str, list[str]] | None:
    """``(front matter, [text of each cell])`` of a MyST notebook; joined they give ``text`` back."""
    starts = _cell_starts(text)
    if starts is None:
        return None
    lines = _lines(text)
    bounds = [*starts, len(lines)]
    header = "".join(lines[:bounds[0]])
    return header, ["".join(lines[a:b]) for a, b in zip(bounds, bounds[1:])]


def _key(cell) -> tuple:
    return cell.cell_type, cell.source, json.dumps(cell.metadata, sort_keys=True)


def _canonical(nb, config) -> nbformat.NotebookNode:
    """``nb`` as its MyST text holds it: written and read back through jupytext with ``config``."""
    return jupytext.reads(jupytext.writes(nb, fmt=MYST, config=config), fmt=MYST)


def _same(a, b) -> bool:
    return a.metadata == b.metadata and [_key(c) for c in a.cells] == [_key(c) for c in b.cells]


def merge(old_text: str, nb, config=None) -> str:
    """The MyST text for ``nb``, keeping ``old_text``'s own lines for its front matter and for every
    cell that did not change (``config``: jupytext's configuration, its metadata filters)."""
    new_text = jupytext.writes(nb, fmt=MYST, config=config)
    wanted = jupytext.reads(new_text, fmt=MYST)
    old = _canonical(jupytext.reads(old_text, fmt=MYST), config)
    old_parts, new_parts = _segments(old_text), _segments(new_text)
    if old_parts is None or new_parts is None or len(old_parts[1]) != len(old.cells) \
            or len(new_parts[1]) != len(wanted.cells):
        return new_text
    header = old_parts[0] if old.metadata == wanted.metadata else new_parts[0]
    pieces = [header]
    matcher = difflib.SequenceMatcher(None, [_key(c) for c in old.cells], [_key(c) for c in wanted.cells],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pieces += old_parts[1][i1:i2] if tag == "equal" else new_parts[1][j1:j2]
    merged = "".join(pieces)
    if merged == new_text or _same(_canonical(jupytext.reads(merged, fmt=MYST), config), wanted):
        return merged
    return new_text


_Jupytext = build_async_jupytext_contents_manager_class(AsyncLargeFileManager)


class BookContentsManager(_Jupytext):
    """Jupytext's contents manager, except for MyST notebooks (``.md``): they open with the metadata their
    kernel will set (:func:`hwlib.book.lab.kernel_metadata`), so that JupyterLab does not mark them modified
    when the kernel starts, and they are saved through :func:`merge`: unchanged cells keep their text, the
    kernel's display name and language stay out of the file, and a notebook saved unchanged is not written."""

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        """The model of ``path``; a MyST notebook's with its kernel's metadata filled in."""
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if model.get("type") == "notebook" and model.get("content") and path.endswith(".md"):
            model["content"]["metadata"] = with_kernel_metadata(model["content"]["metadata"])
        return model

    async def save(self, model, path=""):
        """Save ``model`` at ``path``; a MyST notebook through :func:`merge`, anything else as jupytext does."""
        path = path.strip("/")
        source = Path(self._get_os_path(path)) if path.endswith(".md") else None
        if model.get("type") != "notebook" or source is None or not source.is_file():
            return await super().save(model, path)
        old_text = source.read_bytes().decode("utf-8")
        nb = nbformat.from_dict(model["content"])
        config = await self.get_config(path)
        if guess_format(old_text, ".md")[0] != "myst" or len(notebook_formats(nb, config, path)) > 1:
            return await super().save(model, path)  # another markdown flavour, or a notebook paired with others
        source_kernel = jupytext.reads(old_text, fmt=MYST).metadata.get("kernelspec")
        if source_kernel and nb.metadata.get("kernelspec", {}).get("name") == source_kernel.get("name"):
            nb.metadata["kernelspec"] = source_kernel  # the same kernel: what get() filled in is not an edit
        text = merge(old_text, nb, config)
        if text == old_text:
            return await self.get(path, content=False)
        self.log.info("Saving %s (unchanged cells kept as they were)", path)
        await self.super.save({"type": "file", "format": "text", "content": text}, path)
        return await self.get(path, content=False)
