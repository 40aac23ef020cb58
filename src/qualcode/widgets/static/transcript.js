// qualcode transcript view: select words, press a key, the code is saved.
// Offsets exchanged with Python are Unicode code points (end exclusive); the browser's
// strings are UTF-16, so every offset crosses `toU16` / `toCp` (offsetMaps, static/core.js).
//
// This is the core: the text, its highlights, the selection, the code keys and the messages.
// Each feature (the code palette, the popover on a highlight, sentence keys, suggestions...)
// is a file in static/features/ that pushes an installer onto FEATURES; `TranscriptView` joins
// those files, then static/core.js (el, initials, offsetMaps, patchCodings), before this one.
// An installer gets `ctx`: its API is at the top of static/core.js.
// An element that stands for a code (strip chip, tree row, menu item) carries
// `data-code-target="<code id>"`: features/mouse.js makes it take a click and dragged words.

const HELP =
  "Select words, then click a code, drag them onto a code, or right-click them. Keys: ↓ ↑ pick " +
  "sentences (Shift extends), a code's key applies it, / finds any code, Ctrl+F finds words. " +
  "Ctrl+Z undoes, Ctrl+Y redoes. [ and ] change transcript. " +
  "Suggestions: . goes to the next, Enter accepts it, Backspace rejects it.";

