"""Custom autograd Functions. Replace each TODO."""

import torch


class Clamp01(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        # TODO: save x for backward, return x clamped to [0, 1]
        return x.clone()

    @staticmethod
    def backward(ctx, grad_out):
        # TODO: grad_out where 0 <= x <= 1, else 0
        return grad_out


class SignSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        # TODO: save x, return sign(x)
        return x.clone()

    @staticmethod
    def backward(ctx, grad_out):
        # TODO: straight-through: grad_out where |x| <= 1, else 0
        return grad_out
