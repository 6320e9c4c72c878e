"""Datasets the notebooks use, found on disk first and downloaded only as a last resort.

Every loader returns a :class:`Dataset` whose ``provenance`` line says what the
data are and where they came from, so each page can state it.  Files are
validated when read; a bad file raises :class:`DataError` naming the file and
the fix, and nothing unverified is ever written to a cache.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import struct
import tempfile
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import paths

FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

# SHA-256 of the *decompressed* IDX payloads: the same for every mirror,
# whatever gzip settings it used.
FASHION_FILES = {
    "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
FASHION_URLS = (
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
)
FASHION_DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")


class DataError(RuntimeError):
    """A dataset is missing, unreadable or corrupt; the message says how to fix it."""


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


def cache_dir() -> Path:
    """Where downloads are kept: ``$HWLIB_CACHE`` or ``~/.cache/hwlib``."""
    return Path(os.environ.get("HWLIB_CACHE") or Path.home() / ".cache" / "hwlib")


def keras_cache_dir() -> Path:
    """Keras's own dataset cache (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``)."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "datasets"


def read_idx_gz(path: Path) -> np.ndarray:
    """Read one gzip-compressed IDX file (the MNIST format) into a uint8 array."""
    try:
        with gzip.open(path, "rb") as fh:
            raw = fh.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(
            f"{path} is not a readable gzip file ({exc}). It is truncated or corrupt: "
            f"delete it and fetch it again."
        ) from exc
    return parse_idx(raw, path)


