"""Logic neurons. Replace each TODO, then save (Ctrl+S) to see the truth table."""

import torch


def neuron(x: torch.Tensor, w: torch.Tensor, b: float) -> torch.Tensor:
    """σ(x·w + b) for each row of x (n, d); returns (n,)."""
    # TODO: the pre-activation for every row, then the logistic sigmoid
    return torch.zeros(x.shape[0], dtype=x.dtype)


# TODO: pick weights and biases so each neuron is within 0.05 of its gate on {0, 1}
OR_W, OR_B = torch.tensor([0.0, 0.0]), 0.0
AND_W, AND_B = torch.tensor([0.0, 0.0]), 0.0
NOT_W, NOT_B = torch.tensor([0.0]), 0.0


def gate_or(x):
    return neuron(x, OR_W, OR_B)


def gate_and(x):
    return neuron(x, AND_W, AND_B)


def gate_not(x):
    return neuron(x, NOT_W, NOT_B)


def xor(x: torch.Tensor) -> torch.Tensor:
    """x: (n, 2) of zeros and ones; returns (n,). Use only the gates above."""
    # TODO
    return torch.zeros(x.shape[0], dtype=x.dtype)


def half_adder(x: torch.Tensor):
    """x: (n, 2); returns (sum, carry), each (n,)."""
    # TODO
    zeros = torch.zeros(x.shape[0], dtype=x.dtype)
    return zeros, zeros
