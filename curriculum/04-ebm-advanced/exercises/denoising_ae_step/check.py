"""Checks for denoising_ae_step: corruption statistics, then one step against a reference."""

import torch

from dltui.checking import CheckFailed, call, check, expect_close, expect_shape, expect_true


def _seeded(case, offset=0):
    return torch.Generator().manual_seed(1000 * case.seed + offset)


def _corrupt_twice(learner, name, x, level, case):
    """Two calls with the same seed must agree (the randomness comes from the generator only)."""
    given = x.clone()
    first = call(name, learner, given, level, _seeded(case))
    expect_shape(first, x.shape, f"{name}(x, …)")
    expect_true(torch.equal(given, x), f"{name} changed x itself; return a new tensor")
    again = call(name, learner, x.clone(), level, _seeded(case))
    expect_true(torch.equal(first, again),
                f"two calls of {name} with generators of the same seed differ: draw with generator=generator")
    return first


@check("mask_noise drops a fraction p and keeps the rest as it was")
def masking(learner, case):
    n, d = case.dim(1, 40), 250
    x = case.tensor(n, d)
    p = float(case.uniform(1, low=0.05, high=0.95))
    got = _corrupt_twice(learner, "mask_noise", x, p, case)
    kept = got == x
    expect_true(bool((kept | (got == 0)).all()), "every entry of x̃ should be either 0 or exactly the entry of x")
    live = x != 0
    if not live.any():  # the all-zero case: nothing to count, x̃ must stay 0
        return
    ratio = float((got[live] == 0).double().mean())
    spread = 5 * (p * (1 - p) / int(live.sum())) ** 0.5
    if abs(ratio - p) > spread:
        raise CheckFailed(f"{ratio:.3f} of the entries were zeroed, expected p = {p:.3f} (± {spread:.3f}); "
                          "an entry should be dropped with probability p, not kept with it")


@check("gaussian_noise adds mean-0 noise of the given std")
def gaussian(learner, case):
    n, d = case.dim(1, 40), 250
    x = case.tensor(n, d)
    std = float(case.uniform(1, low=0.05, high=2.0))
    got = _corrupt_twice(learner, "gaussian_noise", x, std, case)
    noise = (got - x).flatten()
    size = noise.numel()
    mean, spread = float(noise.mean()), float(noise.std())
    expect_true(abs(mean) < 5 * std / size ** 0.5,
                f"the noise x̃ − x has mean {mean:.4f}; it should be close to 0 (std {std:.3f})")
    tolerance = 5 * std / (2 * size) ** 0.5
    if abs(spread - std) > tolerance:
        raise CheckFailed(f"the noise x̃ − x has std {spread:.4f}, expected {std:.4f} (± {tolerance:.4f})")


class _SGD:
    """Plain SGD with torch.optim's zero_grad/step interface (torch.optim itself is slow to import)."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def zero_grad(self, set_to_none: bool = True):
        for q in self.params:
            q.grad = None

    @torch.no_grad()
    def step(self):
        for q in self.params:
            if q.grad is not None:
                q -= self.lr * q.grad


def _models(seed, d, h):
    """A tanh encoder and a linear decoder, initialised from seed (twice the same seed: twins)."""
    gen = torch.Generator().manual_seed(seed)
    encoder = torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.Tanh()).double()
    decoder = torch.nn.Linear(h, d).double()
    with torch.no_grad():
        for layer, fan_in in ((encoder[0], d), (decoder, h)):
            layer.weight.copy_(torch.randn(layer.weight.shape, generator=gen, dtype=torch.float64) / fan_in ** 0.5)
            layer.bias.copy_(torch.randn(layer.bias.shape, generator=gen, dtype=torch.float64) * 0.1)
    return encoder, decoder


def _run_step(learner, case):
    """The learner's step and the reference on copies, both from the same x̃ and stale gradients."""
    n, d = case.dim(1, 16), case.dim(2, 12)
    x = case.tensor(n, d, large=3.0)
    p = float(case.uniform(1, low=0.1, high=0.7))
    lr = float(case.uniform(1, low=0.01, high=0.1))
    h = case.dim(2, 16)
    encoder, decoder = _models(case.seed, d, h)
    params = list(encoder.parameters()) + list(decoder.parameters())
    for q in params:  # stale gradients: the step must clear them
        q.grad = torch.randn(q.shape, generator=case.generator, dtype=q.dtype)
    ref_enc, ref_dec = _models(case.seed, d, h)  # the same initial weights
    x_tilde = call("mask_noise", learner, x.clone(), p, _seeded(case, 1)).detach()
    optimizer = _SGD(params, lr=lr)
    loss = call("denoising_step", learner, encoder, decoder, optimizer, x.clone(), p, _seeded(case, 1))
    return x, x_tilde, lr, (encoder, decoder), (ref_enc, ref_dec), loss


@check("the step's loss is the MSE of x̂ against the clean x")
def step_loss(learner, case):
    x, x_tilde, _, _, (enc, dec), loss = _run_step(learner, case)
    expect_true(isinstance(loss, float), f"denoising_step should return a Python float (loss.item()), "
                                         f"not a {type(loss).__name__}")
    with torch.no_grad():
        out = dec(enc(x_tilde))
        want = ((out - x) ** 2).mean()
        against_noisy = ((out - x_tilde) ** 2).mean()
    if abs(loss - float(want)) > 1e-7 + 1e-6 * abs(float(want)) and abs(loss - float(against_noisy)) < 1e-9:
        raise CheckFailed("your loss compares x̂ with the corrupted x̃; the target is the clean x")
    expect_close(torch.tensor(loss, dtype=torch.float64), want, "the returned loss")


@check("one SGD step: new weights match, and the loss on x̃ goes down")
def step_update(learner, case):
    x, x_tilde, lr, (enc, dec), (ref_enc, ref_dec), _ = _run_step(learner, case)
    ref_params = list(ref_enc.parameters()) + list(ref_dec.parameters())
    before = ((ref_dec(ref_enc(x_tilde)) - x) ** 2).mean()
    grads = torch.autograd.grad(before, ref_params)
    names = [f"encoder {k}" for k, _ in enc.named_parameters()] + [f"decoder {k}" for k, _ in dec.named_parameters()]
    for name, got, q, g in zip(names, list(enc.parameters()) + list(dec.parameters()), ref_params, grads):
        expect_close(got, q - lr * g, f"{name} after the step (old gradients cleared? clean x as target?)")
    with torch.no_grad():
        after = ((dec(enc(x_tilde)) - x) ** 2).mean()
    before = before.detach()
    expect_true(float(after) < float(before),
                f"the loss on the same x̃ went from {float(before):.5f} to {float(after):.5f}")
