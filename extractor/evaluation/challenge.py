"""The frozen challenge set, measured in every eval report (metrics.json `challenge`, report.md).

The set lives in `annotations/challenge/` (made by `python -m extractor.synth.challenge`, from
seeds no training data is drawn from): `gold/<doc_id>.json` and `manifest.json`, which names the
eval format each document is read in and its variations. `load_challenge` reads it and refuses
gold that no longer hashes to the manifest's `gold_sha256`; `challenge_block` sums one run's
scores per tagger (the tagger under test and its baselines), per format and per variation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .goldset import GoldDoc, gold_docs
from .metrics import DocScore, summarize

CHALLENGE_DIR = Path(__file__).resolve().parents[2] / "annotations" / "challenge"


@dataclass(frozen=True)
class ChallengeSet:
    folder: Path
    manifest: dict
    docs: list[GoldDoc]
    jobs: list[tuple[GoldDoc, str]]  # (document, eval format) in manifest order

    def variations(self, doc_id: str) -> list[str]:
        """The document's variations, its report format and its script (the groups it counts in)."""
        d = self.manifest["documents"][doc_id]
        return [*d["variations"], f"format {d['format_version']}", d["script"]]


def files_sha256(docs: Sequence[GoldDoc]) -> str:
    """gold_sha256 of the gold files as they are on disk (extractor.synth.challenge.gold_sha256)."""
    from ..synth.challenge import gold_sha256

    return gold_sha256({doc.doc_id: doc.gold_path.read_text("utf-8") for doc in docs})


def load_challenge(folder: Path = CHALLENGE_DIR) -> ChallengeSet:
    """The challenge set under `folder`; ValueError when its gold is not the manifest's."""
    folder = Path(folder)
    path = folder / "manifest.json"
    if not path.is_file():
        raise ValueError(f"no challenge set at {folder} (manifest.json missing); make it with "
                         "`python -m extractor.synth.challenge annotations/challenge`, or run with --no-challenge")
    manifest = json.loads(path.read_text("utf-8"))
    docs = gold_docs(folder, "all")
    found = {doc.doc_id for doc in docs}
    named = set(manifest["documents"])
    if found != named or files_sha256(docs) != manifest["gold_sha256"]:
        raise ValueError(f"the challenge set's gold under {folder} differs from its manifest "
                         f"({len(found)} files, {len(named)} named): regenerate it with `{manifest['command']}`")
    jobs = [(doc, fmt) for doc in docs for fmt in manifest["documents"][doc.doc_id]["formats"]]
    return ChallengeSet(folder, manifest, docs, jobs)


def compact(scores: Sequence[DocScore]) -> dict:
    """The few figures of a group of challenge inputs."""
    m = summarize(scores)
    return {"inputs": m["documents"]["inputs"], "all_cells_right": m["documents"]["all_cells_right"],
            "all_cells_right_rate": m["documents"]["all_cells_right_rate"], "exact": m["documents"]["exact"],
            "exact_rate": m["documents"]["exact_rate"], "cell_accuracy": m["cells"]["accuracy"],
            "silent_errors": m["status"]["silent_errors"], "flagged_wrong": m["status"]["flagged_wrong"],
            "failed": m["status"]["failed"], "token_macro_f1": m["tokens"]["macro"]["f1"]}


def tagger_block(cset: ChallengeSet, scores: Sequence[DocScore]) -> dict:
    """One tagger's challenge figures: overall, per format, per variation, and each input's outcome."""
    by_variation: dict[str, list[DocScore]] = {}
    for s in scores:
        for name in cset.variations(s.doc_id):
            by_variation.setdefault(name, []).append(s)
    formats: dict[str, list[DocScore]] = {}
    for s in scores:
        formats.setdefault(s.format, []).append(s)
    return {"overall": summarize(scores),
            "by_format": {name: compact(group) for name, group in formats.items()},
            "by_variation": {name: compact(by_variation[name]) for name in sorted(by_variation)},
            "documents": [{"doc_id": s.doc_id, "format": s.format, "status": s.status, "outcome": s.outcome,
                           "cells_wrong": s.cells_wrong,
                           "wrong_cells": [f"{d.table}.{d.row}.{d.column}: {d.expected!r} -> {d.got!r}"
                                           for d in s.cell_diffs[:3]]} for s in scores]}


def challenge_block(cset: ChallengeSet, runs: Sequence[tuple[str, dict | None, Sequence[DocScore], str | None]],
                    skipped: list[dict], seconds: float) -> dict:
    """metrics.json `challenge`: the set, and per tagger (name, model, scores, why unavailable) its figures."""
    manifest = cset.manifest
    taggers = {}
    for name, model, scores, unavailable in runs:
        taggers[name] = {"unavailable": unavailable} if unavailable else {"model": model, **tagger_block(cset, scores)}
    return {"set": {"dir": str(cset.folder), "name": manifest["name"], "version": manifest["version"],
                    "seed": manifest["seed"], "documents": len(cset.docs), "inputs": len(cset.jobs),
                    "gold_sha256": manifest["gold_sha256"], "command": manifest["command"]},
            "skipped_inputs": skipped, "seconds": round(seconds, 1), "taggers": taggers}
