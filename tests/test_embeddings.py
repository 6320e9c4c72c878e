"""HW14 B1: the word-vector loader (hwlib.embeddings) and the methods of the page, without network.

The loader may replace the vectors by the stand-in only when they are nowhere and cannot be
downloaded; a corrupt download, a damaged model folder or an unreadable cache is an error. The
page's definitions (the analogy formulas, neighbours, offsets, silhouette, benchmarks) are tested
where they live, on the page, through ``page_definitions``.
"""

import gzip
import math
import warnings

import gensim.downloader
import numpy as np
import pytest
from gensim.models import KeyedVectors

from hwlib import data
from hwlib import embeddings as E

from pagecode import page_definitions

PAGE = "hw14/01_word_embeddings"
NAME = "glove-wiki-gigaword-100"
# A stand-in small enough to train in about a second: the Lee corpus only, one epoch.
TINY = E.StandinSpec(sources=(E.LEE_CORPUS,), vector_size=16, min_count=5, epochs=1, sg=0, negative=5)


def make_kv(vectors: dict) -> KeyedVectors:
    kv = KeyedVectors(vector_size=len(next(iter(vectors.values()))))
    kv.add_vectors(list(vectors), np.array(list(vectors.values()), dtype=np.float32))
    return kv


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """An empty gensim-data folder, gensim's downloader failing as it does without network,
    the cache in a temporary $HWLIB_CACHE, and a counted stand-in trainer."""
    def no_network(name, return_path=False):
        raise OSError("[Errno -2] Name or service not known")

    calls = []
    real_train = E.train_standin

    def counted(*args, **kwargs):
        calls.append(1)
        return real_train(*args, **kwargs)

    monkeypatch.setattr(gensim.downloader, "load", no_network)
    monkeypatch.setattr(E, "train_standin", counted)
    monkeypatch.setenv("HWLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GENSIM_DATA_DIR", raising=False)
    return {"gensim_dir": tmp_path / "gensim-data", "cache": tmp_path / "cache", "calls": calls}


