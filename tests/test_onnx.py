"""The tagging graph exported to ONNX: torch's labels on real documents, extraction without torch,
threads per worker, a stale export never run, and export at the end of training."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOLD_DIR, ROOT, SEED_IDS

from extractor.loaders import load
from extractor.ml import registry
from extractor.ml.constraints import decode
from extractor.ml.encoding import EncodingSettings
from extractor.ml.inference import Predictor
from extractor.ml.onnx_runtime import INT8_FILE, META_KEY, ONNX_FILE, ExportedGraph, OnnxRunner, exported_graph
from extractor.ml.tokenizer import PieceVocab
from extractor.tokens import Token

SHIPPED = registry.default_model()
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in (".pdf", ".docx", ".doc", ".html", ".txt"))
FLOAT_TOLERANCE = 1e-4  # what onnx_export holds the float32 graph to
INT8_TOLERANCE = 0.05  # label probabilities of the int8 graph (measured at most 0.0125 on these documents)

# A shipped model without a current export (missing, or stale after retraining) fails here rather
# than skipping: extraction would silently fall back to torch.
pytestmark = pytest.mark.skipif(SHIPPED is None, reason="no shipped model")


@pytest.fixture(scope="module")
def documents() -> dict[str, list[Token]]:
    """The shipped examples (every format) and the five seeds' source texts."""
    docs = {path.name: load(path).tokens for path in EXAMPLES}
    docs.update({f"{doc_id}/source.txt": load(GOLD_DIR / doc_id / "source.txt").tokens for doc_id in SEED_IDS})
    return docs


def _settings() -> EncodingSettings:
    return EncodingSettings.from_dict(SHIPPED.meta["encoding"])


def _onnx_predictor(file: str, **runner) -> Predictor:
    graph = ExportedGraph(SHIPPED.path / file, tuple(SHIPPED.meta[META_KEY]["inputs"]))
    return Predictor(OnnxRunner(graph, **runner), PieceVocab.from_files(SHIPPED.path), _settings())


def _labels(tokens, probabilities) -> list[int]:
    return [label for label, _ in decode(tokens, probabilities)]  # constrained decoding, as extraction runs


def _largest_difference(want, got) -> float:
    assert len(want) == len(got)
    return max(abs(a - b) for p, q in zip(want, got) for a, b in zip(p, q))


def test_the_shipped_model_runs_the_graph_its_meta_names():
    record = SHIPPED.meta[META_KEY]
    assert exported_graph(SHIPPED.path) is not None, "the shipped export is missing or stale: run onnx_export"
    assert record["run"] in (ONNX_FILE, INT8_FILE) and (SHIPPED.path / record["run"]).is_file()
    assert record["checks"][record["run"]]["labels_differing"] == 0
    assert Predictor.load(SHIPPED.path, _settings()).runtime == f"onnx:{record['run']}"


@pytest.mark.parametrize("file", [ONNX_FILE, INT8_FILE])
def test_the_exported_graphs_give_torchs_labels_on_the_seeds_and_examples(documents, file):
    pytest.importorskip("torch")
    reference = Predictor.load(SHIPPED.path, _settings(), runtime="torch")
    exported = _onnx_predictor(file)
    tolerance = FLOAT_TOLERANCE if file == ONNX_FILE else INT8_TOLERANCE
    assert len(documents) == len(EXAMPLES) + len(SEED_IDS) == 10
    for name, tokens in documents.items():
        want, got = reference.probabilities(tokens), exported.probabilities(tokens)
        assert _labels(tokens, got) == _labels(tokens, want), name
        assert _largest_difference(want, got) <= tolerance, name


def test_a_padded_batch_reads_each_window_as_it_reads_it_alone(documents):
    tokens = documents["seed-004.pdf"]
    one_by_one = _onnx_predictor(ONNX_FILE, threads=1, rows=1).probabilities(tokens)
    padded = _onnx_predictor(ONNX_FILE, threads=2, rows=16).probabilities(tokens)  # one run, windows padded
    assert len(one_by_one) == len(tokens)
    assert _largest_difference(one_by_one, padded) < 1e-5


