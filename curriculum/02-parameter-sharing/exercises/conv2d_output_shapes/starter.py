"""Output shapes of conv and pool stacks. Replace each TODO; run the checks with Ctrl+S."""


def axis_size(n: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """Output size along one axis of size n."""
    # TODO: dilation stretches the kernel, and the division rounds down
    return (n + 2 * padding - kernel) // stride + 1


def output_shape(input_shape, layers):
    """(C, H, W) after every layer in `layers` (dicts, see the task)."""
    c, h, w = input_shape
    for layer in layers:
        kh, kw = layer["kernel"]
        sh, sw = layer["stride"]
        ph, pw = layer["padding"]
        dh, dw = layer["dilation"]
        # TODO: the height and width after this layer, and the channels after a convolution
    return (c, h, w)
