"""An LSTM cell by hand. Replace each TODO; run the checks with Ctrl+S."""

import torch


def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """One step: x (N, d_in), h and c (N, d_h) → (h′, c′)."""
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh  # (N, 4·d_h)
    i, f, g, o = z.chunk(4, dim=1)
    # TODO: squash the gates (sigmoid) and the candidate (tanh)
    # TODO: c′ keeps part of c and writes part of g; h′ shows part of tanh(c′)
    return h, c


def lstm_sequence(xs, h, c, W_ih, W_hh, b_ih, b_hh):
    """xs (T, N, d_in) → (all hidden states (T, N, d_h), last cell state (N, d_h))."""
    # TODO: run the cell over the sequence, collecting each h
    return torch.zeros(xs.shape[0], *h.shape, dtype=h.dtype), c
