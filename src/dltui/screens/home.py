"""Home: the themes and their lessons, with progress, and a Continue action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from rich.text import Text
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


class Outline(Tree):
    """The course outline: → unfolds a theme, ← folds it; long titles end in "…", not mid-word."""

    BINDINGS = [
        Binding("right", "screen.unfold", "Unfold", show=False),
        Binding("left", "screen.fold", "Fold", show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.keep: dict[int, int] = {}  # node id -> cells at the end of its label that must stay visible

    def render_label(self, node, base_style, style) -> Text:
        text = super().render_label(node, base_style, style)
        depth = 0 if node.parent is None or node.parent.is_root else 1  # themes, then lessons
        room = self.scrollable_content_region.width - depth * self.guide_depth - 1
        if room <= 0 or text.cell_len <= room:
            return text
        keep = min(self.keep.get(node.id, 0), max(0, room - 2))
        head = text[:len(text) - keep] if keep else text
        head.truncate(room - keep, overflow="ellipsis")
        return Text.assemble(head, text[len(text) - keep:]) if keep else head

    def on_resize(self) -> None:
        self._clear_line_cache()  # labels are cut to the width
        self.refresh()


class HomeScreen(Screen):
    BINDINGS = [
        Binding("c", "continue", "Continue"),
        Binding("enter", "open", "Open", show=False),
        Binding("l", "labs", "Labs"),
        Binding("r", "review", "Review"),
    ]
    review_by_theme: dict = {}  # theme id -> dltui.review.ThemeReview, refreshed by rebuild()

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="home"):
            yield Outline("Course", id="outline")
            with VerticalScroll(id="detail"):
                yield Static(id="review-due", classes="hidden")
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
        self._refresh_review()
        cursor = tree.cursor_line
        expanded = {n.data.id for n in tree.root.children if n.is_expanded} if tree.root.children else None
        tree.clear()
        last = self.app.store.last_lesson()
        first_build = expanded is None
        if first_build:
            expanded = self._unfolded_at_start(progress, last)
        last_node = None
        tree.keep.clear()
        for theme in self.app.curriculum.themes:
            label = self._theme_label(theme, progress)
            node = tree.root.add(label, data=theme, expand=theme.id in expanded)
            tree.keep[node.id] = len(label) - len(theme.title)
            for lesson in theme.lessons:
                label = self._lesson_label(lesson, progress.get(lesson.id), lesson.id == last)
                leaf = node.add_leaf(label, data=lesson)
                tree.keep[leaf.id] = len(label) - len(lesson.title) - 2
                if lesson.id == last:
                    last_node = leaf
        tree.cursor_line = min(max(cursor, 0), tree.last_line)

        def settle() -> None:
            # The tree lays out its new lines on the next refresh; then the cursor can go to the
            # last lesson (on the first build) and the detail can follow it.
            if first_build and last_node is not None and last_node.parent.is_expanded:
                tree.move_cursor(last_node)
            self._show(tree.cursor_node)

        self.call_after_refresh(settle)

    def _unfolded_at_start(self, progress: dict[str, LessonProgress], last: str | None) -> set[str]:
        """Every theme if the whole outline fits, else only the theme in progress.

        At 80×24 the nine themes and their bars fit on one screen only when folded.
        """
        themes = self.app.curriculum.themes
        lines = len(themes) + sum(len(t.lessons) for t in themes)
        if lines <= self.app.size.height - 2:  # the title and key bars take a line each
            return {t.id for t in themes}
        current = self.app.curriculum.theme_of(last) if last else None
        if current is None:  # the first theme with a started lesson that is not all read, else the first
            current = next((t for t in themes if any(le.id in progress for le in t.lessons)
                            and not all(progress.get(le.id) and progress[le.id].completed for le in t.lessons)),
                           themes[0] if themes else None)
        return {current.id} if current is not None else set()

    def _refresh_review(self) -> None:
        """Mastery and due cards per theme, and the "N to review today" line (hidden when 0)."""
        from dltui.exercise_service import exercise_service
        from dltui.review import summarize

        store = self.app.store
        cards = {key: c.card for key, c in store.review_cards().items()}
        exercise_themes = {e.id: e.theme_id for e in exercise_service(self.app).exercises.values()}
        themes = summarize(self.app.curriculum, store.latest_results(), cards, store.reviewer(),
                           exercise_themes=exercise_themes)
        self.review_by_theme = {t.theme_id: t for t in themes}
        today = sum(t.total("due_today") for t in themes)
        line = self.query_one("#review-due", Static)
        line.update(f"[b]↻ {today} to review today[/b] (r)" if today else "")
        line.set_class(not today, "hidden")

    def _theme_label(self, theme: Theme, progress: dict[str, LessonProgress]) -> str:
        n = len(theme.lessons)
        read = sum(1 for le in theme.lessons if progress.get(le.id) and progress[le.id].completed)
        summary = self.review_by_theme.get(theme.id)
        due = summary.total("due_now") if summary else 0
        return f"{theme.title}{f' ↻{due}' if due else ''} {_bar(read, n)} {read}/{n}"

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

    def action_unfold(self) -> None:
        node = self.query_one("#outline", Tree).cursor_node
        if node is not None and _is_lesson(node.data):
            self.open_lesson(node.data)
        elif node is not None:
            if node.is_expanded and node.children:
                self.query_one("#outline", Tree).move_cursor(node.children[0])
            else:
                node.expand()

    def action_fold(self) -> None:
        tree = self.query_one("#outline", Tree)
        node = tree.cursor_node
        if node is None:
            return
        if _is_lesson(node.data):
            node = node.parent
            tree.move_cursor(node)
        node.collapse()

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
            review = self.review_by_theme.get(item.id)
            answered = review.total("answered") if review else 0
            mastered = review.total("mastered") if review else 0
            due = review.total("due_now") if review else 0
            stats.update(f"Lessons read {read}/{len(lessons)} · answered {answered}/{total_q} · right {right}"
                         f" · mastered {mastered}/{len(lessons)} · due {due}{self._exercise_stats(item.id)}")
            body.update(item.overview)
        else:
            p = progress.get(item.id)
            title.update(f"[b]{item.title}[/b]")
            answered = p.answered if p else 0
            bar.update(_wide_bar(answered, len(item.questions), "answered"))
            right = p.correct if p else 0
            status = "read ✓" if p and p.completed else ("started" if p else "not started")
            pending = f" · {p.pending} prediction(s) waiting for a lab run" if p and p.pending else ""
            labs = f" · labs: {', '.join(b.lab for b in item.labs)}" if item.labs else ""
            labs += f" · exercises: {', '.join(b.exercise for b in item.exercises)}" \
                if getattr(item, "exercises", None) else ""
            review = next((le for t in self.review_by_theme.values() for le in t.lessons
                           if le.lesson_id == item.id), None)
            if review is not None and review.mastered:
                status += " · mastered ★"
            if review is not None and review.cards:
                pending += f" · {review.due_now} of {review.cards} due for review"
            stats.update(f"{status} · {item.minutes} min · answered {answered}/{len(item.questions)} · right {right}"
                         f"{pending}{labs}")
            lines = [f"• {o}" for o in item.objectives]
            if item.broken:
                lines = ["[b red]⚠ This lesson has problems:[/]"] + [f"  {pr}" for pr in item.problems[:5]] + [""] + lines
            body.update("\n".join(lines))

    def _exercise_stats(self, theme_id: str) -> str:
        """" · exercises 2/5 passed" for a theme that has exercises."""
        from dltui.exercise_service import exercise_service

        exercises = [e for e in exercise_service(self.app).exercises.values() if e.theme_id == theme_id]
        if not exercises:
            return ""
        states = self.app.store.exercise_states()
        passed = sum(1 for e in exercises if e.id in states and states[e.id].passed)
        return f" · exercises {passed}/{len(exercises)} passed"

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

    def action_review(self) -> None:
        from dltui.screens.review import ReviewScreen

        if self.app.curriculum is not None:
            self.app.push_screen(ReviewScreen())

    def action_labs(self) -> None:
        from dltui.screens.lablist import LabListScreen

        self.app.push_screen(LabListScreen())
