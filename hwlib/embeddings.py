"""Word vectors for HW14 B1: pretrained vectors through gensim (or a labelled stand-in) and the benchmark files.

:func:`load_vectors` finds a gensim-data model in the local gensim-data folder, else downloads it.
Only when it is nowhere and cannot be downloaded may a stand-in replace it (the rule of
:mod:`hwlib.data`): Word2Vec trained here on the English text gensim ships in its test data, cached
in ``hwlib.data.cache_dir()/embeddings``. A corrupt download, a damaged model folder or an
unreadable cache file is an error that names the file and the fix.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import socket
import tempfile
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

from . import data, provenance, results

DEFAULT_VECTORS = "glove-wiki-gigaword-100"
LEE_CORPUS = "lee_background.cor"
WIKI_SLICE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
ANALOGY_FILE = "questions-words.txt"  # the Google analogy set, 19,544 questions
WORDSIM_FILE = "wordsim353.tsv"  # WordSim353, 353 word pairs rated by people


class Vectors(NamedTuple):
    """The vectors, where they came from, and whether they are the requested model (``real``)."""

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


def benchmark_file(name: str) -> Path:
    """A file of gensim's shipped test data: a benchmark (:data:`ANALOGY_FILE`, :data:`WORDSIM_FILE`) or
    a corpus of the stand-in, checked to exist."""
    import gensim

    path = Path(gensim.__file__).parent / "test" / "test_data" / name
    if not path.is_file():
        raise data.DataError(f"{path} is missing from gensim's test data: reinstall gensim "
                             "(`.venv/bin/pip install --force-reinstall gensim`)")
    return path


def gensim_data_dir() -> Path:
    """gensim-data's download folder: ``$GENSIM_DATA_DIR`` or ``~/gensim-data``."""
    return Path(os.environ.get("GENSIM_DATA_DIR") or Path.home() / "gensim-data")


def _describe(kv) -> str:
    return f"{len(kv.index_to_key):,} words x {kv.vector_size} dimensions"


def _damaged(name: str, folder: Path, exc: Exception) -> data.DataError:
    return data.DataError(
        f"{folder} holds {name} but it cannot be read ({type(exc).__name__}: {exc}): the folder is corrupt "
        f"or incomplete. Fix: delete {folder} and run again with network access (gensim downloads it "
        f"anew), or copy a complete {name} folder there.")


