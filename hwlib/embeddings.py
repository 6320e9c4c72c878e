"""Pretrained word vectors (HW14 B1): loading, neighbour tables, analogies, projections, benchmarks.

:func:`load_vectors` loads a gensim-data model (GloVe by default) from the local
gensim-data folder, else downloads it; when neither works it can fall back on a
*stand-in*: Word2Vec trained here, with a fixed seed and one worker, on the
English text that gensim ships in its test data, cached under ``_build/cache``
(or ``$HWLIB_CACHE``).  The provenance line says plainly which one was loaded.

Every helper takes a list of words and reports the ones missing from the
vocabulary instead of failing, so the same page runs on full GloVe and on the
small stand-in.
"""

from __future__ import annotations

import bz2
import hashlib
import importlib.util
import json
import os
import socket
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import reference, results
from . import provenance as provenance_log

DEFAULT_VECTORS = "glove-wiki-gigaword-100"
LEE_CORPUS = "lee_background.cor"
WIKI_SLICE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
ANALOGY_FILE = "questions-words.txt"
WORDSIM_FILE = "wordsim353.tsv"

class VectorsUnavailable(RuntimeError):
    """The requested pretrained vectors are not on this machine and could not be downloaded."""


class Vectors(NamedTuple):
    """What :func:`load_vectors` returns: the vectors, where they came from, and whether they are
    the requested pretrained model (``real``) or the stand-in."""

    kv: object
    provenance: str
    real: bool


@dataclass(frozen=True)
class StandinSpec:
    """How the stand-in is trained: which gensim test-data files, and the Word2Vec settings."""

    sources: tuple[str, ...] = (LEE_CORPUS, WIKI_SLICE)
    vector_size: int = 100
    window: int = 5
    min_count: int = 5
    epochs: int = 10
    sg: int = 1
    negative: int = 10


STANDIN = StandinSpec()


# --------------------------------------------------------------------------- where things are


def test_data_dir() -> Path:
    """gensim's shipped test data (``gensim/test/test_data``): corpora and benchmark files."""
    import gensim

    return Path(gensim.__file__).parent / "test" / "test_data"


def gensim_data_dir() -> Path:
    """gensim-data's download folder: ``$GENSIM_DATA_DIR`` or ``~/gensim-data``."""
    return Path(os.environ.get("GENSIM_DATA_DIR") or Path.home() / "gensim-data")


def cache_root(cache_dir: str | os.PathLike | None = None) -> Path:
    """Where the stand-in is cached: ``cache_dir``, else ``$HWLIB_CACHE``, else ``_build/cache``."""
    return Path(cache_dir or os.environ.get("HWLIB_CACHE") or Path.home() / ".cache" / "hwlib")


# --------------------------------------------------------------------------- pretrained vectors


def load_cached_model(name: str, gensim_dir: Path) -> object | None:
    """The model ``name`` from a gensim-data folder if it was downloaded before, else None.

    Runs the model's own ``__init__.py`` loader, as ``gensim.downloader.load``
    does, without asking the network for the model list first.
    """
    init = gensim_dir / name / "__init__.py"
    if not init.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"_gensim_data_{name.replace('-', '_')}", init)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.load_data()


def download(name: str, timeout: float = 30.0) -> object:
    """Download and load ``name`` with ``gensim.downloader`` (into ``~/gensim-data``)."""
    import gensim.downloader

    before = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        return gensim.downloader.load(name)
    finally:
        socket.setdefaulttimeout(before)


def _describe(kv) -> str:
    return f"{len(kv.index_to_key):,} words x {kv.vector_size} dimensions"


# --------------------------------------------------------------------------- the stand-in


