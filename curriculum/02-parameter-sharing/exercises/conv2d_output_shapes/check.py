"""Checks for conv2d_output_shapes: real nn.Conv2d / nn.MaxPool2d layers on random stacks.

The layers run on a one-channel map of zeros on the CPU (a convolution sets the channel count to
its out_channels whatever the count before, so one channel settles the height and width): that
takes microseconds, while the meta device spends over a second loading its rules on first use."""

import torch
from torch import nn

from dltui.checking import CheckFailed, call, check, expect_equal


def _pair(case, low, high, square):
    a = case.dim(low, high)
    return (a, a) if square else (a, case.dim(low, high))


def _layer(case, kind, square=False):
    kernel = _pair(case, 1, 5, square)
    layer = {"kind": kind, "kernel": kernel, "stride": _pair(case, 1, 3, square),
             "dilation": _pair(case, 1, 3, square) if kind == "conv" or case.index % 2 else (1, 1)}
    # max pooling refuses padding over half its kernel
    high = (kernel[0] // 2, kernel[1] // 2) if kind == "pool" else (2, 2)
    layer["padding"] = (case.dim(0, high[0]), case.dim(0, high[1]))
    if kind == "conv":
        layer["out_channels"] = case.dim(1, 8)
    return layer


def _module(layer):
    settings = {key: layer[key] for key in ("kernel", "stride", "padding", "dilation")}
    settings["kernel_size"] = settings.pop("kernel")
    if layer["kind"] == "conv":
        return nn.Conv2d(1, 1, bias=False, **settings)
    return nn.MaxPool2d(**settings)


def _reference(input_shape, layers):
    channels, height, width = input_shape
    x = torch.zeros(1, 1, height, width)
    with torch.no_grad():
        for layer in layers:
            x = _module(layer)(x)
            channels = layer.get("out_channels", channels)
    return (channels, int(x.shape[2]), int(x.shape[3]))


def _stack(case, kinds, square=False):
    """A random input and a stack whose every output is at least 1 × 1."""
    shape = (case.dim(1, 4), case.dim(16, 96), case.dim(16, 96))
    layers = []
    for kind in kinds:
        layer = _layer(case, kind, square)
        try:
            _reference(shape, layers + [layer])
        except RuntimeError:  # the map got too small: stop the stack here
            break
        layers.append(layer)
    return shape, layers


def _compare(learner, shape, layers):
    got = call("output_shape", learner, shape, [dict(layer) for layer in layers])
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise CheckFailed(f"output_shape should return (C, H, W), got {got!r}")
    expect_equal(tuple(int(v) for v in got), _reference(shape, layers),
                 f"the shape of an input {shape} after {layers}")


@check("one convolution, square settings")
def one_conv(learner, case):
    _compare(learner, *_stack(case, ["conv"], square=True))


@check("one max pooling")
def one_pool(learner, case):
    _compare(learner, *_stack(case, ["pool"]))


@check("a random stack of 2–6 conv and pool layers")
def stack(learner, case):
    kinds = ["conv" if case.integers(0, 3).item() else "pool" for _ in range(case.dim(2, 6))]
    _compare(learner, *_stack(case, kinds))
