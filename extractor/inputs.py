"""The files a command was given: files as named, and every report file under each folder."""

from __future__ import annotations

import os
from pathlib import Path


def expand_inputs(inputs: tuple[str, ...]) -> list[str]:
    """Files as given, and every supported file under each folder (sorted, symlink loops skipped)."""
    from .loaders import supported

    paths: list[str] = []
    for given in inputs:
        if not os.path.isdir(given):
            paths.append(given)
            continue
        found = []
        seen_dirs: set[tuple[int, int]] = set()
        for root, dirs, files in os.walk(given, followlinks=True):
            st = os.stat(root)
            if (st.st_dev, st.st_ino) in seen_dirs:  # a symlink loop: do not go round again
                dirs[:] = []
                continue
            seen_dirs.add((st.st_dev, st.st_ino))
            dirs.sort()
            found += [os.path.join(root, f) for f in files if supported(Path(f))]
        paths += sorted(found)
    return paths
