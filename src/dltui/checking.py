"""What an exercise's ``check.py`` is written with. Torch is imported inside the helpers only.

A check is a function decorated with :func:`check`; it receives the learner's module and a
:class:`Case` (a seed, a torch generator and helpers for random shapes and values), calls the
learner's code, computes the PyTorch reference and compares them with ``expect_*`` helpers,
which raise :class:`CheckFailed` with a message for the learner::

    @check("forward matches x Wᵀ + b")
    def forward(learner, case):
        n, d_in, d_out = case.dim(1, 8), case.dim(1, 6), case.dim(1, 6)
        x, W, b = case.tensor(n, d_in), case.tensor(d_out, d_in), case.tensor(d_out)
        expect_close(learner.linear_forward(x, W, b), x @ W.T + b, "y")

Each check runs on ``cases`` seeded cases (at least 20; only an ``exhaustive`` check, such as a
whole truth table, may run fewer). Case 0 uses the smallest sizes (a batch of 1), case 1 zero
inputs, case 2 large values, the rest random ones; the seed of a failing case is shown. A check
may return a text: it is shown under the check in the results (a truth table, say).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

MIN_CASES = 20
EDGE_KINDS = ("smallest", "zeros", "large")


class CheckFailed(AssertionError):
    """Raised by the ``expect_*`` helpers: the message is what the learner reads; ``detail``
    (a table, say) is shown under it."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail


@dataclass(frozen=True)
class CheckSpec:
    name: str
    cases: int
    exhaustive: bool


def check(name: str, *, cases: int = MIN_CASES, exhaustive: bool = False) -> Callable:
    """Mark a function of check.py as a check, shown to the learner as ``name``."""
    if not exhaustive and cases < MIN_CASES:
        raise ValueError(f"check {name!r}: random checks need at least {MIN_CASES} cases (got {cases})")

    def mark(fn: Callable) -> Callable:
        fn.__check__ = CheckSpec(name, int(cases), exhaustive)
        return fn

    return mark


def checks_of(module: Any) -> list[tuple[CheckSpec, Callable]]:
    """The module's checks, in the order they are written."""
    found = [(fn.__check__, fn) for fn in vars(module).values()
             if callable(fn) and isinstance(getattr(fn, "__check__", None), CheckSpec)]
    found.sort(key=lambda pair: pair[1].__code__.co_firstlineno)
    return found


class Case:
    """One seeded case: random sizes and values, with the edge cases first."""

    def __init__(self, index: int, seed: int | None = None):
        import torch

        self.index = index
        self.seed = index if seed is None else seed
        self.kind = EDGE_KINDS[index] if index < len(EDGE_KINDS) else "random"
        self.generator = torch.Generator().manual_seed(self.seed)

    def describe(self) -> str:
        extra = {"smallest": ", smallest sizes", "zeros": ", all-zero inputs", "large": ", large values"}.get(
            self.kind, "")
        return f"case {self.index + 1}, seed {self.seed}{extra}"

    def dim(self, low: int, high: int) -> int:
        """A size from low to high (low itself in the smallest case: a batch of 1)."""
        if self.kind == "smallest":
            return low
        import torch

        return int(torch.randint(low, high + 1, (1,), generator=self.generator))

    def tensor(self, *shape: int, dtype=None, scale: float = 1.0, large: float = 30.0,
               edge: bool = True):
        """Standard normal values times ``scale``: zeros in the zeros case, times ``large`` in
        the large case (unless ``edge`` is False)."""
        import torch

        dtype = dtype or torch.float64
        values = torch.randn(*shape, generator=self.generator, dtype=torch.float64) * scale
        if edge and self.kind == "zeros":
            values = torch.zeros_like(values)
        elif edge and self.kind == "large":
            values = values * large
        return values.to(dtype)

    def uniform(self, *shape: int, low: float = 0.0, high: float = 1.0, dtype=None):
        import torch

        dtype = dtype or torch.float64
        u = torch.rand(*shape, generator=self.generator, dtype=torch.float64)
        return (low + (high - low) * u).to(dtype)

    def integers(self, low: int, high: int, *shape: int):
        """Random whole numbers from low to high - 1 (a torch.long tensor)."""
        import torch

        return torch.randint(low, high, shape, generator=self.generator)

    def mask(self, *shape: int, p: float = 0.5):
        import torch

        return torch.rand(*shape, generator=self.generator) < p


