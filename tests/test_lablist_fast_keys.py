"""The lab list survives being closed before it has mounted (random keys found this)."""

from __future__ import annotations

from dltui.screens.lablist import LabListScreen


async def test_lab_list_closed_before_mount_does_not_crash(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        base = app.screen
        screen = LabListScreen()
        app.push_screen(screen)
        app.pop_screen()  # in the same tick as the push, as a fast Esc after `l` does
        await pilot.pause()
        await pilot.pause()
        assert app.screen is base
        # Calling its refresh on a screen without children is a no-op, not a NoMatches crash.
        assert screen.refresh_table() is False
        app.push_screen(LabListScreen())
        await pilot.pause()
        assert app.screen.query_one("#lab-list").row_count >= 16
    assert app.return_code in (0, None)
