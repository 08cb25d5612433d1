"""The `ogi` command line."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ogi")
def main() -> None:
    """Extract annual reports on open government information (政府信息公开工作年度报告)."""


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write one JSON result per line to this file (JSON Lines), in input order.")
@click.option("--tagger", "tagger_name", default="rules", show_default=True,
              help="Which tagger labels the tokens.")
def extract(inputs: tuple[str, ...], output: str | None, tagger_name: str) -> None:
    """Extract report files (PDF, DOCX, DOC, HTML, TXT) and folders of them.

    One file without -o prints its result as JSON. Otherwise every result is one
    JSON line, to -o or to standard output. Exit status: 0 when every file was
    extracted (ok or needs_review), 1 when any failed, 2 for a usage error.
    """
    from tqdm import tqdm

    from .pipeline import extract as extract_file
    from .tagging import get_tagger

    try:
        tagger = get_tagger(tagger_name)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    paths = expand_inputs(inputs)
    if not paths:
        raise click.UsageError("no supported files found under the given folders (.pdf .docx .doc .html .htm .txt)")
    any_failed = False
    if len(paths) == 1 and output is None and not os.path.isdir(inputs[0]):
        result = extract_file(paths[0], tagger=tagger)
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        sys.exit(1 if result["status"] == "failed" else 0)
    sink = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        progress = tqdm(paths, desc="extracting", unit="file", file=sys.stderr, disable=None if output else True)
        for path in progress:
            result = extract_file(path, tagger=tagger)
            any_failed |= result["status"] == "failed"
            sink.write(json.dumps(result, ensure_ascii=False) + "\n")
            sink.flush()
            if result["status"] == "failed":
                progress.write(f"failed: {path}: {'; '.join(result['errors'])}", file=sys.stderr)
    finally:
        if output:
            sink.close()
    sys.exit(1 if any_failed else 0)


if __name__ == "__main__":
    main()
