"""Rewrite data/sentences.txt from the train and dev seeds: python -m extractor.synth.make_pool"""

from pathlib import Path

from .pool import build

if __name__ == "__main__":
    root = Path(__file__).resolve().parents[2]
    print(build(root / "annotations" / "gold", Path(__file__).resolve().parent / "data" / "sentences.txt"))
