// The code tree beside the text: every code in its place in the codebook, with its colour, its
// key and how often it is used ("yours · everyone's", across the project; Python sends them as
// the `code_counts` trait). Search filters it (a match shows with the codes above it), the
// arrows fold and unfold branches (remembered for the browser session), a click or Enter
// applies the code to the selected words, a right-click (or F2, or the key button) sets the
// code's key. Tab in the transcript goes to the tree's search.
FEATURES.push(function tree(ctx) {
  const { el, root, body } = ctx;
  const FOLDED = "qc-tree-folded"; // sessionStorage: the paths of the branches folded
  const folded = new Set(readFolded());
  const hold = (e) => e.preventDefault(); // a press here keeps the words selected
  root.classList.add("qc-has-tree");

  const search = el("input", { type: "search", class: "qc-tree-search", placeholder: "Search codes", "aria-label": "Search codes" });
  const list = el("div", { class: "qc-tree-list", role: "tree", "aria-label": "Codes" });
  const none = el("div", { class: "qc-tree-none", hidden: "" });
  const keybox = el("div", { class: "qc-tree-keybox", hidden: "", role: "dialog", "aria-label": "Set a key" });
  const panel = el("section", { class: "qc-tree", "aria-label": "Code tree", "data-jp-suppress-context-menu": "" },
    el("div", { class: "qc-tree-head" },
      el("span", { class: "qc-tree-title", text: "Codes" }),
      el("span", { class: "qc-tree-cols", text: "yours · all", title: "How many times you have used each code, and all coders together, in the whole project" })),
    search, list, none, keybox,
    el("div", { class: "qc-tree-hint", text: "Select words, then click a code. Right-click a code to give it a key." }));
  ctx.side.append(panel);
  ctx.panels.push(panel); // keys typed here are the tree's, never a code's key

  let rows = new Map(); // code id -> {code, node, name, count, key, parent, depth, kids}
  let order = []; // code ids, depth-first as the codebook lists them
  let shown = []; // ids of the rows on screen, in order
  let active = null; // the row Tab lands on (roving tabindex)
  let lastRange = null; // the words selected in the text before focus came here

  // Remember the words selected in the text: a click in the search box moves the selection.
  const onSelection = () => {
    if (!root.isConnected) { document.removeEventListener("selectionchange", onSelection); return; }
    const sel = window.getSelection();
    if (!sel || !sel.rangeCount) { if (!panel.contains(document.activeElement)) lastRange = null; return; }
    if (!body.contains(sel.anchorNode)) return; // it went to the search box: keep the words
    lastRange = sel.isCollapsed ? null : ctx.currentRange();
  };
  document.addEventListener("selectionchange", onSelection);

  function readFolded() {
    try { return JSON.parse(sessionStorage.getItem(FOLDED) || "[]"); } catch { return []; }
  }
  function saveFolded() {
    try { sessionStorage.setItem(FOLDED, JSON.stringify([...folded])); } catch { /* private mode */ }
  }
  const compact = (n) => (n < 1000 ? String(n) : n < 10000 ? `${(n / 1000).toFixed(1)}k` : `${Math.round(n / 1000)}k`);
  const times = (n) => (n === 1 ? "once" : `${n.toLocaleString()} times`);

  function build() {
    const t0 = performance.now();
    const codes = ctx.codes();
    rows = new Map();
    order = codes.map((c) => c.id);
    const frag = document.createDocumentFragment();
    for (const code of codes) {
      const parent = rows.has(code.parent_id) ? code.parent_id : null; // parents come first
      const depth = parent === null ? 0 : rows.get(parent).depth + 1;
      if (parent !== null) rows.get(parent).kids.push(code.id);
      const arrow = el("span", { class: "qc-tree-arrow", "aria-hidden": "true" });
      const name = el("span", { class: "qc-tree-name", text: code.name });
      const key = el("button", { type: "button", class: "qc-tree-key", tabindex: "-1", "aria-label": `Set the key for ${code.name}` });
      const count = el("span", { class: "qc-tree-count" });
      const node = el("div", {
        class: "qc-tree-row", role: "treeitem", tabindex: "-1", "aria-level": String(depth + 1),
        "data-code-target": String(code.id), "data-path": code.path, style: `--qc-color:${code.color};--qc-depth:${depth}`,
      }, arrow, el("span", { class: "qc-swatch", text: ctx.initials(code) }), name, key, count);
      const row = { code, node, name, count, key, arrow, parent, depth, kids: [] };
      rows.set(code.id, row);
      paintKey(row);
      frag.append(node);
    }
    list.replaceChildren(frag);
    paintCounts();
    filter();
    if (!rows.has(active)) active = shown[0] ?? null;
    roving();
    root.dataset.treeMs = (performance.now() - t0).toFixed(2);
  }

  function paintKey(row) {
    const k = row.code.shortcut;
    row.key.replaceChildren(k ? el("kbd", { text: k }) : "key");
    row.key.classList.toggle("qc-tree-nokey", !k);
    row.key.title = k ? `Press ${k} to apply ${row.code.name}. Click to change the key.` : `Give ${row.code.name} a key`;
    row.node.title = `${row.code.path}\nClick to apply it to the selected words${k ? ` (or press ${k})` : ""}. Right-click to set its key.`;
  }

  function paintCounts() { // a key press changes one number: only changed rows are touched
    const counts = ctx.model.get("code_counts") || {};
    for (const [id, row] of rows) {
      const [mine, all] = counts[String(id)] || [0, 0];
      const shown = all ? `${compact(mine)} · ${compact(all)}` : "";
      if (row.shown === shown) continue;
      row.shown = shown;
      row.count.textContent = shown;
      row.count.title = all ? `You have used it ${times(mine)}; all coders together ${times(all)} (whole project)` : "Not used yet";
    }
  }

  // Which rows show: with a search, the matches and the codes above them (folds ignored);
  // without, every row whose branches above are all unfolded.
  function filter() {
    const q = search.value.trim().toLowerCase();
    const keep = new Set();
    if (q) {
      for (let i = order.length - 1; i >= 0; i--) {
        const row = rows.get(order[i]);
        const hit = row.code.name.toLowerCase().includes(q);
        if (hit || keep.has(order[i])) {
          keep.add(order[i]);
          if (row.parent !== null) keep.add(row.parent);
        }
        mark(row, hit ? q : "");
      }
    } else {
      for (const id of order) {
        const row = rows.get(id);
        mark(row, "");
        if (row.parent === null || (keep.has(row.parent) && !folded.has(rows.get(row.parent).code.path))) keep.add(id);
      }
    }
    shown = order.filter((id) => keep.has(id));
    for (const [id, row] of rows) {
      row.node.hidden = !keep.has(id);
      const open = q ? true : !folded.has(row.code.path);
      if (row.kids.length) {
        row.arrow.textContent = open ? "▾" : "▸";
        row.node.setAttribute("aria-expanded", String(open));
      }
    }
    none.hidden = shown.length > 0;
    none.textContent = q ? `No code is called “${search.value.trim()}”.` : "No codes yet: add them in the codebook editor.";
    if (!keep.has(active)) active = shown[0] ?? null;
    roving();
  }

  function mark(row, q) {
    const name = row.code.name;
    const at = q ? name.toLowerCase().indexOf(q) : -1;
    if (at < 0) {
      if (row.marked) { row.name.textContent = name; row.marked = false; }
      return;
    }
    row.name.replaceChildren(name.slice(0, at), el("mark", { text: name.slice(at, at + q.length) }), name.slice(at + q.length));
    row.marked = true;
  }

  function roving() {
    for (const [id, row] of rows) row.node.tabIndex = id === active ? 0 : -1;
  }

  function focusRow(id) {
    if (id === null || id === undefined || !rows.has(id)) return;
    active = id;
    roving();
    const node = rows.get(id).node;
    node.focus({ preventScroll: true });
    node.scrollIntoView({ block: "nearest" });
  }

  function toggle(id, open) {
    const row = rows.get(id);
    if (!row || !row.kids.length || search.value.trim()) return;
    const isOpen = !folded.has(row.code.path);
    if (open === isOpen) return;
    if (isOpen) folded.add(row.code.path); else folded.delete(row.code.path);
    saveFolded();
    filter();
  }

  function apply(id, fromKeyboard) {
    const range = ctx.currentRange() || lastRange;
    lastRange = null;
    ctx.applyCode(id, range);
    if (fromKeyboard && range) root.focus({ preventScroll: true }); // back to the text for the next
  }

  // the key of a code, set from its row
  function askKey(id) {
    const row = rows.get(id);
    if (!row) return;
    const input = el("input", { class: "qc-tree-keyinput", maxlength: "1", "aria-label": `Key for ${row.code.name}` });
    const hint = el("div", { class: "qc-tree-keyhint", text: "A letter or a digit. Backspace takes the key off, Esc cancels." });
    keybox.replaceChildren(el("div", { text: `Press the key for “${row.code.name}”:` }), input, hint);
    row.node.after(keybox);
    keybox.hidden = false;
    input.focus();
    input.addEventListener("keydown", (e) => {
      e.preventDefault();
      e.stopPropagation();
      if (e.key === "Escape") return closeKey(id);
      if (e.key === "Backspace" || e.key === "Delete") return setKey(id, "");
      if (/^[a-z0-9]$/i.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) return setKey(id, e.key.toLowerCase());
      if (e.key.length === 1) hint.textContent = `“${e.key}” cannot be a code's key: use a letter (a–z) or a digit (0–9).`;
    });
    input.addEventListener("blur", () => setTimeout(() => { if (!keybox.contains(document.activeElement)) keybox.hidden = true; }, 0));
  }
  function setKey(id, key) {
    ctx.send({ type: "set_key", code_id: id, key });
    closeKey(id);
  }
  function closeKey(id) {
    keybox.hidden = true;
    focusRow(id);
  }

  list.addEventListener("mousedown", (e) => { if (e.target.closest(".qc-tree-row")) hold(e); });
  list.addEventListener("click", (e) => {
    const node = e.target.closest(".qc-tree-row");
    if (!node) return;
    e.preventDefault(); // the tree applies its own click: features/mouse.js must not again
    const id = Number(node.dataset.codeTarget);
    active = id;
    roving();
    if (e.target.closest(".qc-tree-arrow") && rows.get(id).kids.length) toggle(id, folded.has(rows.get(id).code.path));
    else if (e.target.closest(".qc-tree-key")) askKey(id);
    else apply(id, false);
  });
  list.addEventListener("contextmenu", (e) => {
    const node = e.target.closest(".qc-tree-row");
    if (!node) return;
    e.preventDefault();
    askKey(Number(node.dataset.codeTarget));
  });
  list.addEventListener("keydown", (e) => {
    const node = e.target.closest(".qc-tree-row");
    if (!node) return;
    const id = Number(node.dataset.codeTarget);
    const row = rows.get(id);
    const at = shown.indexOf(id);
    const folds = row.kids.length && !search.value.trim();
    if (e.key === "ArrowDown") focusRow(shown[Math.min(at + 1, shown.length - 1)]);
    else if (e.key === "ArrowUp") { if (at <= 0) search.focus(); else focusRow(shown[at - 1]); }
    else if (e.key === "Home") focusRow(shown[0]);
    else if (e.key === "End") focusRow(shown[shown.length - 1]);
    else if (e.key === "ArrowRight") { if (folds && folded.has(row.code.path)) toggle(id, true); else if (row.kids.length) focusRow(row.kids[0]); }
    else if (e.key === "ArrowLeft") { if (folds && !folded.has(row.code.path)) toggle(id, false); else if (row.parent !== null) focusRow(row.parent); }
    else if (e.key === "Enter" || e.key === " ") apply(id, true);
    else if (e.key === "F2" || e.key === "ContextMenu" || (e.key === "F10" && e.shiftKey)) askKey(id);
    else if (e.key === "Escape") root.focus({ preventScroll: true });
    else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) { // typing searches
      search.focus();
      search.value += e.key;
      filter();
    } else return;
    e.preventDefault();
    e.stopPropagation();
  });
  search.addEventListener("input", filter);
  search.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") focusRow(shown[0]);
    else if (e.key === "Enter" && shown.length) {
      // the first match itself, not a code above it shown only for its place
      const q = search.value.trim().toLowerCase();
      const hit = shown.find((id) => rows.get(id).code.name.toLowerCase().includes(q));
      apply(hit ?? shown[0], true);
    } else if (e.key === "Escape") {
      if (search.value) { search.value = ""; filter(); } else root.focus({ preventScroll: true });
    } else { e.stopPropagation(); return; }
    e.preventDefault();
    e.stopPropagation();
  });

  // Tab in the transcript goes straight to the tree's search (Shift+Tab is the browser's).
  ctx.onKey((e) => {
    if (e.key !== "Tab" || e.shiftKey || e.target !== root) return false;
    lastRange = ctx.currentRange() || lastRange;
    search.focus();
    return true;
  });

  ctx.on("codes", build);
  ctx.on("text", () => { if (!rows.size || order.length !== ctx.codes().length) build(); });
  ctx.model.on("change:code_counts", paintCounts);
  const focus = () => { panel.scrollIntoView({ block: "nearest" }); search.focus({ preventScroll: true }); };
  ctx.tree = { build, filter, focus, rows: () => rows }; // the key strip's "+N more" comes here
});
