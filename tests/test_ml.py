"""The learned taggers: input encoding, windows, training, the model registry, and the shipped model."""

import json
import random
import shutil
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import GOLD_DIR, SEED_IDS, load_gold

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from extractor import __version__
from extractor.dataset import LabelledDoc, file_sha256
from extractor.labelling import gold_labels
from extractor.labels import LABELS, Label
from extractor.loaders import load
from extractor.ml import encoding as enc
from extractor.ml import registry
from extractor.ml.data import (
    Corpus,
    TestSplitLeak,
    check_no_test_documents,
    gold_splits,
)
from extractor.ml.metrics import macro_f1
from extractor.ml.pretrain import ModelSize, PretrainSettings, pretrain
from extractor.ml.train import TrainSettings, finetune
from extractor.render import render_bytes
from extractor.tagging import TAGGER_NAMES, get_tagger
from extractor.tokens import Document, Token

TINY = ModelSize(hidden=32, layers=1, heads=1, intermediate=64)


# --- encoding -------------------------------------------------------------------------------------

def test_token_pieces_carry_structure_markers_and_folded_characters():
    prose = Token("第一節 2024年", line=1)
    cell = Token("（七）總計", line=2, cell=True, table=0, row=3, col=0, colspan=2)
    figure = Token("１２", line=2, cell=True, table=0, row=3, col=1)
    empty = Token(" ", line=2, cell=True)
    page_number = Token("- 2 -", page=2, line=9, furniture=True)
    encoded = enc.encode_tokens([prose, cell, figure, empty, page_number])
    pieces = list(encoded.pieces)
    assert pieces[0] == enc.BEGIN and pieces[-1] == enc.END
    assert pieces[encoded.starts[0]:encoded.starts[1]] == ["[NL]", "[P]", *"第一节0000年"]
    assert pieces[encoded.starts[1]:encoded.starts[2]] == ["[NL]", "[G0]", "[M]", *"(七)总计"]
    assert pieces[encoded.starts[2]:encoded.starts[3]] == ["[G]", "0", "0"]  # same line: no [NL]
    assert pieces[encoded.starts[3]:encoded.starts[4]] == ["[C]", "[E]"]
    assert pieces[encoded.starts[4]:-1] == ["[PG]", "[F]", "-", "0", "-"]


def test_long_texts_keep_head_and_tail():
    text = "一二三四五六七八九十" * 5 + "完"
    pieces = enc.text_pieces(text)
    assert len(pieces) == enc.HEAD + 1 + enc.TAIL
    assert pieces[enc.HEAD] == "[L41]" and pieces[-1] == "完" and "".join(pieces[:3]) == "一二三"
    assert [enc.text_pieces("字" * n)[enc.HEAD] for n in (21, 40, 41, 80, 81, 500)] == \
        ["[L21]", "[L21]", "[L41]", "[L41]", "[L81]", "[L81]"]
    assert len(enc.text_pieces("字" * 20)) == 20
    assert enc.text_pieces("(cid:12)") == list("(cid:00)")
    assert enc.token_pieces(Token("(cid:12)", unreadable=True), None)[-1] == enc.UNREADABLE


def test_labels_sit_on_each_tokens_first_position():
    tokens = [Token("标题", line=0), Token("一、总体情况", line=1), Token("12", line=2, cell=True)]
    labels = [Label.TITLE, Label.SECTION_HEADING, Label.CELL_VALUE]
    encoded = enc.encode_tokens(tokens)
    position_labels = enc.piece_labels(encoded, labels)
    assert [i for i, x in enumerate(position_labels) if x != enc.IGNORE] == list(encoded.starts)
    assert [LABELS[position_labels[s]] for s in encoded.starts] == [x.value for x in labels]
    with pytest.raises(ValueError):
        enc.piece_labels(encoded, labels[:2])


