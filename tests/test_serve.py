"""`dltui serve`: the page over HTTP, the app driven through a websocket and in headless Chromium,
and what a closed tab leaves behind (its answers in the store, no process)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
# Set to write the README's screenshot (assets/screenshot-browser.png) from the browser test.
UPDATE_SCREENSHOT = os.environ.get("DLTUI_UPDATE_SCREENSHOT") == "1"
ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_cmd(data: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "dltui", "--data-dir", str(data), "serve", *extra]


@contextlib.contextmanager
def _serving(data: Path):
    port = _free_port()
    proc = subprocess.Popen(_serve_cmd(data, "--port", str(port)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"dltui serve ended with {proc.returncode}: {proc.stderr.read().decode()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as reply:
                    page = reply.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("dltui serve did not answer within 30 s")
                time.sleep(0.2)
        yield proc, port, page
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _children() -> dict[int, int]:
    """pid → parent pid of every process we can see."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            out[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return out


def _descendants(pid: int) -> set[int]:
    parents = _children()
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parents.items() if pp == p and c not in found}
        found |= kids
        todo.extend(kids)
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":  # a zombie has ended; only its parent has yet to collect it
            alive.add(pid)
    return alive


def _wait_until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting {seconds:.0f} s for {what}")
        time.sleep(0.2)
    return value


def _answers(data: Path) -> list[tuple]:
    db = data / "progress.sqlite3"
    if not db.exists():
        return []
    with contextlib.closing(sqlite3.connect(db)) as con:
        try:
            return con.execute("SELECT lesson_id, question_id, answer, correct FROM answers").fetchall()
        except sqlite3.OperationalError:  # the app has not made its tables yet
            return []


def _runs(data: Path) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(data / "progress.sqlite3")) as con:
        return con.execute("SELECT lab_id, status FROM runs").fetchall()


def _tab_processes(server_pid: int) -> set[int]:
    return {pid for pid in _descendants(server_pid)
            if b"dltui" in Path(f"/proc/{pid}/cmdline").read_bytes()
            or b"multiprocessing" in Path(f"/proc/{pid}/cmdline").read_bytes()}


# -- the server on its own ---------------------------------------------------------------------

def test_refuses_a_public_address_without_public(tmp_path):
    done = subprocess.run(_serve_cmd(tmp_path, "--host", "0.0.0.0", "--port", str(_free_port())),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--public" in done.stderr and "authentication" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_a_busy_port_is_one_clear_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(_serve_cmd(tmp_path, "--port", str(port)), capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 1
    assert "already in use" in done.stderr and "Traceback" not in done.stderr


def test_the_page_and_its_script_are_served(tmp_path):
    with _serving(tmp_path) as (_proc, port, page):
        assert f"ws://127.0.0.1:{port}/ws" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/js/textual.js", timeout=5) as reply:
            assert b"xterm" in reply.read()


# -- a tab, through the websocket the page uses --------------------------------------------------

async def _lab_run_then_close(port: int, server_pid: int) -> set[int]:
    """Start a long lab run in a tab, note the tab's processes, then close the tab mid-run."""
    import aiohttp

    screen = ""

    async def keys(ws, *sequence: str) -> None:
        for key in sequence:
            await ws.send_str(json.dumps(["stdin", key]))
            await asyncio.sleep(0.3)

    async def shows(ws, text: str, seconds: float = 30) -> None:
        nonlocal screen
        deadline = time.monotonic() + seconds
        while text not in ANSI.sub("", screen):
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"{text!r} never appeared; the screen's text ends …{ANSI.sub('', screen)[-400:]!r}")
            try:
                msg = await ws.receive(timeout=left)
            except asyncio.TimeoutError:
                continue
            if msg.type == aiohttp.WSMsgType.BINARY:
                screen += msg.data.decode("utf-8", "replace")
            elif msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                pytest.fail("the server closed the tab")

    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"http://127.0.0.1:{port}/ws?width=100&height=30") as ws:
            await shows(ws, "Introduction")
            await keys(ws, "l")  # all labs; the first is the autoencoder
            await shows(ws, "autoencoder")
            await keys(ws, "\r")
            await shows(ws, "Next view")  # the lab screen's key bar; Start has focus
            bar = ANSI.sub("", screen).rsplit("Back", 1)[-1]  # the latest key bar, from "esc Back" on
            assert "Start" in bar and "f5" not in bar.lower()  # a browser may keep F5 (reload) for itself
            await asyncio.sleep(1)
            # Back from Start: device, seed, steps. 20,000 steps take far longer than this test.
            await keys(ws, "\x1b[Z", "\x1b[Z", "\x1b[Z", "\x15", *"20000")
            screen = ""
            await keys(ws, "\x07")  # Ctrl+G: Start, the key that also works in a browser
            await shows(ws, "step", seconds=60)  # the curves' axis, drawn as the first steps arrive
            await asyncio.sleep(1)
            tab = _tab_processes(server_pid)
        # leaving the block closes the websocket, as closing the browser tab does
    return tab


def test_closing_a_tab_mid_run_saves_the_run_as_stopped_and_ends_its_processes(tmp_path):
    data = tmp_path / "data"
    with _serving(data) as (server, port, _page):
        tab = asyncio.run(_lab_run_then_close(port, server.pid))
        assert len(tab) >= 2, f"expected the tab's app and its lab worker, saw {sorted(tab)}"
        _wait_until(lambda: not _alive(tab), 20, "the tab's processes to end")
        assert _runs(data) == [("autoencoder", "stopped")]


