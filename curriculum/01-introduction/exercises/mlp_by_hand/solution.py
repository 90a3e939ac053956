"""Homework 1: a two-layer MLP with its backward pass by hand — a reference solution."""

import torch


class MLP:
    def __init__(self, W1, b1, W2, b2):
        self.W1, self.b1, self.W2, self.b2 = W1, b1, W2, b2
        self.grads = {}
        self.cache = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = x @ self.W1.T + self.b1  # (n, d_h)
        h = torch.clamp(a, min=0)
        self.cache = (x, a, h)
        return h @ self.W2.T + self.b2  # (n, d_out)

    def backward(self, g: torch.Tensor) -> None:
        x, a, h = self.cache
        grad_h = g @ self.W2  # (n, d_h)
        grad_a = grad_h * (a > 0).to(g.dtype)
        self.grads = {"W2": g.T @ h, "b2": g.sum(dim=0), "W1": grad_a.T @ x, "b1": grad_a.sum(dim=0)}

    def sgd_step(self, lr: float) -> None:
        self.W1 = self.W1 - lr * self.grads["W1"]
        self.b1 = self.b1 - lr * self.grads["b1"]
        self.W2 = self.W2 - lr * self.grads["W2"]
        self.b2 = self.b2 - lr * self.grads["b2"]
