"""The CIFAR-10 loader on tiny archives in the official python format, and its Fashion-MNIST stand-in."""

import io
import pickle
import tarfile
import urllib.error
import urllib.request

import numpy as np
import pytest

from hwlib import data


def batch(n, seed):
    rng = np.random.default_rng(seed)
    return {b"batch_label": b"x", b"labels": [int(v) for v in rng.integers(0, 10, n)],
            b"data": rng.integers(0, 256, (n, 3072)).astype(np.uint8), b"filenames": [b"f"] * n}


def write_archive(directory, name="cifar-10-python.tar.gz", members=data.CIFAR_MEMBERS, n=3, change=None):
    """A tiny archive; ``change(batch)`` edits the second training batch."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    batches = {}
    with tarfile.open(path, "w:gz") as archive:
        for i, member in enumerate(members):
            batches[member] = batch(n, i)
            if change and i == 1:
                change(batches[member])
            raw = pickle.dumps(batches[member], protocol=2)
            info = tarfile.TarInfo(member)
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    return path, batches


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Empty caches, no HWLIB_DATA, no network."""
    monkeypatch.setenv("HWLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("HWLIB_DATA", raising=False)

    def refuse(*args, **kwargs):
        raise urllib.error.URLError("network disabled by the test")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(data.CIFAR10, "sizes", {"train": 15, "test": 3})  # write_archive's tiny batches
    return tmp_path


def fake_fashion(n_train=6, n_test=4):
    rng = np.random.default_rng(1)
    return data.Dataset(rng.integers(0, 256, (n_train, 28, 28)).astype(np.uint8), np.arange(n_train) % 10,
                        rng.integers(0, 256, (n_test, 28, 28)).astype(np.uint8), np.arange(n_test) % 10,
                        data.FASHION_CLASSES, "real Fashion-MNIST (test double)")


def test_good_archive_is_read_in_channels_last_order(isolated):
    path, batches = write_archive(isolated / "given")
    ds = data.load(data.CIFAR10, isolated / "given")
    assert ds.x_train.shape == (15, 32, 32, 3) and ds.x_test.shape == (3, 32, 32, 3)
    assert ds.x_train.dtype == np.uint8 and ds.y_train.dtype == np.int64
    first = batches[data.CIFAR_MEMBERS[0]]
    np.testing.assert_array_equal(ds.x_train[0, :, :, 0].ravel(), first[b"data"][0, :1024])
    np.testing.assert_array_equal(ds.x_train[0, :, :, 2].ravel(), first[b"data"][0, 2048:])
    np.testing.assert_array_equal(ds.y_test, batches[data.CIFAR_MEMBERS[-1]][b"labels"])
    assert ds.class_names[0] == "airplane"
    assert not ds.real and "differs" in ds.provenance and str(path) in ds.provenance


@pytest.mark.parametrize("name", ["cifar-10-batches-py.tar.gz",  # Keras 2
                                  "cifar-10-batches-py-target_archive"])  # Keras 3 (keras.datasets.cifar10)
def test_keras_cache_name_is_found(isolated, name):
    write_archive(isolated / "keras" / "datasets", name=name)
    ds = data.load(data.CIFAR10)
    assert ds.sources["found_in"] == "the Keras cache" and ds.sources["path"].endswith(name)


def test_corrupt_archive_names_file_and_fix(isolated):
    path, _ = write_archive(isolated / "given")
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(data.DataError) as err:
        data.load(data.CIFAR10, isolated / "given")
    assert str(path) in str(err.value) and "fetch it again" in str(err.value)
    assert not isinstance(err.value, data.DataUnavailable)


def test_missing_member_is_named(isolated):
    write_archive(isolated / "given", members=data.CIFAR_MEMBERS[:-1])
    with pytest.raises(data.DataError, match="test_batch"):
        data.load(data.CIFAR10, isolated / "given")


def test_foreign_pickle_globals_are_refused(isolated):
    path = isolated / "given" / "cifar-10-python.tar.gz"
    path.parent.mkdir()
    with tarfile.open(path, "w:gz") as archive:
        for member in data.CIFAR_MEMBERS:
            raw = pickle.dumps({b"data": print}, protocol=2)
            info = tarfile.TarInfo(member)
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    with pytest.raises(data.DataError, match="not allowed"):
        data.load(data.CIFAR10, isolated / "given")


@pytest.mark.parametrize("change, message", [
    (lambda b: b.update({b"data": np.zeros((3, 3072), np.uint8)}), "every pixel of .*data_batch_2 data is 0"),
    (lambda b: b.update({b"labels": [0, 10, 1]}), r"data_batch_2 labels holds labels 0\.\.10, expected 0-9"),
    (lambda b: b.update({b"data": b[b"data"][:2], b"labels": b[b"labels"][:2]}),
     "the train split holds 14 images, but CIFAR-10 has 15"),
])
def test_bad_batches_are_refused(isolated, change, message):
    write_archive(isolated / "given", change=change)
    with pytest.raises(data.DataError, match=message):
        data.load(data.CIFAR10, isolated / "given")


def test_hwlib_data_without_cifar_falls_back_to_the_standin(isolated, monkeypatch):
    """HWLIB_DATA holding only Fashion-MNIST (as the Makefile suggests) no longer stops the CIFAR-10 page."""
    (isolated / "fashion").mkdir()
    monkeypatch.setenv("HWLIB_DATA", str(isolated / "fashion"))
    monkeypatch.setattr(data, "load_fashion_mnist", lambda *a, **k: fake_fashion())
    with pytest.warns(UserWarning, match="Fashion-MNIST stand-in"):
        ds = data.cifar10_or_standin(None, allow_standin=True)
    assert not ds.real and f"nor in HWLIB_DATA={isolated / 'fashion'}" in ds.provenance
    write_archive(isolated / "fashion" / "cifar10")  # the shared folder, under CIFAR-10's own name
    assert data.cifar10_or_standin(None, allow_standin=True).sources["found_in"] == "the HWLIB_DATA folder"


def test_offline_is_unavailable_and_full_profile_refuses_standin(isolated):
    with pytest.raises(data.DataUnavailable) as err:
        data.load(data.CIFAR10)
    assert data.CIFAR10.checksums["cifar-10-python.tar.gz"] in str(err.value)
    with pytest.raises(data.DataUnavailable, match="allow_standin is False"):
        data.cifar10_or_standin(None, allow_standin=False)


def test_explicit_directory_without_archive_is_an_error_even_with_standin(isolated):
    (isolated / "empty").mkdir()
    with pytest.raises(data.DataError) as err:
        data.cifar10_or_standin(isolated / "empty", allow_standin=True)
    assert not isinstance(err.value, data.DataUnavailable)


def test_standin_shape_dtype_and_provenance(isolated, monkeypatch):
    monkeypatch.setattr(data, "load_fashion_mnist", lambda *a, **k: fake_fashion())
    ds = data.cifar10_or_standin(None, allow_standin=True, seed=0)
    assert ds.x_train.shape == (6, 32, 32, 3) and ds.x_test.shape == (4, 32, 32, 3)
    assert ds.x_train.dtype == np.uint8 and ds.y_train.dtype == np.int64
    np.testing.assert_array_equal(ds.x_train[..., 0], ds.x_train[..., 2])
    assert not ds.real and ds.provenance.startswith("STAND-IN, NOT CIFAR-10")
    assert "Fashion-MNIST" in ds.provenance and "not on this machine" in ds.provenance
    assert ds.class_names == data.FASHION_CLASSES


def test_resize_keeps_a_constant_image_constant():
    images = np.full((2, 28, 28), 77, dtype=np.uint8)
    out = data.fashion_as_cifar(images)
    assert out.shape == (2, 32, 32, 3) and out.dtype == np.uint8 and (out == 77).all()


def test_matching_checksum_is_reported_as_real(isolated, monkeypatch):
    path, _ = write_archive(isolated / "given")
    monkeypatch.setattr(data.CIFAR10, "checksums", {path.name: data.file_hash(path)})
    ds = data.load(data.CIFAR10, isolated / "given")
    assert ds.real and ds.provenance.startswith("real CIFAR-10")
