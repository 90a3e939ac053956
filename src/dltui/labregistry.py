"""Finding and loading lab modules. Pure: lab modules import torch only inside ``train``."""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from types import ModuleType

from dltui import labs as _labs_pkg


class UnknownLab(KeyError):
    def __str__(self) -> str:
        return f"unknown lab {self.args[0]!r}; run `dltui labs` to list them"


def lab_ids() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(_labs_pkg.__path__) if not m.name.startswith("_"))


@lru_cache(maxsize=None)
def load(lab_id: str) -> ModuleType:
    if lab_id not in lab_ids():
        raise UnknownLab(lab_id)
    return importlib.import_module(f"dltui.labs.{lab_id}")


def all_labs() -> list[ModuleType]:
    return [load(i) for i in lab_ids()]
