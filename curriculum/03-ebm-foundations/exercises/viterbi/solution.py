"""Viterbi and the forward algorithm: a reference solution."""

import torch


def viterbi(E: torch.Tensor, A: torch.Tensor):
    """E (T, K) node energies, A (K, K) transitions → (lowest energy, best path (T,))."""
    T, K = E.shape
    cost = E[0].clone()
    back = torch.zeros(T, K, dtype=torch.long)
    for t in range(1, T):
        through = cost[:, None] + A  # (i, j): arrive at j from i
        back[t] = through.argmin(dim=0)
        cost = through.gather(0, back[t][None])[0] + E[t]
    path = torch.zeros(T, dtype=torch.long)
    path[-1] = cost.argmin()
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return cost.min(), path


def forward_energy(E: torch.Tensor, A: torch.Tensor, beta: float) -> torch.Tensor:
    """F_β = −(1/β) log Σ over all paths of exp(−β 𝓔(path)), a scalar."""
    cost = E[0]
    for t in range(1, E.shape[0]):
        cost = -torch.logsumexp(-beta * (cost[:, None] + A), dim=0) / beta + E[t]
    return -torch.logsumexp(-beta * cost, dim=0) / beta
