"""The glossary (book/glossary.yml) and the Persian pages agree: one Persian term per concept.

The Persian prose checked here is what a reader of the Persian edition sees written by hand:
the ``fa`` markdown cells of every notebook source, the ``fa`` captions of its figure cells,
the Persian pages under book/fa/, and the Persian part captions of book/_toc.yml. Line breaks
and markdown emphasis are ignored, so a term split over two lines or set in italics still counts.
"""

import re

import jupytext
import pytest
import yaml

from hwlib.book import pages as bookpages
from hwlib.book import paths, runner

GLOSSARY = paths.ROOT / "book" / "glossary.yml"
KEYS = {"en", "fa", "avoid", "en_note", "fa_note"}
FENCED = re.compile(r"```.*?```", re.S)
SPACES = re.compile(r"\s+")
# The orthography rules tests/test_sources.py applies to the pages, applied to the notes.
LOOSE_MI = re.compile(r"(?<![\u0600-\u06FF])می (?=[\u0600-\u06FF])")
LOOSE_HA = re.compile(r"[\u0600-\u06FF] ها(?![\u0600-\u06FF])")
EZAFE_YE = re.compile("\u0647\u200c\u06cc(?![\u0600-\u06FF])")
LATIN_DIGIT = re.compile(r"(?<![A-Za-z])[0-9]")


def clean(text: str) -> str:
    """``text`` with emphasis marks dropped and every run of white space made one space."""
    return SPACES.sub(" ", text.replace("*", "")).strip()


def persian_prose() -> dict[str, str]:
    """Page name -> the Persian prose of that page, cleaned."""
    pages = {}
    for source in runner.all_sources():
        parts = []
        for cell in jupytext.read(source).cells:
            if cell.cell_type == "markdown" and "fa" in cell.metadata.get("tags", []):
                parts.append(cell.source)
            caption = cell.metadata.get("caption")
            if cell.cell_type == "code" and isinstance(caption, dict) and caption.get("fa"):
                parts.append(str(caption["fa"]))
        pages[runner.page_name(source)] = clean("\n".join(parts))
    for path in sorted((paths.ROOT / "book" / "fa").glob("*.md")):
        pages[f"book/fa/{path.name}"] = clean(FENCED.sub("", path.read_text(encoding="utf8")))
    toc = yaml.safe_load((paths.ROOT / "book" / "_toc.yml").read_text(encoding="utf8"))
    captions = [part.get("caption") for part in toc.get("parts", [])]
    pages["book/_toc.yml"] = clean("\n".join(c["fa"] for c in captions if isinstance(c, dict) and "fa" in c))
    return pages


@pytest.fixture(scope="module")
def entries():
    return yaml.safe_load(GLOSSARY.read_text(encoding="utf8"))


@pytest.fixture(scope="module")
def prose():
    return persian_prose()


def test_the_book_builder_reads_the_glossary(entries):
    assert entries, "book/glossary.yml has no entries"
    assert bookpages.load_glossary(GLOSSARY) == entries


def test_every_entry_is_complete(entries):
    for n, entry in enumerate(entries, 1):
        assert isinstance(entry, dict), f"entry {n} is not a mapping"
        assert set(entry) <= KEYS, f"entry {n} ({entry.get('en')}) has unknown keys {set(entry) - KEYS}"
        for key in ("en", "fa", "en_note", "fa_note"):
            value = entry.get(key)
            assert isinstance(value, str) and value.strip(), f"entry {n} ({entry.get('en')}) has no {key}"
            assert "|" not in value and "\n" not in value, f"{entry['en']}: {key} must be one table-safe line"
        avoid = entry.get("avoid", [])
        assert isinstance(avoid, list) and all(isinstance(a, str) and a.strip() for a in avoid), (
            f"{entry['en']}: avoid must be a list of terms")
        assert len(set(avoid)) == len(avoid), f"{entry['en']}: avoid lists a term twice"


def test_english_terms_are_unique_and_sorted(entries):
    terms = [entry["en"].lower() for entry in entries]
    duplicates = sorted({t for t in terms if terms.count(t) > 1})
    assert not duplicates, f"English terms listed twice: {duplicates}"
    assert terms == sorted(terms), "entries must be sorted by English term (case-insensitive)"


def test_persian_of_the_glossary_follows_the_book_orthography(entries):
    for entry in entries:
        for key in ("fa", "fa_note"):
            text = entry[key]
            assert not LOOSE_MI.search(text), f"{entry['en']}: «می» needs a ZWNJ in {key}: {text}"
            assert not LOOSE_HA.search(text), f"{entry['en']}: «ها» detached by a space in {key}: {text}"
            assert not EZAFE_YE.search(text), f"{entry['en']}: write the ezafe as «هٔ» in {key}: {text}"
            assert not LATIN_DIGIT.search(text), f"{entry['en']}: use Persian digits in {key}: {text}"


def test_no_avoided_variant_is_part_of_a_term(entries):
    terms = [entry["fa"] for entry in entries]
    clashes = [f"«{a}» ({entry['en']}) is inside the term «{t}»"
               for entry in entries for a in entry.get("avoid", []) for t in terms if a in t]
    assert not clashes, "an avoided variant would forbid a correct term:\n" + "\n".join(clashes)


def test_every_persian_term_is_used_in_the_book(entries, prose):
    text = "\n".join(prose.values())
    unused = [f"{entry['en']}: «{entry['fa']}»" for entry in entries if clean(entry["fa"]) not in text]
    assert not unused, "glossary terms that no Persian page uses:\n" + "\n".join(unused)


def test_the_persian_pages_use_no_avoided_variant(entries, prose):
    found = [f"{page}: «{variant}» ({entry['en']}), write «{entry['fa']}»"
             for page, text in prose.items()
             for entry in entries for variant in entry.get("avoid", [])
             if clean(variant) in text]
    assert not found, "variants the glossary rules out:\n" + "\n".join(found)


# «دقت» and «صحت» mean accuracy and precision in this book, the other way round from Persian texts on
# measurement; so on every page the first use of each carries its English term in parentheses: «دقت
# (accuracy)», «دقتی (accuracy)», or a compound such as «دقت kNN (kNN accuracy)».
READ_THE_OTHER_WAY = {"دقت": "accuracy", "صحت": "precision"}


def first_use_glossed(text: str, word: str, english: str) -> str | None:
    """None when ``text`` never uses ``word`` or its first use is glossed with ``english``; else that first use."""
    use = re.search(rf"(?<![\u0600-\u06FF\u200c]){word}[\u0600-\u06FF\u200c]*", text)
    if use is None:
        return None
    after = text[use.end():]
    if re.match(rf"(?: [A-Za-z0-9-]+)? \((?:[A-Za-z0-9-]+ )?{english}\b", after):
        return None
    return text[max(0, use.start() - 40):use.end() + 40]


def test_accuracy_and_precision_carry_their_english_term_at_first_use(prose):
    missing = [f"{page}: «{word}» needs «({english})» at its first use: …{context}…"
               for page, text in prose.items() for word, english in READ_THE_OTHER_WAY.items()
               if (context := first_use_glossed(text, word, english)) is not None]
    assert not missing, "first uses without the English term:\n" + "\n".join(missing)
