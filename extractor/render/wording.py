"""Fixed wording of the national table format, and its conversion to traditional script.

The schema carries every row, column and section label; the layout-only texts
come from `extractor.vocabulary`, the one place they are written.
"""

from __future__ import annotations

from functools import cache

import opencc

from ..vocabulary import APPLICANTS_HEADER as APPLICANT
from ..vocabulary import APPLICATIONS_NOTE as BALANCE_NOTE
from ..vocabulary import DISCLOSURE_ITEM_HEADER as INFO_CONTENT
from ..vocabulary import LEGAL_PERSONS_HEADER as LEGAL_PERSON
from ..vocabulary import REPORT_NAME
from ..vocabulary import RESULTS_GROUP as RESULTS

# Re-exported: the renderers and tests read the layout-only wording from here.
__all__ = ["APPLICANT", "BALANCE_NOTE", "INFO_CONTENT", "LEGAL_PERSON", "OPENCC_CONFIGS", "REPORT_NAME", "RESULTS",
           "SCRIPTS", "localize"]

SCRIPTS = ("simplified", "traditional")
OPENCC_CONFIGS = ("s2t", "s2tw", "s2hk")


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def localize(text: str, script: str, config: str = "s2t") -> str:
    """Fixed label text in the report's script (traditional via OpenCC `config`)."""
    if script == "simplified":
        return text
    if script != "traditional":
        raise ValueError(f"unknown script {script!r} (expected one of {SCRIPTS})")
    return _converter(config).convert(text)
