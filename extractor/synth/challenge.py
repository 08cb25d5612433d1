"""The frozen challenge set: synthetic reports that neither the rules nor a model were tuned on.

    python -m extractor.synth.challenge annotations/challenge --docs 64 --seed 1700000

writes `gold/<doc_id>.json` (gold reports, figures exact) and `manifest.json` (seed, documents,
the eval format each is read in, its variations, the command, and `gold_sha256`). Its seeds
(dataset.RESERVED_SEEDS) make no training data: generate_corpus and `ogi train` refuse them.

Document i is drawn from its own stream (seed, i): its report format and script by block
(2021 simplified, 2021 traditional, 2019 simplified, 2019 traditional), the eval format it is
read in by turn (CHALLENGE_FORMATS: the layouts without ruling lines of issue 15, text copies
without delimiters, and the official grid), and its variations at random (VARIATIONS: reworded
rows and headings, added 其中 rows, prose quoting table labels, OCR look-alikes). Every eval
report carries the set's figures (extractor.evaluation.challenge).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import Counter
from pathlib import Path

from ..dataset import RESERVED_SEEDS
from . import ocr_noise, wordings
from .gold import random_gold

CHALLENGE_SEED = 1_700_000
CHALLENGE_DOCS = 64
CHALLENGE_VERSION = 1
# Eval formats (extractor.evaluation.goldset.RENDERINGS) the documents are read in, one each by turn.
CHALLENGE_FORMATS = ("pdf-unruled", "pdf-horizontal", "pdf-three-line", "pdf-frame", "docx-unruled", "html-unruled",
                     "txt-layout", "txt-raw", "txt-spaces", "txt-spaces-wrapped", "txt-spaces-single",
                     "txt-spaces-ideographic", "pdf", "docx", "html", "txt")
BLOCKS = (("2021", "simplified"), ("2021", "traditional"), ("2019", "simplified"), ("2019", "traditional"))
VARIATIONS = {
    "row_wordings": "applications rows worded as some bodies word them (本年新收申请数量, （七）合计, 结转下年度办理)",
    "extra_rows": "rows some bodies add under a row of the format (其中：网上申请 …)",
    "headings_unnumbered": "section headings without numbers",
    "headings_other_numbering": "section headings numbered otherwise (1., 第一部分, （一）)",
    "headings_long": "long section titles (行政机关主动公开政府信息情况 …)",
    "headings_short": "short section titles (主动公开情况, 依申请公开情况 …)",
    "prose_quotes_labels": "prose quoting table labels with their figures (“予以公开”12件)",
    "ocr_labels": "row labels with OCR look-alikes (l.属于国家秘密, (三), □ for an unread glyph)",
    "ocr_figures": "figures with OCR look-alikes (1O, l2, 〇): unreadable, so at best needs_review naming them",
    "ocr_prose": "prose figures and heading marks with OCR look-alikes (2O24年, -、总体情况)",
}
_OPTIONAL = ("row_wordings", "extra_rows", "prose_quotes_labels", "ocr_labels", "ocr_figures", "ocr_prose")
_SHARES = {"row_wordings": 0.55, "extra_rows": 0.4, "prose_quotes_labels": 0.5, "ocr_labels": 0.3,
           "ocr_figures": 0.15, "ocr_prose": 0.25}
_GOLD_KEYS = ("schema_version", "doc_id", "report", "sections", "tables", "extras")


def challenge_rng(seed: int, index: int) -> random.Random:
    return random.Random(f"ogi-challenge:{seed}:{index}")


def doc_id_of(seed: int, index: int) -> str:
    return f"challenge-{seed}-{index:03d}"


def challenge_gold(seed: int, index: int) -> dict:
    """Document `index` of the challenge set of `seed`: its gold, with extras.challenge saying how it
    varies and which eval format it is read in."""
    if seed not in RESERVED_SEEDS:
        raise ValueError(f"a challenge set is drawn from a reserved seed ({RESERVED_SEEDS.start}-"
                         f"{RESERVED_SEEDS.stop - 1}), not {seed}")
    rng = challenge_rng(seed, index)
    fmt, script = BLOCKS[(index // len(CHALLENGE_FORMATS)) % len(BLOCKS)]
    gold = random_gold(rng, doc_id=doc_id_of(seed, index), format_version=fmt, script=script, pinyin=False)
    style = rng.choices(wordings.HEADING_STYLES, weights=[40, 30, 30])[0]
    length = rng.choices(wordings.HEADING_LENGTHS, weights=[40, 30, 30])[0]
    chosen = {name for name in _OPTIONAL if rng.random() < _SHARES[name]}
    while len(chosen) < 2 - (style != "numbered") - (length != "as_drawn"):
        chosen.add(rng.choice(_OPTIONAL))
    variations = []
    if style != "numbered" or length != "as_drawn":
        wordings.reword_headings(rng, gold, style, length)
        variations += [f"headings_{style}"] * (style != "numbered") + [f"headings_{length}"] * (length != "as_drawn")
    steps = (("row_wordings", wordings.reword_rows), ("extra_rows", wordings.add_extra_rows),
             ("prose_quotes_labels", wordings.quote_labels), ("ocr_labels", ocr_noise.noise_in_labels),
             ("ocr_figures", ocr_noise.noise_in_figures), ("ocr_prose", ocr_noise.noise_in_prose))
    for name, step in steps:
        if name in chosen:
            step(rng, gold)
            variations.append(name)
    gold["extras"]["challenge"] = {"formats": [CHALLENGE_FORMATS[index % len(CHALLENGE_FORMATS)]],
                                   "variations": variations}
    return gold


def gold_json(gold: dict) -> str:
    ordered = {key: gold[key] for key in _GOLD_KEYS if key in gold}
    return json.dumps(ordered, ensure_ascii=False, indent=1) + "\n"


def gold_sha256(texts: dict[str, str]) -> str:
    """One hash over the gold files (doc id -> JSON text) of a challenge set."""
    digest = hashlib.sha256()
    for doc_id in sorted(texts):
        digest.update(doc_id.encode() + b"\0" + texts[doc_id].encode("utf-8") + b"\0")
    return digest.hexdigest()


def command(out_dir: str, n_docs: int, seed: int) -> str:
    return f".venv/bin/python -m extractor.synth.challenge {out_dir} --docs {n_docs} --seed {seed}"


def build(n_docs: int = CHALLENGE_DOCS, seed: int = CHALLENGE_SEED, out_dir: str = "annotations/challenge"
          ) -> tuple[dict, dict[str, str]]:
    """The manifest and the gold files (doc id -> JSON text) of a challenge set, in memory."""
    golds = [challenge_gold(seed, i) for i in range(n_docs)]
    texts = {g["doc_id"]: gold_json(g) for g in golds}
    documents = {g["doc_id"]: {"formats": g["extras"]["challenge"]["formats"],
                               "format_version": g["report"]["format_version"], "script": g["report"]["script"],
                               "variations": g["extras"]["challenge"]["variations"],
                               "broken_rule": g["extras"].get("broken_rule")} for g in golds}

    def count(values) -> dict:
        return dict(sorted(Counter(values).items()))

    manifest = {
        "name": "challenge", "version": CHALLENGE_VERSION, "seed": seed,
        "reserved_seeds": [RESERVED_SEEDS.start, RESERVED_SEEDS.stop - 1], "n_docs": n_docs,
        "command": command(out_dir, n_docs, seed),
        "evaluated_by": ".venv/bin/ogi eval (every run, unless --no-challenge)",
        "formats": list(CHALLENGE_FORMATS), "variations": VARIATIONS,
        "counts": {"format": count(f for d in documents.values() for f in d["formats"]),
                   "format_version": count(d["format_version"] for d in documents.values()),
                   "script": count(d["script"] for d in documents.values()),
                   "variation": count(v for d in documents.values() for v in d["variations"]),
                   "broken_rule": count(d["broken_rule"] or "none" for d in documents.values())},
        "documents": documents,
        "gold_sha256": gold_sha256(texts),
    }
    return manifest, texts


def write(out_dir: Path | str, n_docs: int = CHALLENGE_DOCS, seed: int = CHALLENGE_SEED) -> dict:
    """Write the challenge set (gold/<doc_id>.json and manifest.json) under `out_dir`; returns the manifest."""
    out = Path(out_dir)
    manifest, texts = build(n_docs, seed, str(out_dir))
    (out / "gold").mkdir(parents=True, exist_ok=True)
    for old in (out / "gold").glob("challenge-*.json"):
        if old.stem not in texts:
            old.unlink()
    for doc_id, text in texts.items():
        (out / "gold" / f"{doc_id}.json").write_text(text, "utf-8")
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m extractor.synth.challenge", description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--docs", type=int, default=CHALLENGE_DOCS)
    parser.add_argument("--seed", type=int, default=CHALLENGE_SEED)
    args = parser.parse_args(argv)
    if args.seed not in RESERVED_SEEDS:
        parser.error(f"the challenge set is drawn from a reserved seed ({RESERVED_SEEDS.start}-{RESERVED_SEEDS.stop - 1})")
    manifest = write(args.out_dir, args.docs, args.seed)
    print(json.dumps({"n_docs": manifest["n_docs"], "gold_sha256": manifest["gold_sha256"], **manifest["counts"]},
                     ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
