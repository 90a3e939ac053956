"""Receptive field and jump of a 1-D stack: a reference solution."""


def receptive_field(layers):
    """layers: dicts with "kernel", "stride", "dilation" → (receptive field r, jump j)."""
    r, j = 1, 1
    for layer in layers:
        k, s, d = layer["kernel"], layer["stride"], layer["dilation"]
        r = r + d * (k - 1) * j  # k taps, d units apart, each unit j inputs from the next
        j = j * s
    return r, j
