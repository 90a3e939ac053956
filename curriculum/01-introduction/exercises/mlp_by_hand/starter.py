"""Homework 1: a two-layer MLP with its backward pass by hand. Replace each TODO."""

import torch


class MLP:
    def __init__(self, W1, b1, W2, b2):
        self.W1, self.b1, self.W2, self.b2 = W1, b1, W2, b2
        self.grads = {}
        self.cache = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """ŷ = ReLU(x W1ᵀ + b1) W2ᵀ + b2; keep what backward needs in self.cache."""
        # TODO
        return torch.zeros(x.shape[0], self.W2.shape[0], dtype=x.dtype)

    def backward(self, g: torch.Tensor) -> None:
        """g = dL/dŷ; fill self.grads["W1"], ["b1"], ["W2"], ["b2"]."""
        # TODO
        self.grads = {"W1": torch.zeros_like(self.W1), "b1": torch.zeros_like(self.b1),
                      "W2": torch.zeros_like(self.W2), "b2": torch.zeros_like(self.b2)}

    def sgd_step(self, lr: float) -> None:
        """p ← p − lr · dL/dp for the four parameters."""
        # TODO
        pass
