"""Checks for scaled_dot_product_attention: compared with F.scaled_dot_product_attention."""

import math

import torch
import torch.nn.functional as F

from dltui.checking import call, check, expect_close


def _problem(case, lead=()):
    L, S, d, dv = case.dim(1, 7), case.dim(1, 7), case.dim(1, 8), case.dim(1, 5)
    q = case.tensor(*lead, L, d, large=10.0)
    k = case.tensor(*lead, S, d, large=10.0)
    v = case.tensor(*lead, S, dv, edge=False)
    return q, k, v


def _lead(case):
    return (case.dim(1, 3), case.dim(1, 4))  # (batch, heads)


def _weights_reference(q, k, causal):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        keep = torch.ones(scores.shape[-2:], dtype=torch.bool).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    return torch.softmax(scores, dim=-1)


@check("weights A = softmax(q kᵀ/√d), one query matrix")
def weights(learner, case):
    q, k, _ = _problem(case)
    expect_close(call("attention_weights", learner, q.clone(), k.clone()), _weights_reference(q, k, False), "A")


@check("causal weights: 0 where j > i")
def causal_weights(learner, case):
    q, k, _ = _problem(case)
    expect_close(call("attention_weights", learner, q.clone(), k.clone(), causal=True),
                 _weights_reference(q, k, True), "A (causal)")


@check("output matches F.scaled_dot_product_attention, batch and heads")
def output(learner, case):
    q, k, v = _problem(case, _lead(case))
    expect_close(call("attention", learner, q.clone(), k.clone(), v.clone()),
                 F.scaled_dot_product_attention(q, k, v), "out")


@check("causal output matches is_causal=True")
def causal_output(learner, case):
    q, k, v = _problem(case, _lead(case))
    expect_close(call("attention", learner, q.clone(), k.clone(), v.clone(), causal=True),
                 F.scaled_dot_product_attention(q, k, v, is_causal=True), "out (causal)")
