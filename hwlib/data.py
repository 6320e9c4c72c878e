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
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import provenance, results

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

MNIST_CLASSES = tuple(str(digit) for digit in range(10))
MNIST_FILE = "mnist.npz"
# SHA-256 of the whole Keras file, as pinned in keras.datasets.mnist.load_data.
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_URLS = ("https://storage.googleapis.com/tensorflow/tf-keras-datasets/",)
MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")


class DataError(RuntimeError):
    """A dataset is missing, unreadable or corrupt; the message says how to fix it."""


class DataUnavailable(DataError):
    """A dataset is on none of the places looked in and could not be downloaded.

    Only this case may be replaced by a stand-in: a corrupt file or an explicit
    directory without the data is a mistake to fix, not a reason to fall back.
    ``reason`` is a one-line account of why the data could not be had.
    """

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

    def __post_init__(self):
        provenance.record(self.provenance, self.real)


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


def file_hash(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file's bytes (``algorithm`` as named by :mod:`hashlib`)."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(urls: tuple[str, ...], name: str, sha256: str, target_dir: Path,
             digest=sha256_of_gz) -> Path:
    """Download ``name`` from the first mirror that answers, verify it, then move it into place.

    ``digest(path)`` computes the checksum compared with ``sha256`` (by default
    the SHA-256 of the decompressed gzip payload; pass e.g.
    ``lambda p: file_hash(p, "md5")`` for a publisher's MD5 of the raw file).
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
            got = digest(tmp)
            if got != sha256:
                failures.append(f"{url}: checksum {got[:12]}… differs from {sha256[:12]}…")
                continue
            results.publish(tmp, target)
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


def given_places(data_dir: str | os.PathLike | None, subfolder: str) -> list[tuple[str, Path]]:
    """``data_dir`` (else ``$HWLIB_DATA``) and its ``subfolder``, when one of them is set."""
    explicit = data_dir or os.environ.get("HWLIB_DATA")
    if not explicit:
        return []
    root = Path(explicit).expanduser()
    return [("the given directory", root), ("the given directory", root / subfolder)]


def fashion_mnist_candidates(data_dir: str | os.PathLike | None = None) -> list[tuple[str, Path]]:
    """Where Fashion-MNIST is looked for, in order."""
    return given_places(data_dir, "fashion-mnist") + [
        ("Debian package dataset-fashion-mnist", FASHION_DEBIAN_DIR),
        ("the Keras cache", keras_cache_dir() / "fashion-mnist"),
        ("the hwlib download cache", cache_dir() / "fashion-mnist"),
    ]


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


def not_found_message(what: str, places: list[str], reason: str, fix: str) -> str:
    """The error for data that is nowhere on this machine: what, why, every place looked in, the fix."""
    looked = "\n".join(f"  - {place}" for place in places)
    return (f"{what} was not found on this machine and could not be downloaded ({reason}).\n"
            f"Looked in:\n{looked}\nFix: {fix}")


def _not_found_message(candidates, reason: str) -> str:
    return not_found_message(
        "Fashion-MNIST", [f"{label}: {path}" for label, path in candidates], reason,
        "`sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or put the four *-ubyte.gz "
        "files in a directory and pass it as data_dir (or set HWLIB_DATA), or run once with network access.")


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


# --------------------------------------------------------------------------- MNIST


def mnist_candidates(data_dir: str | os.PathLike | None = None) -> list[tuple[str, Path]]:
    """Where ``mnist.npz`` is looked for, in order."""
    return given_places(data_dir, "mnist") + [
        ("the Keras cache", keras_cache_dir()),
        ("the hwlib download cache", cache_dir()),
    ]


def read_mnist_npz(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``x_train, y_train, x_test, y_test`` of a Keras-format ``mnist.npz``, checked.

    The archive must hold the four arrays; images must be uint8 of shape
    (n, 28, 28), labels integers 0-9 of shape (n,), one label per image.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            archive = np.load(fh, allow_pickle=False)
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise DataError(f"{path} holds a single array, not the .npz archive of MNIST "
                                f"({', '.join(MNIST_KEYS)}): replace it with the Keras mnist.npz.")
            with archive:
                missing = [k for k in MNIST_KEYS if k not in archive.files]
                if missing:
                    raise DataError(
                        f"{path} lacks the array(s) {', '.join(missing)} (it holds "
                        f"{', '.join(archive.files) or 'nothing'}): it is not the Keras mnist.npz. "
                        "Replace it with the file from " + MNIST_URLS[0] + MNIST_FILE + "."
                    )
                arrays = tuple(archive[k] for k in MNIST_KEYS)
    except DataError:
        raise
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error) as exc:
        raise DataError(
            f"{path} is not a readable .npz archive ({type(exc).__name__}: {exc}). It is truncated "
            "or corrupt: delete it and fetch it again."
        ) from exc
    _check_mnist_arrays(path, *arrays)
    return arrays


def _check_mnist_arrays(path, x_train, y_train, x_test, y_test) -> None:
    fix = "Replace the file with the Keras mnist.npz."
    for split, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if x.ndim != 3 or x.shape[1:] != (28, 28) or x.dtype != np.uint8:
            raise DataError(f"{path}: x_{split} is {x.dtype} of shape {x.shape}; expected uint8 "
                            f"images of shape (n, 28, 28). {fix}")
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
            raise DataError(f"{path}: y_{split} is {y.dtype} of shape {y.shape}; expected integer "
                            f"labels of shape (n,). {fix}")
        if len(x) != len(y):
            raise DataError(f"{path}: {len(x):,} {split} images but {len(y):,} labels. {fix}")
        if y.size and (int(y.min()) < 0 or int(y.max()) > 9):
            raise DataError(f"{path}: y_{split} holds labels {int(y.min())}..{int(y.max())}, "
                            f"expected 0-9. {fix}")


def load_mnist(data_dir: str | os.PathLike | None = None, download_ok: bool = True) -> Dataset:
    """Real MNIST (60,000 train / 10,000 test, 28x28 uint8, labels 0-9) from the Keras ``mnist.npz``.

    Looks in ``data_dir`` or ``$HWLIB_DATA`` (where the file must then be), the
    Keras cache and hwlib's cache, then downloads into hwlib's cache, verified
    by the SHA-256 Keras pins.  Raises :class:`DataUnavailable` when the file
    is nowhere and cannot be downloaded, :class:`DataError` when it is bad.
    """
    candidates = mnist_candidates(data_dir)
    explicit = data_dir or os.environ.get("HWLIB_DATA")
    if explicit and find_files([MNIST_FILE], candidates[:2]) is None:
        origin = "data_dir" if data_dir else "HWLIB_DATA"
        raise DataError(
            f"{origin}={str(explicit)!r} does not hold {MNIST_FILE}, neither directly nor in an "
            f"mnist/ subfolder. Put it there, or leave {origin} empty to use the Keras cache or a "
            "download."
        )
    found = find_files([MNIST_FILE], candidates)
    if found is None:
        if not download_ok:
            raise DataUnavailable(_mnist_not_found(candidates, "download disabled"),
                                  f"{MNIST_FILE} is not on this machine and downloading was disabled")
        try:
            download(MNIST_URLS, MNIST_FILE, MNIST_SHA256, cache_dir(), digest=file_hash)
        except DataError as exc:
            failures = "; ".join(line.strip() for line in str(exc).splitlines()[1:]) or str(exc)
            raise DataUnavailable(_mnist_not_found(candidates, str(exc)),
                                  f"{MNIST_FILE} is not on this machine and could not be downloaded "
                                  f"({failures})") from exc
        found = ("a verified download", cache_dir())
    label, directory = found
    path = directory / MNIST_FILE
    x_train, y_train, x_test, y_test = read_mnist_npz(path)
    verified = file_hash(path) == MNIST_SHA256
    what = ("real MNIST (SHA-256 matches the Keras mnist.npz)" if verified
            else "an MNIST-format mnist.npz whose SHA-256 differs from the Keras file")
    return Dataset(
        x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64), MNIST_CLASSES,
        provenance=(f"{what}, {len(x_train):,} train / {len(x_test):,} test images, "
                    f"from {label} ({path})"),
        real=verified,
        sources={"file": str(path), "found_in": label},
    )


def _mnist_not_found(candidates, reason: str) -> str:
    return not_found_message(
        f"MNIST ({MNIST_FILE})", [f"{label}: {path / MNIST_FILE}" for label, path in candidates], reason,
        f"run once with network access (it is then cached in {cache_dir()}), or copy "
        f"{MNIST_URLS[0]}{MNIST_FILE} (SHA-256 {MNIST_SHA256}) into ~/.keras/datasets/ or into "
        "a directory passed as data_dir (or set HWLIB_DATA).")


def mnist_layout(images: np.ndarray, max_value: float, box: int = 20, size: int = 28) -> np.ndarray:
    """Small greyscale digits laid out as in MNIST: scaled up to a ``box`` x ``box`` square
    (bilinear), intensities mapped to 0-255, then placed in a ``size`` x ``size`` frame with
    their centre of mass at the centre, as MNIST was built."""
    from scipy import ndimage

    images = np.asarray(images, dtype=np.float64)
    factor = box / images.shape[1], box / images.shape[2]
    out = np.zeros((len(images), size, size), dtype=np.uint8)
    free = size - box
    for i, image in enumerate(images):
        big = ndimage.zoom(image, factor, order=1, mode="grid-constant", grid_mode=True)
        big = np.clip(np.rint(big * (255.0 / max_value)), 0, 255)
        if big.sum() > 0:
            com = np.array(ndimage.center_of_mass(big))
            offset = np.clip(np.rint((size - 1) / 2 - com), 0, free).astype(int)
        else:
            offset = np.array([free // 2, free // 2])
        out[i, offset[0]:offset[0] + box, offset[1]:offset[1] + box] = big
    return out


def digits_standin(seed: int = 0, test_size: float = 0.25, reason: str = "") -> Dataset:
    """A labelled stand-in for MNIST made of real handwriting: scikit-learn's 1,797 8x8 digits
    (UCI optdigits, intensities 0-16) in MNIST's 28x28 layout (:func:`mnist_layout`), split
    into train and test stratified by digit with ``seed``."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = mnist_layout(digits.images, max_value=16)
    labels = digits.target.astype(np.int64)
    train_idx, test_idx = train_test_split(np.arange(len(labels)), test_size=test_size,
                                           stratify=labels, random_state=seed)
    train_idx, test_idx = np.sort(train_idx), np.sort(test_idx)
    why = f"{reason}. " if reason else ""
    return Dataset(
        images[train_idx], labels[train_idx], images[test_idx], labels[test_idx], MNIST_CLASSES,
        provenance=(
            f"STAND-IN, NOT MNIST: {why}Instead: scikit-learn's {len(labels):,} real handwritten "
            "digits (8x8, intensities 0-16, UCI optdigits) scaled to a 20x20 box and centred in "
            f"28x28 as in MNIST, split {len(train_idx):,} train / {len(test_idx):,} test "
            f"(stratified by digit, seed {seed})"
        ),
        real=False,
        sources={"standin": "sklearn.datasets.load_digits", "reason": reason},
    )


