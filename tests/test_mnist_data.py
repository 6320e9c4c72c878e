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
    with pytest.warns(UserWarning, match="digits stand-in"):
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


def test_standin_shapes_labels_and_provenance():
    ds = data.digits_standin(seed=3, reason="testing")
    assert ds.x_train.shape == (1347, 28, 28) and ds.x_test.shape == (450, 28, 28)
    assert ds.x_train.dtype == np.uint8 and ds.x_train.max() == 255 and ds.x_train.min() == 0
    assert set(ds.y_train.tolist()) == set(range(10)) == set(ds.y_test.tolist())
    assert np.bincount(ds.y_test).min() >= 43  # stratified: about 45 per digit
    assert not ds.real and ds.provenance.startswith("STAND-IN, NOT MNIST: testing.")
    assert "1,797" in ds.provenance and "seed 3" in ds.provenance
    again = data.digits_standin(seed=3)
    np.testing.assert_array_equal(ds.y_train, again.y_train)
    assert not np.array_equal(data.digits_standin(seed=4).y_test, ds.y_test)


def test_standin_digits_sit_in_the_middle_like_mnist():
    ds = data.digits_standin(seed=0)
    frame = np.ones((28, 28), bool)
    frame[1:-1, 1:-1] = False
    assert not ds.x_train[:, frame].any()  # a blank outer frame, as in MNIST
    rows = np.arange(28)
    mass = ds.x_train.astype(float)
    com_row = (mass.sum(2) * rows).sum(1) / mass.sum((1, 2))
    assert np.all(np.abs(com_row - 13.5) < 1.0)


def test_mnist_layout_centres_by_mass():
    image = np.zeros((1, 8, 8))
    image[0, 0:2, 0:2] = 16  # a blob in a corner
    out = data.mnist_layout(image, max_value=16)
    assert out.shape == (1, 28, 28) and out.dtype == np.uint8 and out.max() == 255
    ys, xs = np.nonzero(out[0])
    weights = out[0][ys, xs].astype(float)
    assert abs(np.average(ys, weights=weights) - 13.5) <= 4 and abs(np.average(xs, weights=weights) - 13.5) <= 4


def test_mnist_or_standin_offline(isolated, no_network):
    ds = data.mnist_or_standin(seed=1)
    assert not ds.real and "could not be downloaded" in ds.sources["reason"]
    assert "could not be downloaded" in ds.provenance
    with pytest.raises(data.DataUnavailable, match="needs the real MNIST"):
        data.mnist_or_standin(allow_standin=False)


def test_mnist_or_standin_prefers_real_files(isolated):
    write_npz(isolated / "mn")
    ds = data.mnist_or_standin(isolated / "mn", allow_standin=True)
    assert ds.x_train.shape == (12, 28, 28) and "STAND-IN" not in ds.provenance


def test_real_mnist_when_cached():
    try:
        ds = data.load(data.MNIST, download_ok=False)
    except data.DataUnavailable:
        pytest.skip("mnist.npz is not on this machine")
    assert ds.real and ds.x_train.shape == (60000, 28, 28) and ds.x_test.shape == (10000, 28, 28)
