"""A small BERT base model, pretrained by masked language modelling on report text.

The corpus is the encoded token stream of every available report (gold train/dev
reports and synthetic ones, never the test split), so the base learns characters and
the structure markers together. Its vocabulary is built from the same corpus. The
result is a versioned model directory (models/base-<version>/) that `train.finetune`
starts from.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..tokens import Token
from . import registry
from .encoding import DEFAULT_SETTINGS, EncodingSettings, encode_tokens
from .examples import (
    batch_order,
    collate,
    mask_for_mlm,
    text_examples,
    unknown_characters,
)
from .runtime import (
    close_logger,
    deterministic,
    file_logger,
    generator,
    optimizer_and_schedule,
    quiet_transformers,
)
from .summary import input_embeddings
from .tokenizer import PieceVocab, build_vocab, load_tokenizer, save_tokenizer


@dataclass(frozen=True)
class ModelSize:
    """BERT dimensions. 128 x 4 layers: about 1.2 M parameters (5 MB), ~90k positions/s on 2 cores."""

    hidden: int = 128
    layers: int = 4
    heads: int = 2
    intermediate: int = 512
    dropout: float = 0.1

    def config(self, vocab_size: int, max_positions: int, **extra):
        from transformers import BertConfig

        return BertConfig(vocab_size=vocab_size, hidden_size=self.hidden, num_hidden_layers=self.layers,
                          num_attention_heads=self.heads, intermediate_size=self.intermediate,
                          hidden_dropout_prob=self.dropout, attention_probs_dropout_prob=self.dropout,
                          max_position_embeddings=max_positions, **extra)


@dataclass(frozen=True)
class PretrainSettings:
    size: ModelSize = field(default_factory=ModelSize)
    encoding: EncodingSettings = DEFAULT_SETTINGS
    epochs: int = 3
    max_steps: int | None = None  # stop early (tests)
    batch_size: int = 8
    lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    mask_probability: float = 0.15
    unknown_rate: float = 0.02  # share of characters shown as [UNK] (and not predicted)
    min_count: int = 2  # rarer characters are [UNK]
    max_vocab: int = 8000
    seed: int = 0
    threads: int | None = None

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["encoding"] = self.encoding.to_dict()
        return out


def pretrain(token_lists: Sequence[Sequence[Token]], out_dir: Path, *, name: str = "base", version: str = "0.1.0",
             settings: PretrainSettings = PretrainSettings(), data: dict | None = None,
             progress: bool = True) -> registry.ModelInfo:
    """Build the vocabulary, train a BertForMaskedLM, and save it as out_dir/<name>-<version>/."""
    import torch
    from tqdm import tqdm
    from transformers import BertForMaskedLM

    from . import card

    quiet_transformers()
    deterministic(settings.seed, settings.threads)
    target = Path(out_dir) / registry.model_dir_name(name, version)
    target.mkdir(parents=True, exist_ok=True)
    log = file_logger(target / "train.log", f"{name}-{version}")
    started = time.perf_counter()
    try:
        vocab_list = build_vocab((encode_tokens(t, settings.encoding) for t in token_lists),
                                 min_count=settings.min_count, max_size=settings.max_vocab)
        save_tokenizer(vocab_list, target)
        vocab = PieceVocab.of(load_tokenizer(target))
        examples = text_examples(token_lists, vocab, settings.encoding)
        config = settings.size.config(len(vocab_list), settings.encoding.max_positions,
                                      pad_token_id=vocab.pad_id)
        model = BertForMaskedLM(config)
        steps_per_epoch = math.ceil(len(examples) / settings.batch_size)
        total = steps_per_epoch * settings.epochs
        if settings.max_steps is not None:
            total = min(total, settings.max_steps)
        optimizer, schedule = optimizer_and_schedule(model, settings.lr, settings.weight_decay, total,
                                                     settings.warmup)
        log.info("pretraining %s-%s: %d documents, %d windows, vocabulary %d, %d parameters, %d steps",
                 name, version, len(token_lists), len(examples), len(vocab_list),
                 sum(p.numel() for p in model.parameters()), total)
        order_gen, mask_gen = generator(settings.seed), generator(settings.seed + 1)
        model.train()
        step = 0
        history = []
        bar = tqdm(total=total, desc=f"pretrain {name}-{version}", unit="step", disable=not progress)
        for epoch in range(1, settings.epochs + 1):
            losses = []
            for batch_ids in batch_order(len(examples), settings.batch_size, order_gen):
                if step >= total:
                    break
                batch = collate([examples[i] for i in batch_ids], vocab.pad_id)
                inputs, labels = mask_for_mlm(batch["input_ids"], batch["attention_mask"], vocab, mask_gen,
                                              settings.mask_probability)
                inputs = unknown_characters(inputs, vocab, mask_gen, settings.unknown_rate)
                # The summary is pooled from the masked input: a masked character does not leak into it.
                embeds = input_embeddings(model, inputs, batch["first"], batch["inner"])
                loss = model(inputs_embeds=embeds, attention_mask=batch["attention_mask"], labels=labels).loss
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad()
                losses.append(loss.item())
                step += 1
                bar.update(1)
                bar.set_postfix(loss=f"{loss.item():.3f}")
            if losses:
                mean = sum(losses) / len(losses)
                history.append({"epoch": epoch, "steps": step, "mlm_loss": round(mean, 4)})
                log.info("epoch %d: %d steps, mean masked-LM loss %.4f", epoch, step, mean)
            if step >= total:
                break
        bar.close()
        model.save_pretrained(target)
        seconds = round(time.perf_counter() - started, 1)
        log.info("done in %.1f s", seconds)
        meta = registry.base_meta(name, version, registry.BASE)
        meta.update({
            "description": "character-level BERT pretrained by masked language modelling on report text",
            "encoding": settings.encoding.to_dict(),
            "vocabulary": len(vocab_list),
            "parameters": sum(p.numel() for p in model.parameters()),
            "seed": settings.seed,
            "hyperparameters": settings.to_dict(),
            "data": data or {},
            "metrics": {"final_mlm_loss": history[-1]["mlm_loss"] if history else None, "history": history},
            "training_seconds": seconds,
        })
        registry.write_meta(target, meta)
        card.write_card(target, meta)
    finally:
        close_logger(log)
    return registry.check(target, registry.BASE)
