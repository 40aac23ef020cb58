"""What every workshop request shares: the workshop (store, seats, open screens), who is
asking (from the session cookie, never from the request's words), and the security headers.
"""

from __future__ import annotations

import time
from functools import cached_property
from typing import Any

import tornado.web
from tornado.ioloop import IOLoop

import qualcode
from qualcode.widgets.transcript import STATIC as VIEW_STATIC
from qualcode.widgets.transcript import front_end, styles
from qualcode.workshop import seating
from qualcode.workshop.limits import SignInLimit
from qualcode.workshop.seating import Person

COOKIE = "qc_session"
STATIC = VIEW_STATIC.parent.parent / "workshop" / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class Workshop:
    """What the server shares between requests: the store, the seats, the open desks."""

    def __init__(self, store: str, facilitator: str) -> None:
        self.store = store
        self.project = qualcode.open_project(store, user=facilitator, create=False)
        self.facilitator = facilitator
        # a person's code is guessed at most 5 times a minute; a device (or a room behind
        # one address) may mistype more, across names
        self.limit = {"name": SignInLimit(tries=5), "ip": SignInLimit(tries=20)}
        self.desks: dict[Any, Any] = {}  # the coding screens open now: desk -> its socket
        self.last_seen: dict[str, float] = {}
        self.agreements: dict[str, str] = {}  # a closed round's agreement, as the page shows it

    @cached_property
    def files(self) -> dict[str, tuple[str, bytes]]:
        """The files a signed-in page loads: (content type, bytes)."""
        js, css = "text/javascript; charset=utf-8", "text/css; charset=utf-8"
        made = {"transcript.js": (js, front_end()), "transcript.css": (css, styles())}
        for path in STATIC.iterdir():
            kind = js if path.suffix == ".js" else css if path.suffix == ".css" else None
            if kind is not None:
                made[path.name] = (kind, path.read_text(encoding="utf-8"))
        return {name: (kind, text.encode()) for name, (kind, text) in made.items()}

    async def blocking(self, fn: Any, *args: Any) -> Any:
        """Run store work off the event loop, so one slow query never stalls the room."""
        return await IOLoop.current().run_in_executor(None, fn, *args)

    def here(self, name: str) -> bool:
        """Whether `name` has a coding screen open now."""
        return any(desk.person.name == name for desk in list(self.desks))

    def tell_everyone(self, text: str) -> None:
        """Reload every open screen from the store (a round opened or closed changes what
        each person may see) and say why."""
        for desk in list(self.desks):
            desk.reload(text)


class Base(tornado.web.RequestHandler):
    """Who is asking (from the cookie, never from the request's words), and the headers."""

    person: Person | None = None
    token: str | None = None

    @property
    def workshop(self) -> Workshop:
        return self.application.settings["workshop"]  # type: ignore[no-any-return]

    def set_default_headers(self) -> None:
        for key, value in SECURITY_HEADERS.items():
            self.set_header(key, value)

    async def prepare(self) -> None:
        self.token = self.get_cookie(COOKIE)
        self.person = await self.workshop.blocking(seating.who, self.workshop.project, self.token)
        if self.person is not None:
            self.workshop.last_seen[self.person.name] = time.time()

    def get_current_user(self) -> Person | None:
        return self.person

    def xsrf(self) -> str:
        return self.xsrf_form_html()  # type: ignore[no-any-return]


PAGES = ("/", "/codebook", "/facilitator")  # a signed-out GET of these goes to sign-in


def signed_in(method: Any = None, *, facilitator: bool = False) -> Any:
    """Only for someone signed in (`facilitator=True`: only the facilitator). A signed-out
    page request goes to sign-in; anything else (files, data, forms) is refused with 403."""

    def wrap(method: Any) -> Any:
        async def check(self: Base, *args: Any) -> Any:
            if self.person is None:
                if self.request.method == "GET" and self.request.path in PAGES:
                    return self.redirect("/signin")
                raise tornado.web.HTTPError(403, "sign in first")
            if facilitator and not self.person.facilitator:
                raise tornado.web.HTTPError(403, "only the facilitator opens this page")
            return await method(self, *args)

        return check

    return wrap(method) if method is not None else wrap
