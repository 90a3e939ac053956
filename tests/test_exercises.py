"""Exercises: every shipped one fails as shipped and passes with its solution (rustlings' dev
check), and the runner's messages say what went wrong, where."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dltui.checking import MIN_CASES, CheckFailed, check, checks_of, expect_close
from dltui.curriculum import load_curriculum
from dltui.exercise_runner import grade
from dltui.exercisespec import ExerciseJob, load_exercise, load_exercises, scan_forbidden
from dltui.paths import curriculum_dir

SHIPPED = load_exercises(curriculum_dir(), {le.id for le in load_curriculum(curriculum_dir()).lessons()})
THEME1 = {"logic_neurons", "tensor_basics", "linear_forward_backward", "activations_backward",
          "losses_backward", "mlp_by_hand", "autograd_basics", "custom_grads"}


def test_homework_1_exercises_are_shipped_without_problems():
    assert THEME1 <= {e.id for e in SHIPPED}
    for e in SHIPPED:
        assert not e.problems, [str(p) for p in e.problems]
        assert 2 <= len(e.hints) <= 3
        assert e.lessons


@pytest.mark.parametrize("exercise", SHIPPED, ids=lambda e: e.id)
def test_starter_fails_and_solution_passes(exercise):
    starter = grade(exercise.job(exercise.starter))
    assert not starter.passed
    assert any(not c.passed for c in starter.checks)
    solution = grade(exercise.job(exercise.solution))
    failures = [(c.name, c.message) for c in solution.checks if not c.passed]
    assert solution.passed, failures


@pytest.mark.parametrize("exercise", SHIPPED, ids=lambda e: e.id)
def test_random_checks_run_at_least_20_cases(exercise):
    from dltui.exercise_runner import _load_module

    module, problem = _load_module(exercise.check_file, f"probe_{exercise.id}")
    assert problem is None
    specs = [spec for spec, _fn in checks_of(module)]
    assert specs
    assert all(s.cases >= MIN_CASES for s in specs if not s.exhaustive)


def test_a_random_check_with_fewer_cases_is_refused():
    with pytest.raises(ValueError, match="at least 20"):
        check("too few", cases=5)


# -- the runner on hand-made exercises ------------------------------------------------------------

CHECK = '''
import torch
from dltui.checking import call, check, expect_close

@check("double")
def double(learner, case):
    x = case.tensor(case.dim(1, 4), case.dim(1, 3))
    expect_close(call("double", learner, x), 2 * x, "double(x)")
'''


@pytest.fixture
def tiny(tmp_path):
    folder = tmp_path / "ex" / "double_it"
    folder.mkdir(parents=True)
    (folder / "check.py").write_text(CHECK)

    def job(learner_source: str, **kw) -> ExerciseJob:
        path = tmp_path / "double_it.py"
        path.write_text(textwrap.dedent(learner_source))
        return ExerciseJob("double_it", str(folder), str(path), **kw)

    return job


def test_a_correct_file_passes(tiny):
    result = grade(tiny("def double(x):\n    return x * 2\n"))
    assert result.passed and [c.name for c in result.checks] == ["your file loads", "double"]


def test_a_syntax_error_names_the_line(tiny):
    result = grade(tiny("def double(x):\n    return x *\n"))
    assert not result.passed
    assert result.checks[0].message.startswith("line 2: SyntaxError")
    assert result.checks[1].message.startswith("not run")


def test_an_exception_is_trimmed_to_the_learners_file(tiny):
    result = grade(tiny("""
        def helper(x):
            return x[10]
        def double(x):
            return helper(x)
    """))
    failed = result.first_failure()
    assert failed.name == "double"
    assert "IndexError at line 3" in failed.message
    assert "seed" in failed.message
    assert "double_it.py, line 5, in double" in failed.detail
    assert "exercise_runner" not in failed.detail and "checking.py" not in failed.detail


def test_a_value_mismatch_shows_the_error_index_and_seed(tiny):
    result = grade(tiny("def double(x):\n    y = 2 * x\n    y[0, 0] += 1\n    return y\n"))
    message = result.first_failure().message
    assert "max |got − expected| = 1" in message and "at index [0, 0]" in message
    assert "seed 0" in message


def test_a_shape_mismatch_shows_both_shapes(tiny):
    result = grade(tiny("def double(x):\n    return 2 * x.T\n"))
    message = result.first_failure().message
    assert "has shape" in message and "expected" in message
    assert "seed 1" in message  # case 1 (1 × 1) passes; the first non-square case fails


def test_an_endless_loop_is_stopped_with_a_message(tiny):
    result = grade(tiny("def double(x):\n    while True:\n        pass\n", time_limit=1.0))
    assert result.kind == "timeout"
    assert "stopped after 1 s" in result.first_failure().message
    assert "line 2" in result.first_failure().message


def test_an_endless_loop_that_swallows_the_alarm_is_stopped_again(tiny):
    source = "def double(x):\n    while True:\n        try:\n            pass\n        except BaseException:\n            pass\n"
    result = grade(tiny(source, time_limit=0.5))
    assert result.kind == "timeout"


def test_a_memory_error_is_reported_as_such(tiny):
    result = grade(tiny("import torch\ndef double(x):\n    return torch.empty(10**14)\n"))
    assert result.kind == "memory"
    assert "ran out of memory at line 3" in result.first_failure().message


def test_printed_output_is_captured(tiny):
    result = grade(tiny("def double(x):\n    print('shape', tuple(x.shape))\n    return 2 * x\n"))
    assert result.passed and "shape (1, 1)" in result.output


def test_a_forbidden_name_is_named_with_the_reason(tiny):
    job = tiny("import torch.nn.functional as F\ndef double(x):\n    return F.linear(x, 2 * torch.eye(x.shape[1]))\n",
               forbidden={"torch.nn.functional.linear": "write the product yourself"})
    result = grade(job)
    scan = next(c for c in result.checks if c.name == "uses only allowed names")
    assert not scan.passed
    assert scan.message == "line 3: `torch.nn.functional.linear` is not allowed here: write the product yourself"


# -- the forbidden-name scan ------------------------------------------------------------------------

def test_scan_resolves_aliases_methods_loops_and_allowed_names():
    source = textwrap.dedent("""
        import torch
        from torch import autograd
        from torch.nn.functional import softmax as sm
        class C(torch.autograd.Function):
            pass
        def f(x):
            x.backward()
            autograd.grad(x, x)
            return [sm(v, 0) for v in x]
    """)
    uses = scan_forbidden(source, {".backward": "a", "torch.autograd": "b", "torch.nn.functional.softmax": "c",
                                   "for": "d"}, allowed=["torch.autograd.Function"])
    found = {(u.name, u.line) for u in uses}
    assert (".backward", 8) in found
    assert ("torch.autograd", 3) in found and ("torch.autograd", 9) in found
    assert ("torch.nn.functional.softmax", 4) in found and ("torch.nn.functional.softmax", 10) in found
    assert ("for", 10) in found
    assert not any(u.line == 5 for u in uses)  # torch.autograd.Function is allowed


# -- expect_close, property-based ---------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), data=st.data())
def test_expect_close_reports_the_index_of_the_largest_error(shape, data):
    import torch

    expected = torch.zeros(shape, dtype=torch.float64)
    index = tuple(data.draw(st.integers(0, n - 1)) for n in shape)
    got = expected.clone()
    got[index] = 0.5
    with pytest.raises(CheckFailed) as err:
        expect_close(got, expected, "y")
    assert f"at index [{', '.join(map(str, index))}]" in str(err.value)
    assert "max |got − expected| = 0.5" in str(err.value)


# -- task.md problems ---------------------------------------------------------------------------------

def test_malformed_task_md_gives_file_and_line(tmp_path):
    folder = tmp_path / "t1" / "exercises" / "broken_one"
    folder.mkdir(parents=True)
    (folder / "task.md").write_text("---\nid: broken_one\ntitle: Broken\norder: 1\nlessons: [t1_x]\n"
                                    "hints: [only one]\ncolour: red\ntime_limit: 999\n---\nDo it.\n")
    (folder / "starter.py").write_text("x = 1  # TODO\n")
    (folder / "solution.py").write_text("x = (\n")
    (folder / "check.py").write_text("import torch\n")
    problems = [str(p) for p in load_exercise(folder).problems]
    assert any(p.endswith("task.md:6: an exercise needs 2 or 3 hints (found 1)") for p in problems)
    assert any("task.md:7: unknown key 'colour'" in p for p in problems)
    assert any("task.md:8: time_limit must be" in p for p in problems)
    assert any("solution.py:1: syntax error" in p for p in problems)
    assert any("check.py:1: check.py defines no @check function" in p for p in problems)


def test_a_lesson_block_naming_an_unknown_exercise_is_a_problem(tmp_path):
    from dltui.curriculum import load_lesson

    theme = tmp_path / "01-x"
    theme.mkdir()
    lesson = theme / "t1_demo.md"
    lesson.write_text("---\nid: t1_demo\n---\n\n```exercise\nexercise: no_such_thing\n```\n")
    problems = [str(p) for p in load_lesson(lesson, "t1").problems]
    assert any("t1_demo.md:6: unknown exercise 'no_such_thing'" in p for p in problems)


def test_the_shipped_lessons_embed_every_exercise():
    cur = load_curriculum(curriculum_dir())
    embedded = {b.exercise for le in cur.lessons() for b in le.exercises}
    assert {e.id for e in SHIPPED} <= embedded
