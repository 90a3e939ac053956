"""Honest predictions: which run grades a prediction, what the feedback says, the expectation line."""

from __future__ import annotations

from dataclasses import dataclass

from dltui.curriculum import Option, Question
from dltui.quiz import expectation_note, graded_by, grade_predictions, lab_defaults, settings_match
from dltui.widgets.quiz import QuizWidget

SPIRAL = lab_defaults("spiral_classification")


def no_activation() -> Question:
    opts = [Option("Near a half", "e", when="acc_hidden < 0.7"), Option("High", "e", when="acc_hidden >= 0.7")]
    return Question(id="predict-no-activation", kind="predict", prompt="?", line=1, options=opts,
                    lab="spiral_classification", settings={"model": "hidden", "activation": "none"})


@dataclass
class FakeAnswer:
    id: int
    lesson_id: str
    question_id: str
    answer: int


class FakeLesson:
    title = "Neural nets training"

    def __init__(self, q: Question):
        self.q = q

    def question(self, qid):
        return self.q if qid == self.q.id else None


class FakeCurriculum:
    def __init__(self, q: Question):
        self._lesson = FakeLesson(q)

    def lesson(self, lesson_id):
        return self._lesson if lesson_id == "t1_nn_training" else None


def test_a_run_matches_only_with_the_declared_settings_and_defaults_for_the_rest():
    wanted = {"model": "hidden", "activation": "none"}
    run = {**SPIRAL, **wanted}
    assert settings_match(run, wanted, SPIRAL)
    assert settings_match({"model": "hidden", "activation": "none"}, wanted, SPIRAL)  # missing = default
    assert not settings_match({**run, "seed": 1}, wanted, SPIRAL)  # another seed is another run
    assert not settings_match({**run, "steps": 40}, wanted, SPIRAL)  # so are fewer steps
    assert not settings_match({**run, "activation": "relu"}, wanted, SPIRAL)
    assert not settings_match(SPIRAL, wanted, SPIRAL)  # the lab list's defaults are not what was asked
    assert settings_match({**run, "lr": 0.01 + 1e-15}, wanted, SPIRAL)  # a float read back from text


def test_pacing_settings_do_not_count():
    defaults = lab_defaults("optimizers")
    assert "animate" in defaults
    assert settings_match({**defaults, "animate": 0.0}, {}, defaults)


def test_grade_predictions_is_pure_and_needs_matching_settings():
    q = no_activation()
    cur = FakeCurriculum(q)
    pending = [FakeAnswer(7, "t1_nn_training", q.id, 0)]
    metrics = {"acc_hidden": 0.487, "acc_linear": 0.49}
    # From the lab list with its defaults: not the run the question asked about.
    assert grade_predictions(pending, cur, "spiral_classification", dict(SPIRAL), metrics) == []
    # Another lab never grades it.
    assert grade_predictions(pending, cur, "regression", {**SPIRAL, **q.settings}, metrics) == []
    # The question's settings, wherever the run was started from: graded.
    results = grade_predictions(pending, cur, "spiral_classification", {**SPIRAL, **q.settings}, metrics)
    assert [(r.answer_id, r.correct) for r in results] == [(7, True)]
    assert results[0].note == "Your prediction in “Neural nets training” was right ✓"
    wrong = grade_predictions([FakeAnswer(8, "t1_nn_training", q.id, 1)], cur, "spiral_classification",
                              {**SPIRAL, **q.settings}, metrics)
    assert [(r.answer_id, r.correct) for r in wrong] == [(8, False)]
    # A run without the metric the conditions need grades nothing.
    assert grade_predictions(pending, cur, "spiral_classification", {**SPIRAL, **q.settings}, {}) == []


def test_graded_by_names_the_run_its_settings_and_the_metrics_that_decided():
    q = no_activation()
    line = graded_by(q, {**SPIRAL, **q.settings}, {"acc_hidden": 0.4871, "loss_hidden": 1.0})
    assert line == ("graded by your run of spiral_classification with model=hidden, activation=none, seed 0 "
                    "— acc_hidden = 0.487")
    q.settings = {}
    assert "with the default settings, seed 0" in graded_by(q, dict(SPIRAL), {"acc_hidden": 0.9})


def test_expectation_line_belongs_to_the_default_settings():
    preset = {"model": "hidden", "activation": "none"}
    assert expectation_note(True, dict(SPIRAL), SPIRAL) == ("expectation met ✓", "green")
    assert expectation_note(False, dict(SPIRAL), SPIRAL) == ("expectation not met ✗", "red")
    # The lesson's preset did what the lesson asked: no red cross.
    assert expectation_note(False, {**SPIRAL, **preset}, SPIRAL, preset)[0] == "as the lesson describes"
    assert expectation_note(True, {**SPIRAL, **preset}, SPIRAL, preset)[0] == "as the lesson describes"
    # The learner's own settings: the expectation was never about them.
    note, style = expectation_note(False, {**SPIRAL, "steps": 20}, SPIRAL, preset)
    assert "✗" not in note and style != "red"
    assert expectation_note(None, dict(SPIRAL), SPIRAL) == ("", "")


async def test_feedback_says_which_run_graded_the_prediction(make_app, tmp_path):
    app = make_app(tmp_path / "graded")
    settings = {**SPIRAL, "model": "linear", "steps": 40, "points": 60}
    app.store.record_answer("t1_demo", "predict-linear", "predict", 0, None)
    run = app.store.record_run("spiral_classification", settings, {"acc_linear": 0.487, "loss_linear": 1.0},
                               status="finished", seconds=1, steps=40, device="cpu")
    other = app.store.record_run("spiral_classification", dict(SPIRAL), {"acc_linear": 0.5},
                                 status="finished", seconds=1, steps=300, device="cpu")
    assert app.grade_predictions("spiral_classification", dict(SPIRAL), {"acc_linear": 0.5}, other) == []
    assert len(app.grade_predictions("spiral_classification", settings, {"acc_linear": 0.487}, run)) == 1
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        quiz = [q for q in app.screen.query(QuizWidget) if q.question.kind == "predict"][0]
        text = str(quiz.query_one(".quiz-feedback").render())
        assert ("Graded by your run of spiral_classification with model=linear, steps=40, points=60, seed 0 "
                "— acc_linear = 0.487") in " ".join(text.split())
        assert quiz.has_class("right")
