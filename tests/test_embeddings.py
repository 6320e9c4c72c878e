"""Word-vector helpers (HW14 B1) on small hand-made vectors and a tiny stand-in, without network."""

import math
import warnings

import numpy as np
import pytest
from gensim.models import KeyedVectors

from hwlib import embeddings as E

# A stand-in small enough to train in about a second: the Lee corpus only, one epoch.
TINY = E.StandinSpec(sources=(E.LEE_CORPUS,), vector_size=16, min_count=5, epochs=1, sg=0, negative=5)


def make_kv(vectors: dict) -> KeyedVectors:
    kv = KeyedVectors(vector_size=len(next(iter(vectors.values()))))
    kv.add_vectors(list(vectors), np.array(list(vectors.values()), dtype=np.float32))
    return kv


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """An empty gensim-data folder, a download that fails as it does without network, a counted trainer."""
    def no_network(name, timeout=30.0):
        raise OSError("[Errno -2] Name or service not known")

    calls = []
    real_train = E.train_standin

    def counted(*args, **kwargs):
        calls.append(1)
        return real_train(*args, **kwargs)

    monkeypatch.setattr(E, "download", no_network)
    monkeypatch.setattr(E, "train_standin", counted)
    monkeypatch.delenv("GENSIM_DATA_DIR", raising=False)
    return {"gensim_dir": tmp_path / "gensim-data", "cache_dir": tmp_path / "cache", "calls": calls}


