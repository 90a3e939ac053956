"""The lab screen driven through Pilot with a worker that replays canned events."""

from __future__ import annotations

from fake_worker import ReplayWorker

from dltui.engine import Begin, Done, Started, Update
from dltui.screens.lab import LabScreen


def spiral_events(job, steps: int = 20):
    updates = [(s, {"loss_linear": 1.0 - s / 100, "loss_hidden": 1.0 - s / 50,
                    "acc_linear": 0.4, "acc_hidden": 0.4 + s / 100}) for s in range(1, steps + 1)]
    return [Started("CPU (1 thread)"), Begin(steps), Update(updates[:10], {}),
            Update(updates[10:], {}), Done("finished", dict(updates[-1][1]), 0.5, steps)]


async def settle(pilot, predicate, polls: int = 100):
    for _ in range(polls):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition never became true")


def key_states(screen) -> dict[str, bool]:
    return {b.action: enabled for _n, b, enabled, _t in screen.active_bindings.values()}


async def open_lab(app, pilot, lab_id="spiral_classification", **preset):
    await app.push_screen(LabScreen(lab_id, preset or None))
    await pilot.pause()
    return app.screen


async def test_start_is_disabled_while_running_and_stop_while_idle(make_app):
    worker = ReplayWorker(spiral_events, hold=True)
    app = make_app(lab_process_factory=lambda: worker)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot)
        states = key_states(screen)
        assert states["start"] and not states["stop"]
        bar = str(screen.query_one("KeyBar").render())
        assert "Stop" in bar  # shown, dimmed
        await pilot.press("f5")
        await settle(pilot, lambda: screen.step == 20)
        states = key_states(screen)
        assert screen.running and not states["start"] and states["stop"] and not states["reset"]
        await pilot.press("f5")  # a disabled key does nothing
        assert len(worker.jobs) == 1
        await pilot.press("f6")
        await settle(pilot, lambda: not screen.running)
        assert key_states(screen)["start"] and not key_states(screen)["stop"]


async def test_key_bar_never_ends_in_a_bare_key(make_app, tmp_path):
    for width in (60, 80, 100):
        app = make_app(tmp_path / str(width), lab_process_factory=lambda: ReplayWorker(spiral_events))
        async with app.run_test(size=(width, 24)) as pilot:
            screen = await open_lab(app, pilot)
            await pilot.pause()
            bar = screen.query_one("KeyBar").render()
            text = str(bar).rstrip()
            assert text.endswith("palette") and "…" not in text
            assert len(text) <= width


def figure_events(job):
    from dltui.figures import Figure, Series

    fig = Figure(title="Decision regions of the hidden-layer network, long enough to be cut",
                 series=[Series([0, 1], [0, 1], label="class 0", style="scatter", color=0)])
    return [Started("CPU"), Begin(2), Update([(1, {"loss": 1.0}), (2, {"loss": 0.5})], {"regions": fig}),
            Done("finished", {"loss": 0.5}, 0.1, 2)]


async def test_header_names_lab_and_view_at_80x24_also_with_settings_hidden(make_app):
    app = make_app(lab_process_factory=lambda: ReplayWorker(figure_events))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot)
        header = screen.query_one("#lab-header")
        assert str(header.render()).startswith(screen.info.title)
        await pilot.press("f5")  # at 80 columns the settings hide while the lab runs
        await settle(pilot, lambda: not screen.running and screen.figures)
        await pilot.pause()
        assert not screen.query_one("#lab-settings").display
        line = str(header.render())
        assert header.region.y == 0 and header.region.height == 1
        assert line.startswith("Spiral") and "▸ Decision regions" in line and line.rstrip().endswith("…")
        assert len(line) <= 80


async def test_below_80x24_a_notice_replaces_the_plots(make_app):
    app = make_app(lab_process_factory=lambda: ReplayWorker(spiral_events))
    async with app.run_test(size=(60, 20)) as pilot:
        screen = await open_lab(app, pilot)
        notice = screen.query_one("#too-small")
        assert notice.display and not screen.query_one("#lab").display
        text = str(notice.render())
        assert "60 × 20" in text and "80 × 24" in text
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not notice.display and screen.query_one("#lab").display
        assert screen.query_one("#lab-header").display  # the header stays in both cases


async def test_reopening_a_lab_restores_the_last_settings_and_d_goes_back_to_defaults(make_app):
    worker = ReplayWorker(spiral_events)
    app = make_app(lab_process_factory=lambda: worker)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_lab(app, pilot)
        screen.query_one("#set-lr").value = "0.02"
        screen.query_one("#set-hidden").value = "64"
        await pilot.press("f5")
        await settle(pilot, lambda: not screen.running and screen.step)
        await pilot.press("escape")
        await pilot.pause()
        screen = await open_lab(app, pilot)
        assert screen.query_one("#set-lr").value == "0.02" and screen.query_one("#set-hidden").value == "64"
        assert "last settings" in str(screen.query_one("#lab-message").render())
        await pilot.press("d")
        await pilot.pause()
        assert screen.query_one("#set-lr").value == str(screen.specs[[s.name for s in screen.specs].index("lr")].default)
        assert screen.query_one("#set-hidden").value != "64"


async def test_a_refused_setting_shows_its_whole_reason_and_not_a_number_is_named(make_app):
    app = make_app(lab_process_factory=lambda: ReplayWorker(spiral_events))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_lab(app, pilot)
        screen.query_one("#set-lr").value = "abc"
        await pilot.press("f5")
        await pilot.pause()
        assert not screen.running
        message = str(screen.query_one("#lab-message").render())
        assert "not a number" in message.lower() and "allowed" in message
        assert "out of range" not in message
        # The message box is tall enough to hold it all: its last word is on screen.
        box = screen.query_one("#lab-message")
        assert box.region.height >= 2


async def test_f7_clears_the_run_but_keeps_the_settings(make_app):
    app = make_app(lab_process_factory=lambda: ReplayWorker(spiral_events))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_lab(app, pilot)
        screen.query_one("#set-hidden").value = "64"
        await pilot.press("f5")
        await settle(pilot, lambda: not screen.running and screen.step)
        assert screen._rate > 0 and screen.history
        await pilot.press("f7")
        await pilot.pause()
        assert screen.step == 0 and not screen.history and screen._rate == 0
        assert screen.query_one("#set-hidden").value == "64"
        assert "/s" not in str(screen.query_one("#lab-status").render())
        keys = str(screen.query_one("KeyBar").render())
        assert "Clear run" in keys and "Default settings" in keys


async def test_the_worker_is_spawned_once_home_has_painted(make_app):
    made = []

    def factory():
        made.append(ReplayWorker(spiral_events))
        return made[-1]

    app = make_app(lab_process_factory=factory, prewarm_labs=True)
    async with app.run_test(size=(80, 24)) as pilot:
        assert made == []  # not on the way to the first frame
        await settle(pilot, lambda: made)
        screen = await open_lab(app, pilot)
        await pilot.press("f5")
        await settle(pilot, lambda: screen.step)
        assert len(made) == 1 and made[0].jobs  # the prewarmed worker ran it
