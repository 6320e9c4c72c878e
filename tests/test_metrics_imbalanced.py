"""The DermaMNIST page's methods, where they live (its `definition` cells): the imbalance-aware
measures agree with scikit-learn and catch misaligned labels, the plots draw, oversampling and
augmentation do what they say, and the bottleneck ResNet has the parameters counted by hand."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score, f1_score, roc_auc_score

from pagecode import page_definitions

NAMES = ("a", "b", "c")


@pytest.fixture(scope="module")
def b3():
    return page_definitions("hw14/03_dermamnist")


def toy(seed=0, n=300):
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    proba = rng.random((n, 3)) + np.eye(3)[y] * rng.random((n, 1))  # informative, imperfect
    return y, proba / proba.sum(axis=1, keepdims=True)


def test_scores_match_scikit_learn(b3):
    y, proba = toy()
    pred = proba.argmax(1)
    scores = b3.scores(y, proba)
    assert scores["accuracy"] == pytest.approx(np.mean(pred == y))
    assert scores["balanced accuracy"] == pytest.approx(balanced_accuracy_score(y, pred))
    assert scores["macro F1"] == pytest.approx(f1_score(y, pred, average="macro"))
    assert scores["weighted F1"] == pytest.approx(f1_score(y, pred, average="weighted"))
    assert scores["macro AUC"] == pytest.approx(roc_auc_score(y, proba, multi_class="ovr", average="macro"))
    per_class = [roc_auc_score(y == k, proba[:, k]) for k in range(3)]
    np.testing.assert_allclose(b3.auc_per_class(y, proba), per_class)


def test_auc_belongs_to_the_right_class(b3):
    # Column k scores class k: class 0 ranked perfectly (AUC 1), class 1 in 5 of 8 pairs, class 2 never.
    y = np.array([0, 0, 1, 1, 2, 2])
    proba = np.array([
        [0.90, 0.30, 0.50], [0.80, 0.10, 0.60],
        [0.10, 0.40, 0.40], [0.20, 0.20, 0.30],
        [0.30, 0.50, 0.01], [0.40, 0.15, 0.02],
    ])
    np.testing.assert_allclose(b3.auc_per_class(y, proba), [1.0, 0.625, 0.0])
    assert b3.scores(y, proba)["macro AUC"] == pytest.approx(0.5416666)
    assert not np.allclose(b3.auc_per_class(np.roll(y, 2), proba), [1.0, 0.625, 0.0]), \
        "labels shifted against the predictions must change the AUCs"


def test_absent_class_gives_nan_and_is_left_out_of_the_mean(b3):
    y = np.array([0, 0, 1, 1])
    proba = np.array([[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.3, 0.6, 0.1]])
    aucs = b3.auc_per_class(y, proba)
    assert np.isnan(aucs[2]) and aucs[0] == aucs[1] == 1.0
    assert b3.scores(y, proba)["macro AUC"] == 1.0


def test_constant_scores_are_the_majority_baseline(b3):
    shares = np.array([1, 5, 2]) / 8  # always the largest class (1), every AUC 0.5
    scores = b3.scores(np.array([1, 1, 0, 2]), np.tile(shares, (4, 1)))
    assert scores["accuracy"] == 0.5
    assert scores["balanced accuracy"] == pytest.approx(1 / 3)
    assert scores["macro F1"] == pytest.approx((2 * 0.5 * 1 / 1.5) / 3)
    assert scores["macro AUC"] == 0.5


class MisalignedModel:
    """predict() returns the rows in reverse order; evaluate() scores them correctly."""

    def __init__(self, proba):
        self.proba = proba

    def predict(self, x, batch_size=None, verbose=0):
        return self.proba[::-1]

    def evaluate(self, x, y, batch_size=None, verbose=0, return_dict=True):
        return {"accuracy": float(np.mean(self.proba.argmax(1) == y))}


class AlignedModel(MisalignedModel):
    def predict(self, x, batch_size=None, verbose=0):
        return self.proba


def test_evaluate_reports_every_class_and_refuses_misaligned_predictions(b3):
    y, proba = toy(2)
    x = np.zeros((len(y), 1))
    result = b3.evaluate(AlignedModel(proba), {"val": (x, y)}, NAMES)["val"]
    assert result.scores["accuracy"] == pytest.approx(np.mean(proba.argmax(1) == y))
    report = result.report
    assert list(report.columns) == ["precision", "recall", "f1-score", "support", "ROC AUC"]
    assert list(report.index) == [*NAMES, "macro avg", "weighted avg"]
    assert report.loc["macro avg", "ROC AUC"] == pytest.approx(result.scores["macro AUC"])
    assert report.loc["weighted avg", "ROC AUC"] == pytest.approx(
        np.average(b3.auc_per_class(y, proba), weights=np.bincount(y)))
    assert report.loc["macro avg", "recall"] == pytest.approx(result.scores["balanced accuracy"])
    assert result.confusion.sum() == len(y) and np.trace(result.confusion) == np.sum(proba.argmax(1) == y)
    with pytest.raises(AssertionError, match="misaligned"):
        b3.evaluate(MisalignedModel(proba), {"val": (x, y)}, NAMES)


def test_plots_draw_every_class_with_its_score(b3):
    from types import SimpleNamespace

    y, proba = toy(3)
    split = SimpleNamespace(y=y, proba=proba, confusion=np.array([[5, 1, 0], [2, 3, 0], [0, 0, 0]]))
    roc = b3.per_class_curves({"train": split, "test": split}, NAMES, kind="roc")
    labels = [t.get_text() for t in roc.axes[0].get_legend().get_texts()]
    auc_a = roc_auc_score(y == 0, proba[:, 0])
    assert len(roc.axes) == 2 and labels[0] == f"a (AUC {auc_a:.3f})" and len(labels) == 3
    pr = b3.per_class_curves({"test": split}, NAMES, kind="pr")
    assert "AP" in pr.axes[0].get_legend().get_texts()[1].get_text()
    with pytest.raises(ValueError, match="kind"):
        b3.per_class_curves({"test": split}, NAMES, kind="det")
    fig = b3.confusion_panels({"train": split, "test": split}, NAMES)
    assert len(fig.axes) == 2 and fig.axes[0].texts[0].get_text() == "5"


def test_oversampling_to_a_target_count(b3):
    y = np.repeat([0, 1, 2], [50, 5, 20])
    x = np.arange(len(y)) * 10
    xs, ys, index = b3.oversample(x, y, target=30, seed=1)
    assert np.bincount(ys).tolist() == [50, 30, 30]
    np.testing.assert_array_equal(xs, x[index])
    assert set(index.tolist()) == set(range(len(y))), "every original example is kept"
    assert np.bincount(index, minlength=len(y))[:50].max() == 1, "the large class is not duplicated"
    again = b3.oversample(x, y, target=30, seed=1)[2]
    np.testing.assert_array_equal(index, again)
    assert not np.array_equal(index, b3.oversample(x, y, target=30, seed=2)[2])
    assert np.bincount(b3.oversample(x, y, seed=0)[1]).tolist() == [50, 50, 50]


def test_augmentation_acts_in_training_only(b3):
    aug = b3.augmentation(seed=0)
    images = np.random.default_rng(0).random((4, 28, 28, 3)).astype("float32")
    assert np.allclose(np.asarray(aug(images, training=False)), images)
    assert not np.allclose(np.asarray(aug(images, training=True)), images)
    assert aug.count_params() == 0


def conv(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


def bn(c):
    return 4 * c


def test_resnet_parameter_count_by_hand(b3):
    stem = conv(3, 3, 4) + bn(4)
    block_1 = conv(1, 4, 2) + bn(2) + conv(3, 2, 2) + bn(2) + conv(1, 2, 8) + conv(1, 4, 8)  # no pre-BN: stem has it
    identity_1 = bn(8) + conv(1, 8, 2) + bn(2) + conv(3, 2, 2) + bn(2) + conv(1, 2, 8)
    block_2 = bn(8) + conv(1, 8, 4) + bn(4) + conv(3, 4, 4) + bn(4) + conv(1, 4, 16) + conv(1, 8, 16)
    identity_2 = bn(16) + conv(1, 16, 4) + bn(4) + conv(3, 4, 4) + bn(4) + conv(1, 4, 16)
    head = bn(16) + 16 * 3 + 3
    small = dict(input_shape=(8, 8, 3), n_classes=3, stem_filters=4, stages=((2, 8), (4, 16)))
    one = b3.resnet_bottleneck(**small)
    assert one.count_params() == stem + block_1 + block_2 + head
    assert one.name == "resnet8_bottleneck" and one.output_shape == (None, 3)
    two = b3.resnet_bottleneck(**small, blocks_per_stage=2)
    assert two.count_params() == stem + block_1 + identity_1 + block_2 + identity_2 + head
    assert sum("projection" in layer.name for layer in two.layers) == 2, "identity shortcuts need no projection"


def test_default_resnet_is_the_reports_size(b3):
    model = b3.resnet_bottleneck()
    assert model.name == "resnet11_bottleneck" and model.output_shape == (None, 7)
    assert model.count_params() == 298_407
    assert model.count_params() == b3.resnet_bottleneck(augmentation=b3.augmentation()).count_params()


def test_benchmark_schedule_with_the_one_fit_helper(b3):
    from hwlib import training

    x = np.random.default_rng(0).integers(0, 256, (16, 8, 8, 3), dtype=np.uint8)
    y = np.arange(16) % 3
    model = b3.resnet_bottleneck(input_shape=(8, 8, 3), n_classes=3, stem_filters=4, stages=((2, 8),),
                                 learning_rate=0.01)
    history = training.fit(model, x, y, epochs=4, batch_size=8, name="test", validation_data=(x, y),
                           callbacks=[b3.benchmark_schedule(4, 0.01)])
    assert len(history["loss"]) == 4 and "val_accuracy" in history
    assert np.allclose(history["learning_rate"], [0.01, 0.01, 0.001, 0.0001])
