// qualcode transcript view: select words, press a key, the code is saved.
// Offsets exchanged with Python are Unicode code points (end exclusive); the browser's
// strings are UTF-16, so every offset crosses `toU16` / `toCp` below.
//
// This is the core: the text, its highlights, the selection, the code keys and the messages.
// Each feature (the code palette, the popover on a highlight, sentence keys, suggestions...)
// is a file in static/features/ that pushes an installer onto FEATURES; `TranscriptView` joins
// those files before this one. An installer gets `ctx` and uses only what it offers:
//   model, root, body, toolbar (.tools: a group features add buttons to), legend, status,
//   side (a column beside the text), el, button, send(msg) -> id, say(text), initials(code),
//   codes(), codeById(id), visibleCodings(), filters (predicates a coding must pass to be
//   drawn), colorOf(coding), currentRange(), selectCp(start, end, scroll), applyCode(codeId,
//   range), redraw(everything = true; false redraws changed lines only), onKey(fn(e) -> true
//   if handled), panels (elements whose keys are their own), decorateLine (fns(node, {start,
//   end, codings}) called when a line is drawn), on(event, fn) for "text" (a transcript
//   shown), "codes", "codings", "render" and "msg".

const HELP =
  "Select words with the mouse (or ↓ ↑ to pick sentences, Shift to extend), then press a " +
  "code's number key. / finds any code. Ctrl+Z undoes, Ctrl+Y redoes. [ and ] change transcript. " +
  "Suggestions: . goes to the next, Enter accepts it, Backspace rejects it.";

