"""The annotation loop with Label Studio: pre-annotated tasks out, corrected token labels back.

- `config`: the labelling interface (one label per value of `labels.Label`).
- `tasks`: pure conversions between a document and a task (text, token
  offsets, prediction spans, spans back to token labels).
- `gold`: a gold result from corrected labels, through the pipeline's assembly.
- `changes`: how many token labels annotators changed against the model.
- `client`: the few Label Studio calls we make (label-studio-sdk 2.x).
- `push`, `pull`, `cli`: `ogi annotate push|pull|config`.
"""
