"""The DermaMNIST loader on small files in the real .npz format, the stand-in, oversampling and the ResNet."""

import hashlib
import urllib.error
import urllib.request

import numpy as np
import pytest

from hwlib import data, imbalance, medmnist, models

SIZES = {"train": 14, "val": 7, "test": 9}


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
    path = directory / medmnist.DERMA_FILE
    np.savez_compressed(path, **arrays)
    return path


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No real copies visible: empty caches and MedMNIST folder, no network."""
    monkeypatch.setenv("HWLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("HWLIB_DATA", raising=False)
    monkeypatch.setattr(medmnist, "MEDMNIST_ROOT", tmp_path / "dot-medmnist")

    def offline(*args, **kwargs):
        raise urllib.error.URLError("network disabled in this test")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    return tmp_path


def test_reads_explicit_directory(isolated):
    arrays = derma_arrays()
    write_npz(isolated / "d", arrays)
    ds = medmnist.load_dermamnist(isolated / "d")
    np.testing.assert_array_equal(ds.x_val, arrays["val_images"])
    np.testing.assert_array_equal(ds.y_test, arrays["test_labels"].ravel())
    assert ds.y_train.shape == (14,) and ds.x_train.shape == (14, 28, 28, 3)
    assert ds.class_names[medmnist.MELANOMA] == "melanoma" and len(ds.short_names) == 7
    assert not ds.real and "MD5 differs" in ds.provenance and "14 / 7 / 9" in ds.provenance
    counts = ds.counts()
    assert counts.loc["total", "val"] == 7 and counts.loc["akiec", "train"] == 2


def test_environment_variable_and_subfolder(isolated, monkeypatch):
    write_npz(isolated / "env" / "medmnist")
    monkeypatch.setenv("HWLIB_DATA", str(isolated / "env"))
    assert len(medmnist.load_dermamnist().y_val) == 7


def test_found_in_the_cache_then_in_medmnist_folder(isolated):
    write_npz(isolated / "dot-medmnist", derma_arrays(seed=1))
    assert "MedMNIST's default folder" in medmnist.load_dermamnist().provenance
    write_npz(isolated / "cache" / "medmnist", derma_arrays(seed=2))
    assert "hwlib download cache" in medmnist.load_dermamnist().provenance


def test_corrupt_file_names_file_and_fix(isolated):
    path = write_npz(isolated / "d")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(data.DataError) as err:
        medmnist.load_dermamnist(isolated / "d")
    assert str(path) in str(err.value) and "delete" in str(err.value) and medmnist.DERMA_MD5 in str(err.value)


def test_corrupt_file_is_not_replaced_by_the_standin(isolated):
    path = write_npz(isolated / "cache" / "medmnist")
    path.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(data.DataError, match="not a readable .npz"):
        medmnist.dermamnist_or_standin(allow_standin=True)


@pytest.mark.parametrize("changes, message", [
    ({"val_images": None}, "lacks val_images"),
    ({"test_labels": None, "train_labels": None}, "lacks train_labels, test_labels"),
    ({"train_images": np.zeros((14, 28, 28), np.uint8)}, r"expected \(n, 28, 28, 3\) uint8"),
    ({"train_images": np.zeros((14, 64, 64, 3), np.uint8)}, r"expected \(n, 28, 28, 3\) uint8"),
    ({"val_images": np.zeros((7, 28, 28, 3), np.float32)}, r"expected \(n, 28, 28, 3\) uint8"),
    ({"test_labels": np.zeros((8, 1), np.uint8)}, r"expected \(9, 1\) integers"),
    ({"test_labels": np.full((9, 1), 7, np.uint8)}, "range from 7 to 7, expected 0-6"),
    ({"val_labels": np.full((7, 1), -1, np.int64)}, "range from -1"),
])
def test_malformed_files_are_refused(isolated, changes, message):
    write_npz(isolated / "d", **changes)
    with pytest.raises(data.DataError, match=message):
        medmnist.load_dermamnist(isolated / "d")


def test_explicit_directory_without_the_file_is_an_error(isolated, monkeypatch):
    write_npz(isolated / "cache" / "medmnist")  # a usable copy elsewhere is not silently taken
    with pytest.raises(data.DataError, match="data_dir=.*does not hold dermamnist.npz"):
        medmnist.load_dermamnist(isolated / "empty")
    with pytest.raises(data.DataError, match="does not hold"):
        medmnist.dermamnist_or_standin(isolated / "empty", allow_standin=True)
    monkeypatch.setenv("HWLIB_DATA", str(isolated / "empty"))
    with pytest.raises(data.DataError, match="HWLIB_DATA=.*does not hold"):
        medmnist.load_dermamnist()


def test_offline_without_a_copy_lists_places_and_fix(isolated):
    with pytest.raises(data.DataUnavailable) as err:
        medmnist.load_dermamnist()
    message = str(err.value)
    assert "Looked in" in message and "dot-medmnist" in message and "network disabled" in message
    assert medmnist.DERMA_MD5 in message and "zenodo.org" in message
    assert not any((isolated / "cache").rglob("*.npz")), "nothing may be cached after a failed download"


def test_full_profile_refuses_the_standin(isolated):
    with pytest.raises(data.DataUnavailable, match="needs the real DermaMNIST"):
        medmnist.dermamnist_or_standin(allow_standin=False)


def test_download_checks_the_publishers_md5(isolated, monkeypatch):
    monkeypatch.undo()  # the network stub and the patched paths are set again below
    monkeypatch.setenv("HWLIB_CACHE", str(isolated / "cache"))
    monkeypatch.delenv("HWLIB_DATA", raising=False)
    monkeypatch.setattr(medmnist, "MEDMNIST_ROOT", isolated / "dot-medmnist")
    mirror = write_npz(isolated / "mirror").parent
    md5 = hashlib.md5((mirror / medmnist.DERMA_FILE).read_bytes()).hexdigest()
    monkeypatch.setattr(medmnist, "DERMA_URLS", (mirror.as_uri() + "/",))
    with pytest.raises(data.DataUnavailable, match="checksum"):
        medmnist.load_dermamnist()
    assert not list((isolated / "cache" / "medmnist").iterdir()), "no file or temporary left behind"
    monkeypatch.setattr(medmnist, "DERMA_MD5", md5)
    ds = medmnist.load_dermamnist()
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
    ds = medmnist.standin(seed=3, fashion=fashion, reason="no file in this test")
    for split in medmnist.SPLITS:
        x, y = ds.split(split)
        assert x.shape == (sum(medmnist.DERMA_COUNTS[split]), 28, 28, 3) and x.dtype == np.uint8
        assert np.bincount(y, minlength=7).tolist() == list(medmnist.DERMA_COUNTS[split])
        np.testing.assert_array_equal(x[..., 0], x[..., 2])  # grey copied to RGB
    assert [len(ds.split(s)[1]) for s in medmnist.SPLITS] == [7007, 1003, 2005]
    seen = {s: {img[..., 0].tobytes() for img in ds.split(s)[0]} for s in medmnist.SPLITS}
    assert len(seen["train"]) == 7007 and len(seen["val"]) == 1003 and len(seen["test"]) == 2005
    assert not seen["train"] & seen["val"] and not seen["train"] & seen["test"] and not seen["val"] & seen["test"]
    fashion_test = {img.tobytes() for img in fashion.x_test}
    assert seen["test"] <= fashion_test and not (seen["train"] | seen["val"]) & fashion_test
    assert not ds.real and ds.provenance.startswith("STAND-IN, not DermaMNIST: no file in this test")
    assert "mel <- Shirt" in ds.sources["class_map"] and "nv <- T-shirt/top + Coat" in ds.provenance
    again = medmnist.standin(seed=3, fashion=fashion)
    other = medmnist.standin(seed=4, fashion=fashion)
    np.testing.assert_array_equal(ds.x_val, again.x_val)
    assert not np.array_equal(ds.x_val, other.x_val)


def test_standin_labels_follow_the_class_map():
    fashion = synthetic_fashion()
    fashion.x_train[:] = fashion.y_train[:, None, None] * 20  # the pixel value tells the Fashion class
    ds = medmnist.standin(seed=0, fashion=fashion)
    index = {name: i for i, name in enumerate(data.FASHION_CLASSES)}
    for label, names in medmnist.STAND_IN_MAP.items():
        codes = {index[n] * 20 for n in names}
        assert set(np.unique(ds.x_train[ds.y_train == label, 0, 0, 0])) <= codes


def test_standin_from_real_fashion_mnist():
    if not data.FASHION_DEBIAN_DIR.is_dir():
        pytest.skip("dataset-fashion-mnist is not installed")
    ds = medmnist.standin(seed=42)
    assert np.bincount(ds.y_test).tolist() == list(medmnist.DERMA_COUNTS["test"])
    assert "real Fashion-MNIST" in ds.sources["fashion"]


def test_oversampling_to_a_target_count():
    y = np.repeat([0, 1, 2], [50, 5, 20])
    x = np.arange(len(y)) * 10
    xs, ys, index = imbalance.oversample(x, y, target=30, seed=1)
    assert np.bincount(ys).tolist() == [50, 30, 30]
    np.testing.assert_array_equal(xs, x[index])
    assert set(index.tolist()) == set(range(len(y))), "every original example is kept"
    assert np.bincount(index, minlength=len(y))[:50].max() == 1, "the large class is not duplicated"
    again = imbalance.oversample(x, y, target=30, seed=1)[2]
    np.testing.assert_array_equal(index, again)
    assert not np.array_equal(index, imbalance.oversample(x, y, target=30, seed=2)[2])
    assert np.bincount(imbalance.oversample(x, y, seed=0)[1]).tolist() == [50, 50, 50]


def test_augmentation_acts_in_training_only():
    aug = imbalance.augmentation(seed=0)
    images = np.random.default_rng(0).random((4, 28, 28, 3)).astype("float32")
    assert np.allclose(np.asarray(aug(images, training=False)), images)
    assert not np.allclose(np.asarray(aug(images, training=True)), images)
    assert aug.count_params() == 0


def conv(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


def bn(c):
    return 4 * c


def test_resnet_parameter_count_by_hand():
    stem = conv(3, 3, 4) + bn(4)
    block_1 = conv(1, 4, 2) + bn(2) + conv(3, 2, 2) + bn(2) + conv(1, 2, 8) + conv(1, 4, 8)  # no pre-BN: stem has it
    identity_1 = bn(8) + conv(1, 8, 2) + bn(2) + conv(3, 2, 2) + bn(2) + conv(1, 2, 8)
    block_2 = bn(8) + conv(1, 8, 4) + bn(4) + conv(3, 4, 4) + bn(4) + conv(1, 4, 16) + conv(1, 8, 16)
    identity_2 = bn(16) + conv(1, 16, 4) + bn(4) + conv(3, 4, 4) + bn(4) + conv(1, 4, 16)
    head = bn(16) + 16 * 3 + 3
    small = dict(input_shape=(8, 8, 3), n_classes=3, stem_filters=4, stages=((2, 8), (4, 16)))
    one = models.resnet_bottleneck(**small)
    assert one.count_params() == stem + block_1 + block_2 + head
    assert one.name == "resnet8_bottleneck" and one.output_shape == (None, 3)
    two = models.resnet_bottleneck(**small, blocks_per_stage=2)
    assert two.count_params() == stem + block_1 + identity_1 + block_2 + identity_2 + head
    assert sum("projection" in layer.name for layer in two.layers) == 2, "identity shortcuts need no projection"


def test_default_resnet_is_the_reports_size():
    model = models.resnet_bottleneck()
    assert model.name == "resnet11_bottleneck" and model.output_shape == (None, 7)
    assert model.count_params() == 298_407
    assert model.count_params() == models.resnet_bottleneck(augmentation=imbalance.augmentation()).count_params()


def test_describe_change_in_both_languages():
    assert medmnist.describe_change(0.6281, 0.6819) == ("rose from 0.628 to 0.682", "از ۰٫۶۲۸ به ۰٫۶۸۲ رسید (بهتر شد)")
    assert medmnist.describe_change(0.7, 0.6)[0] == "fell from 0.700 to 0.600"
    assert medmnist.describe_change(0.5, 0.5001)[0] == "stayed at 0.500"


def test_fit_with_the_benchmarks_learning_rate_schedule():
    x = np.random.default_rng(0).integers(0, 256, (16, 8, 8, 3), dtype=np.uint8)
    y = np.arange(16) % 3
    model = models.resnet_bottleneck(input_shape=(8, 8, 3), n_classes=3, stem_filters=4, stages=((2, 8),),
                                     learning_rate=0.01)
    model, history, seconds = medmnist.fit(model, x, y, epochs=4, batch_size=8, name="test", lr_decay=True,
                                           validation=(x, y))
    assert len(history["loss"]) == 4 and "val_accuracy" in history and seconds > 0
    assert np.allclose(history["learning_rate"], [0.01, 0.01, 0.001, 0.0001])


def test_split_access_and_training_subset():
    ds = medmnist.standin(seed=0, fashion=synthetic_fashion())
    with pytest.raises(ValueError, match="unknown split 'dev'"):
        ds.split("dev")
    x, y = medmnist.training_subset(ds, 700, seed=0)
    expected = np.array(medmnist.DERMA_COUNTS["train"]) * 700 / 7007
    assert len(y) == 700 and np.abs(np.bincount(y) - expected).max() <= 1
    assert medmnist.training_subset(ds, 0, seed=0)[0] is ds.x_train


def test_before_after_table_holds_this_run_the_reports_and_the_benchmark():
    from hwlib import metrics, reference

    y = np.repeat(np.arange(7), 10)
    proba = np.full((70, 7), 0.01)
    proba[np.arange(70), y] = 0.9
    proba[40:50] = proba[50:60]  # every melanoma (class 4) is called a nevus
    scores = medmnist.compared_scores(metrics.evaluate_split("test", y, proba, medmnist.DERMA_SHORT))
    assert scores["melanoma recall"] == 0.0 and scores["accuracy"] == pytest.approx(60 / 70)
    table = medmnist.before_after_table(scores, scores, {"accuracy": 0.669}, "stand-in")
    assert list(table.columns) == ["source", *medmnist.COMPARED]
    assert table.loc["ResNet11 bottleneck (report 000)", "melanoma recall"] == "0.060"
    assert table.loc["ResNet-18 (28)", "macro AUC"] == "0.917" and table.loc["ResNet-18 (28)", "macro F1"] == "—"
    assert table.iloc[1]["accuracy"] == "0.857" and "stand-in" in table.iloc[1]["source"]
    assert len(table) == 3 + len(reference.HW14_DERMA_REPORT) + len(reference.DERMAMNIST_BENCHMARK)
