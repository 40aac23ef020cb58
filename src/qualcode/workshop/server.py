"""`qualcode workshop`: one small web server for a coding workshop, on tornado (which
JupyterLab already brings). Everyone signs in with their name and a one-time code from the
facilitator and gets the coding screen only; the facilitator also gets their own page.

Why not Voilà or JupyterHub (docs/workshop-hosts.md has the figures): both give each person
a Python kernel, a few seconds and 140–300 MB each; Voilà has no sign-in (the name would come
from the link), and JupyterHub lets each person run Python as the server's user (and so write
codings under any name). Here each person's screen is their own Coder object in this one
process (`desk.py`), the server decides who they are from the session cookie, and the page
can only click, choose and type.

Every page, file, socket and API answers only to a signed-in person (the sign-in page
excepted); cookies are HttpOnly and SameSite=Strict; forms carry an XSRF token; sign-in tries
are limited (`limits.py`); a Content-Security-Policy allows no inline or foreign script.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web
import tornado.websocket
from tornado.ioloop import IOLoop

from qualcode.workshop import pages, seating
from qualcode.workshop.desk import Desk
from qualcode.workshop.facilitator import routes as facilitator_routes
from qualcode.workshop.limits import Pace
from qualcode.workshop.web import COOKIE, Base, Workshop, signed_in

RECHECK_SECONDS = 5.0  # an open screen asks again who it belongs to this often
MAX_SCREENS = 4  # per person: a fifth screen closes their oldest


class SignIn(Base):
    def get(self) -> None:
        if self.person is not None:
            return self.redirect("/")
        self.write(pages.sign_in(self.xsrf()))

    async def post(self) -> None:
        name = self.get_body_argument("name", "")[:200]
        code = self.get_body_argument("code", "")[:100]
        keys = {"ip": [self.request.remote_ip or ""], "name": [name.strip().casefold()]}
        limits = self.workshop.limit
        wait = max(limits[kind].wait(keys[kind]) for kind in keys)
        if wait > 0:
            self.set_status(429)
            self.set_header("Retry-After", str(int(wait) + 1))
            error = (
                f"Too many tries. Wait {int(wait) + 1} seconds, or ask the facilitator "
                "for a new code."
            )
            self.write(pages.sign_in(self.xsrf(), name=name, error=error))
            return
        found = await self.workshop.blocking(seating.sign_in, self.workshop.project, name, code)
        if found is None:
            for kind in keys:
                limits[kind].failed(keys[kind])
            self.set_status(403)
            self.write(
                pages.sign_in(
                    self.xsrf(),
                    name=name,
                    error=(
                        "That name and code do not match. Check the code (each one works once), "
                        "or ask the facilitator for a new one."
                    ),
                )
            )
            return
        person, token = found
        self.set_cookie(
            COOKIE,
            token,
            path="/",
            httponly=True,
            samesite="Strict",
            secure=self.request.protocol == "https",
        )
        self.redirect("/facilitator" if person.facilitator else "/")


class SignOut(Base):
    async def post(self) -> None:
        if self.token:
            await self.workshop.blocking(seating.sign_out, self.workshop.project, self.token)
        self.clear_cookie(COOKIE, path="/")
        self.redirect("/signin")


class DeskPage(Base):
    @signed_in
    async def get(self) -> None:
        assert self.person is not None
        self.write(pages.desk(self.person.name, self.xsrf(), facilitator=self.person.facilitator))


class CodebookPage(Base):
    @signed_in
    async def get(self) -> None:
        assert self.person is not None
        codes = await self.workshop.blocking(self.workshop.project.codebook.all)
        self.write(pages.codebook(self.person.name, self.xsrf(), codes))


class File(Base):
    @signed_in
    async def get(self, name: str) -> None:
        found = self.workshop.files.get(name)
        if found is None:
            raise tornado.web.HTTPError(404)
        kind, body = found
        self.set_header("Content-Type", kind)
        self.write(body)


class DeskSocket(Base, tornado.websocket.WebSocketHandler):
    """One open coding screen: the person's desk, spoken to in JSON messages."""

    desk: Desk | None = None

    async def prepare(self) -> None:
        await super().prepare()
        if self.person is None:
            raise tornado.web.HTTPError(403, "sign in first")
        self.checked = time.monotonic()

    def open(self, *args: Any, **kwargs: Any) -> None:
        mine = [s for d, s in self.workshop.desks.items() if d.person.name == self.person.name]
        for oldest in mine[: max(0, len(mine) - MAX_SCREENS + 1)]:
            oldest.close(4000, "opened on another screen")
        loop = IOLoop.current()
        self.pace, self.warned = Pace(), 0.0
        self.desk = Desk(
            self.workshop.store, self.person, lambda m: loop.add_callback(self._say, m)
        )
        self.workshop.desks[self.desk] = self
        self.desk.open()

    def _say(self, message: dict[str, Any]) -> None:
        if self.ws_connection is None:
            return
        with contextlib.suppress(tornado.websocket.WebSocketClosedError):
            self.write_message(json.dumps(message))

    async def on_message(self, message: str | bytes) -> None:
        if self.desk is None:
            return
        if time.monotonic() - self.checked > RECHECK_SECONDS:  # removed, or signed out
            still = await self.workshop.blocking(seating.who, self.workshop.project, self.token)
            if still is None or still.name != self.person.name:
                self.close(4401, "signed out")
                return
            self.checked = time.monotonic()
        self.workshop.last_seen[self.person.name] = time.time()
        if not self.pace.take():
            if time.monotonic() - self.warned > 2:
                self.warned = time.monotonic()
                self._say({"kind": "said", "text": "Too many actions at once: wait a moment."})
            return
        try:
            parsed = json.loads(message)
        except ValueError:
            return
        self.desk.receive(parsed)

    def on_close(self) -> None:
        if self.desk is not None:
            self.desk.close()
            self.workshop.desks.pop(self.desk, None)
            self.desk = None


