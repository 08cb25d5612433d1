"""The OCR engine: RapidOCR's PP-OCRv4 Chinese models (ONNX, CPU), loaded once per process.

Two calls: `detect` (text line boxes on a page image) and `read_lines` (the
characters of cropped line images, each with its position and probability;
`Line.reading` gives the text of a stretch and its confidence). Recognition is
decoded here rather than by RapidOCR so that the confidence means what review
needs:

- a character's confidence is the probability of its reading, counting
  look-alike codes that read the same (full-width "０" with "0", as the value
  parser folds them), and a text's confidence is its least sure character,
  not the mean (one doubtful digit in "10865" must show);
- a step where the model leaned to "no character" while giving another
  character real weight (a digit that may have been dropped) lowers it too.

Beside the confidence, a digit's *rival* is the most weight the model gave a
different digit where it read that one (an "8" with 3 % on "6"): the one doubt
that can turn into a wrong figure that still looks right, so cells no
consistency rule checks are held to it (`extractor.assemble.tables`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

import numpy as np

from ..normalize import to_halfwidth

REC_HEIGHT = 48  # the recognition model's input height
MAX_REC_WIDTH = 3200  # wider crops are squeezed (a line longer than any printed on A4)
DROPPED_CHAR_SHARE = 0.05  # below this, weight on other characters at a blank step is noise


class Reading(NamedTuple):
    text: str
    confidence: float
    rival: float = 0.0  # the most weight another digit had at any digit of the text


class Glyph(NamedTuple):
    """One recognised character: its text, probability and centre (pixels across the crop), and
    for a digit the most weight any other digit had at its steps (0.0 for other characters)."""

    text: str
    confidence: float
    x: float
    rival: float = 0.0


class Line(NamedTuple):
    """A recognised crop: its characters, and the places where one may have been dropped
    (centre x, probability) — steps read as "no character" that gave another real weight."""

    glyphs: tuple[Glyph, ...]
    doubts: tuple[tuple[float, float], ...]

    def reading(self, start: float = float("-inf"), end: float = float("inf")) -> Reading:
        """The text between `start` and `end` (crop pixels), its confidence (the least sure
        character, lowered by any doubt there) and the strongest rival digit."""
        glyphs = [g for g in self.glyphs if start <= g.x < end]
        confidence = min([g.confidence for g in glyphs] + [1.0 - d for x, d in self.doubts if start <= x < end],
                         default=1.0)
        rival = max((g.rival for g in glyphs), default=0.0)
        return Reading("".join(g.text for g in glyphs), round(confidence, 4), round(rival, 4))


class OcrUnavailable(RuntimeError):
    """The OCR extra is not installed."""


def available() -> bool:
    """True when the OCR extra (RapidOCR and its ONNX runtime) can be imported."""
    try:
        import onnxruntime  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


class Engine:
    """RapidOCR's detector and recogniser sessions (no direction classifier: pages are deskewed)."""

    def __init__(self, threads: int = 0):
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            raise OcrUnavailable("the OCR extra is not installed (scripts/setup installs it)") from exc
        threads_option = threads if threads > 0 else -1
        ocr = RapidOCR(use_cls=False, text_score=0.0, intra_op_num_threads=threads_option,
                       inter_op_num_threads=1 if threads > 0 else -1)
        self._detector = ocr.text_det
        self._recogniser = ocr.text_rec.session
        self.characters: list[str] = list(ocr.text_rec.postprocess_op.character)
        self._fold = fold_groups(self.characters)
        self._digits = digit_groups(self.characters)
        self._lock = threading.Lock()  # ONNX sessions are thread-safe; the detector's post-processing state is not

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        """Text line quadrilaterals (4×2 pixel corners) on a grey page image."""
        bgr = np.repeat(image[:, :, None], 3, axis=2)
        with self._lock:
            boxes, _ = self._detector(bgr)
        return [] if boxes is None else list(boxes)

    def read_lines(self, crops: Sequence[np.ndarray]) -> list[Line]:
        """Each grey crop recognised into characters with their positions and probabilities.

        One crop per run: padding crops to a common width costs more than batching saves.
        """
        lines = []
        for crop in crops:
            image, pad_left = rec_input(crop)
            probs = self._recogniser(image[None])[0][0]
            scale = crop.shape[0] / REC_HEIGHT  # crop pixels per input pixel
            step = image.shape[2] / probs.shape[0] * scale  # crop pixels per output step
            lines.append(decode(probs, self.characters, self._fold, step, -pad_left, self._digits))
        return lines

    def recognise(self, crops: Sequence[np.ndarray]) -> list[Reading]:
        """The text of each grey line image, with its confidence (0..1)."""
        return [line.reading() for line in self.read_lines(crops)]


