"""Bulk extraction that never loses work: a results store, resume, exports, local or Ray workers.

    run.py         one run: hash inputs, plan against the store, extract, store each outcome
    stream.py      extraction without a store: the same engine, results in input order
    plan.py        hashing and the extract-or-keep decision (pure)
    store.py       the SQLite results store (schema, transactions)
    job.py         the per-file function every engine runs (`extract_one`)
    workers.py     the local engine: worker processes with timeouts, recycling, memory caps
    ray_engine.py  the Ray engine: the same function on Ray actors
    export.py      CSV / XLSX / Parquet tables for analysts
    status.py      counts and commonest errors of a store
    commands.py    the click glue for `ogi extract` (with and without --store), `ogi export`, `ogi status`
"""

from importlib import import_module

# Exports are imported on first use, so `ogi --help` does not load the pipeline.
_EXPORTS = {"ModelInfo": "job", "TaggerSpec": "job", "BulkSettings": "run", "RunReport": "run", "run_bulk": "run",
            "Store": "store", "StoreError": "store", "EngineError": "workers", "extract_in_order": "stream"}
__all__ = ["BulkSettings", "EngineError", "ModelInfo", "RunReport", "Store", "StoreError", "TaggerSpec",
           "extract_in_order", "run_bulk"]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
