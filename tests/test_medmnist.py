"""The DermaMNIST loader on small files in the real .npz format, and the stand-in."""

import hashlib
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from hwlib import data

SIZES = {"train": 14, "val": 7, "test": 9}
MD5 = "0744692d530f8e62ec473284d019b0c7"  # the publisher's, in medmnist/info.py


def derma_arrays(seed=0, sizes=SIZES):
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, n in sizes.items():
        arrays[f"{split}_images"] = rng.integers(0, 256, (n, 28, 28, 3), dtype=np.uint8)
        arrays[f"{split}_labels"] = (np.arange(n) % 7).astype(np.uint8).reshape(n, 1)
    return arrays


def write_npz(directory, arrays=None, **changes):
    arrays = dict(arrays or derma_arrays())
    for key, value in changes.items():
        if value is None:
            arrays.pop(key)
        else:
            arrays[key] = value
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "dermamnist.npz"
    np.savez_compressed(path, **arrays)
    return path


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No real copies visible: empty caches and MedMNIST folder (~ is tmp_path), no network."""
    monkeypatch.setenv("HWLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("HWLIB_DATA", raising=False)

    def offline(*args, **kwargs):
        raise urllib.error.URLError("network disabled in this test")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    monkeypatch.setattr(data.DERMAMNIST, "sizes", SIZES)  # derma_arrays' tiny splits
    return tmp_path


def test_reads_explicit_directory(isolated):
    arrays = derma_arrays()
    write_npz(isolated / "d", arrays)
    ds = data.load(data.DERMAMNIST, isolated / "d")
    np.testing.assert_array_equal(ds.x_val, arrays["val_images"])
    np.testing.assert_array_equal(ds.y_test, arrays["test_labels"].ravel())
    assert ds.y_train.shape == (14,) and ds.x_train.shape == (14, 28, 28, 3)
    assert ds.class_names[data.MELANOMA] == "melanoma" and len(ds.short_names) == 7
    assert not ds.real and "MD5 differs" in ds.provenance and "14 train / 7 validation / 9 test" in ds.provenance
    counts = ds.counts()
    assert counts.loc["total", "val"] == 7 and counts.loc["akiec", "train"] == 2


def test_environment_variable_and_subfolder(isolated, monkeypatch):
    write_npz(isolated / "env" / "medmnist")
    monkeypatch.setenv("HWLIB_DATA", str(isolated / "env"))
    assert len(data.load(data.DERMAMNIST).y_val) == 7


def test_found_in_the_cache_then_in_medmnist_folder(isolated):
    write_npz(isolated / ".medmnist", derma_arrays(seed=1))
    assert "MedMNIST's default folder" in data.load(data.DERMAMNIST).provenance
    write_npz(isolated / "cache" / "medmnist", derma_arrays(seed=2))
    assert "hwlib download cache" in data.load(data.DERMAMNIST).provenance


def test_corrupt_file_names_file_and_fix(isolated):
    path = write_npz(isolated / "d")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(data.DataError) as err:
        data.load(data.DERMAMNIST, isolated / "d")
    assert f"delete {path} and fetch it again" in str(err.value) and MD5 in str(err.value)


def test_corrupt_file_is_not_replaced_by_the_standin(isolated):
    path = write_npz(isolated / "cache" / "medmnist")
    path.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(data.DataError, match="not a readable .npz"):
        data.dermamnist_or_standin(allow_standin=True)


@pytest.mark.parametrize("changes, message", [
    ({"val_images": None}, r"lacks the array\(s\) val_images"),
    ({"test_labels": None, "train_labels": None}, r"lacks the array\(s\) train_labels, test_labels"),
    ({"train_images": np.zeros((14, 28, 28), np.uint8)}, r"train_images is uint8 of shape \(14, 28, 28\); expected uint8 images of shape \(n, 28, 28, 3\)"),
    ({"train_images": np.zeros((14, 64, 64, 3), np.uint8)}, r"expected uint8 images of shape \(n, 28, 28, 3\)"),
    ({"val_images": np.zeros((7, 28, 28, 3), np.float32)}, r"val_images is float32 .*expected uint8 images"),
    ({"test_labels": np.zeros((8, 1), np.uint8)}, "9 test images but 8 labels"),
    ({"test_labels": np.zeros((9, 2), np.uint8)}, r"test_labels is uint8 of shape \(9, 2\); expected integer labels"),
    ({"train_labels": np.zeros((14, 1), np.float32)}, "train_labels is float32 .*expected integer labels"),
    ({"test_labels": np.full((9, 1), 7, np.uint8)}, r"test_labels holds labels 7\.\.7, expected 0-6"),
    ({"val_labels": np.full((7, 1), -1, np.int64)}, r"val_labels holds labels -1\.\.-1"),
    ({"val_images": np.zeros((0, 28, 28, 3), np.uint8), "val_labels": np.zeros((0, 1), np.uint8)},
     "val_images holds no images .*: the val split is empty"),
    ({"test_images": np.zeros((9, 28, 28, 3), np.uint8)}, "every pixel of test_images is 0: the images are blank"),
    ({"test_images": np.ones((8, 28, 28, 3), np.uint8) * np.arange(8)[:, None, None, None].astype(np.uint8),
      "test_labels": np.zeros((8, 1), np.uint8)}, "the test split holds 8 images, but DermaMNIST has 9"),
])
def test_malformed_files_are_refused(isolated, changes, message):
    write_npz(isolated / "d", **changes)
    with pytest.raises(data.DataError, match=message):
        data.load(data.DERMAMNIST, isolated / "d")


def test_explicit_directory_without_the_file_is_an_error(isolated, monkeypatch):
    write_npz(isolated / "cache" / "medmnist")  # a usable copy elsewhere is not silently taken
    with pytest.raises(data.DataError, match="data_dir=.*does not hold dermamnist.npz"):
        data.load(data.DERMAMNIST, isolated / "empty")
    with pytest.raises(data.DataError, match="does not hold"):
        data.dermamnist_or_standin(isolated / "empty", allow_standin=True)
    monkeypatch.setenv("HWLIB_DATA", str(isolated / "empty"))
    with pytest.raises(data.DataError, match="data_dir=.*does not hold dermamnist.npz"):
        data.dermamnist_or_standin(isolated / "empty", allow_standin=True)  # HWLIB_DATA or not


def test_hwlib_data_without_dermamnist_falls_back(isolated, monkeypatch):
    """HWLIB_DATA holding only Fashion-MNIST no longer stops the DermaMNIST page: its other places,
    then (quick profile) the stand-in, which says which folder was searched."""
    (isolated / "shared" / "fashion-mnist").mkdir(parents=True)
    monkeypatch.setenv("HWLIB_DATA", str(isolated / "shared"))
    monkeypatch.setattr(data.DERMAMNIST, "standin", lambda seed, reason: data.dermamnist_standin(
        seed, fashion=synthetic_fashion(), reason=reason))
    with pytest.warns(UserWarning, match="Fashion-MNIST stand-in"):
        ds = data.dermamnist_or_standin(allow_standin=True)
    assert not ds.real and f"nor in HWLIB_DATA={isolated / 'shared'}" in ds.provenance
    write_npz(isolated / ".medmnist")
    ds = data.dermamnist_or_standin(allow_standin=True)
    assert "MedMNIST's default folder" in ds.provenance and "holds no DermaMNIST" in ds.provenance


def test_offline_without_a_copy_lists_places_and_fix(isolated):
    with pytest.raises(data.DataUnavailable) as err:
        data.load(data.DERMAMNIST)
    message = str(err.value)
    assert "Looked in" in message and str(isolated / ".medmnist" / "dermamnist.npz") in message
    assert "network disabled" in message
    assert MD5 in message and "zenodo.org" in message
    assert not any((isolated / "cache").rglob("*.npz")), "nothing may be cached after a failed download"


def test_full_profile_refuses_the_standin(isolated):
    with pytest.raises(data.DataUnavailable, match="needs the real DermaMNIST"):
        data.dermamnist_or_standin(allow_standin=False)


def test_download_checks_the_publishers_md5(isolated, monkeypatch):
    monkeypatch.undo()  # the network stub and the patched paths are set again below
    monkeypatch.setenv("HWLIB_CACHE", str(isolated / "cache"))
    monkeypatch.setenv("HOME", str(isolated))
    monkeypatch.delenv("HWLIB_DATA", raising=False)
    monkeypatch.setattr(data.DERMAMNIST, "sizes", SIZES)
    mirror = write_npz(isolated / "mirror").parent
    md5 = hashlib.md5((mirror / "dermamnist.npz").read_bytes()).hexdigest()
    monkeypatch.setattr(data.DERMAMNIST, "urls", (mirror.as_uri() + "/",))
    with pytest.raises(data.DataError, match="dermamnist.npz was downloaded but failed its checksum") as err:
        data.load(data.DERMAMNIST)
    assert not isinstance(err.value, data.DataUnavailable), "a checksum mismatch is an error, not unavailability"
    with pytest.raises(data.DataError, match="failed its checksum"):
        data.dermamnist_or_standin(allow_standin=True)  # and it is never replaced by the stand-in
    assert not list((isolated / "cache" / "medmnist").iterdir()), "no file or temporary left behind"
    monkeypatch.setattr(data.DERMAMNIST, "checksums", {"dermamnist.npz": md5})
    ds = data.load(data.DERMAMNIST)
    assert ds.real and "a verified download" in ds.provenance and "MD5 matches" in ds.provenance


def synthetic_fashion(per_class_train=2800, per_class_test=700, seed=0):
    rng = np.random.default_rng(seed)
    y_train = np.repeat(np.arange(10), per_class_train)
    y_test = np.repeat(np.arange(10), per_class_test)
    x_train = rng.integers(0, 256, (len(y_train), 28, 28), dtype=np.uint8)
    x_test = rng.integers(0, 256, (len(y_test), 28, 28), dtype=np.uint8)
    return data.Dataset(x_train, y_train, x_test, y_test, data.FASHION_CLASSES, "synthetic Fashion-MNIST")


def test_standin_sizes_counts_and_no_overlap():
    fashion = synthetic_fashion()
    ds = data.dermamnist_standin(seed=3, fashion=fashion, reason="no file in this test")
    for split in data.SPLITS:
        x, y = ds.split(split)
        assert x.shape == (sum(data.DERMA_COUNTS[split]), 28, 28, 3) and x.dtype == np.uint8
        assert np.bincount(y, minlength=7).tolist() == list(data.DERMA_COUNTS[split])
        np.testing.assert_array_equal(x[..., 0], x[..., 2])  # grey copied to RGB
    assert [len(ds.split(s)[1]) for s in data.SPLITS] == [7007, 1003, 2005]
    seen = {s: {img[..., 0].tobytes() for img in ds.split(s)[0]} for s in data.SPLITS}
    assert len(seen["train"]) == 7007 and len(seen["val"]) == 1003 and len(seen["test"]) == 2005
    assert not seen["train"] & seen["val"] and not seen["train"] & seen["test"] and not seen["val"] & seen["test"]
    fashion_test = {img.tobytes() for img in fashion.x_test}
    assert seen["test"] <= fashion_test and not (seen["train"] | seen["val"]) & fashion_test
    assert not ds.real and ds.provenance.startswith("STAND-IN, not DermaMNIST: no file in this test")
    assert "mel <- Shirt" in ds.sources["class_map"] and "nv <- T-shirt/top + Coat" in ds.provenance
    again = data.dermamnist_standin(seed=3, fashion=fashion)
    other = data.dermamnist_standin(seed=4, fashion=fashion)
    np.testing.assert_array_equal(ds.x_val, again.x_val)
    assert not np.array_equal(ds.x_val, other.x_val)


def test_standin_labels_follow_the_class_map():
    fashion = synthetic_fashion()
    fashion.x_train[:] = fashion.y_train[:, None, None] * 20  # the pixel value tells the Fashion class
    ds = data.dermamnist_standin(seed=0, fashion=fashion)
    index = {name: i for i, name in enumerate(data.FASHION_CLASSES)}
    for label, names in data.STAND_IN_MAP.items():
        codes = {index[n] * 20 for n in names}
        assert set(np.unique(ds.x_train[ds.y_train == label, 0, 0, 0])) <= codes


def test_standin_from_real_fashion_mnist():
    if not Path("/usr/share/datasets/fashion-mnist").is_dir():
        pytest.skip("dataset-fashion-mnist is not installed")
    ds = data.dermamnist_standin(seed=42)
    assert np.bincount(ds.y_test).tolist() == list(data.DERMA_COUNTS["test"])
    assert "real Fashion-MNIST" in ds.sources["fashion"]


def test_split_access_and_stratified_training_subset():
    ds = data.dermamnist_standin(seed=0, fashion=synthetic_fashion())
    with pytest.raises(ValueError, match="unknown split 'dev'"):
        ds.split("dev")
    x, y = data.stratified_subset(ds.x_train, ds.y_train, 700, seed=0)  # as the DermaMNIST page draws it
    expected = np.array(data.DERMA_COUNTS["train"]) * 700 / 7007
    assert len(y) == 700 and np.abs(np.bincount(y) - expected).max() <= 1
    assert data.stratified_subset(ds.x_train, ds.y_train, 0, seed=0)[0] is ds.x_train
