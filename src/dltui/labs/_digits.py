"""The UCI 8×8 handwritten digits shipped in ``assets/digits`` (1797 images, labels 0–9).

Pure at import: numpy and torch are imported inside the functions. The file is read once per
process and cached, so several labs (convnet, autoencoder, VAE) can share it cheaply.
"""

from __future__ import annotations

from functools import lru_cache

FILE = "digits/digits.csv.gz"
N_IMAGES = 1797


@lru_cache(maxsize=1)
def load_numpy():
    """(images, labels): uint8 array (1797, 8, 8) valued 0–16 and int64 array (1797,)."""
    import gzip

    import numpy as np

    from dltui.paths import assets_dir

    with gzip.open(assets_dir() / FILE, "rt") as fh:
        table = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    images = table[:, :64].astype(np.uint8).reshape(-1, 8, 8)
    labels = table[:, 64].copy()
    images.setflags(write=False)  # cached: callers must not change it in place
    labels.setflags(write=False)
    return images, labels


def load(device: str = "cpu"):
    """(X, y): float tensor (1797, 8, 8) in [0, 1] and long tensor (1797,), on ``device``."""
    import torch

    images, labels = load_numpy()
    X = torch.tensor(images, dtype=torch.float32) / 16.0
    y = torch.tensor(labels, dtype=torch.long)
    return X.to(device), y.to(device)


def on_canvas(X, size: int, generator):
    """Paste each 8×8 image at a random offset (0…size−8 per axis) on a blank size×size canvas.

    Shifts stop a plain fully connected net from relying on fixed pixel positions, which is
    what a convolution's shared, local filters handle for free.
    """
    import torch

    n = X.shape[0]
    room = size - 8
    canvas = torch.zeros(n, size, size, device=X.device)
    if room == 0:
        canvas[:] = X
        return canvas
    dy = torch.randint(0, room + 1, (n,), generator=generator).to(X.device)
    dx = torch.randint(0, room + 1, (n,), generator=generator).to(X.device)
    for oy in range(room + 1):  # one slice assignment per offset pair, not per image
        for ox in range(room + 1):
            sel = ((dy == oy) & (dx == ox)).nonzero().squeeze(1)
            canvas[sel, oy:oy + 8, ox:ox + 8] = X[sel]
    return canvas
