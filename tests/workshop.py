"""A workshop server for tests and benchmarks, started as a user starts it (`qualcode workshop`
in a process of its own), and a protocol-level client that signs in and codes as a person's
page does: the same HTTP forms and the same websocket messages, without a browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tornado.httpclient
import tornado.websocket

SRC = str(Path(__file__).resolve().parents[1] / "src")


@dataclass
class Server:
    url: str
    facilitator: str
    code: str
    process: subprocess.Popen[str]


@contextlib.contextmanager
def workshop_server(store: str, facilitator: str = "dawn") -> Iterator[Server]:
    """`qualcode workshop --project store` on a free loopback port; stopped afterwards."""
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    args = [
        sys.executable,
        "-m",
        "qualcode.cli",
        "workshop",
        "--project",
        store,
        "--port",
        "0",
        "--facilitator",
        facilitator,
    ]
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    url = code = None
    seen = []
    deadline = time.monotonic() + 60
    assert process.stdout is not None
    while (url is None or code is None) and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if found := re.search(r"(http://127\.0\.0\.1:\d+/)", line):
            url = found.group(1)
        if found := re.search(r"with the code\s+(\S+)", line):
            code = found.group(1)
    if url is None or code is None:
        process.kill()
        raise AssertionError("the workshop did not start:\n" + "".join(seen))
    try:
        yield Server(url, facilitator, code, process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Client:
    """One person's page, at the protocol level."""

    url: str
    cookies: dict[str, str] = field(default_factory=dict)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    screen: dict[str, str] = field(default_factory=dict)
    customs: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    socket: Any = None
    closed: int | None = None  # the close code, once the server has closed the screen
    said: list[str] = field(default_factory=list)
    _seq: int = 0
    _waiters: dict[int, asyncio.Future[float]] = field(default_factory=dict)

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _keep(self, response: Any) -> None:
        for header in response.headers.get_list("Set-Cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    async def fetch(self, path: str, *, form: dict[str, str] | None = None) -> Any:
        """GET, or POST a form with the page's XSRF token; the response (errors included)."""
        client = tornado.httpclient.AsyncHTTPClient()
        body = None
        if form is not None:
            page = await self.fetch("/signin" if not self.cookies.get("qc_session") else "/")
            token = re.search(r'name="_xsrf" value="([^"]+)"', page.body.decode())
            from urllib.parse import urlencode

            body = urlencode({**form, "_xsrf": token.group(1) if token else ""})
        response = await client.fetch(
            self.url.rstrip("/") + path,
            method="POST" if form is not None else "GET",
            body=body,
            headers={"Cookie": self._cookie_header()},
            follow_redirects=False,
            raise_error=False,
        )
        self._keep(response)
        return response

    async def sign_in(self, name: str, code: str) -> Any:
        return await self.fetch("/signin", form={"name": name, "code": code})

    async def open_screen(self, timeout: float = 60) -> None:
        """Open the websocket and wait for the coding screen and its transcript."""
        ws_url = self.url.replace("http://", "ws://").rstrip("/") + "/desk"
        request = tornado.httpclient.HTTPRequest(
            ws_url, headers={"Cookie": self._cookie_header(), "Origin": self.url.rstrip("/")}
        )
        self.socket = await tornado.websocket.websocket_connect(request)
        asyncio.get_running_loop().create_task(self._listen())
        deadline = time.monotonic() + timeout
        while not (self.screen and self.view_state().get("text")):
            if time.monotonic() > deadline:
                raise AssertionError("the coding screen did not open")
            await asyncio.sleep(0.02)

    async def _listen(self) -> None:
        while True:
            raw = await self.socket.read_message()
            if raw is None:
                self.closed = self.socket.close_code or -1
                return
            msg = json.loads(raw)
            if msg["kind"] == "open":
                self.models[msg["id"]] = dict(msg["state"])
            elif msg["kind"] == "msg" and msg["data"]["method"] == "update":
                self.models.setdefault(msg["id"], {}).update(msg["data"]["state"])
            elif msg["kind"] == "msg":
                content = msg["data"].get("content", {})
                self.customs.append((msg["id"], content))
                if content.get("type") == "codings":
                    self._patch(msg["id"], content)
                if content.get("type") == "ack":
                    waiter = self._waiters.pop(content.get("id"), None)
                    if waiter is not None and not waiter.done():  # not given up on
                        waiter.set_result(time.perf_counter())
            elif msg["kind"] == "said":
                self.said.append(msg["text"])
            elif msg["kind"] == "screen":
                self.screen = {"coder": msg["coder"], "retrieval": msg["retrieval"]}

    def _patch(self, view: str, content: dict[str, Any]) -> None:
        state = self.models[view]
        gone = set(content.get("remove", [])) | {d["id"] for d in content.get("add", [])}
        state["codings"] = [c for c in state.get("codings", []) if c["id"] not in gone]
        state["codings"] += content.get("add", [])

    @property
    def view(self) -> str:
        return next(k for k, s in self.models.items() if s.get("_model_name") == "AnyModel")

    def view_state(self) -> dict[str, Any]:
        try:
            return self.models[self.view]
        except StopIteration:
            return {}

    def send(self, widget: str, data: dict[str, Any]) -> None:
        self.socket.write_message(json.dumps({"kind": "msg", "id": widget, "data": data}))

    async def code(self, start: int, end: int, code_id: int, timeout: float = 30) -> float:
        """Code text[start:end] as a key press does; seconds until the server's answer."""
        self._seq += 1
        done = asyncio.get_running_loop().create_future()
        self._waiters[self._seq] = done
        sent = time.perf_counter()
        content = {"type": "code", "start": start, "end": end, "code_id": code_id, "id": self._seq}
        self.send(self.view, {"method": "custom", "content": content})
        try:
            return await asyncio.wait_for(done, timeout) - sent
        finally:
            self._waiters.pop(content["id"], None)

    async def open_transcript(self, index: int, timeout: float = 60) -> None:
        """Choose the `index`-th transcript in the Transcript list (as a person picks it) and
        wait until its text is shown."""
        picker = next(
            k
            for k, s in self.models.items()
            if s.get("_model_name") == "DropdownModel" and s.get("description") == "Transcript"
        )
        labels = self.models[picker].get("_options_labels", [])
        index %= max(1, len(labels))
        if self.models[picker].get("index") == index:
            return
        was = self.view_state().get("title")
        self.send(picker, {"method": "update", "state": {"index": index}, "buffer_paths": []})
        deadline = time.monotonic() + timeout
        while self.view_state().get("title") == was:
            if time.monotonic() > deadline:
                raise AssertionError(f"transcript {index} did not open")
            await asyncio.sleep(0.02)

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close()
