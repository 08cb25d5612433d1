"""Reproducible torch runs: seeds, threads, quiet transformers, a training log file."""

from __future__ import annotations

import logging
import os
import random
from pathlib import Path

DEFAULT_THREADS = 2


def deterministic(seed: int, threads: int | None = None) -> None:
    """Same seed, same data order, same weights: seeds everything and fixes the thread count."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    # A fixed thread count keeps CPU reductions in the same order, run after run.
    # (torch.use_deterministic_algorithms is not needed on CPU and makes training 3-6x slower.)
    torch.set_num_threads(threads or min(DEFAULT_THREADS, os.cpu_count() or 1))


def generator(seed: int):
    import torch

    gen = torch.Generator()
    gen.manual_seed(seed)
    return gen


def quiet_transformers() -> None:
    """No weight-loading reports or progress bars from transformers on our own checkpoints."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def file_logger(path: Path, name: str) -> logging.Logger:
    """A logger writing to `path` (the training log kept in the model directory)."""
    logger = logging.getLogger(f"extractor.ml.run.{name}.{id(path)}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    logger.addHandler(handler)
    return logger


def close_logger(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)


def optimizer_and_schedule(model, lr: float, weight_decay: float, total_steps: int, warmup: float):
    """AdamW (no decay on biases and LayerNorm) with linear warm-up then linear decay to zero."""
    import torch

    decay, no_decay = [], []
    for name, param in model.named_parameters():
        (no_decay if param.ndim < 2 or "LayerNorm" in name else decay).append(param)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=lr)
    warm = max(1, int(total_steps * warmup))

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        return max(0.0, (total_steps - step) / max(1, total_steps - warm))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
