"""The HTTP service (`ogi serve`): extraction and batch jobs over a documented API.

    app.py       create_app(settings): the FastAPI routes, errors, authentication
    settings.py  ServiceSettings, one validated dataclass
    taggers.py   tagger= / model= resolved to a canonical tagger without loading it
    pool.py      the bulk worker pool (LocalEngine) on its own thread, fed by requests
    uploads.py   multipart uploads streamed to disk under a size limit, file types checked
    jobs.py      jobs kept in the results store's SQLite file; resume after a restart
    metrics.py   request and extraction metrics in the Prometheus text format
    command.py   the `ogi serve` command

Needs the `service` extra (fastapi, uvicorn, python-multipart).
"""
