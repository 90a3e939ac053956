"""YAML with line numbers, safe loading only. Pure."""

from __future__ import annotations

import yaml

try:  # the C loader is much faster; both are "safe" loaders
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader


class LineDict(dict):
    """A mapping that remembers the (0-based) line of itself and of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key, default: int | None = None) -> int:
        return self.key_lines.get(key, self.line if default is None else default)


class _Loader(_Base):
    pass


def _construct_map(loader, node):
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


class YamlError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line  # 0-based, relative to the text given
        self.message = message


def load(text: str):
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from the safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line if mark else 0
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(line, f"YAML error: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlError(0, f"YAML error: {exc}") from None
