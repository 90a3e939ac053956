"""``dltui serve``: the app in a web browser, through textual-serve.

Each browser tab that connects gets its own app process (``python -m dltui --data-dir …``) fed
through a websocket; all of them share the learner's progress store (SQLite in WAL mode is made
for several processes). When a tab closes, the server asks its process to quit; the app then ends
the way Ctrl+C ends it (a running lab saved as stopped, the worker ended). If the server itself
dies, each process's stdin reaches end of file and dltui.web_driver quits it the same way.

There is no authentication: anyone who can reach the port drives the app as the learner. So the
server binds the loopback address unless ``--public`` is given, and SSH port forwarding is the
advised way to reach it from another machine.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import socket
import sys
from argparse import Namespace

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
WEB_DRIVER = "dltui.web_driver:DltuiWebDriver"


def _say(text: str) -> None:
    print(f"dltui serve: {text}", file=sys.stderr, flush=True)


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything, so it counts as public


def tab_command(args: Namespace) -> str:
    """The command line each tab's app process runs (``exec`` so no shell stays in between)."""
    from dltui.paths import data_dir

    parts = [sys.executable, "-m", "dltui", "--data-dir", str(data_dir(args.data_dir).resolve())]
    if args.curriculum:
        parts += ["--curriculum", os.path.abspath(os.path.expanduser(args.curriculum))]
    if args.log_file:
        parts += ["--log-file", os.path.abspath(os.path.expanduser(args.log_file))]
    return "exec " + " ".join(shlex.quote(p) for p in parts)


def _port_free(host: str, port: int) -> OSError | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
            s.bind((host.strip("[]"), port))
    except OSError as exc:
        return exc
    return None


def cmd_serve(args: Namespace) -> int:
    if not 0 < args.port < 65536:
        _say(f"--port must be between 1 and 65535, not {args.port}.")
        return EXIT_USAGE
    if not is_loopback(args.host) and not args.public:
        _say(f"refusing to listen on {args.host}: dltui serve has no authentication, so anyone who can "
             f"reach that address could use the app as you. Keep the default (127.0.0.1) and use SSH port "
             f"forwarding (ssh -L {args.port}:localhost:{args.port} HOST), or add --public if you accept that.")
        return EXIT_USAGE
    problem = _port_free(args.host, args.port)
    if problem is not None:
        why = ("it is already in use (another dltui serve?); choose another with --port"
               if problem.errno in (98, 48, 10048) else problem.strerror or str(problem))
        _say(f"cannot listen on {args.host}:{args.port}: {why}.")
        return EXIT_FAILED
    if args.public:
        _say(f"WARNING: listening on {args.host}:{args.port} with no authentication: anyone who can reach "
             f"it can use the app and change your progress.")
    server = _make_server(tab_command(args), args.host, args.port)
    try:
        server.serve()
    except OSError as exc:  # lost a race for the port, or the address is not this machine's
        _say(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}.")
        return EXIT_FAILED
    return EXIT_OK


def _make_server(command: str, host: str, port: int):
    from textual_serve.app_service import AppService
    from textual_serve.server import Server

    class TabProcess(AppService):
        def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
            env = super()._build_environment(width, height)
            env["TEXTUAL_DRIVER"] = WEB_DRIVER
            return env

    class DltuiServer(Server):
        def __init__(self) -> None:
            url_host = f"[{host}]" if ":" in host else host
            super().__init__(command, host=host, port=port, title="dltui",
                             public_url=f"http://{url_host}:{port}")
            self.tabs: set[TabProcess] = set()

        async def on_startup(self, app) -> None:
            self.console.print(f"dltui: open {self.public_url} in a web browser (one app per tab). "
                               f"Ctrl+C stops the server.", highlight=False)

        async def on_shutdown(self, app) -> None:
            for tab in list(self.tabs):  # each app quits the usual way, saving a running lab
                await tab.send_meta({"type": "quit"})

        async def handle_websocket(self, request):
            # textual-serve's own handler, with our process class and a record of live tabs.
            import asyncio

            from aiohttp import web
            from textual_serve.server import to_int

            websocket = web.WebSocketResponse(heartbeat=15)
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            tab = None
            try:
                await websocket.prepare(request)
                tab = TabProcess(self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                                 close=websocket.close, download_manager=self.download_manager,
                                 debug=self.debug)
                await tab.start(width, height)
                self.tabs.add(tab)
                await self._process_messages(websocket, tab)
            except asyncio.CancelledError:
                await websocket.close()
            except Exception:  # noqa: BLE001 - one tab's fault must not stop the server
                import logging

                logging.getLogger("dltui").exception("serving a browser tab")
            finally:
                if tab is not None:
                    self.tabs.discard(tab)
                    await tab.stop()
            return websocket

    return DltuiServer()
