"""The team's work on one transcript: who coded it, how much, and in which colour.

The Coder shows each coder in a colour of their own (in the filter list, the margin stripes,
the badges and the tooltips). Colours come from Paul Tol's colour-blind-safe "vibrant" set,
given in the order coders first appeared in the project, so a coder keeps one colour in every
session and on every laptop sharing the store; the person coding always has one fixed look.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from qualcode.model import is_suggestion
from qualcode.views import coders as coder_views

if TYPE_CHECKING:
    from qualcode.project import Project

# Paul Tol's "vibrant" scheme, told apart with the common colour-vision deficiencies, ordered
# so that the first coders' colours are the furthest apart (blue, orange, magenta, teal); its
# grey last, as the least distinct.
PALETTE = ("#0077BB", "#EE7733", "#EE3377", "#009988", "#33BBEE", "#CC3311", "#BBBBBB")
MINE = "#222222"  # your own work: always this near-black


def coder_colors(project: Project) -> dict[str, str]:
    """Each coder's colour (people and the consensus; not `suggest:*` models), by name."""
    with project.reading() as conn:
        names = coder_views.in_arrival_order(conn)
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def coders_on(
    codings: Iterable[Mapping[str, Any]], me: str, colors: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The coders of these codings (as the Coder draws them: dicts with `coder` and `mine`),
    people only: [{name, count, mine, color}], you first (listed even before your first
    coding), then the others by most codings, then name."""
    counts: Counter[str] = Counter()
    mine_name = me
    for c in codings:
        name = c["coder"]
        if is_suggestion(name):
            continue
        counts[name] += 1
        if c.get("mine"):
            mine_name = name  # the store's spelling of your name
    others = sorted((n for n in counts if n != mine_name), key=lambda n: (-counts[n], n))
    rows = [{"name": mine_name, "count": counts.get(mine_name, 0), "mine": True, "color": MINE}]
    return rows + [
        {"name": n, "count": counts[n], "mine": False, "color": colors.get(n, PALETTE[-1])}
        for n in others
    ]
