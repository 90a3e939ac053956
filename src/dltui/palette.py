"""The command palette's course commands: every lesson, lab and exercise, Continue, Review, every screen.

Ctrl+P, then a few letters of a title or an id ("spir", "t1_nn", "backprop").
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from textual.await_complete import AwaitComplete
from textual import work
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.css.query import NoMatches
from textual.system_commands import SystemCommandsProvider
from textual.message import Message
from textual.widgets import Button, Input, OptionList

if TYPE_CHECKING:
    from textual.app import App


@dataclass(frozen=True)
class Command:
    text: str  # what is shown and matched
    help: str
    run: Callable[[], object]


def _to_base(app: App) -> None:
    """Back to the home screen, saving each lesson's reading position on the way."""
    while len(app.screen_stack) > 1:
        flush = getattr(app.screen, "flush_position", None)
        if flush is not None:
            flush()
        app.pop_screen()


def open_lesson(app: App, lesson_id: str) -> None:
    from dltui.screens.lesson import LessonScreen

    lesson = app.curriculum.lesson(lesson_id) if app.curriculum else None
    if lesson is not None:
        _to_base(app)
        app.push_screen(LessonScreen(lesson))


def open_lab(app: App, lab_id: str) -> None:
    from dltui.screens.lab import LabScreen

    _to_base(app)
    app.push_screen(LabScreen(lab_id))


def open_lab_list(app: App) -> None:
    from dltui.screens.lablist import LabListScreen

    _to_base(app)
    app.push_screen(LabListScreen())


def open_review(app: App) -> None:
    from dltui.screens.review import ReviewScreen

    if app.curriculum is not None:
        _to_base(app)
        app.push_screen(ReviewScreen())


def open_exercise(app: App, exercise_id: str) -> None:
    from dltui.screens.exercise import ExerciseScreen

    _to_base(app)
    app.push_screen(ExerciseScreen(exercise_id))


def continue_learning(app: App) -> None:
    if app.curriculum is None:
        return
    last = app.store.last_lesson()
    lesson = app.curriculum.lesson(last) if last else None
    if lesson is None:
        lesson = next(iter(app.curriculum.lessons()), None)
    if lesson is not None:
        open_lesson(app, lesson.id)


def course_commands(app: App) -> list[Command]:
    """Screens first, then lessons in course order, then labs, then exercises."""
    from dltui import labregistry

    cmds = [
        Command("Continue where you left off", "open the last lesson you read", lambda: continue_learning(app)),
        Command("Home: themes and lessons", "the course outline", lambda: _to_base(app)),
        Command("All labs", "every lab with its lessons and your runs", lambda: open_lab_list(app)),
        Command("Review", "the questions due for spaced review, one at a time", lambda: open_review(app)),
        Command("Keys and help", "every key of every screen (Esc closes it)", app.action_help),
    ]
    if app.curriculum is not None:
        for theme in app.curriculum.themes:
            for lesson in theme.lessons:
                cmds.append(Command(f"Lesson: {lesson.title} ({lesson.id})", theme.title,
                                    lambda lid=lesson.id: open_lesson(app, lid)))
    for mod in labregistry.all_labs():
        info = mod.INFO
        cmds.append(Command(f"Lab: {info.title} ({info.id})", info.summary, lambda lab=info.id: open_lab(app, lab)))
    if app.curriculum is not None:
        from dltui.exercise_service import exercise_service

        for ex in sorted(exercise_service(app).exercises.values(), key=lambda e: (e.theme_id, e.order, e.id)):
            cmds.append(Command(f"Exercise: {ex.title} ({ex.id})", "write the code, then Ctrl+S runs the checks",
                                lambda eid=ex.id: open_exercise(app, eid)))
    return cmds


class CourseCommands(Provider):
    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for cmd in course_commands(self.app):
            score = matcher.match(cmd.text)
            if score > 0:
                yield Hit(score, matcher.highlight(cmd.text), cmd.run, text=cmd.text, help=cmd.help)

    async def discover(self) -> Hits:
        for cmd in course_commands(self.app)[:5]:  # the screens; lessons and labs appear as you type
            yield DiscoveryHit(cmd.text, cmd.run, text=cmd.text, help=cmd.help)


class SearchedSystemCommands(SystemCommandsProvider):
    """Textual's system commands (Quit, Theme, Screenshot, Maximize), found by typing only.

    Listed on an empty palette, they mixed with the course's commands in whichever order the
    providers answered, and where the focused widget cannot be maximized Quit came first:
    Ctrl+P, Enter quit the app (random keys found it). Empty, the palette offers only the
    course; "quit" or "theme" still find the others."""

    async def discover(self) -> Hits:
        return
        yield


class CoursePalette(CommandPalette):
    """Textual's command palette, safe against keys that arrive faster than it updates.

    Two races crashed the app under fast typing (benchmarks/reliability.py, random keys):
    - PageUp/PageDown right after a search fills the list, before the list has been laid out:
      the list has options and a highlight but no lines yet, and Textual's page move looks up
      line 0 of an empty table (KeyError). A page move needs a laid-out list, so until then the
      key is ignored; the next frame has one.
    - Two closing gestures queued before the palette is gone (Enter then Esc, or Enter twice):
      each calls dismiss(), and the second pops the screen underneath, or fails with
      "Can't pop screen" on the home screen. Only the first one counts; selections that were
      still queued when the palette closed are dropped, so nothing runs after Esc.
    - A letter typed just before the palette closed started a search after it had gone, which
      then failed to find its result list (NoMatches); such late edits are dropped, and a search
      still running as the palette closes ends quietly.
    """

    _dismissed = False

    def _action_command_list(self, action: str) -> None:
        if action in ("page_up", "page_down"):
            command_list = self.query_one(CommandList)
            if command_list.highlighted is not None and not command_list.scrollable_content_region:
                return
        super()._action_command_list(action)

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        try:
            await CommandPalette._gather_commands.__wrapped__(self, search_value)
        except NoMatches:
            if not self._dismissed and self.app.screen is self and self.is_attached:
                raise
            # A search still running as the palette closed: its result list is gone; nothing to show.

    def dismiss(self, result=None) -> AwaitComplete:
        if self._dismissed or self.app.screen is not self:
            return AwaitComplete(asyncio.sleep(0))
        self._dismissed = True
        return super().dismiss(result)

    async def _on_message(self, message: Message) -> None:
        late = (OptionList.OptionSelected, Input.Submitted, Input.Changed, Button.Pressed)
        if isinstance(message, late) and (self._dismissed or self.app.screen is not self):
            return  # typed before the palette closed: a new search would look for a list already gone
        await super()._on_message(message)