def load(offline, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return E.load_vectors(NAME, gensim_dir=offline["gensim_dir"], spec=TINY, **kwargs)


def test_offline_gives_the_standin_and_says_so(offline):
    with pytest.warns(UserWarning, match=f"stand-in instead of {NAME}"):
        kv, provenance, real = E.load_vectors(gensim_dir=offline["gensim_dir"], spec=TINY)
    assert real is False
    assert provenance.startswith(f"STAND-IN, NOT {NAME}")
    assert str(offline["gensim_dir"] / NAME) in provenance
    assert "Name or service not known" in provenance
    assert "lee_background.cor" in provenance
    assert f"{len(kv.index_to_key):,} words x 16 dimensions" in provenance
    assert kv.vector_size == 16


def test_offline_without_gensims_catalogue_also_gives_the_standin(offline, monkeypatch):
    def no_catalogue(name, return_path=False):  # what gensim raises offline before it has ever run
        raise ValueError("unable to read local cache '/x/information.json' during fallback, "
                         "connect to the Internet and retry")

    monkeypatch.setattr(gensim.downloader, "load", no_catalogue)
    assert load(offline).real is False


@pytest.mark.parametrize("failure", [Exception("Checksum comparison failed, try again"),
                                     ValueError("Incorrect model/corpus name")])
def test_a_bad_download_is_an_error_never_a_standin(offline, monkeypatch, failure):
    def broken(name, return_path=False):
        raise failure

    monkeypatch.setattr(gensim.downloader, "load", broken)
    with pytest.raises(data.DataError) as err:
        load(offline, allow_standin=True)
    assert not isinstance(err.value, data.DataUnavailable)
    assert NAME in str(err.value) and str(failure) in str(err.value)
    assert offline["calls"] == [], "a failed download must not be replaced by a stand-in"


def test_a_download_that_cannot_be_read_is_an_error_not_no_network(offline, monkeypatch):
    """gzip's BadGzipFile is an OSError, like a network failure; a downloaded folder tells them apart."""
    def truncated(name, return_path=False):
        (offline["gensim_dir"] / name).mkdir(parents=True)
        (offline["gensim_dir"] / name / "__init__.py").write_text("")
        raise gzip.BadGzipFile("Not a gzipped file (b'<h')")

    monkeypatch.setattr(gensim.downloader, "load", truncated)
    with pytest.raises(data.DataError) as err:
        load(offline, allow_standin=True)
    assert not isinstance(err.value, data.DataUnavailable)
    assert f"Fix: delete {offline['gensim_dir'] / NAME}" in str(err.value)
    assert offline["calls"] == []


def test_a_corrupt_model_folder_is_an_error_naming_it(offline):
    folder = offline["gensim_dir"] / NAME
    folder.mkdir(parents=True)
    (folder / f"{NAME}.gz").write_bytes(gzip.compress(b"400000 100\nthe 0.1 0.2")[:20])  # cut short
    (folder / "__init__.py").write_text(
        "import os\nfrom gensim.models import KeyedVectors\n"
        "def load_data():\n"
        f"    return KeyedVectors.load_word2vec_format(os.path.join(os.path.dirname(__file__), '{NAME}.gz'))\n")
    with pytest.raises(data.DataError) as err:
        load(offline, allow_standin=True)
    message = str(err.value)
    assert str(folder) in message and "Fix: delete" in message
    assert offline["calls"] == []


def test_without_standin_the_error_names_model_place_and_fix(offline):
    with pytest.raises(data.DataUnavailable) as err:
        load(offline, allow_standin=False)
    message = str(err.value)
    assert NAME in message and str(offline["gensim_dir"] / NAME) in message
    assert "Fix:" in message and "GENSIM_DATA_DIR" in message and "allow_standin" in message
    assert offline["calls"] == [], "no stand-in may be trained when it is not allowed"


def test_standin_cache_lives_in_hwlibs_one_cache_and_is_reused(offline):
    first = load(offline, seed=3)
    assert offline["calls"] == [1] and "trained here" in first.provenance
    cached = list((offline["cache"] / "embeddings").glob("standin-*.kv"))
    assert len(cached) == 1 and cached[0].parent == data.cache_dir() / "embeddings"
    second = load(offline, seed=3)
    assert offline["calls"] == [1], "the second load trained again instead of reading the cache"
    assert "loaded from the cache" in second.provenance
    np.testing.assert_array_equal(first.kv.vectors, second.kv.vectors)
    load(offline, seed=4)
    assert offline["calls"] == [1, 1], "another seed must give (and cache) other vectors"


def test_without_hwlib_cache_the_standin_goes_to_the_home_cache(offline, tmp_path, monkeypatch):
    monkeypatch.delenv("HWLIB_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    load(offline)
    assert list((tmp_path / "home" / ".cache" / "hwlib" / "embeddings").glob("standin-*.kv"))
    assert E.standin_path(TINY).parent == data.cache_dir() / "embeddings"


def test_an_unreadable_cached_standin_is_an_error_naming_it(offline):
    path = E.standin_path(TINY, seed=42)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    with pytest.raises(data.DataError) as err:
        load(offline)
    assert str(path) in str(err.value) and f"delete {path}" in str(err.value)
    assert offline["calls"] == []


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
    assert real is True and kv.index_to_key == ["a", "b"]
    assert "pretrained, from the local gensim-data folder" in provenance


def test_benchmark_files_are_found_and_a_missing_one_is_named():
    assert E.benchmark_file(E.ANALOGY_FILE).is_file() and E.benchmark_file(E.WORDSIM_FILE).is_file()
    with pytest.raises(data.DataError, match="no-such-file.txt"):
        E.benchmark_file("no-such-file.txt")


def test_standin_training_is_deterministic_for_a_seed():
    sentences, counts = E.standin_corpus(TINY)
    assert counts[E.LEE_CORPUS]["tokens"] == sum(len(s) for s in sentences) > 50_000
    first, second = E.train_standin(sentences, TINY, seed=5), E.train_standin(sentences, TINY, seed=5)
    np.testing.assert_array_equal(first.vectors, second.vectors)


# --------------------------------------------------------------------------- the page's methods

# Hand-made vectors, dimensions (royal, male, female, other).
R2, R3 = 1 / math.sqrt(2), 1 / math.sqrt(3)
ROYALS = {
    "king": [R2, R2, 0, 0],
    "queen": [R2, 0, R2, 0],
    "man": [0, 1, 0, 0],
    "woman": [0, 0, 1, 0],
    "prince": [R3, R3, 0, R3],
}


@pytest.fixture(scope="module")
def page():
    return page_definitions(PAGE)


def test_the_two_analogy_formulas_give_the_hand_computed_answers(page):
    kv = make_kv(ROYALS)
    # king + woman - man = (1/√2, 1/√2 - 1, 1, 0); its cosine with queen is
    # (1/2 + 1/√2) / sqrt(1/2 + (1/√2 - 1)² + 1) = 1.20711 / 1.25928 = 0.95857.
    assert page.analogy_add(kv, ["king", "woman"], ["man"], topn=1) == [("queen", pytest.approx(0.95857, abs=1e-4))]
    # king + man - woman: prince, cosine (1/√3)(1/√2 + 1/√2 + 1) / 2.10100 = 0.66342.
    assert page.analogy_add(kv, ["king", "man"], ["woman"], topn=1) == [("prince", pytest.approx(0.66342, abs=1e-4))]
    # 3CosMul for queen: ((1 + 1/2)/2) ((1 + 1/√2)/2) / ((1 + 0)/2 + 1e-6) = 1.28033; prince: 0.57581.
    assert page.analogy_mul(kv, ["king", "woman"], ["man"]) == [("queen", pytest.approx(1.28033, abs=1e-4)),
                                                               ("prince", pytest.approx(0.57581, abs=1e-4))]


def test_the_page_methods_agree_with_gensim(page):
    rng = np.random.default_rng(0)
    kv = make_kv({f"w{i}": rng.normal(size=12) for i in range(300)})
    for positive, negative in ((["w1", "w2"], ["w3"]), (["w4"], []), (["w5", "w6", "w7"], ["w8", "w9"])):
        for ours, theirs in ((page.analogy_add, kv.most_similar), (page.analogy_mul, kv.most_similar_cosmul)):
            a, b = ours(kv, positive, negative, topn=10), theirs(positive=positive, negative=negative, topn=10)
            assert [w for w, _ in a] == [w for w, _ in b]
            np.testing.assert_allclose([s for _, s in a], [s for _, s in b], atol=1e-5)
    assert page.neighbours(kv, "w0", 7) == [(w, pytest.approx(s, abs=1e-5)) for w, s in kv.most_similar("w0", topn=7)]
    assert page.cosine_distance(kv, "w1", "w2") == pytest.approx(kv.distance("w1", "w2"), abs=1e-6)


def test_rank_is_the_place_in_the_list_and_need_not_be_symmetric(page):
    rng = np.random.default_rng(1)
    kv = make_kv({f"w{i}": rng.normal(size=12) for i in range(200)})
    assert [page.rank_of(kv, "w0", w) for w, _ in kv.most_similar("w0", topn=10)] == list(range(1, 11))
    # b is a's nearest word (40 degrees away); five words lie between b and a's far side, closer to b than a is.
    angles = {"a": 40, "b": 0, **{f"c{i}": -5 * i for i in range(1, 6)}}
    kv = make_kv({w: [math.cos(math.radians(t)), math.sin(math.radians(t))] for w, t in angles.items()})
    assert page.rank_of(kv, "a", "b") == 1 and page.rank_of(kv, "b", "a") == 6


def test_chance_cosines_are_reproducible_bounded_and_centred(page):
    rng = np.random.default_rng(2)
    kv = make_kv({f"w{i}": rng.normal(size=20) for i in range(500)})
    chance = page.chance_cosines(kv, n=3000, among=400, seed=7)
    assert chance.shape == (3000,) and np.all(np.abs(chance) <= 1 + 1e-6)
    np.testing.assert_array_equal(chance, page.chance_cosines(kv, n=3000, among=400, seed=7))
    assert not np.array_equal(chance, page.chance_cosines(kv, n=3000, among=400, seed=8))
    assert abs(chance.mean()) < 0.03
    # Four orthonormal words: any two arrows between four distinct ones, e_b - e_a and e_d - e_c, are orthogonal.
    axes = make_kv({w: np.eye(4)[i] for i, w in enumerate("abcd")})
    np.testing.assert_allclose(page.chance_cosines(axes, n=50, seed=0), 0.0, atol=1e-7)


def test_missing_words_offsets_and_silhouette(page):
    from sklearn.metrics import silhouette_score

    kv = make_kv(ROYALS)
    assert page.missing(kv, ["king", "calf", "veal", "calf"]) == ["calf", "veal"]
    parallel = page.offset_parallelism(kv, [("man", "woman"), ("king", "queen")])
    np.testing.assert_allclose(parallel.to_numpy(), 1.0, atol=1e-6)
    assert list(parallel.index) == ["man → woman", "king → queen"]
    groups = {"royal": ["king", "queen", "prince", "tsar"], "people": ["man", "woman"]}
    ours = page.cluster_separation(kv, groups)
    words = ["king", "queen", "prince", "man", "woman"]
    assert ours == pytest.approx(silhouette_score(np.array([kv[w] for w in words]), [0, 0, 0, 1, 1],
                                                  metric="cosine"), abs=1e-6)
    assert math.isnan(page.cluster_separation(kv, {"royal": ["king"], "none": ["tsar"]}))

    fig = page.plot_words(kv, "pairs", pairs=[("man", "woman"), ("calf", "cow")])
    assert "not in the vocabulary: calf, cow" in [t.get_text() for t in fig.axes[0].texts]
    fig = page.plot_words(kv, "groups", groups={"royal": ["king", "queen", "tsar"], "people": ["man", "woman"]})
    assert "not in the vocabulary: tsar" in [t.get_text() for t in fig.axes[0].texts]


def family_vectors(dim=48, seed=0) -> KeyedVectors:
    """The analogy set's 'family' words as base + or - a shared gender offset, plus WordSim words."""
    rng = np.random.default_rng(seed)
    lines = E.benchmark_file(E.ANALOGY_FILE).read_text().split(": family\n")[1].split("\n:")[0]
    gender = rng.normal(size=dim) * 0.6
    vectors = {}
    for line in lines.splitlines():
        a, b, c, d = line.lower().split()
        for male, female in ((a, b), (c, d)):
            if male not in vectors:
                base = rng.normal(size=dim)
                vectors[male], vectors[female] = base - gender, base + gender
    for line in E.benchmark_file(E.WORDSIM_FILE).read_text().splitlines()[2:40]:
        for word in line.split("\t")[:2]:
            vectors.setdefault(word.lower(), rng.normal(size=dim))
    return make_kv(vectors)


def test_benchmark_scores_lie_in_range_and_find_the_planted_analogies(page):
    scores = page.benchmark_scores(family_vectors())
    for key in ("analogy_accuracy", "analogy_semantic", "analogy_syntactic", "analogy_coverage",
                "wordsim_coverage"):
        assert 0.0 <= scores[key] <= 1.0, (key, scores[key])
    for key in ("wordsim_pearson", "wordsim_spearman"):
        assert -1.0 <= scores[key] <= 1.0
    assert scores["analogy_questions"] == 19544
    assert 0 < scores["analogy_attempted"] <= 506  # the family section only
    assert scores["analogy_accuracy"] > 0.9, "the planted gender offset should answer the family questions"
    assert scores["analogy_semantic"] == scores["analogy_accuracy"]
    assert scores["analogy_syntactic"] == 0.0
    assert 0 < scores["wordsim_coverage"] < 0.5
