"""The training data of a tagger, gathered from every source we have, and kept away from the test split.

- synthetic reports from `extractor.synth` (train / dev / test JSONL of LabelledDoc), or a
  `--data DIR` holding such files;
- the gold reports of the train split (annotations/gold, splits.json): the source file and
  its renderings into every input format, labelled by `labelling.gold_labels`; the dev
  split the same way, for model selection;
- annotation-loop data, annotations/train/*.jsonl.

No document of the gold test split is ever trained on: every document's source sha256 is
checked against the test split's sources, and an overlap is an error. Nor is any document of the
frozen challenge set (dataset.RESERVED_SEEDS: its seeds make no training data).

Until synthetic data exists (`extractor.synth` missing), the gold train / dev reports
rendered with several layout options stand in for it (`seed_renderings`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..dataset import LabelledDoc, ReservedSeed, file_sha256, read_jsonl, reserved_documents, write_jsonl
from ..labelling import gold_labels
from ..loaders import load
from ..normalize import for_matching

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
GOLD_DIR = ROOT / "annotations" / "gold"
ANNOTATIONS_DIR = ROOT / "annotations" / "train"
CACHE_DIR = ROOT / "build" / "ml-cache"
SOURCE = "source"  # the gold report's own file, as received
RENDER_FORMATS = ("txt-pipe", "txt-cells", "txt-tabs", "html", "docx", "doc", "pdf")
SEED_FORMATS = (SOURCE, *RENDER_FORMATS)
# Layout variants of the renderer used when gold reports stand in for synthetic data.
RENDER_VARIANTS: tuple[dict, ...] = (
    {},
    {"merged": "inline", "blank_lines": True, "font": "sans"},
    {"encoding": "gbk", "page_break_before": ("applications",), "repeat_header": True, "split_rows": False},
    {"default_title": True, "page_header": False, "font_size": 14.0, "table_font_size": 9.0},
)


class TestSplitLeak(Exception):
    """Training data holds a document of the gold test split."""

    __test__ = False  # not a pytest class


@dataclass
class Corpus:
    """Labelled documents by split, and where they came from."""

    train: list[LabelledDoc] = field(default_factory=list)
    dev: list[LabelledDoc] = field(default_factory=list)
    test: list[LabelledDoc] = field(default_factory=list)  # held-out synthetic documents
    sources: list[str] = field(default_factory=list)

    def data_hash(self) -> str:
        """Fingerprint of the training and dev data (document content in order)."""
        digest = hashlib.sha256()
        for split in (self.train, self.dev):
            for doc in split:
                digest.update(doc.to_json().encode("utf-8"))
            digest.update(b"\x00")
        return digest.hexdigest()

    def summary(self) -> dict:
        def count(docs: list[LabelledDoc]) -> dict:
            return {"documents": len(docs), "tokens": sum(len(d.tokens) for d in docs)}

        return {"train": count(self.train), "dev": count(self.dev), "test": count(self.test),
                "sources": self.sources, "hash": self.data_hash()}


def gold_splits(gold_dir: Path = GOLD_DIR) -> dict[str, list[str]]:
    return json.loads((Path(gold_dir) / "splits.json").read_text("utf-8"))


def load_gold(doc_id: str, gold_dir: Path = GOLD_DIR) -> dict:
    return json.loads((Path(gold_dir) / doc_id / "gold.json").read_text("utf-8"))


def test_source_hashes(gold_dir: Path = GOLD_DIR) -> dict[str, str]:
    """sha256 -> doc id of every test-split source file (as recorded in gold.json and as on disk)."""
    hashes = {}
    for doc_id in gold_splits(gold_dir).get("test", []):
        gold = load_gold(doc_id, gold_dir)
        recorded = (gold.get("source") or {}).get("sha256")
        if recorded:
            hashes[recorded] = doc_id
        source = Path(gold_dir) / doc_id / (gold.get("source") or {}).get("file", "source.txt")
        if source.is_file():
            hashes[file_sha256(source)] = doc_id
    return hashes


def test_texts(gold_dir: Path = GOLD_DIR) -> dict[str, str]:
    """doc id -> the folded prose of every test-split report (for the content check)."""
    out = {}
    for doc_id in gold_splits(gold_dir).get("test", []):
        gold = load_gold(doc_id, gold_dir)
        out[doc_id] = for_matching("".join(section.get("text", "") for section in gold.get("sections", [])))
    return out


def shares_test_prose(doc: LabelledDoc, texts: dict[str, str], min_len: int = 16, share: float = 0.5) -> str | None:
    """The test report whose prose holds most of this document's long prose pieces (a rendering or
    copy of it under another hash), if that is at least `share` of them; else None.
    Boilerplate sentences every report prints are far below that share."""
    pieces = [folded for tok in doc.tokens if tok.table is None and not tok.cell
              for folded in [for_matching(tok.text)] if len(folded) >= min_len]
    if len(pieces) < 5:
        return None
    for doc_id, text in texts.items():
        if sum(piece in text for piece in pieces) >= share * len(pieces):
            return doc_id
    return None


def check_no_test_documents(docs: Iterable[LabelledDoc], gold_dir: Path = GOLD_DIR) -> None:
    """Raise TestSplitLeak when any document is a test-split report: its source sha256 is a
    test-split source's, or most of its prose is a test report's (a rendering or copy of it)."""
    test = test_source_hashes(gold_dir)
    texts = test_texts(gold_dir)
    leaks = []
    for doc in docs:
        if doc.sha256 in test:
            leaks.append(f"{doc.doc_id} (source of {test[doc.sha256]})")
        elif (copied := shares_test_prose(doc, texts)) is not None:
            leaks.append(f"{doc.doc_id} (prose of {copied})")
    if leaks:
        raise TestSplitLeak(f"the training data holds {len(leaks)} document(s) of the gold test split: "
                            f"{', '.join(leaks[:5])}{' …' if len(leaks) > 5 else ''}; remove them from the data "
                            "(the test split is never trained on)")


def _gold_key(gold: dict, options: dict) -> str:
    blob = json.dumps([gold, sorted(options.items())], ensure_ascii=False, sort_keys=True, default=list)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def rendered_file(gold: dict, fmt: str, cache_dir: Path = CACHE_DIR, **options: object) -> Path:
    """The gold report rendered as `fmt` (cached under cache_dir/renders: LibreOffice is slow)."""
    from ..render import render

    folder = Path(cache_dir) / "renders" / f"{gold.get('doc_id', 'report')}-{_gold_key(gold, options)}" / fmt
    existing = sorted(p for p in folder.glob("report.*") if not p.name.endswith(".part")) if folder.is_dir() else []
    if existing:
        return existing[0]
    return render(gold, fmt, folder, name="report", **options)


def labelled(path: Path, gold: dict, *, doc_id: str, origin: str, layout: str) -> LabelledDoc:
    doc = load(path)
    return LabelledDoc(doc_id=doc_id, origin=origin, format=doc.format, layout=layout, sha256=file_sha256(path),
                       tokens=doc.tokens, labels=gold_labels(doc, gold))


def gold_documents(doc_ids: Sequence[str], formats: Sequence[str] = SEED_FORMATS, *,
                   variants: Sequence[dict] = ({},), gold_dir: Path = GOLD_DIR,
                   cache_dir: Path = CACHE_DIR) -> list[LabelledDoc]:
    """Gold reports as labelled documents: the source file and renderings in `formats`."""
    docs = []
    for doc_id in doc_ids:
        gold = load_gold(doc_id, gold_dir)
        for fmt in formats:
            if fmt == SOURCE:
                source = Path(gold_dir) / doc_id / (gold.get("source") or {}).get("file", "source.txt")
                docs.append(labelled(source, gold, doc_id=doc_id, origin="gold", layout=SOURCE))
                continue
            for n, options in enumerate(variants):
                path = rendered_file(gold, fmt, cache_dir, **options)
                docs.append(labelled(path, gold, doc_id=f"{doc_id}/{fmt}/{n}", origin="gold", layout=fmt))
    return docs


def synth_available() -> bool:
    try:
        from ..synth import generate_corpus  # noqa: F401
    except ImportError:
        return False
    return True


def generator_hash() -> str:
    """Hash of the code that makes labelled synthetic documents (generator, renderers, loaders,
    labelling): a cached corpus is reused only while that code is unchanged."""
    package = Path(__file__).resolve().parent.parent
    files = sorted([*(package / "synth").rglob("*.py"), *(package / "synth" / "data").glob("*.txt"),
                    *(package / "render").rglob("*.py"), *(package / "loaders").rglob("*.py"),
                    package / "labelling.py", package / "normalize.py", package / "vocabulary.py"])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def synthetic_corpus(n_docs: int, seed: int, *, cache_dir: Path = CACHE_DIR, workers: int = 1,
                     formats: Sequence[str] | None = None, mess_share: float = 0.5,
                     progress: bool = True) -> Path | None:
    """A synthetic corpus directory (generated once per size, seed, formats, mess share and generator
    code), or None without extractor.synth. formats: render formats drawn with their default weights."""
    if not synth_available():
        return None
    from ..synth import generate_corpus
    from ..synth.recipe import FORMAT_WEIGHTS

    name = (f"synth-n{n_docs}-s{seed}" + ("" if formats is None else "-" + "-".join(formats))
            + ("" if mess_share == 0.5 else f"-mess{mess_share:g}") + f"-{generator_hash()[:10]}")
    out = Path(cache_dir) / name
    if not (out / "manifest.json").is_file():
        kwargs: dict = {"workers": workers, "progress": progress, "mess_share": mess_share}
        if formats is not None:
            kwargs["formats"] = {fmt: FORMAT_WEIGHTS[fmt] for fmt in formats}
        generate_corpus(out, n_docs, seed, **kwargs)
    return out


def read_split_dir(data_dir: Path) -> tuple[list[LabelledDoc], list[LabelledDoc], list[LabelledDoc]]:
    """train / dev / test JSONL of a data directory (missing files are empty splits)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"no data directory {data_dir}")
    splits = []
    for split in ("train", "dev", "test"):
        path = data_dir / f"{split}.jsonl"
        splits.append(list(read_jsonl(path)) if path.is_file() else [])
    if not splits[0]:
        raise FileNotFoundError(f"{data_dir} has no train.jsonl (LabelledDoc JSON Lines)")
    return splits[0], splits[1], splits[2]


