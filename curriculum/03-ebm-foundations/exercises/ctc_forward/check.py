"""Checks for ctc_forward: the blank interleaving, and the loss against F.ctc_loss (float64)."""

import math

import torch
import torch.nn.functional as F

from dltui.checking import CheckFailed, call, check, expect_close, expect_true


def _target(case, classes, length, repeats):
    labels = case.integers(1, classes, length)
    if repeats and length > 1:
        # copy some labels onto their right neighbour so that doubled letters occur
        copy = case.mask(length - 1, p=0.5)
        for i in range(1, length):
            if copy[i - 1]:
                labels[i] = labels[i - 1]
    elif not repeats:
        for i in range(1, length):  # no two equal neighbours
            if labels[i] == labels[i - 1]:
                labels[i] = labels[i] % (classes - 1) + 1
    return labels


def _problem(case, repeats, short=False):
    classes, length = case.dim(3, 7), case.dim(2 if short else 1, 6)
    target = _target(case, classes, length, repeats)
    needed = length + int((target[1:] == target[:-1]).sum())  # one frame per label, one per doubled pair
    frames = max(1, needed - case.dim(1, 2)) if short else needed + case.dim(0, 12)
    logits = case.tensor(frames, classes, scale=2.0, large=20.0)
    return F.log_softmax(logits, dim=1), target


def _reference(log_probs, target):
    return F.ctc_loss(log_probs[:, None, :], target[None], [log_probs.shape[0]], [len(target)],
                      blank=0, reduction="sum", zero_infinity=False)


def _loss(learner, log_probs, target):
    return call("ctc_loss", learner, log_probs.clone(), target.clone())


@check("extend_with_blanks: ∅ t₁ ∅ t₂ … t_L ∅")
def extend(learner, case):
    target = case.integers(1, 9, case.dim(1, 8))
    want = torch.zeros(2 * len(target) + 1, dtype=torch.long)
    want[1::2] = target
    got = call("extend_with_blanks", learner, target.clone())
    expect_true(isinstance(got, torch.Tensor), "extend_with_blanks should return a tensor")
    expect_true(tuple(got.shape) == tuple(want.shape) and bool((got.long() == want).all()),
                f"for target {target.tolist()} expected {want.tolist()}, got {got.tolist()}")


@check("loss matches F.ctc_loss, no repeated labels")
def distinct(learner, case):
    log_probs, target = _problem(case, repeats=False)
    expect_close(_loss(learner, log_probs, target), _reference(log_probs, target),
                 f"the loss for target {target.tolist()} over {len(log_probs)} frames", atol=1e-8)


@check("loss matches F.ctc_loss with doubled labels (the repeat rule)")
def repeated(learner, case):
    log_probs, target = _problem(case, repeats=True)
    expect_close(_loss(learner, log_probs, target), _reference(log_probs, target),
                 f"the loss for target {target.tolist()} over {len(log_probs)} frames", atol=1e-8)


@check("a target too long for its frames costs +∞")
def impossible(learner, case):
    log_probs, target = _problem(case, repeats=True, short=True)
    got = _loss(learner, log_probs, target)
    value = float(got) if isinstance(got, (torch.Tensor, float, int)) else float("nan")
    if not (math.isinf(value) and value > 0):
        raise CheckFailed(f"target {target.tolist()} cannot fit in {len(log_probs)} frames, so the loss is +∞; "
                          f"got {value:.6g}")