def mnist_or_standin(data_dir: str | os.PathLike | None = None, allow_standin: bool = True,
                      download_ok: bool = True, seed: int = 0) -> Dataset:
    """Real MNIST when it can be had; when it cannot, the digits stand-in (if allowed), whose
    provenance and ``sources["reason"]`` say why.

    Only unavailability falls back: a corrupt file or an explicit ``data_dir``
    without the file raises :class:`DataError` either way.
    """
    return real_or_standin(lambda: load_mnist(data_dir, download_ok), "MNIST", allow_standin,
                           lambda reason: digits_standin(seed=seed, reason=reason), "the digits stand-in")


def real_or_standin(load_real, name: str, allow_standin: bool, make_standin, standin_name: str):
    """``load_real()``; when it raises :class:`DataUnavailable`, ``make_standin(reason)`` if
    ``allow_standin``, else the error, saying this run needs the real ``name``.

    Every other error (a corrupt file, an explicit folder without the data) propagates.
    """
    try:
        return load_real()
    except DataUnavailable as exc:
        if not allow_standin:
            raise DataUnavailable(
                f"{exc}\nThis run needs the real {name} (allow_standin is False, as in the full "
                f"profile); run with allow_standin=True (the quick profile) to use {standin_name} "
                "instead.", exc.reason,
            ) from exc
        warnings.warn(f"using {standin_name} instead of {name}: {exc.reason}", stacklevel=3)
        return make_standin(exc.reason)