@cache
def get_engine(threads: int = 0) -> Engine:
    """The process's engine for this thread count (models load once, about a second)."""
    return Engine(threads)


def fold_groups(characters: Sequence[str]) -> list[np.ndarray]:
    """Per class index, the indices of every class that reads as the same text (itself included).

    The group of class 0 ("no character") also holds the spaces: a dropped space loses nothing.
    """
    by_text: dict[str, list[int]] = {}
    for index, char in enumerate(characters):
        if index:
            by_text.setdefault(to_halfwidth(char), []).append(index)
    groups = [np.array([0] + [i for i, char in enumerate(characters) if i and not char.strip()])]
    groups += [np.array(by_text[to_halfwidth(char)]) for char in characters[1:]]
    return groups


def digit_groups(characters: Sequence[str]) -> dict[str, np.ndarray]:
    """Per digit "0".."9", the indices of every class that reads as it (full width included)."""
    groups: dict[str, list[int]] = {}
    for index, char in enumerate(characters):
        folded = to_halfwidth(char)
        if index and len(folded) == 1 and folded in "0123456789":
            groups.setdefault(folded, []).append(index)
    return {digit: np.array(indices) for digit, indices in groups.items()}


def rival_digit(steps: np.ndarray, digit: str, digits: dict[str, np.ndarray]) -> float:
    """The most weight any digit other than `digit` had at these steps (rows of T×C probabilities)."""
    others = [steps[:, indices].sum(axis=1) for other, indices in digits.items() if other != digit]
    return float(np.max(others)) if others else 0.0


def rec_input(crop: np.ndarray) -> tuple[np.ndarray, int]:
    """A grey crop as the recogniser's input (3×48×W, scaled to -1..1), and the white padding
    (crop pixels) added on its left.

    Narrow crops (a lone digit) are first padded with white to a square, so the model sees the
    glyph with its usual margin.
    """
    import cv2

    height, width = crop.shape[:2]
    pad_left = 0
    if width < height:
        pad = height - width
        pad_left = pad // 2
        crop = cv2.copyMakeBorder(crop, 0, 0, pad_left, pad - pad_left, cv2.BORDER_CONSTANT, value=255)
        width = height
    target = min(MAX_REC_WIDTH, max(1, math.ceil(REC_HEIGHT * width / max(1, height))))
    resized = cv2.resize(crop, (target, REC_HEIGHT), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    scaled = resized / 127.5 - 1.0
    return np.repeat(scaled[None], 3, axis=0), pad_left


def decode(probs: np.ndarray, characters: Sequence[str], fold: Sequence[np.ndarray], step: float = 1.0,
           offset: float = 0.0, digits: dict[str, np.ndarray] | None = None) -> Line:
    """Greedy CTC decoding of one crop's class probabilities (T×C).

    A character's probability counts its look-alikes (`fold`) and is the best over its steps;
    its x is the middle of its steps (`step` crop pixels each, shifted by `offset`). A digit's
    rival is the most weight another digit (`digits`, from `digit_groups`) had at its steps.
    """
    digits = digit_groups(characters) if digits is None else digits
    best = probs.argmax(axis=1)
    glyphs: list[Glyph] = []
    emitted = np.zeros(len(best), dtype=np.int64)  # the character class emitted at each step, 0 for none
    t = 0
    while t < len(best):
        cls = int(best[t])
        end = t
        while end + 1 < len(best) and best[end + 1] == cls:
            end += 1
        if cls != 0:
            probability = float(probs[t:end + 1][:, fold[cls]].sum(axis=1).max())
            digit = to_halfwidth(characters[cls])
            rival = rival_digit(probs[t:end + 1], digit, digits) if digit in digits else 0.0
            glyphs.append(Glyph(characters[cls], round(probability, 4), ((t + end + 1) / 2) * step + offset,
                                round(rival, 4)))
            emitted[t:end + 1] = cls
        t = end + 1
    # Blank steps: weight on a character other than the neighbours' may be a dropped character.
    doubts = []
    for t in np.nonzero(best == 0)[0]:
        near = {int(c) for c in fold[0]}
        left = next((emitted[k] for k in range(t - 1, -1, -1) if emitted[k]), 0)
        right = next((emitted[k] for k in range(t + 1, len(best)) if emitted[k]), 0)
        for cls in (left, right):
            near.update(int(c) for c in fold[cls])
        other = float(probs[t].sum() - probs[t, sorted(near)].sum())
        if other > DROPPED_CHAR_SHARE:
            doubts.append(((t + 0.5) * step + offset, round(other, 4)))
    return Line(tuple(glyphs), tuple(doubts))