# -- a tab in a real browser -------------------------------------------------------------------

class _Cdp:
    """The smallest client of Chromium's DevTools protocol: one call at a time, events skipped."""

    def __init__(self, ws):
        self.ws, self.n = ws, 0

    async def __call__(self, method: str, **params):
        self.n += 1
        await self.ws.send_json({"id": self.n, "method": method, "params": params})
        while True:
            msg = json.loads((await self.ws.receive(timeout=30)).data)
            if msg.get("id") == self.n:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    async def key(self, key: str, code: str = "", vk: int = 0, text: str = "", modifiers: int = 0) -> None:
        down = {"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": vk, "modifiers": modifiers}
        if text:
            down["text"] = down["unmodifiedText"] = text
        await self("Input.dispatchKeyEvent", **down)
        await self("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=vk,
                   modifiers=modifiers)
        await asyncio.sleep(0.15)

    async def type(self, text: str) -> None:
        for ch in text:
            await self.key(ch, f"Key{ch.upper()}" if ch.isalpha() else "", ord(ch.upper()) if ch.isalnum() else 0,
                           ch)

    async def evaluate(self, expression: str):
        return (await self("Runtime.evaluate", expression=expression, returnByValue=True))["result"].get("value")


# Keeps what the page's websocket receives, decoded, where the test can read it: the terminal
# draws with WebGL, so the page's DOM holds no text.
RECORD_SOCKET = """
(() => {
  const Original = window.WebSocket;
  window.__dltuiText = "";
  const decoder = new TextDecoder();
  window.WebSocket = function (url, protocols) {
    const ws = protocols === undefined ? new Original(url) : new Original(url, protocols);
    ws.addEventListener("message", async (event) => {
      let data = event.data;
      if (typeof data === "string") return;
      if (data instanceof Blob) data = await data.arrayBuffer();
      window.__dltuiText += decoder.decode(data, {stream: true});
    });
    return ws;
  };
  window.WebSocket.prototype = Original.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();
"""


async def _browser_session(port: int, debug_port: int, shot: Path) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{debug_port}/json/list") as reply:
            target = next(t for t in await reply.json() if t["type"] == "page")
        async with session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            cdp = _Cdp(ws)
            await cdp("Page.enable")
            await cdp("Page.addScriptToEvaluateOnNewDocument", source=RECORD_SOCKET)
            await cdp("Page.navigate", url=f"http://127.0.0.1:{port}/")

            async def screen_shows(text: str, seconds: float = 30) -> None:
                deadline = time.monotonic() + seconds
                while True:
                    shown = ANSI.sub("", await cdp.evaluate("window.__dltuiText || ''"))
                    if text in shown:
                        return
                    if time.monotonic() > deadline:
                        pytest.fail(f"{text!r} never appeared in the page; it shows …{shown[-400:]!r}")
                    await asyncio.sleep(0.3)

            await screen_shows("Introduction")  # a theme name on the home screen
            await screen_shows("Parameter sharing")
            await cdp.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
            await cdp.evaluate("window.__dltuiText = ''")
            await cdp.key("ArrowDown", "ArrowDown", 40)
            await cdp.key("Enter", "Enter", 13, "\r")  # the first lesson
            await screen_shows("Mark read")  # the lesson's key bar
            await asyncio.sleep(1.5)  # its widgets mounted, not only painted
            await cdp.type("n")  # to its first question, a number
            await screen_shows("type a number")
            await cdp.type("2.5")
            await cdp.key("Enter", "Enter", 13, "\r")
            await screen_shows("You answered 2.5")
            await asyncio.sleep(1)  # let the frame with the answer's feedback be painted
            picture = await cdp("Page.captureScreenshot", format="png")
            shot.write_bytes(base64.b64decode(picture["data"]))
        async with session.get(f"http://127.0.0.1:{debug_port}/json/close/{target['id']}") as reply:
            assert reply.status == 200


@pytest.mark.slow
def test_a_browser_tab_answers_and_leaves_nothing_behind(tmp_path):
    if CHROMIUM is None:
        pytest.skip("no Chromium installed (Debian: apt-get install chromium)")
    data = tmp_path / "data"
    debug_port = _free_port()
    browser = subprocess.Popen(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--no-first-run", "--no-default-browser-check",
         "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--window-size=1000,640",
         f"--remote-debugging-port={debug_port}", "--remote-allow-origins=*",
         f"--user-data-dir={tmp_path / 'chromium'}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_until(lambda: _debugger_up(debug_port), 30, "Chromium's debugging port")
        with _serving(data) as (server, port, _page):
            shot = tmp_path / "browser.png"
            tab = set()

            async def drive():
                nonlocal tab
                task = asyncio.ensure_future(_browser_session(port, debug_port, shot))
                while not task.done():  # note the tab's processes while it is open
                    tab |= _tab_processes(server.pid)
                    await asyncio.sleep(0.3)
                await task

            asyncio.run(drive())
            assert tab, "the tab started no dltui process"
            assert ("t1_history", "threshold-unit", "2.5", 1) in _answers(data)
            _wait_until(lambda: not _alive(tab), 20, f"the tab's processes {sorted(_alive(tab))} to end")
            assert shot.read_bytes().startswith(b"\x89PNG")
            if UPDATE_SCREENSHOT:
                shutil.copy(shot, ROOT / "assets" / "screenshot-browser.png")
    finally:
        os.killpg(browser.pid, signal.SIGKILL)
        browser.wait()


def _debugger_up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=1):
            return True
    except OSError:
        return False
