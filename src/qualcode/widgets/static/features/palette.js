// The code palette, also the code menu: "/" or the toolbar's "Find a code…" opens it under the
// toolbar; a right-click on selected words (or "Code this…" on a touch screen) opens it at the
// pointer (`ctx.openPalette({x, y, above, range, touch, title})`). The codes used most recently come
// first, then every code; typing filters them. Enter or a click applies the chosen code to the
// words selected when it opened; Esc or a click elsewhere closes it and keeps the words selected.
FEATURES.push(function palette(ctx) {
  const { el, root } = ctx;
  const RECENT = 5;
  const box = el("div", { class: "qc-palette", hidden: "", role: "dialog", "aria-label": "Choose a code" });
  root.append(box);
  const heading = el("div", { class: "qc-palette-title" });
  const search = el("input", { type: "search", class: "qc-search", placeholder: "Type to find a code", "aria-label": "Find a code" });
  const list = el("ul", { class: "qc-list", role: "listbox", "aria-label": "Codes" });
  box.append(heading, search, list);
  let matches = []; // the codes listed, in order (a recent code is listed twice)
  let active = 0;
  let savedRange = null; // the words selected when the palette opened
  const lastUsed = new Map(); // code id -> id of my latest coding with it

  function noteUsed() {
    for (const c of ctx.model.get("codings")) {
      if (c.mine && !c.suggestion && !(lastUsed.get(c.code_id) > c.id)) lastUsed.set(c.code_id, c.id);
    }
  }
  ctx.on("text", noteUsed);
  ctx.on("codings", noteUsed);
  function recentCodes() {
    const ids = [...lastUsed.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
    return ids.map((id) => ctx.codeById(id)).filter(Boolean).slice(0, RECENT);
  }

  function item(c, i) {
    return el("li", {
      role: "option", class: i === active ? "qc-active" : "", "aria-selected": String(i === active),
      style: `--qc-color:${c.color}`, "data-code-target": c.id,
      onmousedown: (ev) => ev.preventDefault(), // the search box keeps the focus
      onclick: (ev) => { ev.preventDefault(); pick(i); },
    }, el("span", { class: "qc-swatch", text: ctx.initials(c) }), ` ${c.path}`, c.shortcut ? el("kbd", { text: c.shortcut }) : "");
  }
  const section = (text) => el("li", { class: "qc-list-head", role: "presentation", text });
  function fill() {
    const q = search.value.trim().toLowerCase();
    const all = ctx.codes().filter((c) => c.path.toLowerCase().includes(q));
    const recent = q ? [] : recentCodes();
    matches = [...recent, ...all];
    active = Math.min(active, Math.max(matches.length - 1, 0));
    const items = matches.map(item);
    if (recent.length) {
      items.splice(recent.length, 0, section("All codes"));
      items.unshift(section("Used lately"));
    }
    if (!matches.length) items.push(section("No code has these letters in its name."));
    list.replaceChildren(...items);
    const current = list.querySelector(".qc-active"); // in sight in the list; the page stays put
    if (active === 0) list.scrollTop = 0; // the headings too
    else if (current && current.offsetTop < list.scrollTop) list.scrollTop = current.offsetTop;
    else if (current && current.offsetTop + current.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = current.offsetTop + current.offsetHeight - list.clientHeight;
    }
  }
  // The part of the window the widget can be seen in (JupyterLab scrolls a panel, not the page).
  function band() {
    let top = 0, bottom = window.innerHeight;
    for (let node = root.parentElement; node; node = node.parentElement) {
      if (/(auto|scroll)/.test(getComputedStyle(node).overflowY) && node.scrollHeight > node.clientHeight) {
        const r = node.getBoundingClientRect();
        top = Math.max(top, r.top);
        bottom = Math.min(bottom, r.bottom);
        break;
      }
    }
    return { top, bottom };
  }
  // At the pointer: below y, or ending above `above` (default y) when there is more room there;
  // the list shrinks to the room it has, so the whole menu is in sight.
  function place(x, y, above = y) {
    list.style.maxHeight = box.style.left = box.style.top = "";
    if (x === undefined) return;
    const host = root.getBoundingClientRect();
    const { top, bottom } = band();
    const room = Math.max(bottom - y, above - top) - 8;
    const rest = box.offsetHeight - list.offsetHeight; // heading and search box
    if (box.offsetHeight > room) list.style.maxHeight = `${Math.max(room - rest, 96)}px`;
    const left = Math.min(x - host.left, root.clientWidth - box.offsetWidth);
    box.style.left = `${Math.max(0, left)}px`;
    const downwards = bottom - y >= above - top;
    const at = downwards ? y + 4 : above - box.offsetHeight - 4;
    box.style.top = `${at - host.top}px`;
  }
  function open({ x, y, above, range, touch = false, title = "Find a code" } = {}) {
    savedRange = range !== undefined ? range : ctx.currentRange();
    heading.textContent = savedRange ? title : `${title} (select some words first)`;
    box.classList.toggle("qc-touch", touch);
    box.hidden = false;
    search.value = "";
    active = 0;
    fill();
    place(x, y, above);
    if (!touch) search.focus(); // no on-screen keyboard popping up over the text
    document.addEventListener("pointerdown", clickAway, true);
  }
  function close(keepWords = false) {
    box.hidden = true;
    document.removeEventListener("pointerdown", clickAway, true);
    if (keepWords && savedRange) ctx.selectCp(savedRange[0], savedRange[1], false);
    root.focus({ preventScroll: true });
  }
  function clickAway(e) {
    if (!box.contains(e.target)) close(e.target.closest && e.target.closest("[data-code-target]"));
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
    else if (e.key === "Escape") { close(true); e.preventDefault(); e.stopPropagation(); return; }
    else { e.stopPropagation(); return; }
    fill();
    e.preventDefault();
    e.stopPropagation();
  });
  ctx.panels.push(box); // keys typed inside it are its own
  ctx.toolbar.append(ctx.button("Find a code… ( / )", "Search all codes and apply one to the selected words", () => open()));
  ctx.onKey((e) => {
    if (e.key !== "/") return false;
    open();
    return true;
  });
  ctx.openPalette = open;
});
