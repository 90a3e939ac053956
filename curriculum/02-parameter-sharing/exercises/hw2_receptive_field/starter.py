"""Receptive field and jump of a 1-D stack. Replace the TODO; run the checks with Ctrl+S."""


def receptive_field(layers):
    """layers: dicts with "kernel", "stride", "dilation" → (receptive field r, jump j)."""
    r, j = 1, 1
    for layer in layers:
        k, s, d = layer["kernel"], layer["stride"], layer["dilation"]
        # TODO: the stride and the dilation matter too
        r = r + (k - 1)
    return r, j
