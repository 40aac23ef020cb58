// The code palette: "/" (or the toolbar's "Find a code…") opens a search over every code;
// Enter or a click applies the chosen code to the words selected before it opened.
FEATURES.push(function palette(ctx) {
  const { el, root } = ctx;
  const box = el("div", { class: "qc-palette", hidden: "" });
  root.append(box);
  const search = el("input", { type: "search", class: "qc-search", placeholder: "Type to find a code", "aria-label": "Find a code" });
  const list = el("ul", { class: "qc-list", role: "listbox" });
  box.append(search, list);
  let matches = [];
  let active = 0;
  let savedRange = null; // the words selected when the palette opened
  function fill() {
    const q = search.value.trim().toLowerCase();
    matches = ctx.codes().filter((c) => c.path.toLowerCase().includes(q));
    active = Math.min(active, Math.max(matches.length - 1, 0));
    list.replaceChildren(...matches.map((c, i) =>
      el("li", { role: "option", class: i === active ? "qc-active" : "", "aria-selected": String(i === active), style: `--qc-color:${c.color}`,
        onmousedown: (ev) => { ev.preventDefault(); pick(i); } },
        el("span", { class: "qc-swatch", text: ctx.initials(c) }), ` ${c.path}`, c.shortcut ? el("kbd", { text: c.shortcut }) : "")));
  }
  function open() {
    savedRange = ctx.currentRange();
    box.hidden = false;
    search.value = "";
    active = 0;
    fill();
    search.focus();
  }
  function close() {
    box.hidden = true;
    root.focus();
  }
  function pick(i) {
    const code = matches[i];
    close();
    if (code) ctx.applyCode(code.id, savedRange);
  }
  search.addEventListener("input", () => { active = 0; fill(); });
  search.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") active = Math.min(active + 1, matches.length - 1);
    else if (e.key === "ArrowUp") active = Math.max(active - 1, 0);
    else if (e.key === "Enter") { pick(active); e.preventDefault(); e.stopPropagation(); return; }
    else if (e.key === "Escape") close();
    else { e.stopPropagation(); return; }
    fill();
    e.preventDefault();
    e.stopPropagation();
  });
  ctx.panels.push(box); // keys typed inside it are its own
  ctx.toolbar.append(ctx.button("Find a code… ( / )", "Search all codes and apply one to the selected words", open));
  ctx.onKey((e) => {
    if (e.key !== "/") return false;
    open();
    return true;
  });
  ctx.openPalette = open;
});
