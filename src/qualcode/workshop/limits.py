"""Sign-in attempts, limited: a few wrong tries per device and per name, then a wait.

Counted per client address (one device trying many names) and per name (many devices trying
one person's code), over a sliding window, in the server's memory: a restart forgets them,
which is fine for a room where the facilitator can also hand out a new code.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable


class SignInLimit:
    """At most `tries` wrong sign-ins per key in `window` seconds."""

    def __init__(
        self, tries: int = 5, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.tries = tries
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        seen = self._failures.setdefault(key, deque())
        cutoff = self.clock() - self.window
        while seen and seen[0] <= cutoff:
            seen.popleft()
        return seen

    def wait(self, keys: Iterable[str]) -> float:
        """Seconds to wait before another try is heard (0: go ahead)."""
        longest = 0.0
        for key in keys:
            seen = self._recent(key)
            if len(seen) >= self.tries:
                longest = max(longest, seen[0] + self.window - self.clock())
        return max(0.0, longest)

    def failed(self, keys: Iterable[str]) -> None:
        """Count a wrong try against each key."""
        at = self.clock()
        for key in keys:
            self._recent(key).append(at)
        if len(self._failures) > 10_000:  # a flood of made-up names: forget the quiet ones
            for key in [k for k, v in self._failures.items() if not v]:
                del self._failures[key]


class Pace:
    """A screen's actions, limited to what a person can do: `burst` at once, then `rate` a
    second (a token bucket). A page that sends faster is a script; what it sends beyond the
    pace is dropped, so it cannot slow the room down."""

    def __init__(
        self, rate: float = 30.0, burst: float = 120.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._tokens = burst
        self._at = clock()

    def take(self) -> bool:
        """Whether one more action may go ahead now."""
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