function render({ model, el: root }) {
  const started = performance.now();
  root.classList.add("qc-transcript");
  root.setAttribute("data-lm-suppress-shortcuts", "true"); // JupyterLab must not take our keys
  root.tabIndex = 0;

  const title = el("div", { class: "qc-title", role: "heading", "aria-level": "3" });
  const toolbar = el("div", { class: "qc-toolbar", role: "toolbar", "aria-label": "Coding tools" });
  const legend = el("div", { class: "qc-legend", "aria-label": "Codes and their keys" });
  const status = el("div", { class: "qc-status", role: "status", "aria-live": "polite" });
  const body = el("div", { class: "qc-text", "aria-label": "Transcript" });
  const side = el("div", { class: "qc-side" });
  const main = el("div", { class: "qc-main" }, body, side);
  root.append(title, toolbar, legend, status, main);

  // A press on a button must not take the words selected in the transcript away with it.
  const holdSelection = (e) => e.preventDefault();
  const button = (label, tip, onclick) => el("button", { type: "button", title: tip, class: "qc-btn", onclick, onmousedown: holdSelection }, label);
  const tools = el("span", { class: "qc-tools" }); // features' buttons
  toolbar.append(
    button("◀ Previous", "Previous transcript ( [ )", () => send({ type: "navigate", step: -1 })),
    button("Next ▶", "Next transcript ( ] )", () => send({ type: "navigate", step: 1 })),
    button("↶ Undo", "Undo (Ctrl+Z)", () => send({ type: "undo" })),
    button("↷ Redo", "Redo (Ctrl+Y)", () => send({ type: "redo" })),
    tools, // features' buttons; whose codings are shown is the "Coders" filter (team.js)
    button("A−", "Smaller text", () => setFont(-2)),
    button("A+", "Larger text", () => setFont(2)),
  );

  let maps = offsetMaps("");
  let codesById = new Map();
  let keyToCode = new Map();
  let pending = new Map(); // message id -> performance.now() at key press
  const optimistic = new Map(); // message id -> coding drawn before Python has saved it
  let nextId = 1;
  // what features hook in (see the top of this file)
  const filters = [];
  const panels = [];
  const decorateLine = [];
  const keyHandlers = [];
  const listeners = {};
  const emit = (event, arg) => { for (const fn of listeners[event] || []) fn(arg); };
  let colorOf = (c) => (codesById.get(c.code_id) || {}).color || "#999";

  function send(msg) {
    const id = nextId++;
    if (msg.type === "code" || msg.type === "uncode") pending.set(id, performance.now());
    model.send({ ...msg, id });
    return id;
  }

  function setFont(delta) {
    const size = Math.max(10, Math.min(32, model.get("font_size") + delta));
    model.set("font_size", size);
    model.save_changes();
  }

  function visibleCodings() {
    const all = model.get("codings");
    const others = model.get("show_all");
    let shown = all.filter((c) => c.mine || (c.suggestion ? model.get("show_suggestions") : others));
    for (const keep of filters) shown = shown.filter(keep);
    return optimistic.size ? shown.concat([...optimistic.values()]) : shown;
  }

  function renderLegend() {
    legend.replaceChildren();
    codesById = new Map();
    keyToCode = new Map();
    for (const c of model.get("codes")) {
      codesById.set(c.id, c);
      if (c.shortcut) keyToCode.set(c.shortcut.toLowerCase(), c);
    }
    for (const c of model.get("codes").filter((c) => c.shortcut)) {
      legend.append(
        el(
          "button",
          // a click (or a drop of dragged words) applies it: features/mouse.js, for every code target
          { type: "button", class: "qc-chip", title: `${c.path}: press ${c.shortcut}, click or drop words here`, "data-code": c.id,
            "data-code-target": c.id, style: `--qc-color:${c.color}` },
          el("kbd", { text: c.shortcut }),
          el("span", { class: "qc-swatch", text: initials(c) }),
          ` ${c.name}`,
        ),
      );
    }
  }

  // The text is drawn as blocks (each speaker turn, and the text between turns) in lines, and
  // the lines in chunks of about CHUNK_LINES lines. A chunk is built (its lines, highlights and
  // badges made) only when it comes near the screen; until then it is its plain text, one
  // segment, so a 90,000-word transcript shows as fast as a short one. Chunks skip layout and
  // paint while off screen (content-visibility). A change of a few codings redraws only the
  // blocks they touch; a wholesale change rebuilds the chunks near the screen and turns the
  // others back into plain text.
  const CHUNK_LINES = 40;
  const CHUNK_CHARS = 8000;
  let L = null; // the text's layout: {text, turns, cuts, blockTurn, blockLine, lines, lineChunk, chunks}
  let per = []; // block -> the visible codings on it
  let sigs = []; // block -> what it was drawn from (codings, their spans, codes, owners)
  let drawn = []; // block -> {node, segStarts, segNodes, codings} while its chunk is built
  let shownById = new Map(); // coding id -> the coding as drawn (where a removed one was)
  const nearby = new Set(); // chunks on or near the screen
  let selectionHere = false;
  const onSelection = () => {
    const sel = window.getSelection();
    selectionHere = !!(sel && sel.rangeCount && !sel.isCollapsed && body.contains(sel.anchorNode));
  };
  document.addEventListener("selectionchange", onSelection);

  // last index i with arr[i] <= x (0 when x is before them all)
  function search(arr, x) {
    let lo = 0, hi = arr.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (arr[mid] <= x) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function layoutText() {
    const t0 = performance.now();
    const text = model.get("text"), turns = model.get("turns");
    maps = offsetMaps(text);
    const lineStarts = [0];
    for (let u = text.indexOf("\n"); u >= 0 && u + 1 < text.length; u = text.indexOf("\n", u + 1)) {
      lineStarts.push(maps.toCp(u + 1));
    }
    const edges = new Set(maps.length ? [0, maps.length, ...lineStarts] : []);
    for (const t of turns) if (t.start < t.end && t.end <= maps.length) { edges.add(t.start); edges.add(t.end); }
    const cuts = [...edges].sort((a, b) => a - b);
    const turnStarts = turns.map((t) => t.start);
    const blockTurn = [], blockLine = [], lines = [];
    for (let k = 0, line = -1; k + 1 < cuts.length; k++) {
      if (line + 1 < lineStarts.length && lineStarts[line + 1] <= cuts[k]) {
        while (line + 1 < lineStarts.length && lineStarts[line + 1] <= cuts[k]) line++;
        lines.push({ start: lineStarts[line], end: cuts[k + 1], first: k, last: k, node: null });
      }
      const l = lines[lines.length - 1];
      l.last = k;
      l.end = cuts[k + 1];
      blockLine.push(lines.length - 1);
      const t = turns.length ? turns[search(turnStarts, cuts[k])] : undefined;
      blockTurn.push(t && t.start <= cuts[k] && cuts[k] < t.end ? t : undefined);
    }
    const chunks = [], lineChunk = [];
    lines.forEach((l, i) => {
      const c = chunks[chunks.length - 1];
      if (!c || i - c.first >= CHUNK_LINES || l.start - c.start >= CHUNK_CHARS) {
        chunks.push({ first: i, last: i, start: l.start, end: l.end, node: null, built: false });
      } else {
        c.last = i;
        c.end = l.end;
      }
      lineChunk.push(chunks.length - 1);
    });
    L = { text, turns, cuts, blockTurn, blockLine, lines, lineChunk, chunks };
    per = cuts.slice(1).map(() => []);
    sigs = per.map(() => "");
    drawn = [];
    shownById = new Map();
    nearby.clear();
    if (chunks.length) nearby.add(0); // the top shows first; the observer says which others do
    watcher.disconnect();
    body.replaceChildren(...chunks.map((c, i) => {
      c.node = el("div", { class: "qc-chunk", "data-chunk": i });
      const rows = L.lines.slice(c.first, c.last + 1).reduce((n, l) => n + Math.ceil((l.end - l.start + 1) / 90), 0);
      c.node.style.containIntrinsicSize = `auto ${(rows * 1.9).toFixed(1)}em`; // until drawn once
      plain(c);
      watcher.observe(c.node);
      return c.node;
    }));
    performance.measure("qc-layout", { start: t0 });
  }

  // A chunk as its plain text: one segment, selectable and found by the browser's find.
  function plain(c) {
    const seg = el("span", { class: "qc-seg qc-plain-chunk", "data-s": c.start });
    seg.textContent = L.text.slice(maps.toU16(c.start), maps.toU16(c.end));
    c.node.replaceChildren(seg);
    c.built = false;
    for (let i = c.first; i <= c.last; i++) {
      L.lines[i].node = null;
      for (let k = L.lines[i].first; k <= L.lines[i].last; k++) drawn[k] = undefined;
    }
  }

  function build(c) {
    const t0 = performance.now();
    c.built = true;
    const nodes = [];
    for (let i = c.first; i <= c.last; i++) nodes.push(drawLine(L.lines[i]));
    c.node.replaceChildren(...nodes);
    performance.measure("qc-build-chunk", { start: t0 });
  }

  function drawLine(line) {
    const node = el("div", { class: "qc-line" });
    for (let k = line.first; k <= line.last; k++) {
      if (sigs[k] === undefined) sigs[k] = sigOf(per[k]);
      if (!drawn[k] || drawn[k].sig !== sigs[k]) drawn[k] = drawBlock(L.text, L.cuts[k], L.cuts[k + 1], per[k], L.blockTurn[k], sigs[k]);
      node.append(drawn[k].node);
    }
    if (decorateLine.length) {
      const on = new Set();
      for (let k = line.first; k <= line.last; k++) for (const c of per[k]) on.add(c);
      for (const fn of decorateLine) fn(node, { start: line.start, end: line.end, codings: [...on] });
    }
    if (line.node) line.node.replaceWith(node);
    line.node = node;
    return node;
  }

  const sigOf = (codings) => codings.map((c) => `${c.id}:${c.start}:${c.end}:${c.code_id}:${c.mine ? 1 : 0}${c.suggestion ? "s" : ""}`).join(",");

  // Which visible codings lie on blocks [from, to); the built blocks whose codings changed
  // (a block not built gets its signature when it is drawn).
  function assign(codings, from, to) {
    const changed = [];
    for (let k = from; k < to; k++) per[k] = [];
    const lo = L.cuts[from], hi = L.cuts[to];
    for (const c of codings) {
      if (c.end <= lo || c.start >= hi) continue;
      shownById.set(c.id, c);
      for (let k = Math.max(from, search(L.cuts, c.start)); k < to && L.cuts[k] < c.end; k++) per[k].push(c);
    }
    for (let k = from; k < to; k++) {
      if (!drawn[k]) { sigs[k] = undefined; continue; }
      const sig = sigOf(per[k]);
      if (sig !== sigs[k]) { sigs[k] = sig; changed.push(k); }
    }
    return changed;
  }

  // Redraw the built lines holding `blocks`; chunks not near the screen go back to plain text.
  function redrawBlocks(blocks, everything) {
    const lines = new Set(blocks.map((k) => L.blockLine[k]));
    if (everything) L.lines.forEach((l, i) => { if (l.node) lines.add(i); });
    const chunks = new Set([...lines].map((i) => L.lineChunk[i]));
    for (const ci of chunks) {
      const c = L.chunks[ci];
      if (!c.built) continue;
      if (!nearby.has(ci)) { plain(c); continue; }
      for (const i of lines) if (L.lineChunk[i] === ci) drawLine(L.lines[i]);
    }
  }

  // Updates that arrive together (the saved coding, then Python's acknowledgement) are drawn
  // once, in the next frame: wholesale, or only where codings changed.
  let queued = null; // null, "all", or [[start, end], ...] in code points
  function scheduleRender(spans) {
    const first = queued === null;
    if (!spans) queued = "all";
    else if (queued !== "all") (queued = queued || []).push(...spans);
    if (first) requestAnimationFrame(() => {
      const what = queued;
      queued = null;
      if (what === "all") renderText(); else redrawSpans(what);
    });
  }
  // Two frames on: the frame that drew the change has been painted.
  const afterPaint = (fn) => requestAnimationFrame(() => requestAnimationFrame(fn));

  function stale() {
    return !L || L.text !== model.get("text") || L.turns !== model.get("turns");
  }

  // Survive a redraw under the mouse; asked only when there is a selection here, because
  // asking the browser for the selection forces a layout.
  function redrawKeeping(keepSelection, draw) {
    const t0 = performance.now();
    const keep = keepSelection && selectionHere ? currentRange() : null;
    draw();
    if (keep && keep[1] <= maps.length) selectCp(keep[0], keep[1], false);
    const ms = performance.now() - t0;
    performance.measure("qc-render", { start: t0 });
    root.dataset.renderMs = ms.toFixed(2);
    emit("render");
    return ms;
  }

  // Draw everything from the model: the codings wholesale (a transcript opened, show all
  // coders, a filter changed); `everything` redraws even unchanged blocks (new code colours).
  function renderText(keepSelection = true, everything = false) {
    return redrawKeeping(keepSelection, () => {
      title.textContent = model.get("title");
      root.style.setProperty("--qc-font", `${model.get("font_size")}px`);
      if (stale()) layoutText();
      shownById = new Map();
      const changed = assign(visibleCodings(), 0, per.length);
      if (everything) drawn = [];
      redrawBlocks(changed, everything);
      for (const ci of nearby) if (!L.chunks[ci].built) build(L.chunks[ci]);
    });
  }

  // Draw the codings that changed on the spans given: the cost is the lines they touch.
  function redrawSpans(spans) {
    if (stale()) return renderText();
    return redrawKeeping(true, () => {
      const codings = visibleCodings();
      for (const [a, b] of spans) {
        if (!(a < b) || !per.length) continue;
        const from = search(L.cuts, a), to = Math.min(per.length, search(L.cuts, b - 1) + 1);
        redrawBlocks(assign(codings, from, to), false);
      }
    });
  }

  // The chunks on or near the screen are built; the rest wait as plain text.
  const watcher = new IntersectionObserver((entries) => {
    for (const e of entries) {
      const i = Number(e.target.dataset.chunk);
      if (!L || !L.chunks[i] || L.chunks[i].node !== e.target) continue;
      if (e.isIntersecting) nearby.add(i); else nearby.delete(i);
    }
    const todo = [...nearby].filter((i) => !L.chunks[i].built);
    if (todo.length) redrawKeeping(true, () => todo.forEach((i) => build(L.chunks[i])));
  }, { root: body, rootMargin: "100% 0px" });

  function drawBlock(text, a, b, codings, turn, sig) {
    const node = turn
      ? el("span", { class: `qc-turn qc-${turn.role || "speaker"}`, "data-speaker": turn.speaker || "" })
      : el("span", { class: "qc-plain" });
    const edges = new Set([a, b]);
    for (const c of codings) { edges.add(Math.max(a, c.start)); edges.add(Math.min(b, c.end)); }
    const cuts = [...edges].sort((x, y) => x - y);
    const starts = new Map();
    for (const c of codings) if (c.start >= a) (starts.get(c.start) || starts.set(c.start, []).get(c.start)).push(c);
    const block = { start: a, end: b, sig, node, codings, segStarts: [], segNodes: [] };
    for (let i = 0; i < cuts.length - 1; i++) {
      const s = cuts[i], e = cuts[i + 1];
      for (const c of starts.get(s) || []) {
        const code = codesById.get(c.code_id);
        if (code) {
          node.append(el("span", {
            class: `qc-badge${c.mine ? "" : " qc-other"}${c.suggestion ? " qc-suggested" : ""}`,
            contenteditable: "false", "aria-hidden": "true",
            style: `--qc-color:${code.color}`, "data-coding": c.id, title: `${code.path} (${c.coder})`,
          }, (c.suggestion ? "?" : "") + initials(code)));
        }
      }
      const span = el("span", { class: "qc-seg", "data-s": s });
      span.textContent = text.slice(maps.toU16(s), maps.toU16(e));
      const here = codings.filter((c) => c.start < e && c.end > s);
      if (here.length && here.every((c) => c.suggestion)) {
        const color = (codesById.get(here[0].code_id) || {}).color || "#999";
        span.classList.add("qc-hl", "qc-suggestion");
        span.style.outline = `2px dashed ${color}`;
        span.dataset.c = here.map((c) => c.id).join(" ");
        span.title = here.map((c) => `suggested: ${(codesById.get(c.code_id) || {}).path} (${c.coder})`).join("\n");
      } else if (here.length) {
        const colors = [...new Set(here.map(colorOf))];
        span.classList.add("qc-hl");
        if (colors.length > 1) {
          span.classList.add("qc-overlap");
          const step = 100 / colors.length;
          const stops = colors.map((col, k) => `${col}66 ${k * step}% ${(k + 1) * step}%`).join(", ");
          span.style.background = `linear-gradient(to bottom, ${stops})`;
        } else {
          span.style.background = `${colors[0]}4d`;
          span.style.borderBottom = `2px solid ${colors[0]}`;
        }
        span.dataset.c = here.map((c) => c.id).join(" ");
        span.title = here.map((c) => `${(codesById.get(c.code_id) || {}).path} (${c.coder})`).join("\n");
      }
      node.append(span);
      block.segStarts.push(s);
      block.segNodes.push(span);
    }
    return block;
  }

  // DOM point -> code point offset.
  function pointToCp(node, offset) {
    if (node.nodeType === Node.TEXT_NODE) {
      const seg = node.parentElement.closest(".qc-seg");
      if (!seg) return null;
      const s = Number(seg.dataset.s);
      return maps.toCp(maps.toU16(s) + offset);
    }
    let child = node.childNodes[offset];
    while (child) {
      const seg = child.classList && (child.classList.contains("qc-seg") ? child : child.querySelector(".qc-seg"));
      if (seg) return Number(seg.dataset.s);
      child = child.nextSibling;
    }
    if (node === body || body.contains(node)) {
      // after the last child of `node`: the end of the last segment before it
      const segs = node.querySelectorAll ? node.querySelectorAll(".qc-seg") : [];
      const last = segs[segs.length - 1];
      if (last) return maps.toCp(maps.toU16(Number(last.dataset.s)) + last.textContent.length);
    }
    return null;
  }

  // Code point offset -> DOM point (for keyboard selection); its chunk must be there.
  function cpToPoint(cp) {
    const k = Math.min(search(L.cuts, cp), per.length - 1);
    const c = L.chunks[L.lineChunk[L.blockLine[k]]];
    if (!c.built) {
      const seg = c.node.firstChild;
      return [seg.firstChild || seg, maps.toU16(cp) - maps.toU16(c.start)];
    }
    const { segStarts, segNodes } = drawn[k];
    const node = segNodes[search(segStarts, cp)];
    return [node.firstChild || node, maps.toU16(cp) - maps.toU16(Number(node.dataset.s))];
  }

  function currentRange() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const r = sel.getRangeAt(0);
    if (!body.contains(r.commonAncestorContainer)) return null;
    const a = pointToCp(r.startContainer, r.startOffset);
    const b = pointToCp(r.endContainer, r.endOffset);
    if (a === null || b === null || a === b) return null;
    return [Math.min(a, b), Math.max(a, b)];
  }

  // Build the chunks from `start` to `end` (drawn with their highlights), as a selection
  // or a jump there needs them.
  function buildSpan(start, end) {
    if (stale()) renderText(false);
    if (!per.length) return false;
    const first = L.lineChunk[L.blockLine[Math.min(search(L.cuts, start), per.length - 1)]];
    const last = L.lineChunk[L.blockLine[Math.min(search(L.cuts, Math.max(start, end - 1)), per.length - 1)]];
    for (let i = first; i <= last; i++) {
      nearby.add(i); // until the observer says otherwise
      if (!L.chunks[i].built) build(L.chunks[i]);
    }
    return true;
  }

  function selectCp(start, end, scroll = true) {
    if (!buildSpan(start, end)) return;
    const range = document.createRange();
    const [sn, so] = cpToPoint(start);
    const [en, eo] = cpToPoint(end);
    range.setStart(sn, so);
    range.setEnd(en, eo);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    selectionHere = true; // now, not at "selectionchange": a redraw in between must keep it
    if (scroll) (sn.parentElement || sn).scrollIntoView({ block: "nearest" });
  }

  function rangeFor(start, end) {
    const range = document.createRange();
    range.setStart(...cpToPoint(start));
    range.setEnd(...cpToPoint(end));
    return range;
  }

  const visibleRange = () => (per.length ? textOnScreen(root, body, pointToCp) : null);

  function applyCode(codeId, range) {
    if (!range) {
      model.set("status", "First select some words in the transcript, then choose the code.");
      model.save_changes();
      return;
    }
    const id = send({ type: "code", start: range[0], end: range[1], code_id: codeId });
    // Draw it now; the saved coding (snapped to whole words) replaces it when Python answers.
    optimistic.set(id, { id: `pending-${id}`, start: range[0], end: range[1], code_id: codeId, coder: "", mine: true, memo: "", pending: true });
    window.getSelection().removeAllRanges();
    selectionHere = false;
    redrawSpans([range]);
    emit("applied", range); // before Python has saved it: the next ↓ starts after these words
    const t0 = pending.get(id);
    afterPaint(() => {
      const log = (window.__qcShown = window.__qcShown || []);
      log.push(performance.now() - t0);
    });
  }

  function onKey(e) {
    if (panels.some((p) => p.contains(e.target))) return;
    const key = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && key === "z") {
      send({ type: e.shiftKey ? "redo" : "undo" });
    } else if ((e.ctrlKey || e.metaKey) && key === "y") {
      send({ type: "redo" });
    } else if (keyHandlers.some((handle) => handle(e))) {
      // a feature took it (features see Ctrl and Alt keys too: Ctrl+F, say)
    } else if (e.ctrlKey || e.metaKey || e.altKey) {
      return; // leave copy, select-all and the browser's own keys alone
    } else if (e.key === "[" || e.key === "]") {
      send({ type: "navigate", step: e.key === "]" ? 1 : -1 });
    } else if (keyToCode.has(key)) {
      applyCode(keyToCode.get(key).id, currentRange());
    } else {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
  }
  root.addEventListener("keydown", onKey);

  // Messages from Python: acknowledgements carry the id of the key press that caused them.
  function onMessage(msg) {
    emit("msg", msg);
    if (msg.type === "codings") {
      // a few codings changed (the list itself is patched by `initialize`): redraw where
      // they are and where they were
      const spans = (msg.add || []).map((c) => [c.start, c.end]);
      for (const id of [...(msg.remove || []), ...(msg.add || []).map((c) => c.id)]) {
        const was = shownById.get(id);
        if (was) spans.push([was.start, was.end]);
        shownById.delete(id);
      }
      if (spans.length) scheduleRender(spans);
      emit("codings");
    }
    if (msg.type === "ack" && optimistic.has(msg.id)) {
      const drawnFirst = optimistic.get(msg.id);
      optimistic.delete(msg.id);
      scheduleRender([[drawnFirst.start, drawnFirst.end]]);
    }
    if (msg.type === "ack" && pending.has(msg.id)) {
      const t0 = pending.get(msg.id);
      pending.delete(msg.id);
      afterPaint(() => {
        const ms = performance.now() - t0;
        const log = (window.__qcLatency = window.__qcLatency || []);
        log.push(ms);
        root.dataset.lastLatencyMs = ms.toFixed(2);
      });
    } else if (msg.type === "focus") {
      selectCp(msg.start, msg.end);
      root.focus();
    }
  }
  model.on("msg:custom", onMessage);

  function renderStatus() {
    status.textContent = model.get("status") || HELP;
    status.classList.toggle("qc-error", (model.get("status") || "").startsWith("Could not"));
  }

  const full = () => { renderLegend(); renderText(false, true); renderStatus(); emit("text"); };
  model.on("change:text", full);
  model.on("change:turns", () => scheduleRender());
  model.on("change:codes", () => { renderLegend(); renderText(true, true); emit("codes"); });
  model.on("change:codings", () => { scheduleRender(); emit("codings"); });
  model.on("change:show_all", () => renderText());
  model.on("change:show_suggestions", () => renderText());
  model.on("change:font_size", () => root.style.setProperty("--qc-font", `${model.get("font_size")}px`));
  model.on("change:status", renderStatus);

  const ctx = {
    model, root, body, toolbar, legend, status, side, el, button, send, initials,
    say: (text) => { model.set("status", text); model.save_changes(); },
    codes: () => model.get("codes"),
    codeById: (id) => codesById.get(id),
    visibleCodings, filters, currentRange, selectCp, applyCode, panels, decorateLine,
    rangeFor, visibleRange, toCp: (u16) => maps.toCp(u16),
    redraw: (everything = true) => renderText(true, everything), // false: changed lines only
    onKey: (fn) => keyHandlers.push(fn),
    on: (event, fn) => (listeners[event] = listeners[event] || []).push(fn),
  };
  Object.defineProperty(ctx, "colorOf", { get: () => colorOf, set: (fn) => { colorOf = fn; } });
  toolbar.tools = tools;
  for (const install of FEATURES) install(ctx);
  full();
  // first render, layout and paint included: the frame after next has been drawn
  requestAnimationFrame(() => {
    performance.measure("qc-first-frame", { start: started });
    requestAnimationFrame(() => {
      performance.measure("qc-first-shown", { start: started });
      root.dataset.firstRenderMs = (performance.now() - started).toFixed(1);
    });
  });
  const focus = model.get("selected_span");
  if (focus && focus.length === 2) requestAnimationFrame(() => selectCp(focus[0], focus[1]));

  return () => {
    root.removeEventListener("keydown", onKey);
    document.removeEventListener("selectionchange", onSelection);
    model.off("msg:custom", onMessage);
    watcher.disconnect();
  };
}

export default { initialize, render };
