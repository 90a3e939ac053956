"""An LSTM cell by hand: a reference solution."""

import torch


def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """One step: x (N, d_in), h and c (N, d_h) → (h′, c′)."""
    z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh  # (N, 4·d_h)
    i, f, g, o = z.chunk(4, dim=1)
    i, f, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)
    g = torch.tanh(g)
    c = f * c + i * g
    h = o * torch.tanh(c)
    return h, c


def lstm_sequence(xs, h, c, W_ih, W_hh, b_ih, b_hh):
    """xs (T, N, d_in) → (all hidden states (T, N, d_h), last cell state (N, d_h))."""
    states = []
    for x in xs:
        h, c = lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh)
        states.append(h)
    return torch.stack(states), c
