"""Labelled documents: a token stream with one label per token, as training and eval data.

Stored as JSON Lines, one document per line. `sha256` is the hash of the
source file the tokens came from: splits are checked by it, so no test
document is ever trained on, whatever its file name.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .labels import LABELS, Label
from .tokens import Document, Token

_TOKEN_FIELDS = [f.name for f in dataclasses.fields(Token)]

# Seeds of the frozen challenge set (extractor.synth.challenge, annotations/challenge): no training
# data is ever generated from them, so neither the rules nor a model is tuned on that set.
RESERVED_SEEDS = range(1_700_000, 1_701_000)
# Document ids the generator gives: synth-<seed>-<index> (training corpora), challenge-<seed>-<index>.
_GENERATED_ID = re.compile(r"^(synth|challenge)-(\d+)-\d+(?:/|$)")


class ReservedSeed(ValueError):
    """Training data drawn from, or asked of, a seed reserved for the challenge set."""


def check_training_seed(seed: int) -> None:
    """Refuse a training-data seed in RESERVED_SEEDS."""
    if seed in RESERVED_SEEDS:
        raise ReservedSeed(f"seed {seed} is reserved for the frozen challenge set "
                           f"({RESERVED_SEEDS.start}-{RESERVED_SEEDS.stop - 1}); choose another seed")


def reserved_documents(doc_ids: Iterable[str]) -> list[str]:
    """The ids of challenge documents, or of documents generated from a reserved seed."""
    out = []
    for doc_id in doc_ids:
        found = _GENERATED_ID.match(doc_id)
        if found and (found.group(1) == "challenge" or int(found.group(2)) in RESERVED_SEEDS):
            out.append(doc_id)
    return out


def token_to_dict(tok: Token) -> dict:
    """A token as compact JSON: fields at their default value are left out."""
    out = {}
    for f in dataclasses.fields(Token):
        value = getattr(tok, f.name)
        if f.name == "text" or value != f.default:
            out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def token_from_dict(data: dict) -> Token:
    data = {k: v for k, v in data.items() if k in _TOKEN_FIELDS}
    if data.get("bbox") is not None:
        data["bbox"] = tuple(data["bbox"])
    return Token(**data)


@dataclass
class LabelledDoc:
    doc_id: str
    origin: str  # "synth", "gold" or "annotation"
    format: str  # source format of the tokens (txt, html, docx, doc, pdf, scanned-pdf)
    layout: str  # finer layout name (txt-pipe, txt-cells, html, pdf, …)
    sha256: str  # of the source file
    tokens: list[Token]
    labels: list[Label]

    def __post_init__(self) -> None:
        if len(self.tokens) != len(self.labels):
            raise ValueError(f"{self.doc_id}: {len(self.tokens)} tokens but {len(self.labels)} labels")

    @property
    def document(self) -> Document:
        return Document(tokens=self.tokens, format=self.format)

    def to_json(self) -> str:
        return json.dumps({
            "doc_id": self.doc_id, "origin": self.origin, "format": self.format, "layout": self.layout,
            "sha256": self.sha256, "tokens": [token_to_dict(t) for t in self.tokens],
            "labels": [label.value for label in self.labels],
        }, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> LabelledDoc:
        data = json.loads(line)
        unknown = set(data["labels"]) - set(LABELS)
        if unknown:
            raise ValueError(f"{data['doc_id']}: unknown labels {sorted(unknown)}")
        return cls(data["doc_id"], data["origin"], data["format"], data["layout"], data["sha256"],
                   [token_from_dict(t) for t in data["tokens"]], [Label(v) for v in data["labels"]])


def write_jsonl(docs: Iterable[LabelledDoc], path: Path) -> int:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    tmp = path.with_suffix(path.suffix + ".part")
    with open(tmp, "w", encoding="utf-8") as fh:
        for doc in docs:
            fh.write(doc.to_json() + "\n")
            n += 1
    tmp.replace(path)
    return n


def read_jsonl(path: Path) -> Iterator[LabelledDoc]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield LabelledDoc.from_json(line)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def data_hash(paths: Iterable[Path]) -> str:
    """One hash over the content of several data files (the training data's fingerprint)."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()
