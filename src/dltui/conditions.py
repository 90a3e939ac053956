"""Tiny, safe conditions for "predict" questions, e.g. ``acc_lstm >= 0.9 and acc_rnn < 0.7``.

Only metric names, numbers, comparisons, ``and``/``or``/``not`` and parentheses are allowed.
Pure: no torch, no textual.
"""

from __future__ import annotations

import ast

_CMP = {ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b,
        ast.GtE: lambda a, b: a >= b, ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b}


class ConditionError(ValueError):
    pass


class MissingMetric(KeyError):
    pass


MAX_LENGTH = 500  # real conditions are under 60 characters
MAX_DEPTH = 30  # nesting of and/or/not/comparisons/parentheses; keeps _eval's recursion shallow


def parse(text: str) -> ast.Expression:
    text = str(text)
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"condition is too long ({len(text)} characters; at most {MAX_LENGTH})")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"cannot parse condition {text!r}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ConditionError(f"condition is nested too deeply (at most {MAX_DEPTH} levels)") from None
    if _depth(tree) > MAX_DEPTH:
        raise ConditionError(f"condition is nested too deeply (at most {MAX_DEPTH} levels)")
    for node in ast.walk(tree):
        if isinstance(node, (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.Compare, ast.Name,
                             ast.Load, ast.UnaryOp, ast.USub, ast.Not)) or type(node) in _CMP:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            continue
        raise ConditionError(f"condition {text!r}: only metric names, numbers, comparisons, "
                             "and/or/not and parentheses are allowed")
    return tree


def _depth(tree: ast.AST) -> int:
    deepest, stack = 0, [(tree, 1)]
    while stack:  # iterative: a deep tree must not recurse here either
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def names(text: str) -> set[str]:
    return {n.id for n in ast.walk(parse(text)) if isinstance(n, ast.Name)}


def evaluate(text: str, metrics: dict[str, float]) -> bool:
    return bool(_eval(parse(text).body, metrics))


def _eval(node: ast.AST, m: dict[str, float]):
    if isinstance(node, ast.BoolOp):
        values = (_eval(v, m) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, m)
        return (not value) if isinstance(node.op, ast.Not) else -value
    if isinstance(node, ast.Compare):
        left = _eval(node.left, m)
        for op, right_node in zip(node.ops, node.comparators):
            right = _eval(right_node, m)
            if not _CMP[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Name):
        if node.id not in m:
            raise MissingMetric(node.id)
        return m[node.id]
    if isinstance(node, ast.Constant):
        return node.value
    raise ConditionError(f"unsupported expression {ast.dump(node)}")
