"""A token classifier's tagging graph (`graph.TaggingGraph`) exported to ONNX, into its model directory.

    python -m extractor.ml.onnx_export models/tagger-0.2.0              # checked on examples/
    python -m extractor.ml.onnx_export models/tagger-0.2.0 --check DIR  # checked on other documents

`ogi train` does the same at the end of training, checked on the dev and test documents. Writes
model.onnx (float32: the torch computation, summary and softmax included) and model.int8.onnx
(the weights of its matrix products quantised to int8, dynamically), runs both beside torch on
the check documents, and records in meta.json (see `onnx_runtime`) what it measured and which
graph the Predictor runs: the int8 graph only where it gives every check token the label torch
gives it (and the caller allows it), else float32, which must give the same labels as torch
(else the export fails and torch stays the runtime).
"""

from __future__ import annotations

import argparse
import inspect
import logging
import time
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..dataset import file_sha256
from ..tokens import Token
from . import registry
from .constraints import decode
from .inference import Predictor, batch_inputs, plan_windows
from .layout import LAYOUT_FILE
from .onnx_runtime import INT8_FILE, META_KEY, ONNX_FILE, OUTPUT, WEIGHTS_FILE, ExportedGraph, OnnxRunner

OPSET = 17
PROBABILITY_TOLERANCE = 1e-4  # float32 graph against torch, per label probability


class ExportError(RuntimeError):
    """The exported graph does not compute what the torch model computes."""


def example_tokens() -> list[Token]:
    """Tokens enough for two windows of unequal length: the export traces a padded batch
    (an unpadded one lets transformers drop the attention mask from the graph)."""
    return [Token(f"第{i}行，内容{i}", line=i, bbox=(72.0 + i, 60.0 + 4 * i, 300.0 + i, 70.0 + 4 * i))
            for i in range(150)]


def export_graph(runner, vocab, settings, out: Path) -> list[str]:
    """Write `runner`'s TaggingGraph to `out` as ONNX; returns the graph's input names."""
    import torch

    from .graph import to_tensors

    plan = plan_windows(example_tokens(), vocab, settings)
    inputs = to_tensors(batch_inputs(plan, range(min(2, len(plan.spans))), vocab))
    if len(plan.spans) < 2 or bool(inputs["attention_mask"].all()):
        raise ExportError("the example batch must hold a padded window (raise example_tokens)")
    names = list(runner.graph.input_names)
    if set(names) != set(inputs) or not set(names) <= set(inspect.signature(runner.graph.forward).parameters):
        raise ExportError(f"TaggingGraph takes {names}, batch_inputs builds {sorted(inputs)}")
    axes = {name: {0: "batch", 1: "positions"} for name in [*names, OUTPUT]}
    with torch.inference_mode(), warnings.catch_warnings():
        # The tracer's notes on shapes taken as constants: the checks against torch on real
        # documents, in batches of other sizes, are what tells whether the graph holds.
        warnings.simplefilter("ignore")
        torch.onnx.export(runner.graph, tuple(inputs[name] for name in names), str(out), input_names=names,
                          output_names=[OUTPUT], dynamic_axes=axes, opset_version=OPSET, dynamo=False)
    return names


def quantize_graph(source: Path, out: Path) -> None:
    """Dynamic int8 quantisation of the weights of the graph's matrix products."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quiet = logging.getLogger()  # the quantiser logs its advice to the root logger
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        quantize_dynamic(str(source), str(out), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"])
    finally:
        quiet.setLevel(level)


def compare(reference: Sequence[list[list[float]]], other: Predictor, documents: Sequence[Sequence[Token]]) -> dict:
    """Labels (constrained decoding, as extraction runs) and probabilities of `other` beside
    `reference`, the reference predictor's probabilities of each of `documents`."""
    tokens = differing = differing_docs = 0
    largest = 0.0
    for doc, want in zip(documents, reference, strict=True):
        got = other.probabilities(doc)
        largest = max([largest, *(abs(a - b) for p, q in zip(want, got) for a, b in zip(p, q))])
        labels = [i for i, _ in decode(doc, want)], [i for i, _ in decode(doc, got)]  # Predictor.predict's
        wrong = sum(a != b for a, b in zip(*labels))
        tokens += len(doc)
        differing += wrong
        differing_docs += bool(wrong)
    return {"documents": len(documents), "tokens": tokens, "labels_differing": differing,
            "documents_differing": differing_docs, "max_probability_difference": float(f"{largest:.3g}")}


