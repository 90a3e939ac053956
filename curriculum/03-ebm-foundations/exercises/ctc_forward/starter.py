"""The CTC forward algorithm. Replace each TODO; run the checks with Ctrl+S."""

import torch


def extend_with_blanks(target: torch.Tensor, blank: int = 0) -> torch.Tensor:
    """(L,) → (2L + 1,): a blank before each label and one at the end."""
    # TODO
    return target.clone()


def ctc_loss(log_probs: torch.Tensor, target: torch.Tensor, blank: int = 0) -> torch.Tensor:
    """log_probs (T, C), target (L,) → −log p(target), a scalar (+∞ if impossible)."""
    ext = extend_with_blanks(target, blank)
    T, S = log_probs.shape[0], ext.shape[0]
    neg_inf = torch.tensor(float("-inf"), dtype=log_probs.dtype)
    alpha = torch.full((S,), float("-inf"), dtype=log_probs.dtype)
    alpha[0] = log_probs[0, ext[0]]
    if S > 1:
        alpha[1] = log_probs[0, ext[1]]
    for t in range(1, T):
        # TODO: combine staying at s, coming from s − 1, and (when allowed) skipping from s − 2
        alpha = alpha + log_probs[t, ext]
    # TODO: a path may end on the last label or on the final blank
    return -alpha[-1]
