"""YAML with line numbers, safe loading only, hardened for hand-written lesson files. Pure.

Lesson files never need anchors, aliases or deep nesting, so they are refused before anything
is built: an alias bomb ("billion laughs") or a 1,000-deep mapping is a one-line error instead of
minutes of work, gigabytes of memory or a RecursionError. A duplicate key is an error too (YAML
would silently keep the last one), and so is a key that is not a plain value (``? [a, b]: 1``).
"""

from __future__ import annotations

import yaml

try:  # the C loader is much faster; both are "safe" loaders
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader

MAX_DEPTH = 32  # lists/mappings inside each other; real lesson blocks use 3 or 4


class LineDict(dict):
    """A mapping that remembers the (0-based) line of itself and of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key, default: int | None = None) -> int:
        return self.key_lines.get(key, self.line if default is None else default)


class YamlError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line  # 0-based, relative to the text given
        self.message = message


class _Loader(_Base):
    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (yaml.YAMLError, YamlError):
            raise
        except (ValueError, TypeError, OverflowError) as exc:
            # e.g. the date 2021-13-45: the safe constructors raise plain Python errors
            raise YamlError(node.start_mark.line, f"YAML error: {_describe(node)}: {exc}") from None


def _describe(node) -> str:
    value = node.value if isinstance(node.value, str) else ""
    return f"cannot read {value[:40]!r}" if value else "cannot read this value"


def _construct_map(loader, node):
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line
        try:
            hash(key)
        except TypeError:
            raise YamlError(line, "YAML error: a key must be a plain name or value, "
                                  f"not a {'list' if isinstance(key, list) else 'mapping'}") from None
        if key in out:
            above = line - out.key_lines[key]
            where = f"{above} line{'s' if above != 1 else ''} above" if above else "earlier on this line"
            raise YamlError(line, f"YAML error: duplicate key {key!r} (already given {where})")
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _screen(text: str) -> None:
    """One cheap pass over the parser's events: refuse anchors, aliases and deep nesting before
    any node is composed (composing is where an alias bomb explodes)."""
    loader = _Base(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise YamlError(event.start_mark.line, "YAML error: anchors and aliases (&name, *name) "
                                                       "are not allowed in lesson files; write the value out")
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlError(event.start_mark.line,
                                    f"YAML error: nested more than {MAX_DEPTH} levels deep")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    finally:
        loader.dispose()


def load(text: str):
    try:
        _screen(text)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from the safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line if mark else 0
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(line, f"YAML error: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlError(0, f"YAML error: {exc}") from None
    except RecursionError:  # the depth screen makes this unreachable; kept as a last guard
        raise YamlError(0, "YAML error: nested too deeply") from None
