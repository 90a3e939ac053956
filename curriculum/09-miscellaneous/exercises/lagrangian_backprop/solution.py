"""Backprop derived from a Lagrangian: a reference solution."""

import torch


def forward(x: torch.Tensor, weights: list) -> list:
    """States [z₀, …, zₙ] with z₀ = x and z_{k+1} = tanh(W_k z_k)."""
    states = [x]
    for W in weights:
        states.append(torch.tanh(W @ states[-1]))
    return states


def multipliers(states: list, weights: list, y: torch.Tensor) -> list:
    """[λ₀, …, λₙ]: λₙ = −(zₙ − y), λ_k = (∂f_k/∂z_k)ᵀ λ_{k+1}."""
    n = len(weights)
    lambdas = [torch.zeros_like(z) for z in states]
    lambdas[n] = -(states[n] - y)
    for k in range(n - 1, -1, -1):
        # ∂f_k/∂z_k = diag(1 − z_{k+1}²) W_k, since tanh′ = 1 − tanh²
        lambdas[k] = weights[k].T @ ((1 - states[k + 1] ** 2) * lambdas[k + 1])
    return lambdas


def weight_grads(states: list, lambdas: list, weights: list) -> list:
    """[∂C/∂W₀, …, ∂C/∂W_{n−1}], each shaped like its W_k."""
    return [-torch.outer((1 - states[k + 1] ** 2) * lambdas[k + 1], states[k]) for k in range(len(weights))]
