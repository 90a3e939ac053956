"""Elman RNN forward and back-propagation through time. Replace each TODO."""

import torch


def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    """x (T, N, d_in), h0 (N, d_h) → all hidden states H (T, N, d_h)."""
    states = []
    h = h0
    for t in range(x.shape[0]):
        # TODO: the recurrence also feeds the previous state through W_hh
        h = torch.tanh(x[t] @ W_ih.T + b_ih)
        states.append(h)
    return torch.stack(states)


def rnn_bptt(x, h0, W_ih, W_hh, b_ih, b_hh, g):
    """Gradients of L = Σ g ⊙ h_T: (dW_ih, dW_hh, db_ih, db_hh, dh0)."""
    H = rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
    dW_ih, dW_hh = torch.zeros_like(W_ih), torch.zeros_like(W_hh)
    db_ih, db_hh = torch.zeros_like(b_ih), torch.zeros_like(b_hh)
    delta = g  # ∂L/∂h_t, starting at the last step
    # TODO: walk t = T − 1 … 0: through tanh, into the four parameters, then back to h_{t−1}
    return dW_ih, dW_hh, db_ih, db_hh, delta
