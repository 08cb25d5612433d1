"""Labelled synthetic reports: training and evaluation data for the token classifiers.

    gold = random_gold(random.Random(7))                     # a random report, gold format
    sample = make_sample(random.Random(7), "d7", out_dir)     # rendered, loaded, labelled
    generate_corpus("data/synth", n_docs=300, seed=1, workers=2)

The chain, one idea per module:
    names      issuing bodies (places + body types)
    figures    table figures that hold every consistency rule, or break one on purpose
    pool       real sentences from the train/dev seeds (data/sentences.txt) and templates
    script     traditional script and inline pinyin
    prose      headings, section bodies, title, preamble, signature, attachments, notes
    gold       random_gold: all of the above as a gold dict
    recipe     how a report is printed: format, render options, blank marks, mess
    cell_mess  mess in table cells (any format): lost header words, full-width digits …
    mess       mess in plain-text copies: wrapped cells, shifted figures, delimiters …
    html_pages more web-page templates
    sample     one document: render, load (extractor.loaders), label (extractor.labelling)
    corpus     generate_corpus: splits, manifest, worker processes
    wordings   rows and headings worded as real reports word them, added 其中 rows, prose quoting labels
    ocr_noise  OCR look-alikes in figures, labels and prose (1O, l.属于…, □)
    challenge  the frozen challenge set (annotations/challenge), from seeds no training data uses
"""

from .corpus import generate_corpus
from .gold import random_gold
from .recipe import Recipe, random_recipe
from .sample import Sample, make_sample

__all__ = ["Recipe", "Sample", "generate_corpus", "make_sample", "random_gold", "random_recipe"]
