"""Triplet sampling, mining, loss, backbone and evaluation helpers on tiny hand-made data."""

import keras
import numpy as np
import pytest

from hwlib import triplets


def test_loss_on_hand_computed_triplets():
    a = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]], dtype="float32")
    p = np.array([[1.0, 0.0], [0.1, 0.0], [1.0, 2.0]], dtype="float32")
    n = np.array([[0.5, 0.0], [2.0, 0.0], [1.0, 2.0]], dtype="float32")
    loss = keras.ops.convert_to_numpy(triplets.triplet_loss(a, p, n, 0.4))
    # 1 - 0.25 + 0.4; max(0.01 - 4 + 0.4, 0); positive and negative equally far: the margin
    np.testing.assert_allclose(loss, [1.15, 0.0, 0.4], atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(triplets.triplet_loss(a, p, n, 1.0)), [1.75, 0.0, 1.0],
                               atol=1e-6)


def test_loss_layer_and_keras_loss_agree_with_the_function():
    rng = np.random.default_rng(0)
    a, p, n = (rng.normal(size=(6, 4)).astype("float32") for _ in range(3))
    layer = triplets.TripletLoss(margin=0.3)
    out = keras.ops.convert_to_numpy(layer([a, p, n]))
    np.testing.assert_allclose(out, keras.ops.convert_to_numpy(triplets.triplet_loss(a, p, n, 0.3)), rtol=1e-6)
    assert float(triplets.mean_triplet_loss(np.zeros(6), out)) == pytest.approx(out.mean(), rel=1e-6)
    assert triplets.TripletLoss.from_config(layer.get_config()).margin == pytest.approx(0.3)


def test_random_triplets_are_valid_balanced_and_seeded():
    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 1])
    t = triplets.random_triplets(labels, 25, seed=1)
    assert t.shape == (25, 3) and t.dtype == np.int64
    triplets.check_triplets(t, labels)
    counts = np.bincount(t[:, 0], minlength=len(labels))
    assert counts.max() - counts.min() <= 1  # every image an anchor equally often
    np.testing.assert_array_equal(t, triplets.random_triplets(labels, 25, seed=1))
    assert not np.array_equal(t, triplets.random_triplets(labels, 25, seed=2))
    big = triplets.random_triplets(np.repeat(np.arange(3), 50), 3000, seed=0)
    triplets.check_triplets(big, np.repeat(np.arange(3), 50))
    assert len(np.unique(big[:, 1])) > 100  # positives are spread over the class, not one image


def test_random_triplets_refuse_impossible_classes():
    with pytest.raises(ValueError, match="single image"):
        triplets.random_triplets(np.array([0, 0, 1]), 5, seed=0)
    with pytest.raises(ValueError, match="two classes"):
        triplets.random_triplets(np.array([0, 0, 0]), 5, seed=0)


def test_check_triplets_catches_each_mistake():
    labels = np.array([0, 0, 1])
    triplets.check_triplets(np.array([[0, 1, 2]]), labels)
    for bad, message in (([[0, 0, 2]], "own anchor"), ([[0, 2, 1]], "different class"), ([[0, 1, 1]], "anchor's class")):
        with pytest.raises(ValueError, match=message):
            triplets.check_triplets(np.array(bad), labels)


# 1-D embedding: class 0 at 0, 1 and 5; class 1 at 2 and 10.
POINTS = np.array([[0.0], [1.0], [5.0], [2.0], [10.0]])
LABELS = np.array([0, 0, 0, 1, 1])
BASE = np.array([[0, 1, 3], [1, 0, 4], [3, 4, 0]])


def test_hard_mining_picks_farthest_positive_and_nearest_negative():
    mined = triplets.mine_triplets(POINTS, LABELS, BASE, "hard", pool_size=0)
    # anchor 0 (at 0): farthest positive 5 (index 2), nearest negative 2 (index 3)
    # anchor 1 (at 1): farthest positive 5 (index 2), nearest negative 2 (index 3)
    # anchor 3 (at 2): its only positive 10 (index 4), nearest negative 1 (index 1)
    np.testing.assert_array_equal(mined, [[0, 2, 3], [1, 2, 3], [3, 4, 1]])


def test_semihard_mining_keeps_the_negative_beyond_the_positive():
    mined = triplets.mine_triplets(POINTS, LABELS, BASE, "semihard", pool_size=0)
    # anchor 0: d(a,p) = 25, the nearest negative farther than that is 10 (index 4)
    # anchor 3: d(a,p) = 64 and every negative is closer: fall back to the farthest, 5 (index 2)
    np.testing.assert_array_equal(mined, [[0, 2, 4], [1, 2, 4], [3, 4, 2]])


def test_mining_within_small_pools_stays_valid():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(5), 40)
    emb = rng.normal(size=(200, 3))
    base = triplets.random_triplets(labels, 400, seed=0)
    mined = triplets.mine_triplets(emb, labels, base, "hard", pool_size=8, seed=1, chunk=16)
    triplets.check_triplets(mined, labels)  # anchors without a positive in the pool keep the base one
    np.testing.assert_array_equal(mined[:, 0], base[:, 0])
    hard = triplets.triplet_stats(emb, mined)["loss"]
    assert hard > triplets.triplet_stats(emb, base)["loss"]
    with pytest.raises(ValueError, match="unknown mining"):
        triplets.mine_triplets(emb, labels, base, "easy")


