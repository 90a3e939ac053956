"""Elman RNN forward and back-propagation through time: a reference solution."""

import torch


def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    """x (T, N, d_in), h0 (N, d_h) → all hidden states H (T, N, d_h)."""
    states = []
    h = h0
    for t in range(x.shape[0]):
        h = torch.tanh(x[t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
        states.append(h)
    return torch.stack(states)


def rnn_bptt(x, h0, W_ih, W_hh, b_ih, b_hh, g):
    """Gradients of L = Σ g ⊙ h_T: (dW_ih, dW_hh, db_ih, db_hh, dh0)."""
    H = rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
    dW_ih, dW_hh = torch.zeros_like(W_ih), torch.zeros_like(W_hh)
    db = torch.zeros_like(b_ih)
    delta = g
    for t in reversed(range(x.shape[0])):
        before = H[t - 1] if t > 0 else h0
        da = delta * (1 - H[t] ** 2)  # through tanh
        dW_ih += da.T @ x[t]
        dW_hh += da.T @ before
        db += da.sum(dim=0)
        delta = da @ W_hh  # on to the previous state
    return dW_ih, dW_hh, db, db.clone(), delta
