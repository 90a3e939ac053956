"""A denoising autoencoder: two corruptions and one training step. Replace each TODO."""

import torch
import torch.nn.functional as F


def mask_noise(x: torch.Tensor, p: float, generator: torch.Generator) -> torch.Tensor:
    """x with each entry set to 0 with probability p (no rescaling); x is left unchanged."""
    # TODO: a random keep-mask drawn with generator
    return x.clone()


def gaussian_noise(x: torch.Tensor, std: float, generator: torch.Generator) -> torch.Tensor:
    """x + std · ε with ε standard normal, drawn with generator."""
    # TODO
    return x.clone()


def denoising_step(encoder, decoder, optimizer, x, p, generator) -> float:
    """Corrupt x, reconstruct it, MSE against the clean x, one optimizer step; return the loss."""
    x_tilde = mask_noise(x, p, generator)
    # TODO: encode, decode, loss against the clean x, zero_grad / backward / step
    return 0.0