function initials(code) {
  const name = code.name || code.path;  // the code's own name: it may contain "/"
  const words = name.split(/[\s/-]+/).filter((w) => /^[A-Za-z0-9]/.test(w) && !/^(and|of|to|the|in|for|with)$/i.test(w));
  return (words.slice(0, 3).map((w) => w[0].toUpperCase()).join("") || name.slice(0, 2)).slice(0, 3);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

// Code point <-> UTF-16 offsets, cheap when the text has no astral characters.
function offsetMaps(text) {
  if (!/[\uD800-\uDFFF]/.test(text)) return { toU16: (cp) => cp, toCp: (u) => u, length: text.length };
  const cpToU16 = [];
  let u = 0;
  for (const ch of text) {
    cpToU16.push(u);
    u += ch.length;
  }
  cpToU16.push(u);
  const toCp = (u16) => {
    let lo = 0, hi = cpToU16.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cpToU16[mid] <= u16) lo = mid; else hi = mid - 1;
    }
    return lo;
  };
  return { toU16: (cp) => cpToU16[cp], toCp, length: cpToU16.length - 1 };
}

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
  let segStarts = []; // code point start of each rendered text segment, in order
  let segNodes = [];
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
          { type: "button", class: "qc-chip", title: `${c.path}: press ${c.shortcut}`, "data-code": c.id, style: `--qc-color:${c.color}`,
            onclick: () => applyCode(c.id, currentRange()), onmousedown: holdSelection },
          el("kbd", { text: c.shortcut }),
          el("span", { class: "qc-swatch", text: initials(c) }),
          ` ${c.name}`,
        ),
      );
    }
  }

  // The text is drawn as blocks (each speaker turn, and the text between turns). A redraw
  // rebuilds only the blocks whose codings changed, so a key press costs one turn, not the
  // whole transcript.
  let blocks = []; // {start, end, sig, node, segStarts, segNodes}
  let lines = []; // {start, blocks, node}: one element per line of the transcript
  let lineText = null;
  let lineStarts = [0];
  let selectionHere = false;
  const onSelection = () => {
    const sel = window.getSelection();
    selectionHere = !!(sel && sel.rangeCount && !sel.isCollapsed && body.contains(sel.anchorNode));
  };
  document.addEventListener("selectionchange", onSelection);
  // Updates that arrive together (the saved codings, then Python's acknowledgement) are drawn
  // once, in the next frame.
  let renderQueued = false;
  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      renderText();
    });
  }
  // Two frames on: the frame that drew the change has been painted.
  const afterPaint = (fn) => requestAnimationFrame(() => requestAnimationFrame(fn));

  function renderText(keepSelection = true, everything = false) {
    const t0 = performance.now();
    // survive a redraw under the mouse; asked only when there is a selection here, because
    // asking the browser for the selection forces a layout of the whole transcript
    const keep = keepSelection && selectionHere ? currentRange() : null;
    const text = model.get("text");
    maps = offsetMaps(text);
    title.textContent = model.get("title");
    root.style.setProperty("--qc-font", `${model.get("font_size")}px`);
    const codings = visibleCodings();
    const turns = model.get("turns");
    // Lines are the layout unit: each is a block the browser may skip while off screen
    // (content-visibility), so a change costs the layout of a few lines, not of the whole text.
    if (lineText !== text) {
      lineText = text;
      lineStarts = [0];
      for (let u = text.indexOf("\n"); u >= 0 && u + 1 < text.length; u = text.indexOf("\n", u + 1)) {
        lineStarts.push(maps.toCp(u + 1));
      }
    }
    const edges = new Set([0, maps.length, ...lineStarts]);
    for (const t of turns) { edges.add(t.start); edges.add(t.end); }
    const cuts = [...edges].sort((a, b) => a - b);
    const search = (arr, cp) => {
      let lo = 0, hi = arr.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (arr[mid] <= cp) lo = mid; else hi = mid - 1;
      }
      return lo;
    };
    const turnStarts = turns.map((t) => t.start);
    const turnFor = (cp) => {
      if (!turns.length) return undefined;
      const t = turns[search(turnStarts, cp)];
      return t.start <= cp && cp < t.end ? t : undefined;
    };
    // codings per block, found by binary search on the block edges
    const per = cuts.slice(0, -1).map(() => []);
    const last = cuts.slice(0, -1);
    for (const c of codings) {
      for (let k = search(last, c.start); k < per.length && cuts[k] < c.end; k++) per[k].push(c);
    }
    const old = new Map(everything ? [] : blocks.map((b) => [`${b.start}-${b.end}`, b]));
    const next = [];
    segStarts = [];
    segNodes = [];
    for (let k = 0; k < per.length; k++) {
      const a = cuts[k], b = cuts[k + 1];
      const sig = per[k].map((c) => `${c.id}:${c.start}:${c.end}:${c.code_id}:${c.mine ? 1 : 0}${c.suggestion ? "s" : ""}`).join(",");
      let block = old.get(`${a}-${b}`);
      if (!block || block.sig !== sig) block = drawBlock(text, a, b, per[k], turnFor(a), sig);
      next.push(block);
      for (const s of block.segStarts) segStarts.push(s);
      for (const n of block.segNodes) segNodes.push(n);
    }
    blocks = next;
    // group blocks into lines; a line whose blocks are all unchanged keeps its element
    const oldLines = new Map(everything ? [] : lines.map((l) => [l.start, l]));
    const nextLines = [];
    for (const block of next) {
      const at = lineStarts[search(lineStarts, block.start)];
      let line = nextLines[nextLines.length - 1];
      if (!line || line.start !== at) {
        line = { start: at, blocks: [] };
        nextLines.push(line);
      }
      line.blocks.push(block);
    }
    for (const line of nextLines) {
      const was = oldLines.get(line.start);
      if (was && was.blocks.length === line.blocks.length && was.blocks.every((b, i) => b === line.blocks[i])) {
        line.node = was.node;
      } else {
        line.node = el("div", { class: "qc-line" });
        line.node.append(...line.blocks.map((b) => b.node));
        if (decorateLine.length) {
          const on = [...new Set(line.blocks.flatMap((b) => b.codings))];
          const info = { start: line.start, end: line.blocks[line.blocks.length - 1].end, codings: on };
          for (const fn of decorateLine) fn(line.node, info);
        }
      }
    }
    const sameLines = nextLines.length === lines.length && nextLines.every((l, i) => l.node === lines[i].node);
    if (everything || nextLines.length !== lines.length || body.childNodes.length !== lines.length) {
      body.replaceChildren(...nextLines.map((l) => l.node));
    } else if (!sameLines) {
      nextLines.forEach((l, i) => { if (l.node !== lines[i].node) lines[i].node.replaceWith(l.node); });
    }
    lines = nextLines;
    if (keep && keep[1] <= maps.length) selectCp(keep[0], keep[1], false);
    const ms = performance.now() - t0;
    root.dataset.renderMs = ms.toFixed(2);
    emit("render");
    return ms;
  }

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

  // Code point offset -> DOM point (for keyboard selection).
  function cpToPoint(cp) {
    let lo = 0, hi = segStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segStarts[mid] <= cp) lo = mid; else hi = mid - 1;
    }
    const node = segNodes[lo];
    const textNode = node.firstChild || node;
    return [textNode, maps.toU16(cp) - maps.toU16(segStarts[lo])];
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

  function selectCp(start, end, scroll = true) {
    const range = document.createRange();
    const [sn, so] = cpToPoint(start);
    const [en, eo] = cpToPoint(end);
    range.setStart(sn, so);
    range.setEnd(en, eo);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    if (scroll) (sn.parentElement || sn).scrollIntoView({ block: "nearest" });
  }

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
    renderText(false);
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
    if (msg.type === "ack" && optimistic.delete(msg.id)) scheduleRender();
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
    redraw: (everything = true) => renderText(true, everything), // false: changed lines only
    onKey: (fn) => keyHandlers.push(fn),
    on: (event, fn) => (listeners[event] = listeners[event] || []).push(fn),
  };
  Object.defineProperty(ctx, "colorOf", { get: () => colorOf, set: (fn) => { colorOf = fn; } });
  toolbar.tools = tools;
  for (const install of FEATURES) install(ctx);
  full();
  // first render, layout and paint included: the frame after next has been drawn
  requestAnimationFrame(() => requestAnimationFrame(() => {
    root.dataset.firstRenderMs = (performance.now() - started).toFixed(1);
  }));
  const focus = model.get("selected_span");
  if (focus && focus.length === 2) requestAnimationFrame(() => selectCp(focus[0], focus[1]));

  return () => {
    root.removeEventListener("keydown", onKey);
    document.removeEventListener("selectionchange", onSelection);
    model.off("msg:custom", onMessage);
  };
}

export default { render };
