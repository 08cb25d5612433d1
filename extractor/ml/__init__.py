"""The learned token classifier: input encoding, vocabulary, pretraining, fine-tuning, model registry.

Needs the `ml` extra (torch, transformers, safetensors, scikit-learn). Modules:
encoding (Document -> marker/character stream and windows), tokenizer (vocab.txt),
data (training data and the test-split guard), examples (windows, batches, masking),
pretrain (masked-LM base), train (fine-tuning), inference (windows -> token labels),
metrics, evaluate (seeds in every format, end to end), registry (versioned model
directories), card (model cards), runtime (seeds, threads, logs).
"""
