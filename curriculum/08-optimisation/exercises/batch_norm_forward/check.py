"""Checks for batch_norm_forward: compared with nn.BatchNorm1d in float64."""

import torch

from dltui.checking import call, check, expect_close, expect_true


def _setup(case):
    C = case.dim(1, 6)
    layer = torch.nn.BatchNorm1d(C, momentum=float(case.uniform(1, low=0.05, high=0.5))).double()
    with torch.no_grad():
        layer.weight.copy_(case.tensor(C, edge=False))
        layer.bias.copy_(case.tensor(C, edge=False))
    batches = [case.tensor(case.dim(2, 9), C, scale=float(case.uniform(1, low=0.5, high=3.0))) + 1.5
               for _ in range(case.dim(1, 4))]
    return layer, batches


def _learner_train(learner, layer, batches, compare: bool):
    C = layer.num_features
    r_mean, r_var = torch.zeros(C, dtype=torch.float64), torch.ones(C, dtype=torch.float64)
    layer.train()
    for k, x in enumerate(batches, 1):
        out = call("batch_norm", learner, x.clone(), layer.weight.detach().clone(), layer.bias.detach().clone(),
                   r_mean.clone(), r_var.clone(), True, momentum=layer.momentum, eps=layer.eps)
        expect_true(isinstance(out, (tuple, list)) and len(out) == 3,
                    "batch_norm should return three tensors: (y, new_running_mean, new_running_var)")
        y, r_mean, r_var = out
        expected = layer(x)
        if compare:
            expect_close(y, expected, f"y on training batch {k} (n = {x.shape[0]})")
    return r_mean, r_var


@check("training mode: batch statistics")
def training_output(learner, case):
    layer, batches = _setup(case)
    _learner_train(learner, layer, batches, compare=True)


@check("running mean and variance after several batches")
def running_stats(learner, case):
    layer, batches = _setup(case)
    r_mean, r_var = _learner_train(learner, layer, batches, compare=False)
    expect_close(r_mean, layer.running_mean, "running_mean")
    expect_close(r_var, layer.running_var, "running_var (unbiased variance, n − 1)")


@check("evaluation mode: running statistics, nothing updated")
def evaluation(learner, case):
    layer, batches = _setup(case)
    r_mean, r_var = _learner_train(learner, layer, batches, compare=False)
    layer.eval()
    x = case.tensor(case.dim(1, 5), layer.num_features)
    out = call("batch_norm", learner, x.clone(), layer.weight.detach().clone(), layer.bias.detach().clone(),
               r_mean.clone(), r_var.clone(), False, momentum=layer.momentum, eps=layer.eps)
    expect_true(isinstance(out, (tuple, list)) and len(out) == 3,
                "batch_norm should return three tensors: (y, new_running_mean, new_running_var)")
    expect_close(out[0], layer(x), f"y in evaluation mode (n = {x.shape[0]})")
    expect_close(out[1], layer.running_mean, "running_mean (evaluation must not change it)")
    expect_close(out[2], layer.running_var, "running_var (evaluation must not change it)")