def test_extraction_with_the_default_model_imports_neither_torch_nor_transformers():
    code = ("import json, sys\n"
            "from extractor.pipeline import extract\n"
            "result = extract(sys.argv[1])\n"
            "print(json.dumps({'torch': 'torch' in sys.modules, 'transformers': 'transformers' in sys.modules,\n"
            "                  'model': result['model'], 'status': result['status']}))\n")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT / "examples" / "seed-004.pdf")], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"torch": False, "transformers": False, "status": "ok",
                    "model": {"name": SHIPPED.name, "version": SHIPPED.version}}


def test_onnx_threads_follow_the_workers_share_of_the_cpus(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # what a bulk worker of a pool as large as the machine sets
    assert Predictor.load(SHIPPED.path, _settings()).runner.threads == 1
    monkeypatch.delenv("OMP_NUM_THREADS")
    runner = Predictor.load(SHIPPED.path, _settings()).runner
    assert runner.threads == (os.cpu_count() or 1)
    assert runner.session.get_session_options().intra_op_num_threads == 1  # parallel by windows, not inside them


def _copy_model(tmp_path: Path) -> Path:
    target = tmp_path / SHIPPED.path.name
    shutil.copytree(SHIPPED.path, target)
    return target


def _edit_meta(path: Path, change) -> None:
    meta = json.loads((path / registry.META_FILE).read_text("utf-8"))
    change(meta[META_KEY])
    registry.write_meta(path, meta)


def test_a_graph_exported_from_other_weights_or_missing_is_not_run(tmp_path):
    pytest.importorskip("torch")
    stale = _copy_model(tmp_path / "stale")
    _edit_meta(stale, lambda record: record.update(weights_sha256="0" * 64))
    assert exported_graph(stale) is None
    assert Predictor.load(stale, _settings()).runtime == "torch"
    missing = _copy_model(tmp_path / "missing")
    (missing / SHIPPED.meta[META_KEY]["run"]).unlink()
    assert Predictor.load(missing, _settings()).runtime == "torch"
    with pytest.raises(FileNotFoundError, match="onnx_export"):
        Predictor.load(missing, _settings(), runtime="onnx")


def test_the_vocabulary_read_from_the_files_is_the_tokenizers():
    pytest.importorskip("transformers")
    from extractor.ml.tokenizer import load_tokenizer

    for info in registry.list_models(kind=registry.TOKEN_CLASSIFIER):
        assert PieceVocab.from_files(info.path) == PieceVocab.of(load_tokenizer(info.path)), info.id


def test_training_ends_with_an_export_that_gives_torchs_labels(tmp_path):
    pytest.importorskip("torch")
    from test_ml import TINY, _seed_doc

    from extractor.ml.data import Corpus
    from extractor.ml.pretrain import PretrainSettings, pretrain
    from extractor.ml.train import TrainSettings, finetune

    corpus = Corpus(train=[_seed_doc("seed-000")], dev=[_seed_doc("seed-002")])
    base = pretrain([d.tokens for d in corpus.train], tmp_path, version="0.0.1",
                    settings=PretrainSettings(size=TINY, epochs=1, max_steps=2), progress=False)
    info = finetune(corpus, base.path, tmp_path, version="0.0.1", settings=TrainSettings(epochs=1, max_steps=3),
                    progress=False, models_root=tmp_path)
    record = info.meta[META_KEY]
    assert (info.path / ONNX_FILE).is_file() and record["checks"][ONNX_FILE]["documents"] == 1
    assert record["inputs"] == ["input_ids", "attention_mask", "first", "inner"]
    settings = EncodingSettings.from_dict(info.meta["encoding"])
    exported = Predictor.load(info.path, settings)
    assert exported.runtime == f"onnx:{record['run']}"
    tokens = corpus.dev[0].tokens
    reference = Predictor.load(info.path, settings, runtime="torch")
    want, got = reference.probabilities(tokens), exported.probabilities(tokens)
    assert _labels(tokens, got) == _labels(tokens, want)
    tolerance = INT8_TOLERANCE if record["run"] == INT8_FILE else FLOAT_TOLERANCE
    assert _largest_difference(want, got) <= tolerance
