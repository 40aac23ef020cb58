"""The retrieval view: a search box, area and coder choice, and one card per passage.

    r = Retrieval(p, '"Access to GP" AND Transport')   # from qualcode.widgets
    r             # in a notebook: the search box and the passages as cards

`Retrieval` here is the query engine of `qualcode.coding.retrieval` with a notebook face;
each card's "Open in coder" button shows its passage in a `Coder`.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from qualcode.coding import retrieval as engine
from qualcode.errors import QualcodeError
from qualcode.widgets.place import open_coder, reveal

if TYPE_CHECKING:
    from qualcode.project import Project

__all__ = ["Retrieval", "RetrievalView", "card_html"]


class Retrieval(engine.Retrieval):
    """`qualcode.coding.retrieval.Retrieval`, shown in a notebook as a `RetrievalView`.

    `open_with` is the coding screen the "Open in coder" buttons move: anything with
    `go_to(document_id, start, end)` (a `Coder`) or `open(document_id, start, end)`; without
    it, a Coder is made on the first click. Every other option is the engine's.
    """

    def __init__(
        self, project: Project, query: str, *, open_with: Any = None, **options: Any
    ) -> None:
        self.open_with = open_with
        self._view: RetrievalView | None = None
        super().__init__(project, query, **options)

    def widget(self) -> RetrievalView:
        """The search box and passage cards for this retrieval (made once, then reused)."""
        if self._view is None:
            self._view = RetrievalView(self, open_with=self.open_with)
        return self._view

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget()._repr_mimebundle_(**kwargs)


_CARD = (
    '<div style="border:1px solid #ddd;border-radius:6px;padding:8px 10px;margin:2px 0">'
    '<div style="color:#555;font-size:0.9em;margin-bottom:4px">{heading}</div>'
    '<div style="white-space:pre-wrap;line-height:1.5">'
    '<span style="color:#888">{before}</span><b>{text}</b>'
    '<span style="color:#888">{after}</span></div>'
    '<div style="color:#555;font-size:0.85em;margin-top:4px">'
    "Codes: {codes} &middot; Coded by: {coders}</div></div>"
)


def card_html(row: Any) -> str:
    """One passage as HTML: where it is from, the passage in bold in grey context, who coded it."""
    heading = [row["title"]]
    if row["case"] and row["case"] != row["title"]:
        heading.append(row["case"])
    heading.append(row["area"])
    return _CARD.format(
        heading=" &middot; ".join(html.escape(str(h)) for h in heading),
        before=html.escape("…" + row["before"] if row["before"] else ""),
        text=html.escape(row["text"]),
        after=html.escape(row["after"] + "…" if row["after"] else ""),
        codes=html.escape(", ".join(row["codes"])),
        coders=html.escape(", ".join(row["coders"])),
    )


class RetrievalView(widgets.VBox):
    """Search box, area and coder choice, a count line, and one card per passage.

    Pressing Enter in the box (or Search) runs the query again; a query that cannot be read
    shows what is wrong instead of the passages. `open_with` is the coding screen the
    "Open in coder" buttons move (see `Retrieval`).
    """

    PAGE = 50

    def __init__(self, retrieval: engine.Retrieval, *, open_with: Any = None) -> None:
        self.retrieval = retrieval
        self.open_with = open_with
        self.query_box = widgets.Text(
            value=retrieval.query,
            description="Find",
            placeholder='a code, or e.g. "Access to GP" AND Transport',
            continuous_update=False,
            layout=widgets.Layout(width="60%"),
        )
        self.search_button = widgets.Button(description="Search", button_style="primary")
        # "All" is "" rather than None: a Dropdown whose value is None shows nothing chosen
        self.area_box = widgets.Dropdown(description="Area")
        self.coder_box = widgets.Dropdown(description="Coder")
        self._syncing = False
        self._fill_choices()
        self.count = widgets.HTML()
        self.cards = widgets.VBox()
        self.more = widgets.Button(description="Show more", layout=widgets.Layout(display="none"))
        self.opened = widgets.Output()
        self.open_buttons: list[widgets.Button] = []
        self._pool: list[tuple[widgets.VBox, widgets.HTML, widgets.Button]] = []
        self._targets: dict[widgets.Button, tuple[int, int, int]] = {}
        self.coder_screen: Any = None
        self.shown = 0

        self.query_box.observe(self.search, names="value")
        self.search_button.on_click(self.search)
        self.area_box.observe(self._chosen, names="value")
        self.coder_box.observe(self._chosen, names="value")
        self.more.on_click(lambda _: self._show(self.shown + self.PAGE))
        super().__init__(
            [
                widgets.HBox([self.query_box, self.search_button]),
                widgets.HBox([self.area_box, self.coder_box]),
                self.count,
                self.cards,
                self.more,
                self.opened,
            ]
        )
        self.render()

    def _fill_choices(self) -> None:
        """Areas and coders as they are now (a coder who started after the panel opened
        too), keeping the retrieval's choice selected; "All ..." when there is none."""
        project = self.retrieval.project
        areas = project.areas()
        coders = engine.coder_names(project)
        area = self.retrieval.area or ""
        chosen = self.retrieval.coder
        coder_options: list[tuple[str, Any]] = [("All coders", "")]
        coder_options += [(name, name) for name in coders]
        if isinstance(chosen, list):
            if len(chosen) == 1:
                chosen = chosen[0]
            else:
                chosen = tuple(chosen)
                coder_options.append((", ".join(chosen), chosen))
        self._syncing = True
        try:
            self.area_box.options = [("All areas", "")] + [(a, a) for a in areas]
            self.area_box.value = area if area in areas else ""
            self.coder_box.options = coder_options
            self.coder_box.value = chosen or ""
        finally:
            self._syncing = False

    def _chosen(self, _: Any) -> None:
        if not self._syncing:
            self.search()

    def search(self, *_: Any) -> None:
        """Run the query in the box with the chosen area and coder, then show every area and
        coder there is now in the two lists."""
        coder = self.coder_box.value
        try:
            self.retrieval.search(
                self.query_box.value,
                area=self.area_box.value or None,
                coder=list(coder) if isinstance(coder, tuple) else coder or None,
            )
        except QualcodeError as error:
            self.count.value = (
                '<div style="color:#B00020">Could not search: '
                f"{html.escape(str(getattr(error, 'reason', error)))}</div>"
            )
            if hasattr(error, "pointer"):
                self.count.value += f"<pre>{html.escape(error.pointer())}</pre>"
            self.cards.children = ()
            self.more.layout.display = "none"
            return
        self._fill_choices()
        self.render()

    def render(self) -> None:
        """Show the count line and the first page of cards."""
        self._show(self.PAGE)

    def _card(self, index: int) -> tuple[widgets.VBox, widgets.HTML, widgets.Button]:
        """The index-th card, made once and reused: a new search only changes their text
        (creating ~150 widgets per search cost more than the query itself)."""
        while len(self._pool) <= index:
            text = widgets.HTML()
            button = widgets.Button(description="Open in coder", icon="external-link")
            button.on_click(lambda b: self.open_passage(*self._targets[b]))
            self._pool.append((widgets.VBox([text, button]), text, button))
        return self._pool[index]

    def _show(self, upto: int) -> None:
        df = self.retrieval.df
        shown = min(upto, len(df))
        self._targets = {}
        for index in range(shown):
            row = df.iloc[index]
            _, text, button = self._card(index)
            text.value = card_html(row)
            self._targets[button] = (int(row["document_id"]), int(row["start"]), int(row["end"]))
        self.cards.children = tuple(card for card, _, _ in self._pool[:shown])
        self.open_buttons = [button for _, _, button in self._pool[:shown]]
        self.shown = shown
        line = engine.count_line(len(df), df["document_id"].nunique())
        if self.shown < len(df):
            line += f" (showing the first {self.shown})"
        self.count.value = f"<b>{html.escape(line)}</b>"
        self.more.layout.display = None if self.shown < len(df) else "none"

    def open_passage(self, document_id: int, start: int, end: int) -> Any:
        """Show the passage in the coding screen: `open_with` if given, else the Coder open
        in the notebook on this project (the chosen coder's, else the most recent), scrolled
        into view with the passage selected; only when none is open, a Coder for the chosen
        coder (or the project's user) below the cards, made once and reused after."""
        target = self.open_with
        if target is None:
            coder = self.retrieval.coder
            if isinstance(coder, list):
                coder = coder[0] if len(coder) == 1 else None
            name = coder or self.retrieval.project.user
            target = open_coder(self.retrieval.project, name)
            screen = self.coder_screen
            if target is None and screen is not None and getattr(screen, "coder", name) == name:
                target = screen
            if target is None:
                return self._new_coder(name, document_id, start, end)
        # A Coder is an ipywidgets VBox, whose open() opens its comm: it moves with go_to()
        move = getattr(target, "go_to", None) or target.open
        move(document_id, start, end)
        reveal(target)
        return target

    def _new_coder(self, name: str, document_id: int, start: int, end: int) -> Any:
        from IPython.display import display

        try:
            from qualcode.widgets.coder import Coder
        except ImportError:
            with self.opened:
                print("The coding screen is not available in this version of qualcode.")
            return None
        self.coder_screen = Coder(
            self.retrieval.project, coder=name, document=document_id, focus=(start, end)
        )
        self.opened.clear_output()
        with self.opened:
            display(self.coder_screen)
        return self.coder_screen
