"""Output shapes of conv and pool stacks: a reference solution."""


def axis_size(n: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """Output size along one axis of size n."""
    span = dilation * (kernel - 1) + 1  # inputs covered by one dilated kernel
    return (n + 2 * padding - span) // stride + 1


def output_shape(input_shape, layers):
    """(C, H, W) after every layer in `layers` (dicts, see the task)."""
    c, h, w = input_shape
    for layer in layers:
        kh, kw = layer["kernel"]
        sh, sw = layer["stride"]
        ph, pw = layer["padding"]
        dh, dw = layer["dilation"]
        h = axis_size(h, kh, sh, ph, dh)
        w = axis_size(w, kw, sw, pw, dw)
        if layer["kind"] == "conv":
            c = layer["out_channels"]
    return (c, h, w)
