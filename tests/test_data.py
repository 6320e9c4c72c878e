"""The Fashion-MNIST loader on small files written in the real IDX gz format."""

import builtins
import gzip
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from hwlib import data


def idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_fashion(directory, n_train=12, n_test=5, seed=0):
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        with gzip.open(directory / name, "wb") as fh:
            fh.write(idx_bytes(array))
    return arrays


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No real copies visible: empty caches, no Debian directory, no network."""
    monkeypatch.setenv("HWLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("HWLIB_DATA", raising=False)
    debian, *others = data.FASHION_MNIST.places
    monkeypatch.setattr(data.FASHION_MNIST, "places", ((debian[0], str(tmp_path / "no-debian" / "{file}")), *others))
    monkeypatch.setattr(data.FASHION_MNIST, "urls", ("http://127.0.0.1:9/",))
    monkeypatch.setattr(data.FASHION_MNIST, "sizes", {"train": 12, "test": 5})  # write_fashion's tiny files
    return tmp_path


def deny_reading(monkeypatch, victim):
    """``victim`` unreadable by this user: by its mode, or (root reads anything) by refusing to open it."""
    victim.chmod(0)
    if os.access(victim, os.R_OK):
        real_open = builtins.open

        def guarded(file, *args, **kwargs):
            if str(file) == str(victim):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", guarded)


def test_reads_explicit_directory(isolated):
    arrays = write_fashion(isolated / "fm")
    ds = data.load_fashion_mnist(isolated / "fm")
    np.testing.assert_array_equal(ds.x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(ds.y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert ds.x_train.shape == (12, 28, 28) and ds.x_train.dtype == np.uint8
    assert len(ds.class_names) == 10
    assert not ds.real  # small synthetic files do not match the official checksums
    assert "SHA-256 of the unpacked data differs from the pinned value" in ds.provenance and "12 train" in ds.provenance


def test_hwlib_data_environment_variable(isolated, monkeypatch):
    write_fashion(isolated / "env" / "fashion-mnist")
    monkeypatch.setenv("HWLIB_DATA", str(isolated / "env"))
    assert data.load_fashion_mnist().x_test.shape == (5, 28, 28)


def test_truncated_file_names_file_and_fix(isolated):
    write_fashion(isolated / "fm")
    victim = isolated / "fm" / "train-images-idx3-ubyte.gz"
    victim.write_bytes(victim.read_bytes()[: len(victim.read_bytes()) // 2])
    with pytest.raises(data.DataError) as err:
        data.load_fashion_mnist(isolated / "fm")
    message = str(err.value)
    assert f"delete {victim} and fetch it again" in message


def test_payload_shorter_than_header_declares(isolated):
    write_fashion(isolated / "fm")
    victim = isolated / "fm" / "t10k-labels-idx1-ubyte.gz"
    with gzip.open(victim, "wb") as fh:
        fh.write(struct.pack(">HBBI", 0, 8, 1, 5) + bytes([1, 2, 3]))
    with pytest.raises(data.DataError, match="declares shape"):
        data.load_fashion_mnist(isolated / "fm")


def test_header_cut_short_is_rejected(isolated):
    write_fashion(isolated / "fm")
    with gzip.open(isolated / "fm" / "train-images-idx3-ubyte.gz", "wb") as fh:
        fh.write(struct.pack(">HBBI", 0, 8, 3, 12))  # declares three dimensions, holds one
    with pytest.raises(data.DataError, match="too short to be an IDX file"):
        data.load_fashion_mnist(isolated / "fm")


def test_wrong_header_is_rejected(isolated):
    write_fashion(isolated / "fm")
    with gzip.open(isolated / "fm" / "t10k-labels-idx1-ubyte.gz", "wb") as fh:
        fh.write(b"PK\x03\x04 not an idx file")
    with pytest.raises(data.DataError, match="IDX header"):
        data.load_fashion_mnist(isolated / "fm")


def test_images_and_labels_must_pair(isolated):
    write_fashion(isolated / "fm")
    with gzip.open(isolated / "fm" / "train-labels-idx1-ubyte.gz", "wb") as fh:
        fh.write(idx_bytes(np.zeros(7)))
    with pytest.raises(data.DataError, match="12 train images but 7 labels"):
        data.load_fashion_mnist(isolated / "fm")


def test_offline_without_copy_lists_places_and_fix(isolated):
    with pytest.raises(data.DataError) as err:
        data.load_fashion_mnist()
    message = str(err.value)
    assert "Looked in" in message and "no-debian" in message and "apt-get install dataset-fashion-mnist" in message
    assert not any((isolated / "cache").rglob("*.gz")), "nothing may be cached after a failed download"


def test_download_verifies_checksum_and_writes_atomically(isolated, monkeypatch):
    source = isolated / "mirror"
    arrays = write_fashion(source)
    monkeypatch.setattr(data.FASHION_MNIST, "urls", (source.as_uri() + "/",))
    good = {name: data.file_hash(source / name, unpacked=True) for name in arrays}
    bad = dict(good, **{"t10k-images-idx3-ubyte.gz": "0" * 64})
    monkeypatch.setattr(data.FASHION_MNIST, "checksums", bad)
    with pytest.raises(data.DataError, match="t10k-images-idx3-ubyte.gz was downloaded but failed its checksum") as err:
        data.load_fashion_mnist()
    assert not isinstance(err.value, data.DataUnavailable), "a checksum mismatch is an error, not unavailability"
    assert not (isolated / "cache" / "fashion-mnist" / "t10k-images-idx3-ubyte.gz").exists()
    assert not list((isolated / "cache" / "fashion-mnist").glob(".*")), "no temporary files left"
    monkeypatch.setattr(data.FASHION_MNIST, "checksums", good)
    ds = data.load_fashion_mnist()
    assert ds.real and "a verified download" in ds.provenance


def test_real_fashion_mnist_when_installed():
    if not Path("/usr/share/datasets/fashion-mnist").is_dir():
        pytest.skip("dataset-fashion-mnist is not installed")
    ds = data.load_fashion_mnist()
    assert ds.real and ds.x_train.shape == (60000, 28, 28) and ds.x_test.shape == (10000, 28, 28)
    assert np.bincount(ds.y_train).tolist() == [6000] * 10


def test_stratified_subset_keeps_class_balance():
    y = np.repeat(np.arange(10), 100)
    x = np.arange(1000)
    xs, ys = data.stratified_subset(x, y, 200, seed=1)
    assert len(ys) == 200 and np.bincount(ys).tolist() == [20] * 10
    assert np.array_equal(xs, x[xs]) and data.stratified_subset(x, y, 0, seed=1)[0] is x


def test_explicit_directory_without_the_files_is_an_error(isolated, monkeypatch):
    write_fashion(isolated / "cache" / "fashion-mnist")  # a usable copy elsewhere is not silently taken
    with pytest.raises(data.DataError, match="data_dir=.*does not hold"):
        data.load_fashion_mnist(isolated / "empty")
    monkeypatch.setenv("HWLIB_DATA", str(isolated / "empty"))
    with pytest.raises(data.DataError, match="data_dir=.*does not hold"):
        data.load_fashion_mnist(isolated / "empty")  # data_dir still must hold it, HWLIB_DATA or not


def test_hwlib_data_is_the_first_place_not_the_only_one(isolated, monkeypatch):
    """HWLIB_DATA is shared by every dataset: one it lacks is looked for elsewhere, and the provenance says so."""
    write_fashion(isolated / "cache" / "fashion-mnist")
    monkeypatch.setenv("HWLIB_DATA", str(isolated / "shared"))
    ds = data.load_fashion_mnist()
    assert ds.sources["found_in"] == "the hwlib download cache"
    assert f"HWLIB_DATA={isolated / 'shared'} holds no Fashion-MNIST" in ds.provenance
    write_fashion(isolated / "shared" / "fashion-mnist", seed=1)
    ds = data.load_fashion_mnist()
    assert ds.sources["found_in"] == "the HWLIB_DATA folder" and "holds no" not in ds.provenance


def test_one_hwlib_data_folder_holds_every_dataset_under_its_own_name(isolated, monkeypatch):
    shared = isolated / "shared"
    write_fashion(shared / "fashion-mnist")
    rng = np.random.default_rng(0)
    np.savez(shared / "mnist.npz", x_train=rng.integers(0, 256, (12, 28, 28), np.uint8), y_train=np.arange(12) % 10,
             x_test=rng.integers(0, 256, (5, 28, 28), np.uint8), y_test=np.arange(5) % 10)
    (shared / "medmnist").mkdir()
    np.savez(shared / "medmnist" / "dermamnist.npz", **{
        f"{s}_{k}": v for s, n in (("train", 7), ("val", 7), ("test", 7)) for k, v in
        (("images", rng.integers(0, 256, (n, 28, 28, 3), np.uint8)), ("labels", (np.arange(n) % 7)[:, None]))})
    monkeypatch.setattr(data.MNIST, "sizes", {"train": 12, "test": 5})
    monkeypatch.setattr(data.DERMAMNIST, "sizes", {"train": 7, "val": 7, "test": 7})
    monkeypatch.setenv("HWLIB_DATA", str(shared))
    assert data.load_fashion_mnist().sources["path"] == str(shared / "fashion-mnist")
    assert data.load(data.MNIST).sources["path"] == str(shared / "mnist.npz")
    assert data.load(data.DERMAMNIST).sources["path"] == str(shared / "medmnist" / "dermamnist.npz")


def test_part_of_a_dataset_in_hwlib_data_is_an_error(isolated, monkeypatch):
    write_fashion(isolated / "cache" / "fashion-mnist")
    write_fashion(isolated / "shared")
    (isolated / "shared" / "t10k-labels-idx1-ubyte.gz").unlink()
    monkeypatch.setenv("HWLIB_DATA", str(isolated / "shared"))
    with pytest.raises(data.DataError, match=r"holds only part of Fashion-MNIST \(t10k-labels-idx1-ubyte.gz missing\)"):
        data.load_fashion_mnist()


def test_wrongly_shaped_idx_file_is_refused(isolated):
    """A header claiming 12x14x56 (784 values per image, as 28x28) must not be read as scrambled 28x28 images."""
    write_fashion(isolated / "fm")
    with gzip.open(isolated / "fm" / "train-images-idx3-ubyte.gz", "wb") as fh:
        fh.write(idx_bytes(np.random.default_rng(0).integers(0, 256, (12, 14, 56))))
    with pytest.raises(data.DataError, match=r"train-images-idx3-ubyte.gz is uint8 of shape \(12, 14, 56\); "
                                             r"expected uint8 images of shape \(n, 28, 28\). delete .*train-images"):
        data.load_fashion_mnist(isolated / "fm")


def test_empty_and_blank_splits_are_refused(isolated, monkeypatch):
    monkeypatch.setattr(data.FASHION_MNIST, "sizes", None)  # not the size check: the split's own
    write_fashion(isolated / "fm")
    for name, array in (("t10k-images-idx3-ubyte.gz", np.zeros((0, 28, 28))),
                        ("t10k-labels-idx1-ubyte.gz", np.zeros(0))):
        with gzip.open(isolated / "fm" / name, "wb") as fh:
            fh.write(idx_bytes(array))
    with pytest.raises(data.DataError, match="holds no images .* the test split is empty"):
        data.load_fashion_mnist(isolated / "fm")
    write_fashion(isolated / "fm")
    with gzip.open(isolated / "fm" / "train-images-idx3-ubyte.gz", "wb") as fh:
        fh.write(idx_bytes(np.zeros((12, 28, 28))))
    with pytest.raises(data.DataError, match="every pixel of train-images-idx3-ubyte.gz is 0: the images are blank"):
        data.load_fashion_mnist(isolated / "fm")


def test_split_sizes_are_held_to_the_dataset(isolated):
    assert data.FASHION_MNIST.sizes == {"train": 12, "test": 5}  # the fixture's tiny stand-in for the real sizes
    write_fashion(isolated / "fm", n_test=4)
    with pytest.raises(data.DataError, match="the test split holds 4 images, but Fashion-MNIST has 5: it is"):
        data.load_fashion_mnist(isolated / "fm")


def test_real_split_sizes():
    assert data.FASHION_MNIST.sizes == {"train": 60_000, "test": 10_000}
    assert data.MNIST.sizes == {"train": 60_000, "test": 10_000}
    assert data.CIFAR10.sizes == {"train": 50_000, "test": 10_000}
    assert data.DERMAMNIST.sizes == {"train": 7_007, "val": 1_003, "test": 2_005}


def test_unreadable_file_says_permissions_not_delete(isolated, monkeypatch):
    write_fashion(isolated / "fm")
    victim = isolated / "fm" / "t10k-images-idx3-ubyte.gz"
    deny_reading(monkeypatch, victim)
    with pytest.raises(data.DataError) as err:
        data.load_fashion_mnist(isolated / "fm")
    message = str(err.value)
    assert message.startswith(f"{victim}: this user (") and "may not read it (permission denied)" in message
    assert f"chmod a+r {victim}" in message and "pass that folder as data_dir" in message
    assert "delete" not in message and "corrupt" not in message
