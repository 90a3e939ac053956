"""A notice instead of a screen squeezed below the size it needs (btop does the same)."""

from __future__ import annotations

from textual.widgets import Static


class TooSmall(Static):
    DEFAULT_CSS = """
    TooSmall { display: none; width: 100%; height: 1fr; content-align: center middle; text-align: center; }
    """

    def __init__(self, need: tuple[int, int], what: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.need, self.what = need, what

    def check(self, width: int, height: int) -> bool:
        """Show the notice when ``width × height`` is below what is needed; True if it is."""
        small = width < self.need[0] or height < self.need[1]
        self.display = small
        if small:
            now_w = f"[b red]{width}[/]" if width < self.need[0] else str(width)
            now_h = f"[b red]{height}[/]" if height < self.need[1] else str(height)
            self.update(f"[b]Terminal too small[/b]\n\nNow: {now_w} × {now_h}\n"
                        f"Needed for {self.what}: {self.need[0]} × {self.need[1]}\n\n"
                        "Enlarge the window (or make the font smaller).\n"
                        "A run carries on meanwhile; Esc goes back.")
        return small