def parse_idx(raw: bytes, path: Path | str = "<bytes>") -> np.ndarray:
    """Decode IDX bytes (unsigned-byte data only) and check the header against the payload."""
    if len(raw) < 4:
        raise DataError(f"{path} is too short to be an IDX file: delete it and fetch it again.")
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08 or not 1 <= ndim <= 4:
        raise DataError(
            f"{path} does not start with an unsigned-byte IDX header "
            f"(got {raw[:4].hex()}): it is not a Fashion-MNIST/MNIST file. Replace it."
        )
    header = 4 + 4 * ndim
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    expected = int(np.prod(dims))
    if len(raw) - header != expected:
        raise DataError(
            f"{path} declares shape {dims} ({expected:,} values) but holds "
            f"{len(raw) - header:,}: the file is truncated or corrupt. Delete it and fetch it again."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def sha256_of_gz(path: Path) -> str:
    """SHA-256 of a gzip file's decompressed content."""
    digest = hashlib.sha256()
    with gzip.open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(urls: tuple[str, ...], name: str, sha256: str, target_dir: Path) -> Path:
    """Download ``name`` from the first mirror that answers, verify it, then move it into place.

    The file is written to a temporary name beside the target and renamed only
    after its checksum matched, so an interrupted or corrupt download is never
    left in the cache.
    """
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / name
    failures = []
    for base in urls:
        url = base + name
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", dir=target_dir)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=30) as resp:
                shutil.copyfileobj(resp, out)
            got = sha256_of_gz(tmp)
            if got != sha256:
                failures.append(f"{url}: checksum {got[:12]}… differs from {sha256[:12]}…")
                continue
            paths.publish(tmp, target)
            return target
        except (urllib.error.URLError, OSError, EOFError, zlib.error) as exc:
            failures.append(f"{url}: {exc}")
        finally:
            tmp.unlink(missing_ok=True)
    raise DataError(f"could not download {name}:\n  " + "\n  ".join(failures))


def _complete(directory: Path, names) -> bool:
    return all((directory / n).is_file() for n in names)


def find_files(names, candidates: list[tuple[str, Path]]) -> tuple[str, Path] | None:
    """The first candidate directory that holds all ``names``."""
    for label, directory in candidates:
        if _complete(directory, names):
            return label, directory
    return None


def fashion_mnist_candidates(data_dir: str | os.PathLike | None = None) -> list[tuple[str, Path]]:
    """Where Fashion-MNIST is looked for, in order."""
    places = []
    explicit = data_dir or os.environ.get("HWLIB_DATA")
    if explicit:
        root = Path(explicit).expanduser()
        places += [("the given directory", root), ("the given directory", root / "fashion-mnist")]
    places += [
        ("Debian package dataset-fashion-mnist", FASHION_DEBIAN_DIR),
        ("the Keras cache", keras_cache_dir() / "fashion-mnist"),
        ("the hwlib download cache", cache_dir() / "fashion-mnist"),
    ]
    return places


def load_fashion_mnist(data_dir: str | os.PathLike | None = None, download_ok: bool = True) -> Dataset:
    """Real Fashion-MNIST (60,000 train / 10,000 test, 28x28 uint8, labels 0-9).

    Looks in ``data_dir`` or ``$HWLIB_DATA``, the Debian package, the Keras
    cache and hwlib's cache, then downloads into hwlib's cache.
    """
    names = list(FASHION_FILES)
    candidates = fashion_mnist_candidates(data_dir)
    explicit = data_dir or os.environ.get("HWLIB_DATA")
    if explicit and find_files(names, candidates[:2]) is None:
        origin = "data_dir" if data_dir else "HWLIB_DATA"
        raise DataError(
            f"{origin}={str(explicit)!r} does not hold the Fashion-MNIST files "
            f"({', '.join(names)}), neither directly nor in a fashion-mnist/ subfolder. "
            f"Put them there, or leave {origin} empty to use the Debian package, the Keras cache "
            "or a download."
        )
    found = find_files(names, candidates)
    if found is None:
        if not download_ok:
            raise DataError(_not_found_message(candidates, "download disabled"))
        target = cache_dir() / "fashion-mnist"
        try:
            for name, digest in FASHION_FILES.items():
                if not (target / name).is_file():
                    download(FASHION_URLS, name, digest, target)
        except DataError as exc:
            raise DataError(_not_found_message(candidates, str(exc))) from exc
        found = ("a verified download", target)
    label, directory = found
    arrays = {name: read_idx_gz(directory / name) for name in names}
    x_train, y_train, x_test, y_test = (arrays[n] for n in names)
    _check_pairs(directory, x_train, y_train, x_test, y_test, n_classes=len(FASHION_CLASSES))
    verified = all(sha256_of_gz(directory / n) == d for n, d in FASHION_FILES.items())
    what = ("real Fashion-MNIST (checksums match the official files)" if verified
            else "Fashion-MNIST-format files whose checksums differ from the official ones")
    return Dataset(
        x_train, y_train, x_test, y_test, FASHION_CLASSES,
        provenance=(
            f"{what}, {len(x_train):,} train / {len(x_test):,} test images, "
            f"from {label} ({directory})"
        ),
        real=verified,
        sources={"directory": str(directory), "found_in": label},
    )


def _check_pairs(directory, x_train, y_train, x_test, y_test, n_classes):
    for split, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if x.ndim != 3 or y.ndim != 1:
            raise DataError(f"{directory}: {split} images/labels have shapes {x.shape}/{y.shape}; "
                            "expected (n, 28, 28) and (n,). The files are mixed up: replace them.")
        if len(x) != len(y):
            raise DataError(f"{directory}: {len(x):,} {split} images but {len(y):,} labels: "
                            "the files do not belong together. Replace them.")
        if y.size and int(y.max()) >= n_classes:
            raise DataError(f"{directory}: {split} labels go up to {int(y.max())}, "
                            f"expected 0-{n_classes - 1}. Replace the label file.")


def _not_found_message(candidates, reason: str) -> str:
    looked = "\n".join(f"  - {label}: {path}" for label, path in candidates)
    return (
        "Fashion-MNIST was not found on this machine and could not be downloaded "
        f"({reason}).\nLooked in:\n{looked}\n"
        "Fix: `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or put the four "
        "*-ubyte.gz files in a directory and pass it as data_dir (or set HWLIB_DATA), "
        "or run once with network access."
    )


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