def _random_tokens(n: int, seed: int) -> list[Token]:
    rng = random.Random(seed)
    out, line = [], 0
    for _ in range(n):
        line += rng.random() < 0.6
        out.append(Token("字" * rng.choice([0, 1, 3, 8, 30]), line=line, cell=rng.random() < 0.5))
    return out


@pytest.mark.parametrize("max_positions,overlap", [(64, 16), (40, 30), (512, 128)])
def test_windows_cover_every_token_once_as_central(max_positions, overlap):
    encoded = enc.encode_tokens(_random_tokens(700, max_positions))
    spans = enc.windows(encoded, max_positions, overlap)
    assert spans[0].start == 0 and spans[-1].end == len(encoded)
    cuts = {0, len(encoded), *encoded.starts}
    for a, b in pairwise(spans):
        assert a.start < b.start <= a.end  # consecutive, overlapping or touching: no gap
    for span in spans:
        assert span.end - span.start <= max_positions - 2 and span.start in cuts and span.end in cuts
    owner = enc.owners(encoded, spans)
    assert len(owner) == len(encoded.starts)
    for pos, w in zip(encoded.starts, owner):
        assert spans[w].start <= pos < spans[w].end
        margin = min(pos - spans[w].start, spans[w].end - 1 - pos)
        assert all(margin >= min(pos - s.start, s.end - 1 - pos) for s in spans if s.start <= pos < s.end)
    # At inference every token is read from exactly one window: the ownership is a partition.
    assert sorted(Counter(owner).elements()) == sorted(owner) and sum(Counter(owner).values()) == len(encoded.starts)


def test_a_short_document_is_one_window_and_inputs_are_framed():
    encoded = enc.encode_tokens([Token("总计", cell=True), Token("3", cell=True)])
    (span,) = enc.windows(encoded)
    ids = list(range(len(encoded)))
    assert enc.window_input(ids, span, 101, 102) == [101, *ids, 102]
    assert len(enc.window_labels([0] * len(encoded), span)) == len(encoded) + 2
    assert enc.owners(encoded, [span]) == [0, 0]


# --- data guard -----------------------------------------------------------------------------------

def test_training_on_a_test_split_document_is_refused():
    test_id = gold_splits()["test"][0]
    source = GOLD_DIR / test_id / "source.txt"
    doc = load(source)
    leak = LabelledDoc("copy", "annotation", doc.format, "txt", file_sha256(source), doc.tokens,
                       gold_labels(doc, load_gold(test_id)))
    with pytest.raises(TestSplitLeak, match=test_id):
        check_no_test_documents([leak])


# --- tiny training runs ---------------------------------------------------------------------------

def _seed_doc(doc_id: str, fmt: str = "source") -> LabelledDoc:
    gold = load_gold(doc_id)
    if fmt == "source":
        path = GOLD_DIR / doc_id / "source.txt"
        doc = load(path)
        sha = file_sha256(path)
    else:
        import hashlib
        import tempfile

        data = render_bytes(gold, fmt)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / ("report.html" if fmt == "html" else "report.docx" if fmt == "docx" else "report.txt")
            path.write_bytes(data)
            doc = load(path)
        sha = hashlib.sha256(data).hexdigest()
    return LabelledDoc(f"{doc_id}/{fmt}", "gold", doc.format, fmt, sha, doc.tokens, gold_labels(doc, gold))


@pytest.fixture(scope="module")
def tiny_corpus() -> Corpus:
    return Corpus(train=[_seed_doc("seed-000"), _seed_doc("seed-001", "html")], dev=[_seed_doc("seed-002")])


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory, tiny_corpus):
    out = tmp_path_factory.mktemp("models")
    base = pretrain([d.tokens for d in tiny_corpus.train], out, version="0.0.1",
                    settings=PretrainSettings(size=TINY, epochs=1, max_steps=2), progress=False)
    tagger = finetune(tiny_corpus, base.path, out, version="0.0.1",
                      settings=TrainSettings(epochs=1, max_steps=3), progress=False, models_root=out)
    return out, base, tagger