def application(workshop: Workshop, *, cookie_secret: str) -> tornado.web.Application:
    """The workshop's routes (the facilitator's in `facilitator.py`)."""
    return tornado.web.Application(
        [
            (r"/signin", SignIn),
            (r"/signout", SignOut),
            (r"/", DeskPage),
            (r"/codebook", CodebookPage),
            (r"/static/([A-Za-z0-9_.-]+)", File),
            (r"/desk", DeskSocket),
            *facilitator_routes(),
        ],
        workshop=workshop,
        cookie_secret=cookie_secret,
        xsrf_cookies=True,
        xsrf_cookie_kwargs={"httponly": True, "samesite": "Strict"},
        websocket_max_message_size=1 << 20,
        default_handler_class=NotFound,
    )


class NotFound(Base):
    async def get(self, *args: Any) -> None:
        raise tornado.web.HTTPError(403 if self.person is None else 404)

    post = get


def start(
    store: str, *, facilitator: str, host: str = "127.0.0.1", port: int = 0
) -> tuple[Any, int]:
    """Start serving on `host` (the port chosen if 0) in the running event loop; the server
    and its port. The facilitator must be a lead of the project (the first lead is anyone)."""
    import secrets
    import socket

    workshop = Workshop(store, facilitator)
    app = application(workshop, cookie_secret=secrets.token_hex(32))
    sockets = tornado.netutil.bind_sockets(port, host, family=socket.AF_INET)
    server = tornado.httpserver.HTTPServer(app, xheaders=False)
    server.add_sockets(sockets)
    return server, sockets[0].getsockname()[1]


def serve(store: str, *, facilitator: str, host: str, port: int, ready: Any = None) -> None:
    """Run the workshop until interrupted; `ready(port, server)` once it listens."""

    async def main() -> None:
        server, bound = start(store, facilitator=facilitator, host=host, port=port)
        if ready is not None:
            ready(bound, server)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


__all__ = ["Workshop", "application", "serve", "start"]
