"""A corpus of labelled synthetic reports: train/dev/test JSON Lines and a manifest.

    generate_corpus("data/synth", n_docs=300, seed=1, workers=2)

writes
    train.jsonl, dev.jsonl, test.jsonl   LabelledDoc records (extractor.dataset), in document order
    manifest.json                        seed, mix, counts per split/format/layout, data hash
    gold/<doc_id>.json, gold/<doc_id>.*  each document's gold and rendered file (keep_files=True)

Document i of seed s is drawn from its own random stream, so it is the same
whatever n_docs, workers or the other documents are, and its split is fixed:
within every block of ten documents, eight go to train, one to dev, one to test.

Determinism: for one seed the JSONL files and the manifest are byte-identical
from run to run (and across worker counts). Rendered TXT, HTML and DOCX files
are byte-identical too (DOCX zip timestamps are fixed); PDF and DOC files are
not (LibreOffice stamps dates and ids), so their records carry the hash of the
loaded tokens as `sha256`, and their gold's source.sha256 is that run's file.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from ..dataset import check_training_seed, data_hash
from .recipe import FORMAT_WEIGHTS, OFFICE_FORMATS, random_recipe
from .sample import make_sample

GENERATOR_VERSION = "1"
SPLITS = ("train", "dev", "test")
_SPLIT_OF_POSITION = ("train",) * 8 + ("dev", "test")
_GOLD_KEYS = ("schema_version", "doc_id", "source", "report", "sections", "tables", "extras")


def document_rng(seed: int, index: int) -> random.Random:
    return random.Random(f"ogi-synth:{seed}:{index}")


def doc_id_of(seed: int, index: int) -> str:
    return f"synth-{seed}-{index:05d}"


def split_of(seed: int, index: int) -> str:
    """train, dev or test: 8/1/1 in every block of ten consecutive documents, shuffled per block."""
    block, position = divmod(index, 10)
    order = random.Random(f"ogi-synth-split:{seed}:{block}").sample(range(10), 10)
    return _SPLIT_OF_POSITION[order.index(position)]


def _gold_json(gold: dict) -> str:
    ordered = {key: gold[key] for key in _GOLD_KEYS if key in gold}
    return json.dumps(ordered, ensure_ascii=False, indent=1) + "\n"


def build_document(seed: int, index: int, files_dir: str | None, formats: Mapping[str, float] | None,
                   mess_share: float) -> dict:
    """Make document `index` (in a worker process): its JSONL line and what the manifest counts."""
    doc_id = doc_id_of(seed, index)
    started = time.perf_counter()
    scratch = None
    if files_dir is None:
        scratch = tempfile.mkdtemp(prefix="ogi-synth-")
    try:
        out = Path(files_dir or scratch)
        sample = make_sample(document_rng(seed, index), doc_id, out, formats=formats, mess_share=mess_share)
        if files_dir is not None:
            (out / f"{doc_id}.json").write_text(_gold_json(sample.gold), "utf-8")
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return {
        "index": index, "line": sample.labelled.to_json(), "fmt": sample.recipe.fmt,
        "layout": sample.recipe.layout, "broken_rule": sample.gold["extras"].get("broken_rule"),
        "labels": Counter(label.value for label in sample.labelled.labels),
        "seconds": time.perf_counter() - started,
    }


def generate_corpus(out_dir: str | Path, n_docs: int, seed: int, formats: Mapping[str, float] | None = None,
                    workers: int = 1, progress: bool = True, *, mess_share: float = 0.5,
                    keep_files: bool = True) -> dict:
    """Write `n_docs` labelled synthetic reports under `out_dir` (see the module doc); returns the
    manifest plus `seconds` (wall time) and `seconds_per_format` (summed document build time).
    A seed of dataset.RESERVED_SEEDS (the challenge set's) is refused.

    formats: weight per render format (recipe.FORMAT_WEIGHTS by default; pdf and doc run
    LibreOffice, about a second each). workers: processes building documents in parallel.
    """
    if n_docs < 0 or workers < 1:
        raise ValueError("n_docs must be >= 0 and workers >= 1")
    check_training_seed(seed)  # the challenge set's seeds make no training data
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files_dir = out / "gold" if keep_files else None
    if files_dir is not None:
        files_dir.mkdir(exist_ok=True)
    started = time.perf_counter()
    args = [(seed, i, str(files_dir) if files_dir else None, dict(formats) if formats else None, mess_share)
            for i in range(n_docs)]
    results: list[dict] = [None] * n_docs  # type: ignore[list-item]
    bar = tqdm(total=n_docs, desc="synth", unit="doc", disable=not progress)
    try:
        if workers == 1:
            for a in args:
                r = build_document(*a)
                results[r["index"]] = r
                bar.update()
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                # LibreOffice documents first, so the slow ones do not all land at the end.
                order = sorted(args, key=lambda a: 0 if _is_office(a, seed) else 1)
                futures = [pool.submit(build_document, *a) for a in order]
                for future in as_completed(futures):
                    r = future.result()
                    results[r["index"]] = r
                    bar.update()
    finally:
        bar.close()

    by_split: dict[str, list[str]] = {s: [] for s in SPLITS}
    for r in results:
        by_split[split_of(seed, r["index"])].append(r["line"])
    paths = []
    for split, lines in by_split.items():
        path = out / f"{split}.jsonl"
        tmp = path.with_suffix(".jsonl.part")
        tmp.write_text("".join(line + "\n" for line in lines), "utf-8")
        tmp.replace(path)
        paths.append(path)

    manifest = {
        "generator": "extractor.synth", "generator_version": GENERATOR_VERSION, "seed": seed, "n_docs": n_docs,
        "formats": dict(sorted((formats or FORMAT_WEIGHTS).items())), "mess_share": mess_share,
        "files": {split: f"{split}.jsonl" for split in SPLITS},
        "doc_ids": {split: [doc_id_of(seed, r["index"]) for r in results if split_of(seed, r["index"]) == split]
                    for split in SPLITS},
        "gold_dir": "gold" if keep_files else None,
        "counts": {
            "split": {split: len(lines) for split, lines in by_split.items()},
            "format": dict(sorted(Counter(r["fmt"] for r in results).items())),
            "layout": dict(sorted(Counter(r["layout"] for r in results).items())),
            "layout_by_split": {split: dict(sorted(Counter(r["layout"] for r in results
                                                           if split_of(seed, r["index"]) == split).items()))
                                for split in SPLITS},
            "broken_rule": dict(sorted(Counter(r["broken_rule"] or "none" for r in results).items())),
            "labels": dict(sorted(sum((r["labels"] for r in results), Counter()).items())),
        },
        "data_hash": data_hash(paths),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
    seconds_per_format: Counter = Counter()
    for r in results:
        seconds_per_format[r["fmt"]] += r["seconds"]
    return {**manifest, "seconds": round(time.perf_counter() - started, 2),
            "seconds_per_format": {k: round(v, 2) for k, v in sorted(seconds_per_format.items())}}


def _is_office(args: tuple, seed: int) -> bool:
    """Whether a document will be rendered by LibreOffice (its recipe is drawn first from its stream)."""
    _, index, _, formats, mess_share = args
    return random_recipe(document_rng(seed, index), formats, mess_share).fmt in OFFICE_FORMATS
