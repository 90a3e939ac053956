"""Textual's web driver, plus one promise: when the server that feeds this app process goes away
(its stdin reaches end of file), the app quits the ordinary way, so a running lab is recorded as
stopped and its worker ends. Textual's own driver only stops reading and leaves the app running
with nobody to talk to.

Used by ``dltui serve`` (see dltui.serve), which names it in TEXTUAL_DRIVER for each tab's process.
"""

from __future__ import annotations

from textual import messages
from textual.drivers.web_driver import WebDriver


class DltuiWebDriver(WebDriver):
    def run_input_thread(self) -> None:
        try:
            super().run_input_thread()
        finally:
            if not self.exit_event.is_set():  # input ended without the app stopping: server gone
                self._app.post_message(messages.ExitApp())
