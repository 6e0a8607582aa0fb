"""Runs the browser journeys of tests/browser/ (headless Chromium through playwright-core,
driving Debian's chromium), paused before the action so the test can inject its fault."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

from .shop import USED_SECRETS, cube_stl

BROWSER_DIR = Path(__file__).resolve().parent.parent / "browser"


@contextlib.contextmanager
def shared_browser():
    """One Chromium for the journeys started inside (tests/browser/browser_server.mjs):
    they connect to it through FT_BROWSER_WS instead of each starting their own."""
    server = subprocess.Popen(["node", str(BROWSER_DIR / "browser_server.mjs")], cwd=BROWSER_DIR,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    endpoint = server.stdout.readline().strip()
    if not endpoint.startswith("ws://127.0.0.1:"):
        server.kill()
        raise AssertionError(f"the shared browser did not start: {endpoint!r}")
    os.environ["FT_BROWSER_WS"] = endpoint
    try:
        yield endpoint
    finally:
        del os.environ["FT_BROWSER_WS"]
        server.stdin.close()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


class BrowserJourney:
    def __init__(self, command: list[str]):
        self.process = subprocess.Popen(command, cwd=BROWSER_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)

    def wait_ready(self) -> None:
        line = self.process.stdout.readline()
        if line.strip() != "READY":
            self.process.kill()
            raise AssertionError(f"browser journey did not get ready: {line!r} {self.process.stderr.read()[-3000:]}")

    def act(self, timeout: float = 90) -> dict:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        out, err = self.process.communicate(timeout=timeout)
        assert self.process.returncode == 0, err[-3000:]
        return json.loads(out.strip().splitlines()[-1])


class Journey(BrowserJourney):
    """A customer in InternetShop (tests/browser/shop_journey.mjs)."""

    def __init__(self, base: str, action: str, tmp_path: Path, screenshot: Path | None = None,
                 follow: bool = False):
        stl = tmp_path / "cube.stl"
        stl.write_bytes(cube_stl(12.0))
        command = ["node", str(BROWSER_DIR / "shop_journey.mjs"), "--base", base, "--action", action,
                   "--stl", str(stl)]
        if screenshot:
            command += ["--screenshot", str(screenshot)]
        if follow:
            command.append("--follow")
        super().__init__(command)

    def order_placed(self) -> dict:
        """With follow: performs the order and returns what the journey printed then."""
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line.startswith("ORDERED "):
            self.process.kill()
            raise AssertionError(f"order not placed: {line!r} {self.process.stderr.read()[-3000:]}")
        return json.loads(line[len("ORDERED "):])

    def act(self, timeout: float = 90) -> dict:
        result = super().act(timeout)
        USED_SECRETS.extend([result["email"], result["password"]])
        return result


class CrmJourney(BrowserJourney):
    """A manager in CRM after Keycloak's login form (tests/browser/crm_journey.mjs)."""

    def __init__(self, landscape, action: str, order: int | None = None, screenshot: Path | None = None):
        command = ["node", str(BROWSER_DIR / "crm_journey.mjs"), "--base", landscape.url("CRM_WEB"),
                   "--user", "maria.manager", "--password", landscape.secret("MANAGER_PASSWORD"),
                   "--action", action]
        if order is not None:
            command += ["--order", str(order)]
        if screenshot:
            command += ["--screenshot", str(screenshot)]
        super().__init__(command)


class MesJourney(BrowserJourney):
    """A production operator in MES after Keycloak's login form (tests/browser/mes_journey.mjs)."""

    def __init__(self, landscape, action: str, job: int | None = None, printer: str | None = None,
                 screenshot: Path | None = None):
        command = ["node", str(BROWSER_DIR / "mes_journey.mjs"), "--base", landscape.url("MES_WEB"),
                   "--user", "otto.operator", "--password", landscape.secret("OPERATOR_PASSWORD"),
                   "--action", action]
        if job is not None:
            command += ["--job", str(job)]
        if printer:
            command += ["--printer", printer]
        if screenshot:
            command += ["--screenshot", str(screenshot)]
        super().__init__(command)