def test_backbone_has_the_reports_parameter_count_and_is_shared():
    backbone = triplets.embedding_backbone()
    assert backbone.count_params() == 594_922
    assert backbone.output_shape == (None, 10)
    model = triplets.triplet_model(backbone, margin=0.4)
    assert model.count_params() == 594_922  # three inputs, one set of weights
    assert [i.shape for i in model.inputs] == [(None, 28, 28, 1)] * 3


def test_triplet_model_trains_on_batches():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    images = rng.random((20, 28, 28, 1)).astype("float32")
    labels = np.repeat(np.arange(2), 10)
    t = triplets.random_triplets(labels, 16, seed=0)
    batches = triplets.TripletBatches(images, t, batch_size=8, seed=0)
    assert len(batches) == 2 and batches.shapes() == ((16, 28, 28, 1),) * 3
    (a, p, n), y = batches[0]
    rows = t[batches.order[:8]]
    np.testing.assert_array_equal(a, images[rows[:, 0]])
    np.testing.assert_array_equal(n, images[rows[:, 2]])
    assert y.shape == (8,) and not y.any()
    model = triplets.triplet_model(triplets.embedding_backbone(), 0.4)
    history = model.fit(batches, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_knn_accuracy_on_separable_and_on_shuffled_labels():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 0.1, (30, 2)), rng.normal(5, 0.1, (30, 2))])
    y = np.repeat([0, 1], 30)
    assert triplets.knn_accuracy(x[::2], y[::2], x[1::2], y[1::2], k=3) == 1.0
    shuffled = rng.permutation(y)
    assert triplets.knn_accuracy(x[::2], shuffled[::2], x[1::2], y[1::2], k=3) < 0.8


def test_stats_spread_and_pca_of_a_collapse():
    emb = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
    stats = triplets.triplet_stats(emb, np.array([[0, 1, 2], [1, 2, 0]]), margin=0.5)
    # (1 - 9 + 0.5 -> 0) and (4 - 1 + 0.5 = 3.5)
    assert stats == pytest.approx({"loss": 1.75, "violating": 0.5, "d_ap": 2.5, "d_an": 5.0})
    assert triplets.spread(emb) == pytest.approx(((emb - emb.mean(0)) ** 2).sum(1).mean())
    assert triplets.spread(np.ones((5, 3))) == 0.0
    flat = triplets.pca_2d(np.full((4, 10), 7.0))
    assert flat.shape == (4, 2) and np.allclose(flat, 0)
    spread_out = triplets.pca_2d(np.array([[0.0, 0, 0], [2, 0, 0], [0, 1, 0]]))
    assert np.abs(spread_out).max() > 1  # not rescaled


def test_collapse_check():
    run = triplets.TripletRun("hard", None, {"loss": [0.3, 0.4, 0.4], "val_loss": [0.2, 0.4, 0.39],
                                             "val_spread": [0.5, 1e-6, 0.2]})
    check = triplets.collapse_check(run, warmup_epochs=1)
    assert check["collapsed"] and check["recovered"] and check["min_epoch"] == 2
    assert check["val_loss_at_min"] == 0.4
    run.history["val_spread"] = [0.5, 0.4, 0.6]
    assert not triplets.collapse_check(run, 1)["collapsed"]


def test_tsne_shape_and_comparison_table():
    rng = np.random.default_rng(0)
    points = triplets.tsne_2d(rng.normal(size=(25, 6)), seed=0)
    assert points.shape == (25, 2)
    table = triplets.comparison_table({"raw pixels": {"knn_accuracy": 0.91234},
                                       "model": {"knn_accuracy": 0.5, "val_loss": 0.123456}})
    assert table.loc["raw pixels", "kNN accuracy"] == 0.9123 and table.loc["raw pixels", "val loss"] == "—"
    assert list(table.columns)[0] == "kNN accuracy"


def test_unknown_strategy_is_refused():
    with pytest.raises(ValueError, match="unknown strategy"):
        triplets.train("hardest", None, None, None, None, None)


def test_train_records_history_mining_and_spread():
    rng = np.random.default_rng(0)
    images = rng.random((24, 28, 28, 1)).astype("float32")
    labels = np.repeat(np.arange(3), 8)
    t = triplets.random_triplets(labels, 24, seed=0)
    run = triplets.train("semihard", images, labels, t, images, t[:6], epochs=2, batch_size=8, warmup_epochs=1,
                         pool_size=0, seed=0)
    assert run.strategy == "semihard" and len(run.history["loss"]) == 2 == len(run.history["val_spread"])
    assert [m["epoch"] for m in run.mined] == [2] and 0 <= run.mined[0]["violating"] <= 1
    assert run.backbone.count_params() == 594_922