def export(model_dir: Path | str, documents: Iterable[Sequence[Token]], *, int8: bool = True,
           described_as: str = "") -> dict:
    """Export model_dir's graph (float32 and int8), check both against torch on `documents`,
    and record the export in meta.json; returns the record."""
    import importlib.metadata as md

    from .graph import TorchRunner
    from .tokenizer import PieceVocab

    model_dir = Path(model_dir)
    info = registry.check(model_dir, registry.TOKEN_CLASSIFIER)
    documents = [list(doc) for doc in documents if doc]
    if not documents:
        raise ExportError("no documents to check the exported graph on")
    from .encoding import EncodingSettings

    settings = EncodingSettings.from_dict(info.meta["encoding"])
    started = time.perf_counter()
    runner = TorchRunner.load(model_dir)  # what the torch runtime runs: the reference
    vocab = PieceVocab.of(runner.tokenizer)
    if PieceVocab.from_files(model_dir) != vocab:
        raise ExportError(f"{model_dir}: the vocabulary read from its files differs from its tokenizer's; "
                          "the exported graph could not be fed without transformers")
    reference = Predictor(runner, vocab, settings, runtime="torch")
    wanted = [reference.probabilities(doc) for doc in documents]  # once, for every graph checked
    # Exported with the plain attention of the model's own layers (matrix products, mask, softmax):
    # ONNX Runtime runs it faster than the traced scaled_dot_product_attention, and int8 quantises it.
    names = export_graph(TorchRunner.load(model_dir, attn_implementation="eager"), vocab, settings,
                         model_dir / ONNX_FILE)
    record: dict = {"file": ONNX_FILE, "run": ONNX_FILE, "inputs": names, "output": OUTPUT, "opset": OPSET,
                    "weights_sha256": file_sha256(model_dir / WEIGHTS_FILE),
                    **({"layout_sha256": file_sha256(model_dir / LAYOUT_FILE)} if settings.layout else {}),
                    "sha256": {ONNX_FILE: file_sha256(model_dir / ONNX_FILE)},
                    "libraries": {lib: md.version(lib) for lib in ("torch", "onnx", "onnxruntime")},
                    "checked_on": described_as or f"{len(documents)} documents", "checks": {}}
    graphs = {ONNX_FILE: ExportedGraph(model_dir / ONNX_FILE, tuple(names))}
    if int8:
        quantize_graph(model_dir / ONNX_FILE, model_dir / INT8_FILE)
        record["sha256"][INT8_FILE] = file_sha256(model_dir / INT8_FILE)
        graphs[INT8_FILE] = ExportedGraph(model_dir / INT8_FILE, tuple(names))
    elif (model_dir / INT8_FILE).exists():
        (model_dir / INT8_FILE).unlink()  # not checked against these weights: never left to run
    for file, graph in graphs.items():
        candidate = Predictor(OnnxRunner(graph), vocab, settings, runtime=f"onnx:{file}")
        record["checks"][file] = compare(wanted, candidate, documents)
    exact = record["checks"][ONNX_FILE]
    if exact["labels_differing"] or exact["max_probability_difference"] > PROBABILITY_TOLERANCE:
        raise ExportError(f"{model_dir / ONNX_FILE} does not compute what the torch model computes: {exact}")
    if int8 and not record["checks"][INT8_FILE]["labels_differing"]:
        record["run"] = INT8_FILE
    record["seconds"] = round(time.perf_counter() - started, 1)
    meta = registry.read_meta(model_dir)
    meta[META_KEY] = record
    registry.write_meta(model_dir, meta)
    return record


def load_documents(paths: Iterable[str]) -> list[list[Token]]:
    """The tokens of every supported file under `paths` (files or folders)."""
    from ..inputs import expand_inputs
    from ..loaders import load

    return [load(path).tokens for path in expand_inputs(tuple(paths))]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="a token-classifier model directory, id or name")
    parser.add_argument("--check", nargs="+", default=[str(Path(__file__).resolve().parents[2] / "examples")],
                        help="files or folders to check the graphs on (default: examples/)")
    parser.add_argument("--no-int8", action="store_true", help="export the float32 graph only")
    args = parser.parse_args(argv)
    info = registry.resolve(args.model, kind=registry.TOKEN_CLASSIFIER)
    paths = [Path(p).resolve() for p in args.check]
    root = Path(__file__).resolve().parents[2]
    shown = ", ".join(str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in paths)
    record = export(info.path, load_documents(args.check), int8=not args.no_int8, described_as=shown)
    for file, check in record["checks"].items():
        print(f"{file}: {check}")
    print(f"{info.path}: runs {record['run']}")


if __name__ == "__main__":
    main()
