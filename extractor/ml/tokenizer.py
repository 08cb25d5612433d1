"""The character vocabulary a model reads, saved with it as a BERT tokenizer (vocab.txt).

Our own base models get a vocabulary built from the training corpus: the special
tokens, the structure markers of `encoding`, then every character seen, most frequent
first. Any other BERT-style checkpoint (a downloaded bert-base-chinese folder) brings its
own vocabulary: Chinese BERT vocabularies are per character too, so the same character
pieces map onto its ids; the markers it lacks are added as new tokens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .encoding import (
    CLS,
    MARKERS,
    MASK,
    PAD,
    SEP,
    SPECIAL_TOKENS,
    UNK,
    Encoded,
    piece_ids,
)

VOCAB_FILE = "vocab.txt"


def build_vocab(streams: Iterable[Encoded], *, min_count: int = 1, max_size: int = 8000,
                extra: Iterable[str] = ()) -> list[str]:
    """Special tokens, markers, then characters by falling frequency (ties by code point)."""
    reserved = list(SPECIAL_TOKENS) + list(MARKERS)
    counts: Counter[str] = Counter()
    for encoded in streams:
        counts.update(p for p in encoded.pieces if p not in reserved)
    for ch in extra:
        counts[ch] += min_count
    chars = sorted((c for c, n in counts.items() if n >= min_count), key=lambda c: (-counts[c], c))
    return reserved + chars[:max(0, max_size - len(reserved))]


def save_tokenizer(vocab: list[str], out_dir: Path) -> None:
    """vocab.txt plus the tokenizer files AutoTokenizer.from_pretrained reads."""
    from transformers import BertTokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = BertTokenizer(vocab={piece: i for i, piece in enumerate(vocab)}, do_lower_case=True,
                              tokenize_chinese_chars=True, extra_special_tokens=list(MARKERS))
    tokenizer.save_pretrained(out_dir)
    (out_dir / VOCAB_FILE).write_text("\n".join(vocab) + "\n", "utf-8")


def load_tokenizer(path: Path | str):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path))


def add_missing_markers(tokenizer, model=None) -> list[str]:
    """Add the structure markers a foreign vocabulary lacks (resizing the model's embeddings)."""
    vocab = tokenizer.get_vocab()
    missing = [m for m in MARKERS if m not in vocab]
    if missing:
        tokenizer.add_tokens(missing, special_tokens=True)
        if model is not None:
            model.resize_token_embeddings(len(tokenizer))
    return missing


@dataclass(frozen=True)
class PieceVocab:
    """Piece -> id for the encoding, taken from a tokenizer (our own or a foreign one)."""

    ids: Mapping[str, int]
    unk_id: int
    cls_id: int
    sep_id: int
    pad_id: int
    mask_id: int

    @classmethod
    def of(cls, tokenizer) -> PieceVocab:
        vocab = dict(tokenizer.get_vocab())

        def special(name: str, fallback: str) -> int:
            token_id = getattr(tokenizer, name, None)
            return token_id if token_id is not None else vocab[fallback]

        return cls(vocab, special("unk_token_id", UNK), special("cls_token_id", CLS), special("sep_token_id", SEP),
                   special("pad_token_id", PAD), special("mask_token_id", MASK))

    @classmethod
    def from_files(cls, path: Path | str) -> PieceVocab:
        """The same vocabulary as `of(load_tokenizer(path))`, read from the saved files without
        transformers: tokenizer.json (vocabulary and added tokens) where it is, else vocab.txt."""
        import json

        path = Path(path)
        config_file = path / "tokenizer_config.json"
        config = json.loads(config_file.read_text("utf-8")) if config_file.is_file() else {}
        if (path / "tokenizer.json").is_file():
            saved = json.loads((path / "tokenizer.json").read_text("utf-8"))
            vocab = dict(saved["model"]["vocab"])
            vocab.update({added["content"]: added["id"] for added in saved.get("added_tokens", ())})
        else:
            pieces = (path / VOCAB_FILE).read_text("utf-8").split("\n")
            vocab = {piece: i for i, piece in enumerate(pieces[:-1] if pieces[-1] == "" else pieces)}

        def special(name: str, fallback: str) -> int:
            token = config.get(name, fallback)
            return vocab[token.get("content", fallback) if isinstance(token, dict) else token]

        return cls(vocab, special("unk_token", UNK), special("cls_token", CLS), special("sep_token", SEP),
                   special("pad_token", PAD), special("mask_token", MASK))

    def encode(self, encoded: Encoded) -> list[int]:
        return piece_ids(encoded.pieces, self.ids, self.unk_id)

    @property
    def special_ids(self) -> frozenset[int]:
        return frozenset({self.unk_id, self.cls_id, self.sep_id, self.pad_id, self.mask_id})

    @property
    def marker_ids(self) -> frozenset[int]:
        return frozenset(self.ids[m] for m in MARKERS if m in self.ids)

    def __len__(self) -> int:
        return max(self.ids.values()) + 1
