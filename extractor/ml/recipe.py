"""`ogi train` from start to end: data, base model, fine-tuning, evaluation, model card.

    gather data (synthetic + gold train split + annotations; never the test split)
      -> pretrain models/base-<v>/ (unless --base names an existing checkpoint)
      -> fine-tune models/<name>-<v>/
      -> score on the gold seeds in every format, and end to end against the rules tagger
      -> meta.json and README.md with every figure
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import registry
from .data import CACHE_DIR, Corpus, gather
from .layout import ALL_FEATURES, NO_LAYOUT
from .messiest import messiest_metrics
from .pretrain import ModelSize, PretrainSettings
from .train import TrainSettings

LIMITATIONS = [
    ("Trained on synthetic reports rendered from the national table layouts plus two hand-annotated "
     "reports; real reports with unusual layouts (scans, free-form tables, several reports in one "
     "file) are under-represented."),
    ("Token labels only: figures are still placed by the table assembly, and a wrong label can move or "
     "drop a cell; the consistency checks catch most such cases as needs_review."),
    "Texts longer than head+tail characters are read by their first and last characters only.",
    ("Section bodies: a prose line that names the issuing body and the year (a sub-heading such as "
     "「（四）某局2024年度政务公开工作创新情况」) can be taken for a running page header and left out of "
     "its section body, and a body that is only 「无」 can be dropped; headings, figures and report "
     "fields are not affected. The rules tagger does not make these mistakes (compare `ogi extract "
     "--tagger rules`)."),
]


@dataclass(frozen=True)
class Recipe:
    tagger: str = "model"  # "model" (BERT token classifier) or "sklearn"
    name: str | None = None  # model name; default "tagger" / "sklearn"
    version: str | None = None  # default: next free version of the name
    base: str | None = None  # existing base checkpoint (id, name or folder); None: pretrain one
    data_dir: Path | None = None  # train/dev/test JSONL; None: generate synthetic data
    n_docs: int = 400  # synthetic reports to generate
    workers: int = 2
    seed: int = 0
    size: ModelSize = field(default_factory=ModelSize)
    pretrain_epochs: int = 3
    epochs: int = 5
    out: Path | None = None
    cache_dir: Path = CACHE_DIR
    use_gold: bool = True
    evaluate_seeds: bool = True
    force: bool = False
    max_steps: int | None = None  # for tests: cap pretraining and fine-tuning steps
    threads: int = 2  # torch threads; results are reproducible for the same seed and thread count
    layout: bool = False  # embed the tokens' layout features (layout.ALL_FEATURES)

    @property
    def model_name(self) -> str:
        return self.name or (registry.DEFAULT_TAGGER if self.tagger == "model" else "sklearn")

    def command(self) -> str:
        parts = ["ogi train", f"--tagger {self.tagger}", f"--name {self.model_name}", f"--seed {self.seed}",
                 f"--threads {self.threads}"]
        if self.version:
            parts.append(f"--version {self.version}")
        if self.tagger == "model":
            parts += [f"--epochs {self.epochs}", f"--pretrain-epochs {self.pretrain_epochs}",
                      f"--hidden {self.size.hidden}", f"--layers {self.size.layers}"]
            if self.base:
                parts.append(f"--base {self.base}")
            if self.layout:
                parts.append("--layout")
        parts.append(f"--data {self.data_dir}" if self.data_dir else f"--docs {self.n_docs}")
        if not self.use_gold:
            parts.append("--no-gold")
        return " ".join(parts)


def _prepare(target: Path, force: bool) -> None:
    if target.exists():
        if not force:
            raise FileExistsError(f"{target} exists; choose another --version, or --force to replace it")
        shutil.rmtree(target)


def run(recipe: Recipe, progress: bool = True, log=print) -> registry.ModelInfo:
    """Train per the recipe; returns the new model's info (meta.json has every figure)."""
    out = Path(recipe.out) if recipe.out is not None else registry.models_dir()
    name = recipe.model_name
    version = recipe.version or registry.next_version(name, out)
    target = out / registry.model_dir_name(name, version)
    _prepare(target, recipe.force)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    corpus = gather(recipe.data_dir, n_docs=recipe.n_docs, seed=recipe.seed, workers=recipe.workers,
                    cache_dir=recipe.cache_dir, use_gold=recipe.use_gold, progress=progress)
    timings["data"] = round(time.perf_counter() - started, 1)
    summary = corpus.summary()
    log(f"data: {summary['train']['documents']} train / {summary['dev']['documents']} dev / "
        f"{summary['test']['documents']} test documents ({'; '.join(summary['sources'])})")
    if recipe.tagger == "sklearn":
        from .train_sklearn import SklearnSettings, train_sklearn

        t = time.perf_counter()
        info = train_sklearn(corpus, out, name=name, version=version, settings=SklearnSettings(seed=recipe.seed),
                             progress=progress)
        timings["train"] = round(time.perf_counter() - t, 1)
    elif recipe.tagger == "model":
        info = _train_model(recipe, corpus, out, name, version, timings, progress, log)
    else:
        raise ValueError(f"unknown tagger kind {recipe.tagger!r}: model or sklearn")
    meta = dict(info.meta)
    if recipe.evaluate_seeds:
        t = time.perf_counter()
        meta["metrics"].update(seed_metrics(info))
        meta["metrics"]["messiest"] = messiest_metrics(info.path, seed=recipe.seed, cache_dir=recipe.cache_dir,
                                                       kind="sklearn" if info.kind == registry.SKLEARN else "model")
        timings["evaluate"] = round(time.perf_counter() - t, 1)
    timings["total"] = round(time.perf_counter() - started, 1)
    meta.update({"command": recipe.command(), "timings_seconds": timings, "limitations": LIMITATIONS})
    registry.write_meta(info.path, meta)
    from .card import write_card

    write_card(info.path, meta)
    return registry.check(info.path)


