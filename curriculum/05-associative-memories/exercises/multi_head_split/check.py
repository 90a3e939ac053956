"""Checks for multi_head_split: compared with column slicing and nn.MultiheadAttention."""

import torch

from dltui.checking import call, check, expect_close, expect_true


def _problem(case):
    B, L, h, d = case.dim(1, 3), case.dim(1, 6), case.dim(1, 4), case.dim(1, 4)
    return case.tensor(B, L, h * d), h


@check("split: head i holds columns i·d … (i+1)·d − 1, as a view")
def split(learner, case):
    x, h = _problem(case)
    d = x.shape[-1] // h
    got = call("split_heads", learner, x, h)
    expected = torch.stack([x[..., i * d:(i + 1) * d] for i in range(h)], dim=1)
    expect_close(got, expected, "split_heads(x)")
    expect_true(got.untyped_storage().data_ptr() == x.untyped_storage().data_ptr(),
                "split_heads copied the data: use view and transpose, which only change how it is read")


@check("merge undoes split")
def merge(learner, case):
    x, h = _problem(case)
    d = x.shape[-1] // h
    heads = torch.stack([x[..., i * d:(i + 1) * d] for i in range(h)], dim=1)
    expect_close(call("merge_heads", learner, heads.clone()), x, "merge_heads(heads)")


@check("whole layer matches nn.MultiheadAttention")
def layer(learner, case):
    x, h = _problem(case)
    D = x.shape[-1]
    Wq, Wk, Wv, Wo = (case.tensor(D, D, scale=D ** -0.5, edge=False) for _ in range(4))
    ref = torch.nn.MultiheadAttention(D, h, bias=False, batch_first=True).double()
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([Wq, Wk, Wv]))
        ref.out_proj.weight.copy_(Wo)
        expected, _ = ref(x, x, x, need_weights=False)
    expect_close(call("multi_head_attention", learner, x.clone(), Wq, Wk, Wv, Wo, h), expected, "out")
