"""Ctrl+P finds lessons (by title or id), labs, Continue and the screens; Esc closes every panel."""

from __future__ import annotations

from textual.command import CommandInput, CommandList, CommandPalette

from dltui.palette import course_commands
from dltui.screens.help import HelpScreen
from dltui.screens.home import HomeScreen
from dltui.screens.lab import LabScreen
from dltui.screens.lesson import LessonScreen

SIZE = (80, 24)


async def _wait(pilot, predicate, limit: int = 100) -> None:
    for _ in range(limit):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition never became true")


def _hits(app) -> list[str]:
    results = app.screen.query_one(CommandList)
    return [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]


async def _search(app, pilot, text: str) -> list[str]:
    await pilot.press("ctrl+p")
    await _wait(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*text)
    await _wait(pilot, lambda: any(text.split()[0].lower()[:3] in h.lower() for h in _hits(app)))
    return _hits(app)


async def test_palette_finds_a_lab_and_opens_it(make_app, tmp_path):
    app = make_app(tmp_path / "lab")
    async with app.run_test(size=SIZE) as pilot:
        hits = await _search(app, pilot, "spir")
        assert hits[0].startswith("Lab: Spiral classification")
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, LabScreen))
        assert app.screen.lab_id == "spiral_classification"


async def test_palette_finds_a_lesson_by_title_and_by_id(make_app, tmp_path):
    app = make_app(tmp_path / "lesson")
    async with app.run_test(size=SIZE) as pilot:
        hits = await _search(app, pilot, "demo lesson")
        assert hits[0].startswith("Lesson: A demo lesson")
        await pilot.press("escape")  # Esc closes the palette
        await _wait(pilot, lambda: isinstance(app.screen, HomeScreen))
        hits = await _search(app, pilot, "t2_other")
        assert hits[0].startswith("Lesson: Another lesson (t2_other)")
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, LessonScreen))
        assert app.screen.lesson.id == "t2_other"


def test_every_lesson_lab_and_screen_has_a_command(make_app, fixture_curriculum):
    from dltui import labregistry

    app = make_app()
    texts = [c.text for c in course_commands(app)]
    assert texts[0].startswith("Continue")
    assert any(t.startswith("Home") for t in texts) and any(t.startswith("All labs") for t in texts)
    assert any(t.startswith("Keys") for t in texts)
    for lesson in fixture_curriculum.lessons():
        assert f"Lesson: {lesson.title} ({lesson.id})" in texts
    for lab in labregistry.lab_ids():
        assert any(t.endswith(f"({lab})") and t.startswith("Lab: ") for t in texts)


async def test_continue_from_the_palette_opens_the_last_lesson(make_app, tmp_path):
    app = make_app(tmp_path / "cont")
    app.store.lesson_opened("t2_other")
    async with app.run_test(size=SIZE) as pilot:
        await _search(app, pilot, "continue")
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, LessonScreen))
        assert app.screen.lesson.id == "t2_other"


async def test_esc_closes_the_keys_panel(make_app, tmp_path):
    app = make_app(tmp_path / "keys")
    async with app.run_test(size=SIZE) as pilot:
        hits = await _search(app, pilot, "keys")
        assert hits[0].startswith("Keys and help")  # ours; Textual's own panel is not offered
        assert not any(h == "Keys" for h in hits)
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await _wait(pilot, lambda: isinstance(app.screen, HomeScreen))


# -- keys faster than the palette updates (benchmarks/reliability.py found both) -------------------

async def test_page_keys_before_the_list_is_laid_out_do_not_crash(make_app, tmp_path):
    from textual.widgets.option_list import Option

    app = make_app(tmp_path / "page")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await _wait(pilot, lambda: isinstance(app.screen, CommandPalette))
        palette = app.screen
        results = palette.query_one(CommandList)
        await pilot.pause(0.3)  # the discovery hits are in
        palette._list_visible = False
        await _wait(pilot, lambda: not results.scrollable_content_region)
        # The state right after a search fills a list that has not been laid out yet.
        results.clear_options().add_options([Option(f"hit {i}") for i in range(30)])
        results.highlighted = 0
        assert not results.scrollable_content_region
        palette._action_command_list("page_down")
        palette._action_command_list("page_up")
        await pilot.press("pagedown", "pageup", "pagedown")
        assert app.screen is palette and app.is_running
        # Once laid out, the page keys move the highlight as usual.
        palette._list_visible = True
        await _wait(pilot, lambda: bool(results.scrollable_content_region))
        await pilot.press("pagedown")
        assert results.highlighted and results.highlighted > 0


async def test_enter_twice_in_one_tick_opens_one_screen_and_crashes_nothing(make_app, tmp_path):
    app = make_app(tmp_path / "twice")
    async with app.run_test(size=SIZE) as pilot:
        await _search(app, pilot, "demo lesson")
        palette = app.screen
        # Two selections queued before the first one closes the palette.
        palette._action_command_list("select")
        palette._action_command_list("select")
        await _wait(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.pause(0.2)
        assert app.is_running and isinstance(app.screen, LessonScreen)
        assert [type(s) for s in app.screen_stack] == [HomeScreen, LessonScreen]


async def test_a_selection_queued_behind_esc_does_not_run(make_app, tmp_path):
    app = make_app(tmp_path / "esc")
    async with app.run_test(size=SIZE) as pilot:
        await _search(app, pilot, "keys")
        palette = app.screen
        palette._action_escape()
        palette._action_command_list("select")
        palette.query_one(CommandInput).value = "lab"  # a letter typed as it closed: no late search
        await pilot.pause(0.5)
        assert app.is_running and len(app.screen_stack) == 1  # no help screen was opened


async def test_dismissing_the_palette_twice_pops_only_the_palette(make_app, tmp_path):
    app = make_app(tmp_path / "dismiss")
    async with app.run_test(size=SIZE) as pilot:
        await _search(app, pilot, "demo lesson")
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.press("ctrl+p")
        await _wait(pilot, lambda: isinstance(app.screen, CommandPalette))
        palette = app.screen
        palette.dismiss()
        palette.dismiss()  # Textual's own palette would pop the lesson too (or fail on home)
        await pilot.pause(0.1)
        assert isinstance(app.screen, LessonScreen) and app.is_running


async def test_palette_finds_an_exercise_by_id_and_opens_it(make_app, tmp_path):
    from dltui.curriculum import load_curriculum
    from dltui.exercise_service import exercise_service
    from dltui.paths import curriculum_dir
    from dltui.screens.exercise import ExerciseScreen

    app = make_app(tmp_path / "ex", curriculum=load_curriculum(curriculum_dir()))
    texts = [c.text for c in course_commands(app)]
    exercises = exercise_service(app).exercises
    assert exercises and all(f"Exercise: {e.title} ({e.id})" in texts for e in exercises.values())
    some = sorted(exercises)[0]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await _wait(pilot, lambda: isinstance(app.screen, CommandPalette))
        app.screen.query_one(CommandInput).value = some  # ids have "_", which press() spells differently
        await _wait(pilot, lambda: any(f"({some})" in h for h in _hits(app)))
        assert _hits(app)[0].startswith(f"Exercise: {exercises[some].title} ({some})")
        await pilot.press("enter")
        await _wait(pilot, lambda: isinstance(app.screen, ExerciseScreen))
        assert app.screen.exercise_id == some