def _load_folder(name: str, folder: Path):
    """Run the model folder's own ``__init__.py`` loader, as ``gensim.downloader.load`` does."""
    try:
        spec = importlib.util.spec_from_file_location(f"_gensim_data_{name.replace('-', '_')}",
                                                      folder / "__init__.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.load_data()
    except Exception as exc:  # a truncated .gz, a half-copied folder: a file to fix, never a fallback
        raise _damaged(name, folder, exc) from exc


def _download(name: str, folder: Path, timeout: float):
    """``gensim.downloader.load(name)``; :class:`hwlib.data.DataUnavailable` only when there is no network."""
    import gensim.downloader

    before = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        return gensim.downloader.load(name)
    except Exception as exc:
        if (folder / "__init__.py").is_file():  # downloaded, but it cannot be read
            raise _damaged(name, folder, exc) from exc
        # urllib's errors are OSErrors; offline, gensim says "connect to the Internet" in a ValueError.
        if not (isinstance(exc, OSError) or "connect to the internet" in str(exc).lower()):
            raise data.DataError(f"gensim could not download {name} into {folder} ({type(exc).__name__}: "
                                 f"{exc}). Fix: check the name (`python -m gensim.downloader --info name`), "
                                 "then run again.") from exc
        reason = f"{name} is not in {folder} and gensim could not download it ({type(exc).__name__}: {exc})"
        fix = (f"on a machine with internet access run `python -c \"import gensim.downloader as d; "
               f"d.load('{name}')\"` and copy {folder} here (or set GENSIM_DATA_DIR to where it is)")
        raise data.DataUnavailable(data.not_found_message(
            name, [f"the gensim-data folder ($GENSIM_DATA_DIR): {folder}"], reason, fix), reason) from exc
    finally:
        socket.setdefaulttimeout(before)


def find_vectors(name: str, gensim_dir: Path, timeout: float = 30.0) -> Vectors:
    """The pretrained ``name`` from ``gensim_dir/name`` (no network), else downloaded."""
    folder = gensim_dir / name
    if (folder / "__init__.py").is_file():
        kv, how = _load_folder(name, folder), f"from the local gensim-data folder {folder}"
    else:
        kv, how = _download(name, folder, timeout), f"downloaded by gensim into {folder}"
    return Vectors(kv, f"{name} (pretrained, {how}), {_describe(kv)}", True)


def standin_corpus(spec: StandinSpec = STANDIN) -> tuple[list[list[str]], dict]:
    """Tokenised sentences of the stand-in's text, and counts per file: the Lee corpus has one news
    story per line; the Wikipedia slice is an XML dump read by gensim's ``WikiCorpus``."""
    from gensim.corpora.wikicorpus import WikiCorpus
    from gensim.utils import simple_preprocess

    sentences, counts = [], {}
    for source in spec.sources:
        path = benchmark_file(source)
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

    return Word2Vec(sentences, vector_size=spec.vector_size, window=spec.window, min_count=spec.min_count,
                    epochs=spec.epochs, sg=spec.sg, negative=spec.negative, seed=seed, workers=1).wv


def standin_path(spec: StandinSpec = STANDIN, seed: int = 42) -> Path:
    """The stand-in's cache file, named by a hash of its settings, seed, gensim version and text sizes."""
    import gensim

    sizes = {s: benchmark_file(s).stat().st_size for s in spec.sources}
    blob = json.dumps({"spec": asdict(spec), "seed": seed, "gensim": gensim.__version__, "sizes": sizes},
                      sort_keys=True)
    return data.cache_dir() / "embeddings" / f"standin-{hashlib.sha256(blob.encode()).hexdigest()[:12]}.kv"


def standin_vectors(spec: StandinSpec = STANDIN, seed: int = 42, reason: str = "",
                    name: str = DEFAULT_VECTORS) -> Vectors:
    """The stand-in, trained once and then read from the cache (written whole or not at all)."""
    from gensim.models import KeyedVectors

    path = standin_path(spec, seed)
    if path.is_file():
        try:
            kv = KeyedVectors.load(str(path))
            counts = kv.hwlib_info["counts"]
        except Exception as exc:
            raise data.DataError(f"the cached stand-in {path} cannot be read ({type(exc).__name__}: {exc}). "
                                 f"Fix: delete {path} and run again to train it anew.") from exc
        how = f"loaded from the cache {path}"
    else:
        sentences, counts = standin_corpus(spec)
        kv = train_standin(sentences, spec, seed)
        kv.hwlib_info = {"counts": counts}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".standin-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                kv.save(fh)
            results.publish(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        how = f"trained here and cached in {path}"
    texts = " and ".join(f"{source} ({c['documents']:,} documents, {c['tokens']:,} tokens)"
                         for source, c in counts.items())
    tokens = sum(c["tokens"] for c in counts.values())
    return Vectors(kv, (
        f"STAND-IN, NOT {name}: {reason}. Instead: Word2Vec "
        f"({'skip-gram' if spec.sg else 'CBOW'}, window {spec.window}, {spec.epochs} epochs, seed {seed}, "
        f"one worker) on the English text shipped in gensim's test data, {texts}: {tokens:,} tokens, "
        f"about 1/{round(6e9 / tokens, -3):,.0f} of the 6 billion behind glove-wiki-gigaword; vocabulary "
        f"{_describe(kv)} (min count {spec.min_count}); {how}"), False)


def load_vectors(name: str = DEFAULT_VECTORS, allow_standin: bool = True, *, seed: int = 42,
                 gensim_dir: str | os.PathLike | None = None, spec: StandinSpec = STANDIN,
                 timeout: float = 30.0) -> Vectors:
    """Pretrained vectors ``name`` (a gensim-data model), or the stand-in when allowed and they are
    nowhere and cannot be downloaded (:func:`hwlib.data.real_or_standin`); noted in the kernel's
    data record."""
    gensim_dir = Path(gensim_dir) if gensim_dir else gensim_data_dir()
    vectors = data.real_or_standin(lambda: find_vectors(name, gensim_dir, timeout), name, allow_standin,
                                   lambda reason: standin_vectors(spec, seed, reason, name),
                                   "a small Word2Vec stand-in")
    provenance.record(vectors.provenance, vectors.real)
    folder = gensim_dir / name  # the runner's cache key watches these files (a stand-in: the missing loader)
    provenance.looked_up(f"gensim-data {name}", None, sorted(f for f in folder.iterdir() if f.is_file())
                         if vectors.real and folder.is_dir() else [folder / "__init__.py"])
    return vectors
