"""Layout features as model input: what each token carries into the model, that the model reads it
(predictions move with it), that torch and the ONNX graph agree on it, and that models without it
load and run as before."""

import json
import shutil
from itertools import pairwise

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from conftest import ROOT
from test_ml import TINY, _seed_doc

from extractor.loaders import load
from extractor.ml import encoding as enc
from extractor.ml import registry
from extractor.ml.constraints import decode
from extractor.ml.data import Corpus
from extractor.ml.graph import LayoutEmbeddings, TaggingGraph, TorchRunner, to_tensors
from extractor.ml.inference import Predictor, batch_inputs, plan_windows
from extractor.ml.layout import ALL_FEATURES, FEATURES, LAYOUT_FILE, position_features, token_features
from extractor.ml.onnx_runtime import META_KEY, ONNX_FILE, exported_graph
from extractor.ml.pretrain import PretrainSettings, pretrain
from extractor.ml.tokenizer import PieceVocab
from extractor.ml.train import TrainSettings, finetune
from extractor.tokens import Token

PDF = ROOT / "examples" / "seed-004.pdf"


def _values(tokens, *names):
    return [dict(zip(names, row)) for row in token_features(tokens, names)]


# --- features -------------------------------------------------------------------------------------

def test_positions_are_bucketed_over_the_page_extent_and_absent_without_a_bbox():
    tokens = [Token("左", bbox=(72.0, 72.0, 100.0, 84.0)), Token("右", bbox=(480.0, 700.0, 523.0, 712.0)),
              Token("文本", line=1)]
    left, right, text = _values(tokens, "x0", "x1", "y", "text_col")
    assert left["x0"] == 1 + int(72 / 595 * 16) and left["y"] == 1 + int(72 / 784 * 16)
    assert right["x1"] == 1 + int(523 / 595 * 16) and right["x0"] > left["x0"] and right["y"] > left["y"]
    assert (left["text_col"], right["text_col"]) == (0, 0)  # a bbox says where it is
    assert (text["x0"], text["x1"], text["y"]) == (0, 0, 0) and text["text_col"] == 1


