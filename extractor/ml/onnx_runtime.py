"""A model's exported tagging graph (`onnx_export`) run by ONNX Runtime: no torch, no transformers.

meta.json of a model directory records its export under "onnx":

    {"file": "model.onnx", "run": "model.int8.onnx" or "model.onnx", "inputs": [...],
     "output": "probabilities", "weights_sha256": <sha256 of model.safetensors>,
     "layout_sha256": <sha256 of layout.safetensors, for a model with layout features>, ...}

`run` names the graph the Predictor runs. A graph exported from other weights than the directory
holds (`weights_sha256`) is not run: the torch model is, and the log says so.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..dataset import file_sha256
from . import registry
from .layout import LAYOUT_FILE

META_KEY = "onnx"
ONNX_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
WEIGHTS_FILE = "model.safetensors"
OUTPUT = "probabilities"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportedGraph:
    path: Path  # the .onnx file to run
    inputs: tuple[str, ...]
    output: str = OUTPUT

    @property
    def name(self) -> str:
        return self.path.name


def exported_graph(model_dir: Path | str) -> ExportedGraph | None:
    """The graph model_dir's meta.json says to run, or None (not exported, file missing, stale)."""
    model_dir = Path(model_dir)
    record = registry.read_meta(model_dir).get(META_KEY)
    if not record:
        return None
    path = model_dir / record.get("run", record["file"])
    if not path.is_file():
        log.warning("%s: meta.json names %s, which is missing: running the torch model", model_dir, path.name)
        return None
    weights = model_dir / WEIGHTS_FILE
    if weights.is_file() and file_sha256(weights) != record.get("weights_sha256"):
        log.warning("%s: %s was exported from other weights than %s holds: running the torch model "
                    "(export again: python -m extractor.ml.onnx_export %s)", model_dir, path.name, WEIGHTS_FILE,
                    model_dir)
        return None
    layout = model_dir / LAYOUT_FILE
    if record.get("layout_sha256") and (not layout.is_file() or file_sha256(layout) != record["layout_sha256"]):
        log.warning("%s: %s was exported from other layout embeddings than %s holds: running the torch model "
                    "(export again: python -m extractor.ml.onnx_export %s)", model_dir, path.name, LAYOUT_FILE,
                    model_dir)
        return None
    return ExportedGraph(path, tuple(record["inputs"]), record.get("output", OUTPUT))


def default_threads() -> int:
    """Intra-op threads: OMP_NUM_THREADS where set (a bulk worker sets it to its share of the CPUs,
    so several workers do not oversubscribe them), else every CPU of the machine."""
    try:
        wanted = int(os.environ.get("OMP_NUM_THREADS", ""))
    except ValueError:
        wanted = 0
    return wanted if wanted > 0 else (os.cpu_count() or 1)


class OnnxRunner:
    """Runs an exported graph on the Predictor's batches (numpy in, numpy out).

    A batch is run a few windows at a time (`rows`: smaller runs keep the attention in cache),
    on `threads` threads at once, each run on its own thread: ONNX Runtime lets go of the GIL, and
    windows are independent, so this keeps the CPUs busier than splitting each small matrix
    product between threads does."""

    def __init__(self, graph: ExportedGraph, threads: int | None = None, rows: int = 1) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3  # errors only
        self.graph = graph
        self.threads = threads or default_threads()
        self.rows = rows
        self.session = ort.InferenceSession(str(graph.path), options, providers=["CPUExecutionProvider"])
        self._pool = None

    def run(self, inputs: Mapping):
        return self.session.run([self.graph.output], {name: inputs[name] for name in self.graph.inputs})[0]

    def __call__(self, inputs: Mapping):
        import numpy as np

        batch = len(inputs[self.graph.inputs[0]])
        parts = [{name: value[first:first + self.rows] for name, value in inputs.items()}
                 for first in range(0, batch, self.rows)]
        if self.threads == 1 or len(parts) == 1:
            return np.concatenate([self.run(part) for part in parts])
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="onnx")
        return np.concatenate(list(self._pool.map(self.run, parts)))
