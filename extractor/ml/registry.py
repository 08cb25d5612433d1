"""Versioned model directories: models/<name>-<version>/ with a meta.json that says what it is.

    models/tagger-0.1.0/   config.json, model.safetensors, tokenizer files, meta.json, README.md, train.log
    models/base-0.1.0/     the masked-language-model base the tagger was fine-tuned from
    models/sklearn-0.1.0/  model.joblib, meta.json, README.md

meta.json holds name, version, kind, labels, the extractor versions the model works with,
the encoding it was trained with, training data hash, seed, hyperparameters, metrics and
library versions. `check` refuses a directory that does not fit this code, naming the
mismatch and what to do about it.
"""

from __future__ import annotations

import json
import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from .. import __version__
from ..labels import LABELS

MODELS_ENV = "OGI_MODELS_DIR"
META_FILE = "meta.json"
DEFAULT_TAGGER = "tagger"  # the model name `ogi extract` uses unless told otherwise

BASE, TOKEN_CLASSIFIER, SKLEARN = "base", "token-classifier", "sklearn"
KINDS = (BASE, TOKEN_CLASSIFIER, SKLEARN)
_WEIGHTS = ("config.json", "model.safetensors")
_TOKENIZER = ("tokenizer_config.json",)
REQUIRED_FILES = {BASE: _WEIGHTS + _TOKENIZER, TOKEN_CLASSIFIER: _WEIGHTS + _TOKENIZER, SKLEARN: ("model.joblib",)}


class ModelMismatch(ValueError):
    """A model directory that this code cannot use; the message says why and what to do."""


@dataclass(frozen=True)
class ModelInfo:
    path: Path
    meta: dict

    @property
    def name(self) -> str:
        return self.meta["name"]

    @property
    def version(self) -> str:
        return self.meta["version"]

    @property
    def kind(self) -> str:
        return self.meta["kind"]

    @property
    def id(self) -> str:
        return f"{self.name}-{self.version}"


def models_dir() -> Path:
    """Where models live: $OGI_MODELS_DIR, else the repository's models/ folder."""
    env = os.environ.get(MODELS_ENV)
    return Path(env) if env else Path(__file__).resolve().parents[2] / "models"


def compatible_range(version: str = __version__) -> str:
    """The extractor versions a model trained now works with: same major.minor."""
    v = Version(version)
    return f">={v.major}.{v.minor}.0,<{v.major}.{v.minor + 1}.0"


def library_versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version(), "extractor": __version__}
    for lib in ("torch", "transformers", "scikit-learn", "numpy"):
        try:
            out[lib] = md.version(lib)
        except md.PackageNotFoundError:
            pass
    return out


def version_key(version: str) -> Version:
    try:
        return Version(version)
    except InvalidVersion:
        return Version("0")


def read_meta(path: Path) -> dict:
    meta_path = Path(path) / META_FILE
    if not meta_path.is_file():
        raise ModelMismatch(f"{path}: no {META_FILE}; this is not a model directory made by `ogi train` "
                            "(train one with `ogi train`, or pass the right folder)")
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelMismatch(f"{meta_path}: unreadable ({exc}); retrain the model with `ogi train`") from None
    missing = [k for k in ("name", "version", "kind", "labels", "requires") if k not in meta]
    if missing:
        raise ModelMismatch(f"{meta_path}: missing {', '.join(missing)}; retrain the model with `ogi train`")
    return meta


def check(path: Path | str, kind: str | tuple[str, ...] | None = None) -> ModelInfo:
    """The model at `path` if this code can use it, else ModelMismatch saying why and what to do."""
    from .encoding import ENCODING_VERSION

    path = Path(path)
    meta = read_meta(path)
    where = f"model {meta['name']}-{meta['version']} ({path})"
    kinds = (kind,) if isinstance(kind, str) else kind
    if kinds and meta["kind"] not in kinds:
        raise ModelMismatch(f"{where} is a {meta['kind']} model, not {' or '.join(kinds)}")
    if list(meta["labels"]) != list(LABELS):
        extra = [x for x in meta["labels"] if x not in LABELS]
        lacking = [x for x in LABELS if x not in meta["labels"]]
        detail = (f"it has labels {extra} this code does not know and lacks {lacking}" if extra or lacking
                  else "its labels are in a different order")
        raise ModelMismatch(f"{where} was trained on another tag set than extractor.labels.LABELS: {detail}; "
                            "retrain it with `ogi train`, or use the extractor version it was made for "
                            f"({meta['requires'].get('extractor', '?')})")
    spec = meta["requires"].get("extractor", "")
    try:
        fits = Version(__version__) in SpecifierSet(spec)
    except (InvalidSpecifier, InvalidVersion):
        fits = False
    if not fits:
        raise ModelMismatch(f"{where} needs extractor {spec or '(unstated)'}, this is extractor {__version__}; "
                            "install a matching extractor version, or retrain the model with `ogi train`")
    if meta["kind"] in (BASE, TOKEN_CLASSIFIER):
        enc = (meta.get("encoding") or {}).get("version")
        if enc != ENCODING_VERSION:
            raise ModelMismatch(f"{where} reads input encoding version {enc}, this code writes version "
                                f"{ENCODING_VERSION}; retrain the model with `ogi train`")
        from .layout import LAYOUT_FILE, UnknownFeature, check_features

        features = (meta.get("encoding") or {}).get("layout") or ()
        try:
            check_features(features)
        except UnknownFeature as exc:
            raise ModelMismatch(f"{where}: {exc}; use the extractor version it was made for, or retrain it") from None
        if features and not (path / LAYOUT_FILE).is_file():
            raise ModelMismatch(f"{where} reads layout features but is missing {LAYOUT_FILE}; "
                                "copy the whole model directory again, or retrain it with `ogi train`")
    absent = [f for f in REQUIRED_FILES.get(meta["kind"], ()) if not (path / f).is_file()]
    if absent:
        raise ModelMismatch(f"{where} is incomplete: missing {', '.join(absent)}; "
                            "copy the whole model directory again, or retrain it with `ogi train`")
    return ModelInfo(path, meta)