def load_offline(offline, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return E.load_vectors("glove-wiki-gigaword-100", cache_dir=offline["cache_dir"],
                              gensim_dir=offline["gensim_dir"], spec=TINY, **kwargs)


def test_offline_gives_the_standin_and_says_so(offline):
    with pytest.warns(UserWarning, match="stand-in for glove-wiki-gigaword-100"):
        kv, provenance, real = E.load_vectors(cache_dir=offline["cache_dir"], gensim_dir=offline["gensim_dir"],
                                              spec=TINY)
    assert real is False
    assert provenance.startswith("STAND-IN, NOT glove-wiki-gigaword-100")
    assert str(offline["gensim_dir"] / "glove-wiki-gigaword-100") in provenance
    assert "Name or service not known" in provenance
    assert "lee_background.cor" in provenance
    assert f"Vocabulary {len(kv.index_to_key):,} words" in provenance
    assert "16 dimensions" in provenance
    assert kv.vector_size == 16


def test_standin_cache_is_reused_not_retrained(offline):
    first = load_offline(offline, seed=3)
    assert offline["calls"] == [1]
    assert "trained in" in first.provenance
    second = load_offline(offline, seed=3)
    assert offline["calls"] == [1], "the second load trained again instead of reading the cache"
    assert "loaded from the cache" in second.provenance
    np.testing.assert_array_equal(first.kv.vectors, second.kv.vectors)
    assert first.kv.index_to_key == second.kv.index_to_key
    cached = sorted(p.name for p in (offline["cache_dir"] / "embeddings").iterdir())
    assert len(cached) == 1 and cached[0].startswith("standin-") and cached[0].endswith(".kv"), cached
    load_offline(offline, seed=4)
    assert offline["calls"] == [1, 1], "another seed must give (and cache) other vectors"


def test_hwlib_cache_variable_is_the_default_cache(offline, tmp_path, monkeypatch):
    monkeypatch.setenv("HWLIB_CACHE", str(tmp_path / "env-cache"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        E.load_vectors(gensim_dir=offline["gensim_dir"], spec=TINY)
    assert list((tmp_path / "env-cache" / "embeddings").glob("standin-*.kv"))


def test_without_standin_the_error_names_model_place_and_fix(offline):
    with pytest.raises(E.VectorsUnavailable) as err:
        E.load_vectors("glove-wiki-gigaword-100", allow_standin=False, cache_dir=offline["cache_dir"],
                       gensim_dir=offline["gensim_dir"], spec=TINY)
    message = str(err.value)
    assert "glove-wiki-gigaword-100" in message
    assert str(offline["gensim_dir"] / "glove-wiki-gigaword-100") in message
    assert "Fix:" in message and "GENSIM_DATA_DIR" in message
    assert offline["calls"] == [], "no stand-in may be trained when it is not allowed"


def test_a_model_in_the_local_gensim_data_folder_is_used_without_network(offline):
    folder = offline["gensim_dir"] / "tiny-vectors"
    folder.mkdir(parents=True)
    make_kv({"a": [1.0, 0.0], "b": [0.0, 1.0]}).save_word2vec_format(str(folder / "tiny-vectors.txt"))
    (folder / "__init__.py").write_text(
        "import os\nfrom gensim.models import KeyedVectors\n"
        "def load_data():\n"
        "    return KeyedVectors.load_word2vec_format(os.path.join(os.path.dirname(__file__), 'tiny-vectors.txt'))\n"
    )
    kv, provenance, real = E.load_vectors("tiny-vectors", allow_standin=False, gensim_dir=offline["gensim_dir"])
    assert real is True
    assert kv.index_to_key == ["a", "b"]
    assert "pretrained, from the local gensim-data folder" in provenance


# Hand-made vectors, dimensions (royal, male, female, other).
R2, R3 = 1 / math.sqrt(2), 1 / math.sqrt(3)
ROYALS = {
    "king": [R2, R2, 0, 0],
    "queen": [R2, 0, R2, 0],
    "man": [0, 1, 0, 0],
    "woman": [0, 0, 1, 0],
    "prince": [R3, R3, 0, R3],
}


def test_the_two_analogy_methods_give_the_hand_computed_answers():
    kv = make_kv(ROYALS)
    # king + woman - man = (1/√2, 1/√2 - 1, 1, 0); its cosine with queen is
    # (1/2 + 1/√2) / sqrt(1/2 + (1/√2 - 1)² + 1) = 1.20711 / 1.25928 = 0.95857.
    first = E.analogy(kv, ["king", "woman"], ["man"], topn=1)
    assert first[0][0] == "queen"
    assert first[0][1] == pytest.approx(0.95857, abs=1e-4)
    # king + man - woman = (1/√2, 1/√2 + 1, -1, 0); prince is closest, with cosine
    # (1/√3)(1/√2 + 1/√2 + 1) / sqrt(1/2 + (1/√2 + 1)² + 1) = 1.39385 / 2.10100 = 0.66342.
    second = E.analogy(kv, ["king", "man"], ["woman"], topn=1)
    assert second[0][0] == "prince"
    assert second[0][1] == pytest.approx(0.66342, abs=1e-4)
    table = E.analogies_table(kv, [("king", "woman", "man")], topn=1)
    row = table.loc["(king, woman, man)"]
    assert row["w1 + w2 − w3"] == "queen 0.96"
    assert row["w1 + w3 − w2"] == "prince 0.66"
    assert row["report 000 (w1 + w2 − w3)"] == "queen 0.70"
    assert E.rank_of(kv, "queen", ["king", "woman"], ["man"]) == 1


def test_missing_words_are_reported_not_fatal():
    kv = make_kv(ROYALS)
    assert E.missing(kv, ["king", "calf", "veal", "calf"]) == ["calf", "veal"]
    assert E.missing_note(kv, ["king", "calf"]) == "not in the vocabulary (1 of 2): calf"
    assert E.missing_note(kv, ["king"]) == "all 1 words are in the vocabulary"

    table = E.neighbours_table(kv, ["king", "liverpool"], topn=3)
    assert table.attrs["missing"] == ["liverpool"]
    assert table.loc["liverpool", "1"] == "(not in the vocabulary)"
    assert table.loc["king", "1"].startswith("queen") or table.loc["king", "1"].startswith("prince")

    distances = E.distances_table(kv, [("king", "queen", "man"), ("pen", "pencil", "king")])
    assert distances.loc["pen", "missing"] == "pen, pencil"
    assert distances.loc["pen", "d(word, near)"] == "—"
    assert distances.loc["king", "d(word, near)"] == pytest.approx(1 - 0.5, abs=1e-3)

    analogies = E.analogies_table(kv, [("homemaker", "woman", "man")])
    assert analogies.loc["(homemaker, woman, man)", "missing"] == "homemaker"
    assert analogies.loc["(homemaker, woman, man)", "w1 + w2 − w3"] == "—"
    assert E.rank_of(kv, "calf", ["king", "woman"], ["man"]) is None

    fig = E.pairs_plot(kv, [("man", "woman"), ("calf", "cow")], "pairs")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "not in the vocabulary: calf, cow" in texts
    fig = E.clusters_plot(kv, {"royal": ["king", "queen", "tsar"], "people": ["man", "woman"]}, "groups")
    assert "not in the vocabulary: tsar" in [t.get_text() for t in fig.axes[0].texts]
    parallel = E.offset_parallelism(kv, [("man", "woman"), ("king", "queen"), ("boy", "girl")])
    assert parallel.attrs["missing"] == ["boy", "girl"]
    assert parallel.loc["man → woman"].iloc[0] == pytest.approx(1.0, abs=1e-3)


def family_vectors(dim=48, seed=0) -> KeyedVectors:
    """The analogy set's 'family' words as base + or - a shared gender offset, plus WordSim words."""
    rng = np.random.default_rng(seed)
    lines = (E.test_data_dir() / E.ANALOGY_FILE).read_text().split(": family\n")[1].split("\n:")[0]
    gender = rng.normal(size=dim) * 0.6
    vectors = {}
    for line in lines.splitlines():
        a, b, c, d = line.lower().split()
        for male, female in ((a, b), (c, d)):
            if male not in vectors:
                base = rng.normal(size=dim)
                vectors[male], vectors[female] = base - gender, base + gender
    for line in (E.test_data_dir() / E.WORDSIM_FILE).read_text().splitlines()[2:40]:
        for word in line.split("\t")[:2]:
            vectors.setdefault(word.lower(), rng.normal(size=dim))
    return make_kv(vectors)


def test_evaluate_scores_lie_in_range_and_find_the_planted_analogies():
    scores = E.evaluate(family_vectors())
    for key in ("analogy_accuracy", "analogy_semantic", "analogy_syntactic", "analogy_coverage",
                "wordsim_coverage"):
        assert isinstance(scores[key], float)
        assert 0.0 <= scores[key] <= 1.0, (key, scores[key])
    for key in ("wordsim_pearson", "wordsim_spearman"):
        assert -1.0 <= scores[key] <= 1.0
    assert scores["analogy_questions"] == 19544
    assert 0 < scores["analogy_attempted"] <= 506  # the family section only
    assert scores["analogy_accuracy"] > 0.9, "the planted gender offset should answer the family questions"
    assert scores["analogy_semantic"] == scores["analogy_accuracy"]
    assert scores["analogy_syntactic"] == 0.0
    assert 0 < scores["wordsim_coverage"] < 0.5
    table = E.benchmark_table(scores, "hand-made", ("queen", 0.9))
    assert "GloVe 300d, 6B tokens" in set(table["vectors"])


def test_standin_training_is_deterministic_for_a_seed():
    sentences, counts = E.standin_corpus(TINY)
    assert counts[E.LEE_CORPUS]["tokens"] == sum(len(s) for s in sentences) > 50_000
    first, second = E.train_standin(sentences, TINY, seed=5), E.train_standin(sentences, TINY, seed=5)
    np.testing.assert_array_equal(first.vectors, second.vectors)
