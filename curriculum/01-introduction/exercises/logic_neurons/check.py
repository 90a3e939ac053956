"""Checks for logic_neurons: the neuron on random inputs, then the gates' truth tables."""

import torch

from dltui.checking import CheckFailed, call, check, expect_close, expect_true

TABLE = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TOLERANCE = 0.05


@check("neuron(x, w, b) = σ(x·w + b)")
def neuron(learner, case):
    n, d = case.dim(1, 8), case.dim(1, 5)
    x, w = case.tensor(n, d), case.tensor(d, edge=False)
    b = float(case.tensor(1, edge=False))
    expect_close(call("neuron", learner, x, w, b), torch.sigmoid(x @ w + b), "neuron output")


def _outputs(learner, name, x):
    out = call(name, learner, x.clone())
    expect_true(isinstance(out, torch.Tensor) and out.shape == (x.shape[0],),
                f"{name} should return one output per row, shape ({x.shape[0]},)")
    return out.detach().to(torch.float64)


def _table(columns: dict[str, tuple[torch.Tensor, torch.Tensor]], inputs: torch.Tensor) -> tuple[str, list[str]]:
    head = " ".join(f"x{i + 1}" for i in range(inputs.shape[1])) + " │ " + "  ".join(f"{k:>8}" for k in columns)
    rows, wrong = [head, "─" * len(head)], []
    for r in range(inputs.shape[0]):
        cells = []
        for name, (got, want) in columns.items():
            ok = abs(float(got[r]) - float(want[r])) <= TOLERANCE
            cells.append(f"{float(got[r]):6.3f} {'✓' if ok else '✗'}")
            if not ok:
                wrong.append(f"{name}({', '.join(str(int(v)) for v in inputs[r])}) = {float(got[r]):.3f}, "
                             f"should be {int(want[r])}")
        rows.append(" ".join(f" {int(v)}" for v in inputs[r]) + " │ " + "  ".join(cells))
    return "\n".join(rows), wrong


@check("OR, AND and NOT within 0.05 of their truth tables", cases=1, exhaustive=True)
def gates(learner, case):
    x = TABLE.to(torch.float64)
    table, wrong = _table({
        "OR": (_outputs(learner, "gate_or", x), torch.tensor([0, 1, 1, 1])),
        "AND": (_outputs(learner, "gate_and", x), torch.tensor([0, 0, 0, 1])),
    }, x)
    one = torch.tensor([[0.0], [1.0]], dtype=torch.float64)
    not_table, not_wrong = _table({"NOT": (_outputs(learner, "gate_not", one), torch.tensor([1, 0]))}, one)
    if wrong + not_wrong:
        raise CheckFailed("; ".join((wrong + not_wrong)[:3]), f"{table}\n\n{not_table}")
    return f"{table}\n\n{not_table}"


@check("XOR and the half adder (sum, carry)", cases=1, exhaustive=True)
def composed(learner, case):
    x = TABLE.to(torch.float64)
    pair = call("half_adder", learner, x.clone())
    expect_true(isinstance(pair, (tuple, list)) and len(pair) == 2, "half_adder should return (sum, carry)")
    expect_true(all(isinstance(p, torch.Tensor) and p.shape == (4,) for p in pair),
                "half_adder's sum and carry should each have one output per row, shape (4,)")
    table, wrong = _table({
        "XOR": (_outputs(learner, "xor", x), torch.tensor([0, 1, 1, 0])),
        "sum": (pair[0].detach().double(), torch.tensor([0, 1, 1, 0])),
        "carry": (pair[1].detach().double(), torch.tensor([0, 0, 0, 1])),
    }, x)
    if wrong:
        raise CheckFailed("; ".join(wrong[:3]), table)
    return table