def annotation_documents(folder: Path = ANNOTATIONS_DIR) -> list[LabelledDoc]:
    return [doc for path in sorted(Path(folder).glob("*.jsonl")) for doc in read_jsonl(path)]


def seed_renderings(gold_dir: Path = GOLD_DIR, cache_dir: Path = CACHE_DIR) -> tuple[list, list]:
    """Stand-in for synthetic data: train / dev gold reports in every format and layout variant."""
    splits = gold_splits(gold_dir)
    train = gold_documents(splits.get("train", []), RENDER_FORMATS, variants=RENDER_VARIANTS[1:],
                           gold_dir=gold_dir, cache_dir=cache_dir)
    dev = gold_documents(splits.get("dev", []), RENDER_FORMATS, variants=RENDER_VARIANTS[1:],
                         gold_dir=gold_dir, cache_dir=cache_dir)
    return train, dev


def gather(data_dir: Path | None = None, *, n_docs: int = 300, seed: int = 0, workers: int = 1,
           gold_dir: Path = GOLD_DIR, annotations_dir: Path = ANNOTATIONS_DIR, cache_dir: Path = CACHE_DIR,
           use_gold: bool = True, progress: bool = True) -> Corpus:
    """Every training source, split, checked against the gold test split."""
    corpus = Corpus()
    if data_dir is None:
        data_dir = synthetic_corpus(n_docs, seed, cache_dir=cache_dir, workers=workers, progress=progress)
    if data_dir is not None:
        train, dev, test = read_split_dir(data_dir)
        corpus.train += train
        corpus.dev += dev
        corpus.test += test
        corpus.sources.append(f"data:{Path(data_dir).name} ({len(train)}/{len(dev)}/{len(test)} docs)")
    else:
        log.warning("extractor.synth is not available: gold train/dev reports rendered in layout variants "
                    "stand in for synthetic data")
        train, dev = seed_renderings(gold_dir, cache_dir)
        corpus.train += train
        corpus.dev += dev
        corpus.sources.append(f"gold-renderings ({len(train)}/{len(dev)} docs)")
    if use_gold:
        splits = gold_splits(gold_dir)
        train = gold_documents(splits.get("train", []), gold_dir=gold_dir, cache_dir=cache_dir)
        dev = gold_documents(splits.get("dev", []), gold_dir=gold_dir, cache_dir=cache_dir)
        corpus.train += train
        corpus.dev += dev
        corpus.sources.append(f"gold:{'+'.join(splits.get('train', []))} train, "
                              f"{'+'.join(splits.get('dev', []))} dev ({len(train)}/{len(dev)} docs)")
    annotated = annotation_documents(annotations_dir)
    if annotated:
        # A pulled annotation is also a gold folder (same source file): its annotators' token labels
        # stand for that file, once; the gold's renderings into other formats stay.
        corrected = {doc.sha256 for doc in annotated}
        corpus.train = [doc for doc in corpus.train if doc.origin != "gold" or doc.sha256 not in corrected]
        corpus.dev = [doc for doc in corpus.dev if doc.origin != "gold" or doc.sha256 not in corrected]
        corpus.train += annotated
        corpus.sources.append(f"annotations ({len(annotated)} docs)")
    check_no_test_documents(corpus.train + corpus.dev, gold_dir)
    held_out = reserved_documents(doc.doc_id for doc in corpus.train + corpus.dev + corpus.test)
    if held_out:
        raise ReservedSeed(f"the training data holds {len(held_out)} challenge-set document(s) "
                           f"({', '.join(held_out[:3])}{' …' if len(held_out) > 3 else ''}): never train on them")
    return corpus


def save_corpus(corpus: Corpus, out_dir: Path) -> None:
    """The gathered data as train / dev / test JSONL (what `--data` reads back)."""
    for split in ("train", "dev", "test"):
        write_jsonl(getattr(corpus, split), Path(out_dir) / f"{split}.jsonl")