def standin_corpus(spec: StandinSpec = STANDIN) -> tuple[list[list[str]], dict]:
    """Tokenised sentences of the stand-in's training text, and counts per source file.

    The Lee corpus is one news story per line (``simple_preprocess``); the
    Wikipedia slice is an XML dump read with gensim's ``WikiCorpus`` (articles
    only, markup stripped, one process).
    """
    from gensim.corpora.wikicorpus import WikiCorpus
    from gensim.utils import simple_preprocess

    root = test_data_dir()
    sentences, counts = [], {}
    for source in spec.sources:
        path = root / source
        if not path.is_file():
            raise VectorsUnavailable(f"the stand-in's training text {path} is missing: reinstall gensim "
                                     f"(`.venv/bin/pip install --force-reinstall gensim`)")
        if source.endswith(".bz2"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                docs = list(WikiCorpus(str(path), dictionary={}, processes=1).get_texts())
        else:
            with open(path, encoding="utf-8") as fh:
                docs = [simple_preprocess(line) for line in fh if line.strip()]
        counts[source] = {"documents": len(docs), "tokens": sum(len(d) for d in docs)}
        sentences += docs
    return sentences, counts


def train_standin(sentences: list[list[str]], spec: StandinSpec = STANDIN, seed: int = 42):
    """Word2Vec on ``sentences`` with one worker thread, so a seed gives the same vectors every time."""
    from gensim.models import Word2Vec

    model = Word2Vec(sentences, vector_size=spec.vector_size, window=spec.window,
                     min_count=spec.min_count, epochs=spec.epochs, sg=spec.sg,
                     negative=spec.negative, seed=seed, workers=1)
    return model.wv


def standin_key(spec: StandinSpec, seed: int) -> str:
    """A short hash of everything the stand-in depends on: settings, seed, gensim, training files."""
    import gensim

    root = test_data_dir()
    sizes = {s: (root / s).stat().st_size if (root / s).is_file() else None for s in spec.sources}
    blob = json.dumps({"spec": asdict(spec), "seed": seed, "gensim": gensim.__version__,
                       "sizes": sizes}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def standin_vectors(spec: StandinSpec = STANDIN, seed: int = 42,
                    cache_dir: str | os.PathLike | None = None) -> tuple[object, dict]:
    """The stand-in vectors and a description of them, trained once and then read from the cache.

    The cache file is written under a temporary name and renamed, so an
    interrupted run never leaves a half-written file behind.
    """
    from gensim.models import KeyedVectors

    directory = cache_root(cache_dir) / "embeddings"
    path = directory / f"standin-{standin_key(spec, seed)}.kv"
    if path.is_file():
        kv = KeyedVectors.load(str(path))
        info = dict(kv.hwlib_info, cached=True, path=str(path))
        return kv, info
    start = time.perf_counter()
    sentences, counts = standin_corpus(spec)
    kv = train_standin(sentences, spec, seed)
    kv.hwlib_info = {"spec": asdict(spec), "seed": seed, "counts": counts,
                     "seconds": round(time.perf_counter() - start, 1)}
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".standin-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            kv.save(fh)
        results.publish(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return kv, dict(kv.hwlib_info, cached=False, path=str(path))


def standin_provenance(kv, info: dict, name: str, reason: str) -> str:
    """The stand-in's provenance: that it is one, why, what it was trained on, its size."""
    spec, counts = info["spec"], info["counts"]
    parts = []
    for source, c in counts.items():
        what = "Lee news corpus" if source == LEE_CORPUS else "English Wikipedia slice"
        parts.append(f"{what} {source} ({c['documents']:,} documents, {c['tokens']:,} tokens)")
    tokens = sum(c["tokens"] for c in counts.values())
    how = "loaded from the cache" if info["cached"] else f"trained in {info['seconds']:.0f} s and cached"
    return (
        f"STAND-IN, NOT {name}: {reason}. Instead: Word2Vec "
        f"({'skip-gram' if spec['sg'] else 'CBOW'}, window {spec['window']}, {spec['epochs']} epochs, "
        f"seed {info['seed']}, one worker) trained on the English text shipped in gensim's test data, "
        f"{' and '.join(parts)}: {tokens:,} tokens in all, about 1/{round(6e9 / tokens, -3):,.0f} of the "
        f"6 billion tokens behind glove-wiki-gigaword. "
        f"Vocabulary {len(kv.index_to_key):,} words (min count {spec['min_count']}), "
        f"{kv.vector_size} dimensions; {how} ({info['path']})"
    )


def load_vectors(name: str = DEFAULT_VECTORS, allow_standin: bool = True,
                 cache_dir: str | os.PathLike | None = None, *, seed: int = 42,
                 gensim_dir: str | os.PathLike | None = None, spec: StandinSpec = STANDIN,
                 timeout: float = 30.0) -> Vectors:
    """Pretrained vectors ``name`` (a gensim-data model), or the stand-in when they cannot be had.

    Order: the local gensim-data folder (no network), then ``gensim.downloader``.
    If both fail, ``allow_standin`` decides: the stand-in with a provenance
    that says so (and a warning), or :class:`VectorsUnavailable` naming the
    model, where it was looked for and how to get it.
    """
    gensim_dir = Path(gensim_dir) if gensim_dir else gensim_data_dir()
    kv = load_cached_model(name, gensim_dir)
    if kv is not None:
        return _vectors(kv, f"{name} (pretrained, from the local gensim-data folder "
                           f"{gensim_dir / name}), {_describe(kv)}", True)
    try:
        kv = download(name, timeout)
    except Exception as exc:  # no network, a refused connection, a bad name, a checksum failure
        reason = (f"{name} is not in {gensim_dir / name} and gensim could not download it "
                  f"({type(exc).__name__}: {exc})")
    else:
        return _vectors(kv, f"{name} (pretrained, downloaded by gensim into {gensim_dir / name}), "
                           f"{_describe(kv)}", True)
    if not allow_standin:
        raise VectorsUnavailable(
            f"{reason}.\nLooked in: {gensim_dir / name} (gensim-data folder, $GENSIM_DATA_DIR), "
            f"then gensim's download.\nFix: on a machine with internet access run "
            f"`python -c \"import gensim.downloader as d; d.load('{name}')\"` and copy "
            f"{gensim_dir / name} to this machine (or set GENSIM_DATA_DIR to where it is), or run "
            f"with allow_standin=True to use a small Word2Vec stand-in instead."
        )
    kv, info = standin_vectors(spec, seed, cache_dir)
    provenance = standin_provenance(kv, info, name, reason)
    warnings.warn(f"using a stand-in for {name}: {reason}", stacklevel=2)
    return _vectors(kv, provenance, False)


def _vectors(kv, description: str, real: bool) -> Vectors:
    """``Vectors``, noted in the kernel's data record (hwlib.provenance)."""
    provenance_log.record(description, real)
    return Vectors(kv, description, real)


def training_tokens(kv) -> int | None:
    """How many tokens the stand-in was trained on (None for pretrained vectors)."""
    info = getattr(kv, "hwlib_info", None)
    return sum(c["tokens"] for c in info["counts"].values()) if info else None


# --------------------------------------------------------------------------- tables


def missing(kv, words) -> list[str]:
    """The words (in order, once each) that are not in the vocabulary."""
    out = []
    for word in words:
        if word not in kv.key_to_index and word not in out:
            out.append(word)
    return out


def missing_note(kv, words) -> str:
    """One line saying which of ``words`` are missing from the vocabulary, or that none is."""
    words = list(dict.fromkeys(words))
    gone = missing(kv, words)
    if not gone:
        return f"all {len(words)} words are in the vocabulary"
    return f"not in the vocabulary ({len(gone)} of {len(words)}): {', '.join(gone)}"


def neighbours_table(kv, words, topn: int = 10) -> pd.DataFrame:
    """Top-``topn`` neighbours of each word by cosine similarity, as 'word 0.67' cells.

    A word missing from the vocabulary gets a row saying so; the list of
    missing words is also in ``table.attrs["missing"]``.
    """
    rows = {}
    for word in words:
        if word in kv.key_to_index:
            rows[word] = [f"{w} {s:.2f}" for w, s in kv.most_similar(word, topn=topn)]
        else:
            rows[word] = ["(not in the vocabulary)"] + [""] * (topn - 1)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=[str(i) for i in range(1, topn + 1)])
    table.attrs["missing"] = missing(kv, words)
    return table


def cosine_distance(kv, a: str, b: str) -> float | None:
    """1 - cosine similarity of two words (0: same direction, 2: opposite), None if one is missing."""
    if a not in kv.key_to_index or b not in kv.key_to_index:
        return None
    return float(kv.distance(a, b))


def distances_table(kv, triples) -> pd.DataFrame:
    """Cosine distance of each word to a near and a far word, beside report 000's numbers.

    ``triples`` are (word, near, far); a missing word leaves its distances empty.
    """
    rows = []
    for word, near, far in triples:
        d_near, d_far = cosine_distance(kv, word, near), cosine_distance(kv, word, far)
        report = reference.HW14_EMBEDDINGS_REPORT["distances"].get(word)
        rows.append({
            "word": word, "near": near, "far": far,
            "d(word, near)": None if d_near is None else round(d_near, 3),
            "d(word, far)": None if d_far is None else round(d_far, 3),
            "near is closer": (d_near < d_far) if None not in (d_near, d_far) else None,
            "report 000: d(near) / d(far)": f"{report[0][1]} / {report[1][1]}" if report else "—",
            "missing": ", ".join(missing(kv, (word, near, far))),
        })
    return pd.DataFrame(rows).set_index("word").astype(object).fillna("—")


def analogy(kv, positive, negative, topn: int = 5) -> list[tuple[str, float]] | None:
    """gensim's ``most_similar(positive, negative)`` as (word, cosine) pairs; None if a word is missing."""
    if missing(kv, list(positive) + list(negative)):
        return None
    return [(w, float(s)) for w, s in kv.most_similar(positive=list(positive), negative=list(negative),
                                                     topn=topn)]


def _cells(result) -> str:
    return ", ".join(f"{w} {s:.2f}" for w, s in result) if result else "—"


def analogies_table(kv, triples, topn: int = 5) -> pd.DataFrame:
    """Both ways for each (w1, w2, w3): w1 + w2 - w3 (the analogy w3 : w1 :: w2 : ?) and
    w1 + w3 - w2, with the top words of report 000 for each way."""
    rows = []
    for w1, w2, w3 in triples:
        report = reference.HW14_EMBEDDINGS_REPORT["analogies"].get((w1, w2, w3), ("—", "—"))
        rows.append({
            "(w1, w2, w3)": f"({w1}, {w2}, {w3})",
            "w1 + w2 − w3": _cells(analogy(kv, [w1, w2], [w3], topn)),
            "report 000 (w1 + w2 − w3)": report[0],
            "w1 + w3 − w2": _cells(analogy(kv, [w1, w3], [w2], topn)),
            "report 000 (w1 + w3 − w2)": report[1],
            "missing": ", ".join(missing(kv, (w1, w2, w3))) or "—",
        })
    return pd.DataFrame(rows).set_index("(w1, w2, w3)")


def rank_of(kv, target: str, positive, negative, topn: int = 1000) -> int | None:
    """Where ``target`` ranks (1 = first) among the answers to positive - negative; None if it is
    missing or not in the first ``topn``."""
    result = analogy(kv, positive, negative, topn=min(topn, len(kv.index_to_key)))
    if result is None or target not in kv.key_to_index:
        return None
    words = [w for w, _ in result]
    return words.index(target) + 1 if target in words else None


def offset_parallelism(kv, pairs) -> pd.DataFrame:
    """For each (a, b) pair, the cosine between its offset b - a (unit vectors, all dimensions)
    and the mean offset of the other pairs: near 1 means the arrows are parallel."""
    present = [(a, b) for a, b in pairs if not missing(kv, (a, b))]
    offsets = {f"{a} → {b}": kv.get_vector(b, norm=True) - kv.get_vector(a, norm=True) for a, b in present}
    rows = []
    for key, offset in offsets.items():
        others = [v for k, v in offsets.items() if k != key]
        if not others:
            continue
        mean = np.mean(others, axis=0)
        cos = float(offset @ mean / (np.linalg.norm(offset) * np.linalg.norm(mean)))
        rows.append({"pair": key, "cosine with the other pairs' mean offset": round(cos, 3)})
    table = pd.DataFrame(rows, columns=["pair", "cosine with the other pairs' mean offset"])
    table.attrs["missing"] = missing(kv, [w for pair in pairs for w in pair])
    return table.set_index("pair")


def cluster_separation(kv, groups: dict[str, list[str]]) -> float | None:
    """Silhouette score of the groups in the full space with cosine distance (1: tight, well apart
    groups; 0: overlapping), over the words present; None if fewer than two groups remain."""
    from sklearn.metrics import silhouette_score

    words, labels = [], []
    for label, members in groups.items():
        for w in members:
            if w in kv.key_to_index:
                words.append(w)
                labels.append(label)
    if len(set(labels)) < 2 or len(words) <= len(set(labels)):
        return None
    return float(silhouette_score(np.array([kv.get_vector(w) for w in words]), labels, metric="cosine"))


# --------------------------------------------------------------------------- figures


def project_2d(kv, words) -> dict[str, np.ndarray]:
    """2-D PCA coordinates of the unit-length vectors of the words present (deterministic solver)."""
    from sklearn.decomposition import PCA

    present = [w for w in dict.fromkeys(words) if w in kv.key_to_index]
    if len(present) < 2:
        return {w: np.zeros(2) for w in present}
    matrix = np.array([kv.get_vector(w, norm=True) for w in present])
    coords = PCA(n_components=2, svd_solver="full").fit_transform(matrix)
    return dict(zip(present, coords))


def _missing_footer(ax, kv, words):
    gone = missing(kv, words)
    if gone:
        ax.text(0.01, 0.01, "not in the vocabulary: " + ", ".join(gone), transform=ax.transAxes,
                fontsize=8, color="tab:red", va="bottom")


def pairs_plot(kv, pairs, title: str = "", extra=()):
    """PCA of the pairs' words (and ``extra`` words, unlinked) with an arrow from a to b per pair.

    Pairs with a missing word are left out and named at the bottom of the figure.
    """
    words = [w for pair in pairs for w in pair] + list(extra)
    xy = project_2d(kv, words)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    colours = plt.get_cmap("tab10")
    for i, (a, b) in enumerate(pairs):
        if a not in xy or b not in xy:
            continue
        ax.annotate("", xy=xy[b], xytext=xy[a],
                    arrowprops={"arrowstyle": "->", "color": colours(i % 10), "lw": 1.6})
    for word, (x, y) in xy.items():
        linked = any(word in pair for pair in pairs)
        ax.plot(x, y, "o" if linked else "s", ms=5, color="black" if linked else "tab:gray")
        ax.annotate(word, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=9)
    _pad(ax, xy)
    _missing_footer(ax, kv, words)
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def clusters_plot(kv, groups: dict[str, list[str]], title: str = ""):
    """PCA of all the groups' words together, one colour per group, each word labelled."""
    words = [w for members in groups.values() for w in members]
    xy = project_2d(kv, words)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    for i, (label, members) in enumerate(groups.items()):
        points = np.array([xy[w] for w in members if w in xy]).reshape(-1, 2)
        ax.scatter(points[:, 0], points[:, 1], s=30, color=plt.get_cmap("tab10")(i), label=label)
        for w in members:
            if w in xy:
                ax.annotate(w, xy[w], textcoords="offset points", xytext=(4, 3), fontsize=9)
    _pad(ax, xy)
    _missing_footer(ax, kv, words)
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _pad(ax, xy):
    if not xy:
        return
    points = np.array(list(xy.values()))
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.maximum(high - low, 1e-6)
    ax.set_xlim(low[0] - 0.08 * span[0], high[0] + 0.2 * span[0])
    ax.set_ylim(low[1] - 0.12 * span[1], high[1] + 0.1 * span[1])


# --------------------------------------------------------------------------- benchmarks


def evaluate(kv, restrict_vocab: int = 30000) -> dict:
    """Scores on the two benchmarks gensim ships: the Google analogy set and WordSim353.

    Analogies: accuracy over the questions whose four words are among the
    ``restrict_vocab`` most frequent words (gensim's default; a question with
    a rarer word is skipped, not counted wrong), overall and for the semantic
    and syntactic halves, plus the share of the 19,544 questions attempted.
    WordSim353: Pearson and Spearman correlation of cosine similarity with
    human ratings over the pairs in the vocabulary, and the share covered.
    All values are Python floats; shares and accuracies lie in [0, 1].
    """
    root = test_data_dir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        total, sections = kv.evaluate_word_analogies(str(root / ANALOGY_FILE),
                                                     restrict_vocab=restrict_vocab)
        pearson, spearman, oov = kv.evaluate_word_pairs(str(root / WORDSIM_FILE),
                                                        restrict_vocab=restrict_vocab)
    with open(root / ANALOGY_FILE, encoding="utf-8") as fh:
        questions = sum(1 for line in fh if line.strip() and not line.startswith(":"))

    def accuracy(parts):
        correct = sum(len(s["correct"]) for s in parts)
        asked = correct + sum(len(s["incorrect"]) for s in parts)
        return (correct / asked if asked else 0.0), asked

    named = [s for s in sections if s["section"] != "Total accuracy"]
    semantic, n_sem = accuracy([s for s in named if not s["section"].startswith("gram")])
    syntactic, n_syn = accuracy([s for s in named if s["section"].startswith("gram")])
    _, attempted = accuracy(named)
    return {
        "analogy_accuracy": float(total),
        "analogy_semantic": float(semantic),
        "analogy_syntactic": float(syntactic),
        "analogy_attempted": int(attempted),
        "analogy_questions": int(questions),
        "analogy_coverage": float(attempted / questions) if questions else 0.0,
        "wordsim_pearson": float(np.nan_to_num(pearson[0])),
        "wordsim_spearman": float(np.nan_to_num(spearman[0])),
        "wordsim_coverage": float(1 - oov / 100),
        "restrict_vocab": int(restrict_vocab),
    }


def benchmark_table(scores: dict, label: str, king: tuple[str, float] | None) -> pd.DataFrame:
    """This run's benchmark numbers beside the GloVe paper's and the king - man + woman anchors."""
    rows = [
        {"what": "Google analogies, total accuracy (%)", "vectors": label,
         "value": round(100 * scores["analogy_accuracy"], 1),
         "note": f"{scores['analogy_attempted']:,} of {scores['analogy_questions']:,} questions "
                 f"attempted (words among the {scores['restrict_vocab']:,} most frequent)"},
        {"what": "  semantic / syntactic (%)", "vectors": label,
         "value": f"{100 * scores['analogy_semantic']:.1f} / {100 * scores['analogy_syntactic']:.1f}",
         "note": ""},
    ]
    rows += [{"what": "Google analogies, total accuracy (%)", "vectors": setting, "value": value,
              "note": "GloVe paper, Table 2 (its own evaluation settings)"}
             for setting, value in reference.GLOVE_PAPER_ANALOGY]
    rows.append({"what": "WordSim353, Spearman ρ", "vectors": label,
                 "value": round(scores["wordsim_spearman"], 3),
                 "note": f"{100 * scores['wordsim_coverage']:.0f} % of the 353 pairs in the vocabulary"})
    rows.append({"what": "king − man + woman → top word", "vectors": label,
                 "value": f"{king[0]} {king[1]:.4f}" if king else "—", "note": "this run"})
    rows.append({"what": "king − man + woman → top word", "vectors": "glove-wiki-gigaword-100",
                 "value": f"queen {reference.GENSIM_KING_QUEEN}", "note": "gensim KeyedVectors docstring"})
    rows.append({"what": "king − man + woman → top word", "vectors": "report 000 (not named)",
                 "value": f"queen {reference.HW14_EMBEDDINGS_REPORT['king_queen']:.2f}", "note": "report 000"})
    return pd.DataFrame(rows).set_index("what").astype(object)
