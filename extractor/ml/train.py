"""Fine-tuning a BERT-style base into the token classifier, saved as a versioned model directory.

The base is our own pretrained model (models/base-<version>/) or any local BERT-style
checkpoint folder (e.g. a downloaded bert-base-chinese): it is read with
AutoTokenizer / AutoModelForTokenClassification, the characters of the encoding map onto
its vocabulary, and the structure markers it lacks are added as new tokens.

Deterministic for a seed: seeded initialisation, a seeded data order, fixed threads.
Each epoch is scored on the dev documents; the best epoch's weights are kept.

With layout features (`TrainSettings.layout`) the model also learns an embedding per feature value
(`graph.LayoutEmbeddings`, starting at zero: the first step is the text-only model), saved as
layout.safetensors, and the features are recorded in meta.json's encoding.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..labels import LABELS
from . import registry
from .data import Corpus
from .encoding import DEFAULT_SETTINGS, IGNORE, EncodingSettings
from .examples import batch_order, collate, tagging_examples, unknown_characters
from .inference import Predictor
from .layout import check_features
from .metrics import scores
from .runtime import (
    close_logger,
    deterministic,
    file_logger,
    generator,
    optimizer_and_schedule,
    quiet_transformers,
)
from .tokenizer import PieceVocab, add_missing_markers, load_tokenizer


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 5
    max_steps: int | None = None  # stop early (tests)
    batch_size: int = 8
    lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.1
    class_weight_power: float = 0.25  # loss weight of a label ~ (1 / its frequency) ** power; 0: unweighted
    unknown_rate: float = 0.05  # share of characters shown as [UNK] during training
    train_overlap: int | None = 128  # positions shared by training windows (None: half a window)
    seed: int = 0
    threads: int | None = None
    layout: tuple[str, ...] = ()  # layout features the model embeds (layout.FEATURES); (): text only

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Base:
    """Where fine-tuning starts: a directory, and what we know about it."""

    path: Path
    encoding: EncodingSettings
    meta: dict | None  # None for a foreign checkpoint

    @property
    def description(self) -> dict:
        if self.meta is None:
            return {"path": str(self.path), "foreign": True}
        return {"name": self.meta["name"], "version": self.meta["version"],
                "data_hash": (self.meta.get("data") or {}).get("hash")}


def resolve_base(ref: str | Path, root: Path | None = None) -> Base:
    """Our base model by id / name / directory, or any local BERT-style checkpoint directory."""
    path = Path(ref)
    if path.is_dir() and not (path / registry.META_FILE).is_file():
        if not (path / "config.json").is_file():
            raise registry.ModelMismatch(f"{path} is not a model checkpoint (no config.json)")
        import json

        max_positions = json.loads((path / "config.json").read_text("utf-8")).get("max_position_embeddings", 512)
        return Base(path, dataclasses.replace(DEFAULT_SETTINGS, max_positions=min(512, max_positions)), None)
    try:
        info = registry.resolve(ref, root, kind=(registry.BASE, registry.TOKEN_CLASSIFIER))
    except registry.ModelMismatch as exc:
        if not path.exists() and "no model" in str(exc):
            raise registry.ModelMismatch(
                f"{exc}. A hub id such as bert-base-chinese cannot be fetched here (no network): "
                "download the checkpoint folder elsewhere and pass its path with --base") from None
        raise
    return Base(info.path, EncodingSettings.from_dict(info.meta["encoding"]), info.meta)


def class_weights(examples, power: float) -> list[float]:
    counts = Counter(label for ex in examples for label in ex.labels if label != IGNORE)
    total = sum(counts.values()) or 1
    raw = [((total / counts[i]) ** power if counts[i] else 0.0) for i in range(len(LABELS))]
    seen = [w for w in raw if w]
    mean = sum(seen) / len(seen) if seen else 1.0
    return [w / mean if w else 1.0 for w in raw]


def evaluate(predictor: Predictor, docs) -> dict:
    gold, predicted = [], []
    for doc in docs:
        gold += [label.value for label in doc.labels]
        predicted += [LABELS[i] for i, _ in predictor.predict(doc.tokens)]
    return scores(gold, predicted)


def finetune(corpus: Corpus, base: str | Path, out_dir: Path, *, name: str = "tagger", version: str = "0.1.0",
             settings: TrainSettings = TrainSettings(), progress: bool = True,
             models_root: Path | None = None) -> registry.ModelInfo:
    """Train a token classifier from `base` on corpus.train, select on corpus.dev, score on corpus.test."""
    import torch
    from tqdm import tqdm
    from transformers import AutoModelForTokenClassification

    from . import card
    from .graph import LayoutEmbeddings, TorchRunner

    quiet_transformers()
    deterministic(settings.seed, settings.threads)
    start_from = resolve_base(base, models_root)
    target = Path(out_dir) / registry.model_dir_name(name, version)
    target.mkdir(parents=True, exist_ok=True)
    log = file_logger(target / "train.log", f"{name}-{version}")
    started = time.perf_counter()
    try:
        tokenizer = load_tokenizer(start_from.path)
        model = AutoModelForTokenClassification.from_pretrained(
            str(start_from.path), num_labels=len(LABELS), id2label=dict(enumerate(LABELS)),
            label2id={label: i for i, label in enumerate(LABELS)})
        added = add_missing_markers(tokenizer, model)
        vocab = PieceVocab.of(tokenizer)
        encoding = dataclasses.replace(start_from.encoding, layout=check_features(settings.layout))
        layout = LayoutEmbeddings(encoding.layout, model.config.hidden_size) if encoding.layout else None
        runner = TorchRunner(model, tokenizer, layout)
        graph = runner.graph
        examples = tagging_examples(((d.tokens, d.labels) for d in corpus.train), vocab, encoding,
                                    settings.train_overlap)
        weights = class_weights(examples, settings.class_weight_power)
        loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(weights), ignore_index=IGNORE)
        steps_per_epoch = math.ceil(len(examples) / settings.batch_size)
        total = steps_per_epoch * settings.epochs
        if settings.max_steps is not None:
            total = min(total, settings.max_steps)
        optimizer, schedule = optimizer_and_schedule(graph, settings.lr, settings.weight_decay, total,
                                                     settings.warmup)
        log.info("fine-tuning %s-%s from %s: %d training documents (%d windows), %d dev, %d test; "
                 "%d parameters; %d steps; markers added to the vocabulary: %s",
                 name, version, start_from.path, len(corpus.train), len(examples), len(corpus.dev),
                 len(corpus.test), sum(p.numel() for p in graph.parameters()), total, added or "none")
        log.info("layout features: %s", list(encoding.layout) or "none")
        log.info("class weights: %s", {LABELS[i]: round(w, 3) for i, w in enumerate(weights)})
        predictor = Predictor(runner, vocab, encoding)
        order, noise = generator(settings.seed), generator(settings.seed + 1)
        history: list[dict] = []
        best_state, best = None, None
        step = 0
        bar = tqdm(total=total, desc=f"train {name}-{version}", unit="step", disable=not progress)
        for epoch in range(1, settings.epochs + 1):
            graph.train()
            losses = []
            for batch_ids in batch_order(len(examples), settings.batch_size, order):
                if step >= total:
                    break
                batch = collate([examples[i] for i in batch_ids], vocab.pad_id)
                inputs = unknown_characters(batch["input_ids"], vocab, noise, settings.unknown_rate)
                logits = graph.logits(inputs, batch["attention_mask"], batch["first"], batch["inner"],
                                      batch.get("layout"))
                loss = loss_fn(logits.view(-1, logits.shape[-1]), batch["labels"].view(-1))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(graph.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad()
                losses.append(loss.item())
                step += 1
                bar.update(1)
                bar.set_postfix(loss=f"{loss.item():.4f}")
            if not losses:
                break
            graph.eval()
            dev = evaluate(predictor, corpus.dev) if corpus.dev else None
            record = {"epoch": epoch, "steps": step, "loss": round(sum(losses) / len(losses), 5)}
            if dev is not None:
                record["dev_macro_f1"] = dev["macro_f1"]
                record["dev_accuracy"] = dev["accuracy"]
            history.append(record)
            log.info("epoch %d: %s", epoch, record)
            if dev is not None:
                log.info("epoch %d dev per-label F1: %s", epoch, dev["per_label"])
            key = (dev["macro_f1"], dev["accuracy"]) if dev is not None else (epoch, 0)
            if best is None or key >= best[0]:
                best = (key, epoch, dev)
                best_state = {k: v.detach().clone() for k, v in graph.state_dict().items()}
            if step >= total:
                break
        bar.close()
        if best_state is not None:
            graph.load_state_dict(best_state)
        graph.eval()
        metrics: dict = {"best_epoch": best[1] if best else None, "history": history}
        if best and best[2] is not None:
            metrics["dev"] = best[2]
        if corpus.test:
            metrics["synthetic_test"] = evaluate(predictor, corpus.test)
            log.info("held-out synthetic test: %s", metrics["synthetic_test"])
        model.save_pretrained(target)
        if layout is not None:
            layout.save(target)
        tokenizer.save_pretrained(target)
        _write_vocab(tokenizer, target)
        seconds = round(time.perf_counter() - started, 1)
        log.info("done in %.1f s", seconds)
        meta = registry.base_meta(name, version, registry.TOKEN_CLASSIFIER)
        meta.update({
            "description": "character-level BERT token classifier: one label per loader token"
                           + (", with layout embeddings" if layout is not None else ""),
            "base": start_from.description,
            "encoding": encoding.to_dict(),
            "parameters": sum(p.numel() for p in graph.parameters()),
            "seed": settings.seed,
            "hyperparameters": settings.to_dict(),
            "data": corpus.summary(),
            "metrics": metrics,
            "training_seconds": seconds,
        })
        registry.write_meta(target, meta)
        card.write_card(target, meta)
        _export_onnx(target, corpus, log)
    finally:
        close_logger(log)
    return registry.check(target, registry.TOKEN_CLASSIFIER)


def _write_vocab(tokenizer, target: Path) -> None:
    """vocab.txt in id order, whatever tokenizer files the base had."""
    vocab = tokenizer.get_vocab()
    by_id = sorted(vocab.items(), key=lambda kv: kv[1])
    if [i for _, i in by_id] == list(range(len(by_id))):
        (target / "vocab.txt").write_text("\n".join(piece for piece, _ in by_id) + "\n", "utf-8")


def _export_onnx(target: Path, corpus: Corpus, log) -> None:
    """The tagging graph exported to ONNX for extraction without torch (onnx_export), checked on
    the dev and test documents; a model that does not export still runs with torch."""
    from .onnx_export import ExportError, export

    checks = [d.tokens for d in [*corpus.dev, *corpus.test]] or [d.tokens for d in corpus.train]
    try:
        record = export(target, checks, described_as=f"{len(checks)} dev and test documents of the training data")
    except (ImportError, ExportError) as exc:
        log.warning("not exported to ONNX (%s): the model runs with torch", exc)
        return
    log.info("exported to ONNX in %.1f s: extraction runs %s; checks against torch: %s", record["seconds"],
             record["run"], record["checks"])