def test_a_tiny_training_run_makes_a_loadable_model_that_tags(tiny_models, tiny_corpus):
    _, base, tagger = tiny_models
    assert base.kind == registry.BASE and tagger.kind == registry.TOKEN_CLASSIFIER
    for name in ("config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "meta.json",
                 "README.md", "train.log"):
        assert (tagger.path / name).is_file(), name
    meta = json.loads((tagger.path / "meta.json").read_text("utf-8"))
    assert meta["labels"] == list(LABELS) and meta["base"]["name"] == "base" and meta["data"]["hash"]
    assert "epoch 1" in (tagger.path / "train.log").read_text("utf-8")
    model_tagger = get_tagger("model", model=str(tagger.path))
    assert (model_tagger.name, model_tagger.version) == ("tagger", "0.0.1")
    doc = tiny_corpus.dev[0].document
    tags = model_tagger.tag(doc)
    assert len(tags) == len(doc.tokens)
    assert all(isinstance(t.label, Label) and 0 < t.confidence <= 1 for t in tags)
    assert model_tagger.tag(Document([], "txt")) == []


def test_training_is_deterministic_for_a_seed(tmp_path, tiny_models, tiny_corpus):
    _, base, first = tiny_models
    again = finetune(tiny_corpus, base.path, tmp_path, version="0.0.1",
                     settings=TrainSettings(epochs=1, max_steps=3), progress=False)
    assert (again.path / "model.safetensors").read_bytes() == (first.path / "model.safetensors").read_bytes()


def test_a_foreign_bert_checkpoint_with_its_own_vocabulary_can_be_the_base(tmp_path, tiny_corpus):
    from transformers import BertConfig, BertForMaskedLM

    chars = sorted({c for d in tiny_corpus.train for t in d.tokens for c in t.text})[:300]
    folder = tmp_path / "bert-like"
    folder.mkdir()
    (folder / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]) + "\n", "utf-8")
    config = BertConfig(vocab_size=305, hidden_size=32, num_hidden_layers=1, num_attention_heads=1,
                        intermediate_size=64, max_position_embeddings=256)
    BertForMaskedLM(config).save_pretrained(folder)
    info = finetune(tiny_corpus, folder, tmp_path / "out", version="0.0.1",
                    settings=TrainSettings(epochs=1, max_steps=2), progress=False)
    assert info.meta["base"] == {"path": str(folder), "foreign": True}
    assert info.meta["encoding"]["max_positions"] == 256
    tags = get_tagger("model", model=str(info.path)).tag(tiny_corpus.dev[0].document)
    assert len(tags) == len(tiny_corpus.dev[0].tokens)


# --- registry -------------------------------------------------------------------------------------

def _copy_with_meta(src: Path, dst: Path, **changes) -> Path:
    shutil.copytree(src, dst)
    meta = json.loads((dst / "meta.json").read_text("utf-8"))
    meta.update(changes)
    (dst / "meta.json").write_text(json.dumps(meta), "utf-8")
    return dst


def test_a_model_trained_on_other_labels_is_refused_with_what_to_do(tmp_path, tiny_models):
    _, _, tagger = tiny_models
    bad = _copy_with_meta(tagger.path, tmp_path / "tagger-9.0.0", labels=list(LABELS[:-1]) + ["stamp"])
    with pytest.raises(registry.ModelMismatch, match=r"another tag set.*\['stamp'\].*\['signature'\].*ogi train"):
        get_tagger("model", model=str(bad))


def test_a_model_for_another_extractor_version_is_refused(tmp_path, tiny_models):
    _, _, tagger = tiny_models
    bad = _copy_with_meta(tagger.path, tmp_path / "tagger-9.0.1", requires={"extractor": ">=9.0,<10"})
    with pytest.raises(registry.ModelMismatch, match=rf"needs extractor >=9.0,<10, this is extractor {__version__}"):
        get_tagger("model", model=str(bad))


