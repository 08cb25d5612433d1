"""Model input embeddings with a token summary at each token's first position.

A token spans several positions (markers, then characters); its label sits on the first.
The input embedding of that first position gets, added to its own, the mean input
embedding of the token's other positions, so a small model sees the whole token where it
must label it. A model with layout features (`layout`) then gets, at every position of a token,
the sum of its features' embeddings (`graph.LayoutEmbeddings`). Any BERT-style model takes the result as `inputs_embeds`; its own word
embeddings are used, so a foreign checkpoint works the same way.
"""

from __future__ import annotations


def input_embeddings(model, input_ids, first, inner, layout_embeddings=None, layout=None):
    """inputs_embeds for `model`: word embeddings plus, at first positions, the token summary,
    plus, with `layout_embeddings`, the embedded layout features of every position.

    input_ids: (batch, length) long; first, inner: (batch, length) bool, from
    encoding.token_masks / window_masks (positions of a token are contiguous);
    layout: (batch, length, features) integers, from layout.window_features."""
    import torch

    embeddings = model.get_input_embeddings()(input_ids)
    # Segment k = the k-th token of the window: every position after its first one, up to the next first.
    segment = torch.cumsum(first.long(), dim=1)
    batch, length, hidden = embeddings.shape
    # Room for every segment a window can hold (one per position, plus segment 0 before the
    # first token): a bound from the shape, not the data, so the step exports as one graph (ONNX).
    segments = length + 1
    weight = inner.to(embeddings.dtype).unsqueeze(-1)
    index = segment.unsqueeze(-1).expand(-1, -1, hidden)
    sums = torch.zeros(batch, segments, hidden, dtype=embeddings.dtype).scatter_add(1, index, embeddings * weight)
    counts = torch.zeros(batch, segments, dtype=embeddings.dtype).scatter_add(1, segment, inner.to(embeddings.dtype))
    means = sums / counts.clamp(min=1).unsqueeze(-1)
    summary = torch.gather(means, 1, index) * first.to(embeddings.dtype).unsqueeze(-1)
    embeddings = embeddings + summary
    if layout_embeddings is not None:
        embeddings = embeddings + layout_embeddings(layout)
    return embeddings