# --------------------------------------------------------------------------- CIFAR-10

CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                 "dog", "frog", "horse", "ship", "truck")
CIFAR_FILE = "cifar-10-python.tar.gz"
CIFAR_URLS = ("https://www.cs.toronto.edu/~kriz/",)
# SHA-256 of the archive, as pinned in keras/src/datasets/cifar10.py (keras.datasets.cifar10).
CIFAR_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
CIFAR_MEMBERS = tuple(f"cifar-10-batches-py/data_batch_{i}" for i in range(1, 6)) + (
    "cifar-10-batches-py/test_batch",)
# Keras keeps the same archive as ~/.keras/datasets/cifar-10-batches-py.tar.gz.
CIFAR_KERAS_NAME = "cifar-10-batches-py.tar.gz"


class _ArrayUnpickler:
    """Unpickles a CIFAR batch while refusing every global except NumPy's array rebuilders."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")}

    @classmethod
    def load(cls, fh):
        import pickle

        class Restricted(pickle.Unpickler):
            def find_class(self, module, name):
                if (module, name) not in cls.ALLOWED:
                    raise pickle.UnpicklingError(f"global {module}.{name} is not allowed in a CIFAR batch")
                return super().find_class(module, name)

        return Restricted(fh, encoding="bytes").load()


def read_cifar10_archive(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``x_train, y_train, x_test, y_test`` (uint8 (n, 32, 32, 3), int64 labels) of a
    ``cifar-10-python.tar.gz``, every batch checked."""
    import pickle
    import tarfile

    path = Path(path)
    fix = (f"delete {path} and fetch it again from {CIFAR_URLS[0]}{CIFAR_FILE} "
           f"(SHA-256 {CIFAR_SHA256}), or let hwlib download it")
    batches = {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            names = set(archive.getnames())
            missing = [m for m in CIFAR_MEMBERS if m not in names]
            if missing:
                raise DataError(f"{path} lacks {', '.join(missing)}: it is not the CIFAR-10 python "
                                f"archive. {fix}.")
            for member in CIFAR_MEMBERS:
                fh = archive.extractfile(member)
                if fh is None:
                    raise DataError(f"{path}: {member} is not a regular file. {fix}.")
                batches[member] = _ArrayUnpickler.load(fh)
    except DataError:
        raise
    except (tarfile.TarError, OSError, EOFError, zlib.error, pickle.UnpicklingError, ValueError,
            TypeError, AttributeError) as exc:
        raise DataError(f"{path} is not a readable CIFAR-10 archive ({type(exc).__name__}: {exc}). "
                        f"It is truncated or corrupt: {fix}.") from exc
    images, labels = [], []
    for member, batch in batches.items():
        if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
            raise DataError(f"{path}: {member} is not a CIFAR batch (no data/labels). {fix}.")
        x, y = np.asarray(batch[b"data"]), np.asarray(batch[b"labels"])
        if x.dtype != np.uint8 or x.ndim != 2 or x.shape[1] != 3 * 32 * 32 or y.shape != (len(x),):
            raise DataError(f"{path}: {member} holds data {x.dtype} {x.shape} and labels {y.shape}; "
                            f"expected uint8 (n, 3072) and (n,). {fix}.")
        if y.size and (int(y.min()) < 0 or int(y.max()) > 9):
            raise DataError(f"{path}: {member} has labels {int(y.min())}..{int(y.max())}, expected 0-9. {fix}.")
        images.append(x.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        labels.append(y.astype(np.int64))
    return (np.concatenate(images[:-1]), np.concatenate(labels[:-1]), images[-1], labels[-1])


def cifar10_candidates(data_dir: str | os.PathLike | None = None) -> list[tuple[str, Path, str]]:
    """Where the CIFAR-10 archive is looked for, in order: (label, directory, file name)."""
    given = [(label, d, CIFAR_FILE) for label, d in given_places(data_dir, "cifar10")]
    return given + [
        ("the Keras cache", keras_cache_dir(), CIFAR_KERAS_NAME),
        ("the hwlib download cache", cache_dir(), CIFAR_FILE),
    ]


def load_cifar10(data_dir: str | os.PathLike | None = None, download_ok: bool = True) -> Dataset:
    """Real CIFAR-10 (50,000 train / 10,000 test, 32x32x3 uint8, labels 0-9) from the official
    python archive, found on disk or downloaded and verified by the SHA-256 Keras pins.

    Raises :class:`DataUnavailable` when the archive is nowhere and cannot be
    downloaded, :class:`DataError` when it is bad or ``data_dir`` lacks it.
    """
    candidates = cifar10_candidates(data_dir)
    explicit = data_dir or os.environ.get("HWLIB_DATA")
    if explicit and not any((d / n).is_file() for _, d, n in candidates[:2]):
        origin = "data_dir" if data_dir else "HWLIB_DATA"
        raise DataError(
            f"{origin}={str(explicit)!r} does not hold {CIFAR_FILE}, neither directly nor in a cifar10/ "
            f"subfolder. Put it there (from {CIFAR_URLS[0]}{CIFAR_FILE}), or leave {origin} empty to use "
            "the Keras cache, hwlib's cache or a download."
        )
    found = next(((label, d / n) for label, d, n in candidates if (d / n).is_file()), None)
    if found is None:
        places = [f"{label}: {d / n}" for label, d, n in candidates]
        fix = (f"download {CIFAR_URLS[0]}{CIFAR_FILE} (SHA-256 {CIFAR_SHA256}) on a machine with "
               f"internet access and put it in {cache_dir()} or a directory passed as data_dir (or "
               "HWLIB_DATA); `keras.datasets.cifar10.load_data()` also caches it in ~/.keras/datasets.")
        if not download_ok:
            raise DataUnavailable(not_found_message("CIFAR-10", places, "download disabled", fix),
                                  f"{CIFAR_FILE} is not on this machine and downloading was disabled")
        try:
            download(CIFAR_URLS, CIFAR_FILE, CIFAR_SHA256, cache_dir(), digest=file_hash)
        except DataError as exc:
            raise DataUnavailable(not_found_message("CIFAR-10", places, str(exc), fix),
                                  f"{CIFAR_FILE} is not on this machine and could not be downloaded") from exc
        found = ("a verified download", cache_dir() / CIFAR_FILE)
    label, path = found
    x_train, y_train, x_test, y_test = read_cifar10_archive(path)
    verified = file_hash(path) == CIFAR_SHA256
    what = ("real CIFAR-10 (SHA-256 matches the official archive)" if verified
            else "a CIFAR-10-format archive whose SHA-256 differs from the official one")
    return Dataset(
        x_train, y_train, x_test, y_test, CIFAR_CLASSES,
        provenance=f"{what}, {len(x_train):,} train / {len(x_test):,} test images, from {label} ({path})",
        real=verified, sources={"file": str(path), "found_in": label},
    )


def fashion_as_cifar(images: np.ndarray) -> np.ndarray:
    """28x28 greyscale uint8 images resized to 32x32 (bilinear) and copied to three channels."""
    from scipy import ndimage

    images = np.asarray(images, dtype=np.float32)
    big = ndimage.zoom(images, (1, 32 / images.shape[1], 32 / images.shape[2]), order=1)
    big = np.clip(np.rint(big), 0, 255).astype(np.uint8)
    return np.repeat(big[..., np.newaxis], 3, axis=-1)


def cifar10_standin(reason: str = "", fashion: Dataset | None = None) -> Dataset:
    """A labelled stand-in for CIFAR-10: real Fashion-MNIST, 32x32, grey copied to RGB."""
    fashion = fashion or load_fashion_mnist(download_ok=False)
    why = f"{reason}. " if reason else ""
    return Dataset(
        fashion_as_cifar(fashion.x_train), fashion.y_train.astype(np.int64),
        fashion_as_cifar(fashion.x_test), fashion.y_test.astype(np.int64), fashion.class_names,
        provenance=(f"STAND-IN, NOT CIFAR-10: {why}Instead: real Fashion-MNIST clothing images "
                    f"({len(fashion.y_train):,} train / {len(fashion.y_test):,} test, 10 classes), resized "
                    "from 28x28 to 32x32 and the grey value copied to three channels"),
        real=False,
        sources={"standin": "Fashion-MNIST", "reason": reason, "fashion": fashion.provenance},
    )


def cifar10_or_standin(data_dir: str | os.PathLike | None = None, allow_standin: bool = True,
                       seed: int = 0, download_ok: bool = True) -> Dataset:
    """Real CIFAR-10 when it can be had; otherwise the Fashion-MNIST stand-in (if allowed).

    Only unavailability falls back: a corrupt archive or an explicit
    ``data_dir`` without it raises :class:`DataError` either way.  ``seed`` is
    accepted for the loaders' common signature; the stand-in keeps
    Fashion-MNIST's own split and needs no draw.
    """
    return real_or_standin(lambda: load_cifar10(data_dir, download_ok), "CIFAR-10", allow_standin,
                           lambda reason: cifar10_standin(reason=reason), "the Fashion-MNIST stand-in")