def test_an_incomplete_model_directory_is_refused(tmp_path, tiny_models):
    _, _, tagger = tiny_models
    bad = _copy_with_meta(tagger.path, tmp_path / "tagger-9.0.2")
    (bad / "model.safetensors").unlink()
    with pytest.raises(registry.ModelMismatch, match="missing model.safetensors"):
        registry.check(bad)
    with pytest.raises(registry.ModelMismatch, match="no meta.json"):
        registry.check(tmp_path)


def test_default_model_is_the_newest_usable_version(tmp_path, tiny_models):
    _, _, tagger = tiny_models
    for version in ("0.9.0", "0.10.0", "0.2.0"):
        _copy_with_meta(tagger.path, tmp_path / f"tagger-{version}", version=version)
    _copy_with_meta(tagger.path, tmp_path / "tagger-0.11.0", version="0.11.0", labels=["x"])  # unusable
    assert registry.default_model(tmp_path).version == "0.10.0"
    assert registry.resolve("tagger", tmp_path).version == "0.10.0"
    assert registry.resolve("tagger-0.9.0", tmp_path).version == "0.9.0"
    assert registry.next_version("tagger", tmp_path) == "0.11.1"
    with pytest.raises(registry.ModelMismatch, match="no model 'nothing'"):
        registry.resolve("nothing", tmp_path)


# --- the scikit-learn baseline --------------------------------------------------------------------

def test_the_sklearn_tagger_trains_on_a_tiny_set_and_tags(tmp_path, tiny_corpus):
    from extractor.ml.train_sklearn import train_sklearn

    info = train_sklearn(tiny_corpus, tmp_path, version="0.0.1", progress=False)
    assert info.kind == registry.SKLEARN and (info.path / "model.joblib").is_file()
    tagger = get_tagger("sklearn", model=str(info.path))
    assert (tagger.name, tagger.version) == ("sklearn", "0.0.1")
    doc = tiny_corpus.dev[0]
    predicted = [t.label for t in tagger.tag(doc.document)]
    assert len(predicted) == len(doc.tokens)
    assert macro_f1(doc.labels, predicted) > 0.5


def test_tagger_names():
    assert set(TAGGER_NAMES) == {"model", "rules", "sklearn"}
    with pytest.raises(ValueError, match="unknown tagger"):
        get_tagger("crf")


# --- the shipped model ----------------------------------------------------------------------------

SHIPPED = registry.default_model()


def test_the_shipped_model_tags_the_five_seeds_with_macro_f1_of_at_least_098():
    assert SHIPPED is not None, "no trained model in models/: run `ogi train` (see models/README.md)"
    tagger = get_tagger()  # the default: the shipped model
    assert (tagger.name, tagger.version) == (SHIPPED.name, SHIPPED.version)
    gold, predicted = [], []
    for doc_id in SEED_IDS:
        for fmt in ("source", "txt-pipe", "html", "docx"):
            doc = _seed_doc(doc_id, fmt)
            gold += doc.labels
            predicted += [t.label for t in tagger.tag(doc.document)]
    assert len(SEED_IDS) == 5
    assert macro_f1(gold, predicted) >= 0.98


def test_token_masks_mark_first_and_inner_positions_and_the_summary_pools_them():
    from extractor.ml.summary import input_embeddings

    encoded = enc.encode_tokens([Token("总计", line=0), Token("3", line=0, cell=True), Token("", line=1)])
    first, inner = enc.token_masks(encoded)
    # [BOS] | [NL] [P] 总 计 | [C] 0 | [NL] [P] [E] | [EOS]
    assert first == [False, True, False, False, False, True, False, True, False, False, False]
    assert inner == [False, False, True, True, True, False, True, False, True, True, False]
    (span,) = enc.windows(encoded)
    wf, wi = enc.window_masks((first, inner), span)
    assert wf == [False, *first, False] and wi == [False, *inner, False]

    class Embedder:
        def get_input_embeddings(self):
            return lambda ids: ids.unsqueeze(-1).float()  # the embedding of id i is [i]

    ids = torch.arange(len(wf)).unsqueeze(0)
    out = input_embeddings(Embedder(), ids, torch.tensor([wf]), torch.tensor([wi]))[0, :, 0].tolist()
    assert out[2] == 2 + (3 + 4 + 5) / 3  # the first token's [NL] gets the mean of [P] 总 计
    assert out[6] == 6 + 7 and out[8] == 8 + (9 + 10) / 2
    assert out[3] == 3 and out[0] == 0 and out[-1] == len(wf) - 1  # other positions unchanged


