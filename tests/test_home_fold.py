"""Home at 80×24: every theme with its progress on one screen, the one in progress unfolded."""

from __future__ import annotations

import pytest
from textual.widgets import Tree

from dltui.screens.lesson import LessonScreen


@pytest.fixture(scope="module")
def course():
    from dltui.curriculum import load_curriculum
    from dltui.paths import curriculum_dir

    return load_curriculum(curriculum_dir())


def _outline(app) -> Tree:
    return app.screen.query_one("#outline", Tree)


async def test_all_themes_fit_at_80x24_with_only_the_current_one_unfolded(make_app, course, tmp_path):
    app = make_app(tmp_path / "fold", curriculum=course)
    app.store.lesson_opened(course.themes[2].lessons[1].id)  # the learner is in the third theme
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tree = _outline(app)
        themes = tree.root.children
        assert len(themes) == len(course.themes) >= 9
        assert [n.is_expanded for n in themes] == [i == 2 for i in range(len(themes))]
        assert tree.last_line + 1 <= tree.size.height  # every line of the outline is on screen
        # The cursor waits on the last lesson, and the detail pane shows it.
        assert tree.cursor_node.data.id == course.themes[2].lessons[1].id
        assert course.themes[2].lessons[1].title in str(app.screen.query_one("#detail-title").render())
        for node in themes:  # each theme shows its read count, even when its title is cut
            assert str(tree.render_label(node, tree.rich_style, tree.rich_style).plain).endswith(
                f"0/{len(node.data.lessons)}")


async def test_right_unfolds_left_folds_and_enter_opens(make_app, course, tmp_path):
    app = make_app(tmp_path / "keys", curriculum=course)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tree = _outline(app)
        themes = tree.root.children
        assert themes[0].is_expanded and not themes[1].is_expanded  # nothing started: the first theme
        tree.move_cursor(themes[1])
        await pilot.press("right")
        assert themes[1].is_expanded and tree.scroll_x == 0
        await pilot.press("right")  # on an unfolded theme, → steps into its first lesson
        assert tree.cursor_node is themes[1].children[0]
        await pilot.press("left")  # on a lesson, ← folds its theme and goes back to it
        assert tree.cursor_node is themes[1] and not themes[1].is_expanded
        await pilot.press("enter")  # Enter unfolds too
        assert themes[1].is_expanded
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen) and app.screen.lesson.id == course.themes[1].lessons[0].id


async def test_a_small_course_shows_everything_unfolded(make_app):
    app = make_app()  # the two-theme fixture fits even at 80×24
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert all(n.is_expanded for n in _outline(app).root.children)
