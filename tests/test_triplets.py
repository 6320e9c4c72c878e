"""The triplet-loss page's own code (notebooks/hw14/02_triplet_loss.md, cells tagged ``definition``):
triplet generation, the loss layer, mining, the shared backbone and the training loop, on tiny data."""

import keras
import numpy as np
import pytest
from pagecode import page_definitions

PAGE = "hw14/02_triplet_loss"


@pytest.fixture(scope="module")
def b2():
    return page_definitions(PAGE)


def obeys_the_label_rule(t, labels):
    a, p, n = np.asarray(t).T
    return bool(np.all(a != p) and np.all(labels[a] == labels[p]) and np.all(labels[a] != labels[n]))


def test_loss_on_hand_computed_triplets(b2):
    a = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]], dtype="float32")
    p = np.array([[1.0, 0.0], [0.1, 0.0], [1.0, 2.0]], dtype="float32")
    n = np.array([[0.5, 0.0], [2.0, 0.0], [1.0, 2.0]], dtype="float32")
    loss = lambda margin: keras.ops.convert_to_numpy(b2.TripletLoss(margin)([a, p, n]))
    # 1 - 0.25 + 0.4; max(0.01 - 4 + 0.4, 0); positive and negative equally far: the margin
    np.testing.assert_allclose(loss(0.4), [1.15, 0.0, 0.4], atol=1e-6)
    np.testing.assert_allclose(loss(1.0), [1.75, 0.0, 1.0], atol=1e-6)


def test_mean_loss_config_and_losses_under_fixed_embeddings(b2):
    rng = np.random.default_rng(0)
    a, p, n = (rng.normal(size=(6, 4)).astype("float32") for _ in range(3))
    layer = b2.TripletLoss(margin=0.3)
    out = keras.ops.convert_to_numpy(layer([a, p, n]))
    by_numpy = np.maximum(((a - p) ** 2).sum(1) - ((a - n) ** 2).sum(1) + 0.3, 0)
    np.testing.assert_allclose(out, by_numpy, rtol=1e-5, atol=1e-6)
    assert float(b2.mean_triplet_loss(np.zeros(6), out)) == pytest.approx(out.mean(), rel=1e-6)
    assert b2.TripletLoss.from_config(layer.get_config()).margin == pytest.approx(0.3)
    emb = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
    # (1 - 9 + 0.5 -> 0) and (4 - 1 + 0.5 = 3.5)
    np.testing.assert_allclose(b2.triplet_losses(emb, np.array([[0, 1, 2], [1, 2, 0]]), 0.5), [0.0, 3.5], atol=1e-6)


def test_random_triplets_are_valid_balanced_and_seeded(b2):
    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 1])
    t = b2.random_triplets(labels, 25, seed=1)
    assert t.shape == (25, 3) and t.dtype == np.int64
    assert obeys_the_label_rule(t, labels)
    counts = np.bincount(t[:, 0], minlength=len(labels))
    assert counts.max() - counts.min() <= 1  # every image an anchor equally often
    np.testing.assert_array_equal(t, b2.random_triplets(labels, 25, seed=1))
    assert not np.array_equal(t, b2.random_triplets(labels, 25, seed=2))
    many = np.repeat(np.arange(3), 50)
    big = b2.random_triplets(many, 3000, seed=0)
    assert obeys_the_label_rule(big, many)
    assert len(np.unique(big[:, 1])) > 100  # positives are spread over the class, not one image


def test_random_triplets_refuse_a_class_of_one_image(b2):
    with pytest.raises(ValueError):
        b2.random_triplets(np.array([0, 0, 1]), 5, seed=0)


# 1-D embedding: class 0 at 0, 1 and 5; class 1 at 2 and 10.
POINTS = np.array([[0.0], [1.0], [5.0], [2.0], [10.0]])
LABELS = np.array([0, 0, 0, 1, 1])
BASE = np.array([[0, 1, 3], [1, 0, 4], [3, 4, 0]])


def test_hard_mining_picks_farthest_positive_and_nearest_negative(b2):
    mined = b2.mine_triplets(POINTS, LABELS, BASE, "hard", pool_size=0)
    # anchor 0 (at 0): farthest positive 5 (index 2), nearest negative 2 (index 3)
    # anchor 1 (at 1): farthest positive 5 (index 2), nearest negative 2 (index 3)
    # anchor 3 (at 2): its only positive 10 (index 4), nearest negative 1 (index 1)
    np.testing.assert_array_equal(mined, [[0, 2, 3], [1, 2, 3], [3, 4, 1]])


def test_semihard_mining_keeps_the_negative_beyond_the_positive(b2):
    mined = b2.mine_triplets(POINTS, LABELS, BASE, "semihard", pool_size=0)
    # anchor 0: d(a,p) = 25, the nearest negative farther than that is 10 (index 4)
    # anchor 3: d(a,p) = 64 and every negative is closer: fall back to the farthest, 5 (index 2)
    np.testing.assert_array_equal(mined, [[0, 2, 4], [1, 2, 4], [3, 4, 2]])


def test_mining_within_small_pools_stays_valid(b2):
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(5), 40)
    emb = rng.normal(size=(200, 3))
    base = b2.random_triplets(labels, 400, seed=0)
    mined = b2.mine_triplets(emb, labels, base, "hard", pool_size=8, seed=1, chunk=16)
    assert obeys_the_label_rule(mined, labels)  # anchors without a positive in the pool keep the base one
    np.testing.assert_array_equal(mined[:, 0], base[:, 0])
    assert b2.triplet_losses(emb, mined).mean() > b2.triplet_losses(emb, base).mean()
    with pytest.raises(ValueError, match="unknown mining"):
        b2.mine_triplets(emb, labels, base, "easy")


def test_backbone_has_the_reports_parameter_count_and_is_shared(b2):
    backbone = b2.embedding_backbone()
    assert backbone.count_params() == 594_922
    assert backbone.output_shape == (None, 10)
    model = b2.triplet_model(backbone, margin=0.4)
    assert model.count_params() == 594_922  # three inputs, one set of weights
    assert [tuple(i.shape) for i in model.inputs] == [(None, 28, 28, 1)] * 3


def test_batches_gather_the_triplets_images(b2):
    images = np.random.default_rng(0).random((20, 28, 28, 1)).astype("float32")
    t = b2.random_triplets(np.repeat(np.arange(2), 10), 16, seed=0)
    batches = b2.TripletBatches(images, t, batch_size=6, seed=0)
    assert len(batches) == 3
    (a, p, n), y = batches[2]
    rows = t[batches.order[12:]]
    assert a.shape == (4, 28, 28, 1) and y.shape == (4,) and not y.any()
    np.testing.assert_array_equal(a, images[rows[:, 0]])
    np.testing.assert_array_equal(n, images[rows[:, 2]])


def test_training_records_history_mining_and_spread(b2):
    rng = np.random.default_rng(0)
    images = rng.random((24, 28, 28, 1)).astype("float32")
    labels = np.repeat(np.arange(3), 8)
    t = b2.random_triplets(labels, 24, seed=0)
    backbone, h = b2.train_triplet_network("semihard", images, labels, t, images, t[:6], epochs=2, batch_size=8,
                                           warmup_epochs=1, pool_size=0, seed=0)
    assert len(h["loss"]) == len(h["val_loss"]) == len(h["val_spread"]) == 2
    assert len(h["mined_loss"]) == 1 and 0 <= h["mined_wrong_order"][0] <= 1
    assert np.isfinite(h["loss"]).all() and backbone.count_params() == 594_922
    assert b2.spread(np.ones((5, 3))) == 0.0
