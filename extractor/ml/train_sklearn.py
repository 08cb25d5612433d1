"""Training the scikit-learn baseline tagger (extractor.tagging.sklearn_tagger) into models/sklearn-<version>/."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from ..labels import LABELS
from ..tagging.sklearn_tagger import MODEL_FILE, SklearnTagger, token_features
from . import registry
from .data import Corpus
from .metrics import scores
from .runtime import close_logger, file_logger


@dataclass(frozen=True)
class SklearnSettings:
    c: float = 4.0  # inverse regularisation of the logistic regression
    max_iter: int = 2000
    class_weight: str | None = "balanced"
    seed: int = 0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _evaluate(tagger: SklearnTagger, docs) -> dict:
    gold, predicted = [], []
    for doc in docs:
        gold += [label.value for label in doc.labels]
        predicted += [tag.label.value for tag in tagger.tag(doc.document)]
    return scores(gold, predicted)


def train_sklearn(corpus: Corpus, out_dir: Path, *, name: str = "sklearn", version: str = "0.1.0",
                  settings: SklearnSettings = SklearnSettings(), progress: bool = True) -> registry.ModelInfo:
    """Fit a logistic regression on the token features of corpus.train; score on dev and test."""
    import joblib
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from tqdm import tqdm

    from . import card

    target = Path(out_dir) / registry.model_dir_name(name, version)
    target.mkdir(parents=True, exist_ok=True)
    log = file_logger(target / "train.log", f"{name}-{version}")
    started = time.perf_counter()
    try:
        features, labels = [], []
        for doc in tqdm(corpus.train, desc="features", unit="doc", disable=not progress):
            features += token_features(doc.document)
            labels += [LABELS.index(label.value) for label in doc.labels]
        vectorizer = DictVectorizer()
        matrix = vectorizer.fit_transform(features)
        log.info("training %s-%s: %d documents, %d tokens, %d features", name, version, len(corpus.train),
                 len(labels), len(vectorizer.feature_names_))
        classifier = LogisticRegression(C=settings.c, max_iter=settings.max_iter, class_weight=settings.class_weight,
                                        random_state=settings.seed)
        classifier.fit(matrix, labels)
        joblib.dump({"vectorizer": vectorizer, "classifier": classifier}, target / MODEL_FILE, compress=3)
        meta = registry.base_meta(name, version, registry.SKLEARN)
        meta.update({"description": "logistic regression over token and neighbour features",
                     "seed": settings.seed, "hyperparameters": settings.to_dict(), "data": corpus.summary(),
                     "features": len(vectorizer.feature_names_), "metrics": {}})
        registry.write_meta(target, meta)
        tagger = SklearnTagger(target)
        if corpus.dev:
            meta["metrics"]["dev"] = _evaluate(tagger, corpus.dev)
            log.info("dev: %s", meta["metrics"]["dev"])
        if corpus.test:
            meta["metrics"]["synthetic_test"] = _evaluate(tagger, corpus.test)
            log.info("held-out synthetic test: %s", meta["metrics"]["synthetic_test"])
        meta["training_seconds"] = round(time.perf_counter() - started, 1)
        log.info("done in %.1f s", meta["training_seconds"])
        registry.write_meta(target, meta)
        card.write_card(target, meta)
    finally:
        close_logger(log)
    return registry.check(target, registry.SKLEARN)
