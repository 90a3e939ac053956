"""Faults that random keys found (benchmarks/soak_keys.py), each injected again here."""

from __future__ import annotations

from dltui.curriculum import load_curriculum
from dltui.paths import curriculum_dir
from fake_worker import SilentWorker


async def test_a_verdict_arriving_while_the_exercise_screen_closes_is_dropped(make_app, monkeypatch):
    """Soak seed 15 at 60×20: Ctrl+S, then Esc; the verdict came while Textual was removing the
    screen's widgets (before its on_unmount stops listening): NoMatches '#ex-results' ended the app."""
    from dltui.exercisespec import CheckOutcome, ExerciseResult
    from dltui.screens.exercise import ExerciseScreen

    verdict = ExerciseResult("tensor_basics", [CheckOutcome("a", False, "off")], 0.01)
    seen: list[bool] = []
    on_unmount = ExerciseScreen.on_unmount

    def verdict_then_unmount(screen):
        # The moment of the crash: the widgets are gone, the listener not yet removed.
        seen.append(not screen.query("#ex-results"))
        screen.show_result(verdict)
        on_unmount(screen)

    monkeypatch.setattr(ExerciseScreen, "on_unmount", verdict_then_unmount)
    app = make_app(curriculum=load_curriculum(curriculum_dir()))
    app.exercise_process_factory = SilentWorker
    async with app.run_test(size=(60, 20)) as pilot:
        app.push_screen(ExerciseScreen("tensor_basics"))
        await pilot.pause()
        await pilot.press("ctrl+s", "escape", "escape")
        for _ in range(5):
            await pilot.pause()
        assert seen == [True]
        assert app.is_running and type(app.screen).__name__ == "HomeScreen"
    assert app.return_code in (0, None) and getattr(app, "_exception", None) is None


async def test_the_theme_picker_survives_a_double_dismiss(make_app):
    """Ctrl+P, t, Enter opens the palette's "Theme" picker, a second palette that Textual builds
    itself: it lacked CoursePalette's guards, and Enter then Esc in one tick popped home too (or
    failed with "Can't pop screen")."""
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.search_themes()
        for _ in range(5):
            await pilot.pause()
        picker = app.screen
        assert isinstance(picker, CommandPalette)
        picker.dismiss()
        picker.dismiss()  # the second closing gesture, queued before the picker is gone
        for _ in range(3):
            await pilot.pause()
        assert app.is_running and type(app.screen).__name__ == "HomeScreen"
    assert app.return_code in (0, None) and getattr(app, "_exception", None) is None


def _palette_entries(app) -> list[str]:
    from textual.command import CommandList

    options = app.screen.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt).split("\n")[0] for i in range(options.option_count)]


async def _settle(pilot, predicate) -> None:
    for _ in range(100):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition never became true")


async def test_ctrl_p_then_enter_never_quits(make_app):
    """The random-key self-exit: Ctrl+P, Enter. The palette listed Textual's system commands
    (Maximize, Quit, Screenshot, Theme) with the course's, in whichever order the providers
    answered, and where the focused widget cannot be maximized Quit came first: Enter quit the
    app (status 0, no traceback). Now the empty palette lists only the course's commands; the
    system ones are found by typing ("quit", "theme")."""
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.set_focus(None)  # nothing to maximize, as on several screens
        await pilot.press("ctrl+p")
        await _settle(pilot, lambda: isinstance(app.screen, CommandPalette) and len(_palette_entries(app)) >= 5)
        await pilot.pause(0.3)  # every provider has answered
        entries = _palette_entries(app)
        assert not {"Quit", "Maximize", "Screenshot", "Theme"} & set(entries), entries
        assert entries[0].startswith("Continue")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.is_running and app.return_code is None
        # Quit is still there for whoever types it.
        await pilot.press("escape", "escape", "escape", "ctrl+p", *"quit")
        await _settle(pilot, lambda: isinstance(app.screen, CommandPalette) and "Quit" in _palette_entries(app))


async def test_a_verdict_arriving_while_a_lesson_closes_spares_its_exercise_block(make_app, monkeypatch):
    """The exercise screen's race, in the lesson's exercise block: a verdict observed while Esc
    closes the lesson found the block's title already removed (NoMatches)."""
    from dltui.exercisespec import CheckOutcome, ExerciseResult
    from dltui.screens.lesson import LessonScreen
    from dltui.widgets.exerciseblock import ExerciseBlockWidget

    seen: list[bool] = []
    on_unmount = ExerciseBlockWidget.on_unmount

    def verdict_then_unmount(block):
        seen.append(not block.query(".exerciseblock-title"))
        block._verdict(block.block.exercise, ExerciseResult(block.block.exercise, [CheckOutcome("a", True)], 0.01))
        on_unmount(block)

    monkeypatch.setattr(ExerciseBlockWidget, "on_unmount", verdict_then_unmount)
    curriculum = load_curriculum(curriculum_dir())
    app = make_app(curriculum=curriculum)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.push_screen(LessonScreen(curriculum.lesson("t1_backprop")))
        await pilot.pause()
        await pilot.press("escape")
        for _ in range(5):
            await pilot.pause()
        assert seen and all(seen)
        assert app.is_running and type(app.screen).__name__ == "HomeScreen"
    assert app.return_code in (0, None) and getattr(app, "_exception", None) is None