def list_models(root: Path | None = None, kind: str | None = None) -> list[ModelInfo]:
    """Every model directory under `root` (readable meta.json), by name then version."""
    root = Path(root) if root is not None else models_dir()
    found = []
    for path in sorted(root.glob("*/" + META_FILE)) if root.is_dir() else []:
        try:
            meta = read_meta(path.parent)
        except ModelMismatch:
            continue
        if kind is None or meta["kind"] == kind:
            found.append(ModelInfo(path.parent, meta))
    return sorted(found, key=lambda m: (m.name, version_key(m.version)))


def usable(info: ModelInfo) -> str | None:
    """None when this code can use the model, else why not."""
    try:
        check(info.path)
    except ModelMismatch as exc:
        return str(exc)
    return None


def newest(name: str, root: Path | None = None, kind: str | None = None, *, compatible: bool = True
           ) -> ModelInfo | None:
    """The highest version of model `name` (that this code can use, unless compatible=False)."""
    candidates = [m for m in list_models(root, kind) if m.name == name and (not compatible or usable(m) is None)]
    return max(candidates, key=lambda m: version_key(m.version), default=None)


def default_model(root: Path | None = None) -> ModelInfo | None:
    """The newest usable version of the shipped token classifier, or None when there is none."""
    return newest(DEFAULT_TAGGER, root, TOKEN_CLASSIFIER)


def resolve(ref: str | Path, root: Path | None = None, kind: str | tuple[str, ...] | None = None) -> ModelInfo:
    """A model by directory path, by id ("tagger-0.1.0") or by name ("tagger": its newest version)."""
    path = Path(ref)
    if path.is_dir():
        return check(path, kind)
    root = Path(root) if root is not None else models_dir()
    if (root / str(ref)).is_dir():
        return check(root / str(ref), kind)
    kinds = (kind,) if isinstance(kind, str) else kind
    named = [m for m in list_models(root) if m.name == str(ref) and (not kinds or m.kind in kinds)]
    if named:
        best = max(named, key=lambda m: version_key(m.version))
        fitting = [m for m in named if usable(m) is None]
        if not fitting:
            return check(best.path, kind)  # raises, naming the mismatch
        return max(fitting, key=lambda m: version_key(m.version))
    known = ", ".join(m.id for m in list_models(root)) or "none"
    raise ModelMismatch(f"no model {str(ref)!r} in {root} (models there: {known}); "
                        "train one with `ogi train`, or give a model directory")


def next_version(name: str, root: Path | None = None) -> str:
    """0.1.0 for a new name, else the newest version with its last part raised by one."""
    top = newest(name, root, compatible=False)
    if top is None:
        return "0.1.0"
    parts = list(version_key(top.version).release) + [0, 0]
    return f"{parts[0]}.{parts[1]}.{parts[2] + 1}"


def model_dir_name(name: str, version: str) -> str:
    name_ok = re.fullmatch(r"[A-Za-z][\w.]*", name)
    try:
        Version(version)
    except InvalidVersion:
        name_ok = None
    if not name_ok:
        raise ValueError(f"model name {name!r} / version {version!r}: use letters, digits and '_' for the name "
                         "and a version like 0.1.0")
    return f"{name}-{version}"


def write_meta(path: Path, meta: dict) -> None:
    Path(path).mkdir(parents=True, exist_ok=True)
    (Path(path) / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8")


def base_meta(name: str, version: str, kind: str) -> dict:
    """The fields every meta.json starts with."""
    return {"name": name, "version": version, "kind": kind, "labels": list(LABELS),
            "requires": {"extractor": compatible_range()}, "libraries": library_versions()}
