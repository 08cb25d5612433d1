"""Page images before reading: grey levels, ink, skew, ruling lines.

Pure functions over numpy arrays (uint8 grey images, 0 black .. 255 white;
masks are uint8 0/255). Lengths are in pixels; callers convert from points
with the page's resolution.
"""

from __future__ import annotations

import cv2
import numpy as np


def to_gray(image: np.ndarray) -> np.ndarray:
    """A uint8 grey image from grey, RGB(A) or boolean input."""
    if image.dtype == bool:
        return np.where(image, 0, 255).astype(np.uint8)
    if image.ndim == 3:
        code = cv2.COLOR_RGBA2GRAY if image.shape[2] == 4 else cv2.COLOR_RGB2GRAY
        image = cv2.cvtColor(image, code)
    return np.ascontiguousarray(image, dtype=np.uint8)


def resample(gray: np.ndarray, factor: float) -> np.ndarray:
    """The image scaled by `factor` (cubic when enlarging, area averaging when shrinking)."""
    if abs(factor - 1.0) < 1e-3:
        return gray
    size = (max(1, round(gray.shape[1] * factor)), max(1, round(gray.shape[0] * factor)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA)


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Ink pixels (255) of a page, by Otsu's threshold.

    The threshold is chosen on a median-filtered copy (speckle does not move
    it) but applied to the image itself: the filter would erase ruling lines
    one pixel thin.
    """
    level, _ = cv2.threshold(cv2.medianBlur(gray, 3), 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return cv2.threshold(gray, level, 255, cv2.THRESH_BINARY_INV)[1]


def _profile_score(xs: np.ndarray, ys: np.ndarray, degrees: float, height: int) -> float:
    """Sharpness of the row profile of ink points rotated by `degrees` (text lines align: high)."""
    angle = np.deg2rad(degrees)
    rows = np.round(ys * np.cos(angle) - xs * np.sin(angle)).astype(np.int64)
    rows -= rows.min()
    counts = np.bincount(rows, minlength=height)
    return float(np.dot(counts, counts))


def estimate_skew(ink: np.ndarray, max_degrees: float = 4.0, step: float = 0.02,
                  sample: int = 200_000) -> float:
    """The page's tilt in degrees (positive: turned counter-clockwise, text runs uphill to the right).

    The angle at which ink rows are sharpest (projection profile), searched
    coarsely over ±max_degrees and then finely around the best coarse angle.
    """
    ys, xs = np.nonzero(ink)
    if len(xs) < 100:
        return 0.0
    if len(xs) > sample:
        pick = np.random.default_rng(0).choice(len(xs), sample, replace=False)
        xs, ys = xs[pick], ys[pick]
    xs = xs.astype(np.float64) - ink.shape[1] / 2
    ys = ys.astype(np.float64)
    height = ink.shape[0] * 2

    def best(angles: np.ndarray) -> float:
        return float(max(angles, key=lambda a: _profile_score(xs, ys, -a, height)))

    coarse = best(np.arange(-max_degrees, max_degrees + 1e-9, 0.25))
    return best(np.arange(coarse - 0.25, coarse + 0.25 + 1e-9, step))


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    """The image turned by `degrees` counter-clockwise about its centre, same size, white fill."""
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def deskew(gray: np.ndarray, min_degrees: float = 0.05) -> tuple[np.ndarray, float]:
    """(the page straightened, the tilt found); pages tilted less than `min_degrees` stay as they are."""
    skew = estimate_skew(ink_mask(gray))
    if abs(skew) < min_degrees:
        return gray, 0.0
    return rotate(gray, -skew), skew


def ruling_masks(ink: np.ndarray, min_length: int) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal, vertical) ruling-line pixels: ink runs at least `min_length` long.

    Runs shorter than that (letter strokes) are dropped by a morphological
    opening; a small closing first bridges gaps that noise or faint printing
    leave in a line.
    """
    min_length = max(3, int(min_length))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    horizontal = cv2.morphologyEx(horizontal, cv2.MORPH_OPEN,
                                  cv2.getStructuringElement(cv2.MORPH_RECT, (min_length, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    vertical = cv2.morphologyEx(vertical, cv2.MORPH_OPEN,
                                cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_length)))
    return horizontal, vertical


SPECK_AREA = 3  # ink of at most this many pixels standing alone is a speck of the scan


def despeckle(gray: np.ndarray, median: np.ndarray | None = None, max_area: int = SPECK_AREA) -> np.ndarray:
    """The page median-filtered (speckle gone; `median`, when the caller has it), with the strokes
    the filter erased put back: a stroke one or two pixels thin (三 and 一 of body text at 200 dpi,
    read as 「·」 or not at all) is ink of the scan (`ink_mask`'s threshold) that the filtered copy
    shows as paper, in a blob of more than `max_area` pixels (a speck is less)."""
    median = cv2.medianBlur(gray, 3) if median is None else median
    level, _ = cv2.threshold(median, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    ink = cv2.threshold(gray, level, 255, cv2.THRESH_BINARY_INV)[1]
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] > max_area
    keep[0] = False
    erased = keep[labels] & (median > level)
    out = median.copy()
    out[erased] = gray[erased]
    return out


def erase(gray: np.ndarray, mask: np.ndarray, grow: int = 2) -> np.ndarray:
    """The image with the mask's pixels (grown by `grow`) painted white: ruling lines out of crops."""
    if grow > 0:
        mask = cv2.dilate(mask, np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    out = gray.copy()
    out[mask > 0] = 255
    return out


def ink_boxes(ink: np.ndarray, min_size: int) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, top, x1, bottom) of ink blobs at least `min_size` wide or tall (specks left out)."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    boxes = []
    for x, y, w, h, _ in stats[1:count]:
        if max(w, h) >= min_size:
            boxes.append((int(x), int(y), int(x + w), int(y + h)))
    return boxes