def _train_model(recipe: Recipe, corpus: Corpus, out: Path, name: str, version: str, timings: dict,
                 progress: bool, log) -> registry.ModelInfo:
    from .pretrain import pretrain
    from .train import finetune

    base = recipe.base
    if base is None:
        base_target = out / registry.model_dir_name("base", version)
        _prepare(base_target, recipe.force)
        t = time.perf_counter()
        settings = PretrainSettings(size=recipe.size, epochs=recipe.pretrain_epochs, seed=recipe.seed,
                                    max_steps=recipe.max_steps, threads=recipe.threads)
        base_info = pretrain([d.tokens for d in corpus.train + corpus.dev], out, name="base", version=version,
                             settings=settings, data=corpus.summary(), progress=progress)
        timings["pretrain"] = round(time.perf_counter() - t, 1)
        log(f"base model: {base_info.path} (masked-LM loss {base_info.meta['metrics']['final_mlm_loss']})")
        base = str(base_info.path)
    t = time.perf_counter()
    info = finetune(corpus, base, out, name=name, version=version,
                    settings=TrainSettings(epochs=recipe.epochs, seed=recipe.seed, max_steps=recipe.max_steps,
                                           threads=recipe.threads,
                                           layout=ALL_FEATURES if recipe.layout else NO_LAYOUT),
                    progress=progress, models_root=out)
    timings["finetune"] = round(time.perf_counter() - t, 1)
    return info


def seed_metrics(info: registry.ModelInfo) -> dict:
    """Token scores of the model on the gold seeds in every format; end-to-end cells vs the rules tagger."""
    from ..tagging import get_tagger
    from .evaluate import evaluate_taggers, seed_documents

    kind = "sklearn" if info.kind == registry.SKLEARN else "model"
    docs = seed_documents()
    results = evaluate_taggers({"model": get_tagger(kind, model=str(info.path)), "rules": get_tagger("rules")}, docs)
    return {"seeds": results["model"]["tokens"], "seeds_rules": results["rules"]["tokens"]["all"],
            "end_to_end": {f"{info.name}-{info.version}": results["model"]["end_to_end"],
                           "rules": results["rules"]["end_to_end"]}}