def test_a_rendering_of_a_test_split_report_is_refused_by_its_prose():
    test_id = gold_splits()["test"][0]
    leak = _seed_doc(test_id, "html")  # another file, another hash: caught by content
    with pytest.raises(TestSplitLeak, match=rf"prose of {test_id}"):
        check_no_test_documents([leak])
    check_no_test_documents([_seed_doc(doc_id, "html") for doc_id in gold_splits()["train"]])


def test_decoding_keeps_headings_notes_and_titles_where_the_format_allows_them():
    from extractor.ml.constraints import decode

    def probs(first: str, second: str) -> list[float]:
        p = [0.0] * len(LABELS)
        p[LABELS.index(first)], p[LABELS.index(second)] = 0.6, 0.4
        return p

    texts_and_probs = [
        ("某局2024年政府信息公开工作年度报告", probs("title", "prose")),
        ("一、总体情况", probs("section_heading", "prose")),
        ("某局2024年政府信息公开工作年度报告", probs("title", "furniture")),   # a title after a heading
        ("二、主动公开政府信息情况", probs("section_heading", "prose")),
        ("注：单位为万元。", probs("note", "prose")),                       # a note under table 1: kept
        ("一、总体情况", probs("section_heading", "prose")),                  # a heading seen already
        ("五、存在的主要问题及改进情况", probs("section_heading", "prose")),
        ("改进情况：", probs("note", "prose")),                              # no note in section five
        ("三、收到和处理政府信息公开申请情况", probs("section_heading", "prose")),  # out of order
    ]
    tokens = [Token(text=t, line=i) for i, (t, _) in enumerate(texts_and_probs)]
    labels = [LABELS[i] for i, _ in decode(tokens, [p for _, p in texts_and_probs])]
    assert labels == ["title", "section_heading", "furniture", "section_heading", "note", "prose",
                      "section_heading", "prose", "prose"]


def test_a_pulled_annotation_stands_for_its_gold_source_once_in_training(tmp_path):
    import dataclasses
    import shutil

    from extractor.dataset import write_jsonl
    from extractor.ml.data import GOLD_DIR, gather, labelled, load_gold

    gold_dir = tmp_path / "gold"
    shutil.copytree(GOLD_DIR / "seed-000", gold_dir / "seed-000")
    (gold_dir / "splits.json").write_text(json.dumps({"train": ["seed-000"], "dev": [], "test": []}), "utf-8")
    gold = load_gold("seed-000", gold_dir)
    source = gold_dir / "seed-000" / "source.txt"
    from_gold = labelled(source, gold, doc_id="seed-000", origin="gold", layout="source")
    write_jsonl([dataclasses.replace(from_gold, doc_id="synth-1", origin="synth", sha256="0" * 64)],
                tmp_path / "data" / "train.jsonl")
    corrected = dataclasses.replace(from_gold, doc_id="seed-000", origin="annotation",
                                    labels=[Label.PROSE] * len(from_gold.labels))
    write_jsonl([corrected], tmp_path / "annotations" / "project.jsonl")

    corpus = gather(tmp_path / "data", gold_dir=gold_dir, annotations_dir=tmp_path / "annotations",
                    use_gold=True, progress=False)
    same_file = [doc for doc in corpus.train if doc.sha256 == from_gold.sha256]
    assert [doc.origin for doc in same_file] == ["annotation"]  # once, with the annotators' labels
    assert any(doc.origin == "gold" for doc in corpus.train)  # the gold's renderings stay
