"""A denoising autoencoder: two corruptions and one training step — a reference solution."""

import torch
import torch.nn.functional as F


def mask_noise(x: torch.Tensor, p: float, generator: torch.Generator) -> torch.Tensor:
    """x with each entry set to 0 with probability p (no rescaling); x is left unchanged."""
    keep = torch.rand(x.shape, generator=generator, dtype=x.dtype) >= p
    return x * keep


def gaussian_noise(x: torch.Tensor, std: float, generator: torch.Generator) -> torch.Tensor:
    """x + std · ε with ε standard normal, drawn with generator."""
    return x + std * torch.randn(x.shape, generator=generator, dtype=x.dtype)


def denoising_step(encoder, decoder, optimizer, x, p, generator) -> float:
    """Corrupt x, reconstruct it, MSE against the clean x, one optimizer step; return the loss."""
    x_tilde = mask_noise(x, p, generator)
    optimizer.zero_grad()
    loss = F.mse_loss(decoder(encoder(x_tilde)), x)  # the target is the clean input
    loss.backward()
    optimizer.step()
    return loss.item()
