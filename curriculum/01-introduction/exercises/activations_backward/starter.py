"""Activations and their gradients. Replace each TODO."""

import torch


def relu_forward(x: torch.Tensor) -> torch.Tensor:
    # TODO
    return x


def relu_backward(g: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    # TODO: g times ReLU'(x)
    return g


def sigmoid_forward(x: torch.Tensor) -> torch.Tensor:
    # TODO: 1 / (1 + e^-x)
    return x


def sigmoid_backward(g: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    # TODO: g times σ(x)(1 − σ(x))
    return g


def tanh_forward(x: torch.Tensor) -> torch.Tensor:
    # TODO: safe for large |x|
    return x


def tanh_backward(g: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    # TODO: g times (1 − tanh(x)²)
    return g
