"""The CTC forward algorithm: a reference solution."""

import torch


def extend_with_blanks(target: torch.Tensor, blank: int = 0) -> torch.Tensor:
    """(L,) → (2L + 1,): a blank before each label and one at the end."""
    ext = torch.full((2 * len(target) + 1,), blank, dtype=torch.long)
    ext[1::2] = target
    return ext


def ctc_loss(log_probs: torch.Tensor, target: torch.Tensor, blank: int = 0) -> torch.Tensor:
    """log_probs (T, C), target (L,) → −log p(target), a scalar (+∞ if impossible)."""
    ext = extend_with_blanks(target, blank)
    T, S = log_probs.shape[0], ext.shape[0]
    # The skip from s − 2 needs a label that differs from the one two places back.
    can_skip = torch.zeros(S, dtype=torch.bool)
    can_skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    alpha = torch.full((S,), float("-inf"), dtype=log_probs.dtype)
    alpha[0] = log_probs[0, ext[0]]
    if S > 1:
        alpha[1] = log_probs[0, ext[1]]
    pad = torch.full((2,), float("-inf"), dtype=log_probs.dtype)
    for t in range(1, T):
        shifted = torch.cat([pad, alpha])
        from_prev = shifted[1:S + 1]  # α_{t−1}(s − 1)
        from_skip = torch.where(can_skip, shifted[:S], pad[0])  # α_{t−1}(s − 2)
        alpha = torch.logsumexp(torch.stack([alpha, from_prev, from_skip]), dim=0) + log_probs[t, ext]
    return -torch.logsumexp(alpha[-2:], dim=0) if S > 1 else -alpha[-1]