def test_text_pieces_get_their_display_column_and_place_in_the_line():
    tokens = [Token("行政许可", line=3, cell=True), Token("12", line=3, cell=True), Token("3", line=3, cell=True),
              Token("下一行", line=4)]
    got = _values(tokens, "text_col", "line_index", "line_tokens")
    # 行政许可 is 8 columns wide, one column between pieces: "12" starts at column 9, "3" at 12
    assert [v["text_col"] for v in got] == [1, 1 + 9 // 4, 1 + 12 // 4, 1]
    assert [v["line_index"] for v in got] == [1, 2, 3, 1]
    assert [v["line_tokens"] for v in got] == [3, 3, 3, 1]


def test_grid_cells_carry_row_and_column_clipped_and_other_tokens_none():
    tokens = [Token("a", table=0, row=0, col=0, cell=True), Token("b", table=0, row=200, col=40, cell=True),
              Token("c", cell=True)]
    got = _values(tokens, "grid_row", "grid_col")
    assert got == [{"grid_row": 1, "grid_col": 1},
                   {"grid_row": FEATURES["grid_row"] - 1, "grid_col": FEATURES["grid_col"] - 1},
                   {"grid_row": 0, "grid_col": 0}]


def test_every_position_of_a_token_carries_its_features_and_the_frame_none():
    tokens = load(PDF).tokens[:40]
    encoded = enc.encode_tokens(tokens)
    features = position_features(tokens, encoded, ALL_FEATURES)
    per_token = token_features(tokens, ALL_FEATURES)
    assert features.shape == (len(encoded.pieces), len(ALL_FEATURES))
    assert not features[0].any() and not features[-1].any()  # [BOS], [EOS]
    bounds = [*encoded.starts, len(encoded.pieces) - 1]
    for i, (start, end) in enumerate(pairwise(bounds)):
        assert all(tuple(row) == per_token[i] for row in features[start:end]), i
    assert len({row[:3] for row in per_token}) > 10  # the PDF's tokens stand in many places


# --- models ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def layout_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("layout-models")
    corpus = Corpus(train=[_seed_doc("seed-000")], dev=[_seed_doc("seed-002", "html")])
    base = pretrain([d.tokens for d in corpus.train], out, version="0.0.1",
                    settings=PretrainSettings(size=TINY, epochs=1, max_steps=2), progress=False)
    return finetune(corpus, base.path, out, version="0.0.1",
                    settings=TrainSettings(epochs=1, max_steps=3, layout=ALL_FEATURES), progress=False,
                    models_root=out)


@pytest.fixture(scope="module")
def pdf_tokens():
    return load(PDF).tokens


def _with_random_layout(info, target):
    """A copy of the model whose layout tables are large random vectors (a few training steps leave
    them near zero), so that what the model makes of layout shows in its probabilities."""
    shutil.copytree(info.path, target)
    runner = TorchRunner.load(target)
    with torch.no_grad():
        runner.graph.layout.weight.copy_(torch.randn(runner.graph.layout.weight.shape,
                                                     generator=torch.Generator().manual_seed(7)))
    runner.graph.layout.save(target)
    return target


def _settings(path):
    return enc.EncodingSettings.from_dict(registry.read_meta(path)["encoding"])


def test_a_layout_model_records_its_features_and_saves_their_tables(layout_model):
    assert layout_model.meta["encoding"]["layout"] == list(ALL_FEATURES)
    assert (layout_model.path / LAYOUT_FILE).is_file()
    assert layout_model.meta[META_KEY]["inputs"] == ["input_ids", "attention_mask", "first", "inner", "layout"]
    assert "layout_sha256" in layout_model.meta[META_KEY]
    assert _settings(layout_model.path).layout == ALL_FEATURES


def test_the_model_reads_layout_moved_tokens_get_other_probabilities(layout_model, pdf_tokens, tmp_path):
    path = _with_random_layout(layout_model, tmp_path / "random")
    predictor = Predictor.load(path, _settings(path), runtime="torch")
    where = predictor.probabilities(pdf_tokens)
    moved = [tok if tok.bbox is None else Token(**{**{f: getattr(tok, f) for f in tok.__slots__},
                                                    "bbox": (tok.bbox[0] + 150, *tok.bbox[1:])})
             for tok in pdf_tokens]
    elsewhere = predictor.probabilities(moved)
    assert max(abs(a - b) for p, q in zip(where, elsewhere) for a, b in zip(p, q)) > 1e-3


def test_zero_layout_tables_compute_exactly_the_text_only_model(layout_model, pdf_tokens):
    runner = TorchRunner.load(layout_model.path)
    zero = LayoutEmbeddings(ALL_FEATURES, runner.graph.model.config.hidden_size)
    vocab = PieceVocab.of(runner.tokenizer)
    plan = plan_windows(pdf_tokens, vocab, _settings(layout_model.path))
    inputs = to_tensors(batch_inputs(plan, range(len(plan.spans)), vocab))
    with torch.inference_mode():
        with_layout = TaggingGraph(runner.graph.model, zero).eval()(**inputs)
        text_only = TaggingGraph(runner.graph.model).eval()(**{k: v for k, v in inputs.items() if k != "layout"})
    assert torch.equal(with_layout, text_only)
    with pytest.raises(ValueError, match="layout"):
        TaggingGraph(runner.graph.model)(**inputs)


def test_onnx_and_torch_agree_on_a_model_that_reads_layout(layout_model, pdf_tokens, tmp_path):
    from extractor.ml.onnx_export import export

    path = _with_random_layout(layout_model, tmp_path / "random")
    assert exported_graph(path) is None  # other layout tables than the export was made from: not run
    assert Predictor.load(path, _settings(path)).runtime == "torch"
    record = export(path, [pdf_tokens], int8=False)
    assert record["checks"][ONNX_FILE]["labels_differing"] == 0
    onnx = Predictor.load(path, _settings(path))
    torch_run = Predictor.load(path, _settings(path), runtime="torch")
    assert onnx.runtime == f"onnx:{ONNX_FILE}"
    want, got = torch_run.probabilities(pdf_tokens), onnx.probabilities(pdf_tokens)
    assert max(abs(a - b) for p, q in zip(want, got) for a, b in zip(p, q)) < 1e-4
    assert [i for i, _ in decode(pdf_tokens, got)] == [i for i, _ in decode(pdf_tokens, want)]


def test_a_layout_model_naming_an_unknown_feature_or_without_its_tables_is_refused(layout_model, tmp_path):
    unknown = tmp_path / "unknown"
    shutil.copytree(layout_model.path, unknown)
    meta = json.loads((unknown / registry.META_FILE).read_text("utf-8"))
    meta["encoding"]["layout"] = [*ALL_FEATURES, "font_size"]
    registry.write_meta(unknown, meta)
    with pytest.raises(registry.ModelMismatch, match="font_size"):
        registry.check(unknown)
    missing = tmp_path / "missing"
    shutil.copytree(layout_model.path, missing)
    (missing / LAYOUT_FILE).unlink()
    with pytest.raises(registry.ModelMismatch, match=LAYOUT_FILE):
        registry.check(missing)


def test_models_without_layout_features_load_and_run_as_before(pdf_tokens):
    for info in registry.list_models(kind=registry.TOKEN_CLASSIFIER):
        if info.meta["encoding"].get("layout"):
            continue
        settings = enc.EncodingSettings.from_dict(info.meta["encoding"])
        assert settings.layout == () and settings.to_dict() == info.meta["encoding"], info.id
        vocab = PieceVocab.from_files(info.path)
        plan = plan_windows(pdf_tokens, vocab, settings)
        inputs = batch_inputs(plan, range(len(plan.spans)), vocab)
        assert plan.layout is None and sorted(inputs) == sorted(["input_ids", "attention_mask", "first", "inner"])
        if META_KEY in info.meta:
            assert info.meta[META_KEY]["inputs"] == ["input_ids", "attention_mask", "first", "inner"]
        runner = TorchRunner.load(info.path)
        assert runner.graph.layout is None and runner.graph.input_names == ("input_ids", "attention_mask", "first",
                                                                            "inner")
        assert len(Predictor(runner, vocab, settings).predict(pdf_tokens)) == len(pdf_tokens)