def _shape(t) -> str:
    return "(" + ", ".join(str(s) for s in t.shape) + ")" if t.dim() != 1 else f"({t.shape[0]},)"


def _as_tensor(got: Any, what: str, like):
    import torch

    if got is None:
        raise CheckFailed(f"{what} is None: did you forget to `return` it?")
    if isinstance(got, torch.Tensor):
        return got
    if isinstance(got, (int, float)) and not isinstance(got, bool) and like.dim() == 0:
        return torch.tensor(float(got), dtype=like.dtype)
    raise CheckFailed(f"{what} should be a tensor, but it is a {type(got).__name__}")


def expect_shape(got: Any, shape, what: str = "the result") -> None:
    import torch

    if got is None:
        raise CheckFailed(f"{what} is None: did you forget to `return` it?")
    if not isinstance(got, torch.Tensor):
        raise CheckFailed(f"{what} should be a tensor, but it is a {type(got).__name__}")
    expected = tuple(shape)
    if tuple(got.shape) != expected:
        raise CheckFailed(f"{what} has shape {_shape(got)}, expected {_shape(torch.empty(expected))}")


def expect_close(got: Any, expected, what: str = "the result", *, atol: float | None = None,
                 rtol: float | None = None) -> None:
    """Same shape, and values within ``atol + rtol·|expected|`` (defaults suit the dtype)."""
    import torch

    got = _as_tensor(got, what, expected)
    expected = expected.detach()
    expect_shape(got, expected.shape, what)
    got = got.detach()
    if not (got.is_floating_point() or got.is_complex()) and expected.is_floating_point():
        got = got.to(expected.dtype)
    single = torch.float32 in (got.dtype, expected.dtype) or torch.float16 in (got.dtype, expected.dtype)
    atol = atol if atol is not None else (1e-4 if single else 1e-7)
    rtol = rtol if rtol is not None else (1e-4 if single else 1e-6)
    g = got.to(torch.float64).cpu()
    e = expected.to(torch.float64).cpu()
    if e.numel() == 0:
        return
    bad_nan = torch.isnan(g) & ~torch.isnan(e)
    if bad_nan.any():
        index = _index(bad_nan.nonzero()[0], g)
        raise CheckFailed(f"{what} contains NaN at index {index} (expected {e[tuple(bad_nan.nonzero()[0])].item():.6g}); "
                          "large inputs overflow exp() unless you shift them first")
    diff = (g - e).abs().nan_to_num(nan=0.0, posinf=float("inf"))
    over = diff - (atol + rtol * e.abs())
    if (over > 0).any() or (torch.isinf(g) & ~torch.isinf(e)).any():
        flat = int(torch.argmax(torch.where(torch.isinf(over), torch.full_like(over, float("inf")), over)))
        pos = tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), e.shape)) if e.dim() else ()
        index = _index(pos, g)
        # The tolerance is worth reading only for near misses (a float32 result, say).
        close = float(diff.max()) < 1e-2
        tolerance = f"; tolerance {atol:g} + {rtol:g}·|expected|" if close else ""
        raise CheckFailed(f"{what} is off: max |got − expected| = {float(diff.max()):.3g} at index {index} "
                          f"(got {g[pos].item():.6g}, expected {e[pos].item():.6g}{tolerance})")


def _index(pos, t) -> str:
    pos = tuple(int(i) for i in pos)
    return "()" if not pos else "[" + ", ".join(str(i) for i in pos) + "]"


def expect_true(condition: Any, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def expect_equal(got: Any, expected: Any, what: str = "the result") -> None:
    if got != expected:
        raise CheckFailed(f"{what} is {got!r}, expected {expected!r}")


def call(fn_name: str, learner: Any, *args, **kwargs):
    """Call the learner's function ``fn_name``, with a clear message if it is missing."""
    fn = getattr(learner, fn_name, None)
    if fn is None:
        raise CheckFailed(f"your file has no `{fn_name}`: keep the name from the starter")
    if not callable(fn):
        raise CheckFailed(f"`{fn_name}` should be a function or class, not a {type(fn).__name__}")
    return fn(*args, **kwargs)
