"""Home: the themes and their lessons, with progress, and a Continue action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static, Tree

from dltui.widgets.bars import KeyBar, TitleBar

if TYPE_CHECKING:
    from dltui.curriculum import Lesson, Theme
    from dltui.progress import LessonProgress


def _is_lesson(item) -> bool:
    # The curriculum module is loaded after the first frame; tree nodes hold themes or lessons.
    return hasattr(item, "blocks")


def _wide_bar(done: int, total: int, what: str, width: int = 16) -> str:
    filled = round(width * done / total) if total else 0
    percent = round(100 * done / total) if total else 0
    return f"[green]{'━' * filled}[/][dim]{'━' * (width - filled)}[/] {percent}% {what}"


def _bar(done: int, total: int, width: int = 5) -> str:
    filled = round(width * done / total) if total else 0
    return "▰" * filled + "▱" * (width - filled)


class HomeScreen(Screen):
    BINDINGS = [
        Binding("c", "continue", "Continue"),
        Binding("enter", "open", "Open", show=False),
        Binding("l", "labs", "Labs"),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="home"):
            yield Tree("Course", id="outline")
            with VerticalScroll(id="detail"):
                yield Static(id="detail-title")
                yield Static(id="detail-read")
                yield Static(id="detail-stats")
                yield Static(id="detail-body")
        yield KeyBar()

    def on_mount(self) -> None:
        tree = self.query_one("#outline", Tree)
        tree.show_root = False
        tree.guide_depth = 2
        self.rebuild()
        tree.focus()

    def on_screen_resume(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        """Refresh labels and bars from the store, keeping the cursor where it was."""
        tree = self.query_one("#outline", Tree)
        if self.app.curriculum is None:
            self.query_one("#detail-title", Static).update("Loading the course…")
            return
        progress = self.app.store.lesson_progress()
        cursor = tree.cursor_line
        expanded = {n.data.id for n in tree.root.children if n.is_expanded} if tree.root.children else None
        tree.clear()
        last = self.app.store.last_lesson()
        for theme in self.app.curriculum.themes:
            node = tree.root.add(self._theme_label(theme, progress), data=theme,
                                 expand=expanded is None or theme.id in expanded)
            for lesson in theme.lessons:
                node.add_leaf(self._lesson_label(lesson, progress.get(lesson.id), lesson.id == last), data=lesson)
        tree.cursor_line = min(max(cursor, 0), tree.last_line)
        # The tree lays out its new lines on the next refresh; show the detail once it has.
        self.call_after_refresh(lambda: self._show(tree.cursor_node))

    def _theme_label(self, theme: Theme, progress: dict[str, LessonProgress]) -> str:
        n = len(theme.lessons)
        read = sum(1 for le in theme.lessons if progress.get(le.id) and progress[le.id].completed)
        return f"{theme.title} {_bar(read, n)} {read}/{n}"

    def _lesson_label(self, lesson: Lesson, p: LessonProgress | None, is_last: bool) -> str:
        mark = "⚠" if lesson.broken else ("✓" if p and p.completed else ("•" if p else " "))
        score = f"  {p.correct}/{len(lesson.questions)}" if p and p.answered else ""
        here = "  ◂ last" if is_last else ""
        return f"{mark} {lesson.title}{score}{here}"

    @on(Tree.NodeHighlighted, "#outline")
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        self._show(event.node)

    @on(Tree.NodeSelected, "#outline")
    def _selected(self, event: Tree.NodeSelected) -> None:
        if _is_lesson(event.node.data):
            self.open_lesson(event.node.data)

    def action_open(self) -> None:
        node = self.query_one("#outline", Tree).cursor_node
        if node is not None and _is_lesson(node.data):
            self.open_lesson(node.data)

    def _show(self, node) -> None:
        if node is None or node.data is None:
            return
        progress = self.app.store.lesson_progress()
        title = self.query_one("#detail-title", Static)
        bar = self.query_one("#detail-read", Static)
        stats = self.query_one("#detail-stats", Static)
        body = self.query_one("#detail-body", Static)
        item = node.data
        if not _is_lesson(item):
            lessons = item.lessons
            read = sum(1 for le in lessons if progress.get(le.id) and progress[le.id].completed)
            total_q = sum(len(le.questions) for le in lessons)
            right = sum(progress[le.id].correct for le in lessons if le.id in progress)
            title.update(f"[b]{item.title}[/b]")
            bar.update(_wide_bar(read, len(lessons), "read"))
            stats.update(f"Lessons read {read}/{len(lessons)} · quiz score {right}/{total_q}")
            body.update(item.overview)
        else:
            p = progress.get(item.id)
            title.update(f"[b]{item.title}[/b]  [dim]{item.minutes} min[/dim]")
            answered = p.answered if p else 0
            bar.update(_wide_bar(answered, len(item.questions), "answered"))
            right = p.correct if p else 0
            status = "read ✓" if p and p.completed else ("started" if p else "not started")
            pending = f" · {p.pending} prediction(s) waiting for a lab run" if p and p.pending else ""
            labs = f" · labs: {', '.join(b.lab for b in item.labs)}" if item.labs else ""
            stats.update(f"{status} · answered {answered}/{len(item.questions)} · right {right}{pending}{labs}")
            lines = [f"• {o}" for o in item.objectives]
            if item.broken:
                lines = ["[b red]⚠ This lesson has problems:[/]"] + [f"  {pr}" for pr in item.problems[:5]] + [""] + lines
            body.update("\n".join(lines))

    def open_lesson(self, lesson: Lesson) -> None:
        from dltui.screens.lesson import LessonScreen

        self.app.push_screen(LessonScreen(lesson))

    def action_continue(self) -> None:
        if self.app.curriculum is None:
            return
        last = self.app.store.last_lesson()
        lesson = self.app.curriculum.lesson(last) if last else None
        if lesson is None:
            first = next(iter(self.app.curriculum.lessons()), None)
            if first is None:
                self.notify("No lessons found.", severity="warning")
                return
            lesson = first
        self.open_lesson(lesson)

    def action_labs(self) -> None:
        from dltui.screens.lablist import LabListScreen

        self.app.push_screen(LabListScreen())
