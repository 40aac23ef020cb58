// The team's work: every coder in a colour of their own (your own work always near-black),
// a "Coders" filter of whose codings are shown, coding stripes in the margin beside each line
// (a bar in the code's colour, and beside it a thin bar per coder, as MAXQDA shows), and a
// tooltip naming the code and its coders under the mouse. Python lists the coders (model
// "coders", widgets/team.py) and holds the filter: "show_all" shows others' codings except
// "hidden_coders"; a blind round's note ("coders_note") says why nobody else is listed.
// Stripes are painted as background layers of each line (no elements inside the text); a
// redraw lays out again only the stripes of the codes whose codings changed, and a line the
// core did not redraw is repainted only if a stripe on it moved to another lane.
FEATURES.push(function team(ctx) {
  const { el, model, root, body } = ctx;
  // the margin, in px: a lane holds a code's bar, a gap, and up to three coders' thin bars
  const PAD = 4, BAR = 6, GAP = 2, TICK = 3, TICKS = 3, LANE = BAR + GAP + TICKS * (TICK + 1) + 3, MAX_LANES = 8;
  const holdSelection = (e) => e.preventDefault();
  body.style.setProperty("--qc-lane", `${LANE}px`);

  // coders and their colours -------------------------------------------------------------
  let people = new Map(); // name -> {name, count, mine, color}
  let myName = "";
  const nameOf = (c) => (c.mine ? myName || c.coder : c.coder);
  const coderColor = (name) => (people.get(name) || {}).color || "#888888";
  const coderLabel = (name) => (name === myName ? "you" : name);
  ctx.coderColor = coderColor;
  ctx.coderTag = (name) => el("span", { class: "qc-coder", style: `--qc-coder:${coderColor(name)}`, "data-coder": name }, coderLabel(name));
  let ranks = new Map(); // name -> place in the filter list (you first)
  const rank = (name) => (ranks.has(name) ? ranks.get(name) : ranks.size);

  function readCoders() {
    const before = [...people.values()].map((p) => `${p.name}=${p.color}`).join();
    people = new Map(model.get("coders").map((p) => [p.name, p]));
    myName = (model.get("coders").find((p) => p.mine) || {}).name || "";
    ranks = new Map([...people.keys()].map((name, i) => [name, name === myName ? -1 : i]));
    return before !== [...people.values()].map((p) => `${p.name}=${p.color}`).join();
  }
  readCoders();

  // the filter ---------------------------------------------------------------------------
  let hidden = new Set(model.get("hidden_coders"));
  ctx.filters.push((c) => c.suggestion || !hidden.has(nameOf(c)));

  const panel = el("div", { class: "qc-coders", hidden: "", role: "dialog", "aria-label": "Whose codings to show", onmousedown: (e) => { if (e.target.tagName !== "INPUT") holdSelection(e); } });
  const toggle = ctx.button("Coders ▾", "Choose whose codings are shown", () => (panel.hidden ? openPanel() : closePanel()));
  toggle.classList.add("qc-coders-btn");
  toggle.setAttribute("aria-haspopup", "dialog");
  ctx.toolbar.tools.append(toggle);
  root.append(panel);
  ctx.panels.push(panel);

  const listed = () => model.get("coders");
  const isShown = (p) => !hidden.has(p.name) && (p.mine || model.get("show_all"));

  function commit(showAll, hide) {
    model.set("hidden_coders", [...hide]);
    model.set("show_all", showAll);
    model.save_changes();
  }
  function setShown(p, on) {
    let showAll = model.get("show_all");
    const hide = new Set(hidden);
    const others = listed().filter((x) => !x.mine).map((x) => x.name);
    if (p.mine) {
      if (on) hide.delete(p.name); else hide.add(p.name);
    } else if (on) {
      if (!showAll) {
        showAll = true;
        for (const n of others) if (n !== p.name) hide.add(n);
      }
      hide.delete(p.name);
    } else {
      if (showAll) hide.add(p.name);
      if (others.every((n) => hide.has(n))) {
        showAll = false;
        for (const n of others) hide.delete(n);
      }
    }
    commit(showAll, hide);
  }

  function label() {
    const note = model.get("coders_note");
    const shown = listed().filter(isShown).map((p) => coderLabel(p.name));
    let text;
    if (note) text = "you only (blind round)";
    else if (!shown.length) text = "nobody";
    else if (shown.length <= 2) text = shown.join(", ");
    else text = `${shown[0]} + ${shown.length - 1} others`;
    toggle.textContent = `Coders: ${text} ▾`;
  }

  function fillPanel() {
    const note = model.get("coders_note");
    const rows = listed().map((p) => {
      const box = el("input", { type: "checkbox", "data-coder": p.name });
      box.checked = isShown(p);
      box.addEventListener("change", () => setShown(p, box.checked));
      const count = `${p.count} coding${p.count === 1 ? "" : "s"}`;
      return el("label", { class: "qc-coders-row" }, box,
        el("span", { class: "qc-coder-swatch", style: `--qc-coder:${p.color}` }),
        el("span", { class: "qc-coders-name", text: p.mine ? `you (${p.name})` : p.name }),
        el("span", { class: "qc-coders-count", text: count }));
    });
    const extra = note
      ? el("div", { class: "qc-coders-note", text: note })
      : listed().length <= 1 ? el("div", { class: "qc-coders-note", text: "Nobody else has coded this transcript yet." }) : "";
    panel.replaceChildren(
      el("div", { class: "qc-pop-title", text: "Whose codings to show" }),
      ...rows,
      extra,
      el("div", { class: "qc-coders-actions" },
        ctx.button("Only mine", "Show only your own codings", () => commit(false, [])),
        ctx.button("Everyone", "Show every coder's codings", () => commit(true, [])),
        ctx.button("Close", "Close (Esc)", closePanel)),
    );
  }
  function openPanel() {
    fillPanel();
    const box = toggle.getBoundingClientRect();
    const host = root.getBoundingClientRect();
    panel.style.top = `${box.bottom - host.top + 4}px`;
    panel.style.left = `${Math.max(0, box.left - host.left)}px`;
    panel.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
  }
  function closePanel() {
    panel.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
  }
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { closePanel(); root.focus(); }
    e.stopPropagation();
  });
  ctx.onKey((e) => {
    if (e.key !== "Escape" || panel.hidden) return false;
    closePanel();
    return true;
  });
  const refreshFilter = () => { label(); if (!panel.hidden) fillPanel(); };

  model.on("change:hidden_coders", () => {
    hidden = new Set(model.get("hidden_coders"));
    ctx.redraw(false);
    refreshFilter();
  });
  model.on("change:show_all", refreshFilter);
  model.on("change:coders_note", refreshFilter);
  model.on("change:coders", () => {
    const recolour = readCoders();
    refreshFilter();
    if (recolour) { // a coder's colour is painted into stripes and badges
      relayout = true;
      ctx.redraw();
    }
  });
  label();

  // coding stripes -----------------------------------------------------------------------
  // A stripe is one code over a stretch of text: overlapping codings of the same code (by
  // anyone) make one stripe; stripes that overlap each other take lanes side by side, each
  // the first lane free beside it. The layout is kept from one redraw to the next: a key
  // press lays out again only the stripes of the code it changed; the others stay put.
  let groupOf = new Map(); // coding id -> stripe
  let places = new Map(); // coding id -> lane * 16 + its coder's place in its stripe
  let known = new Map(); // coding id -> {id, code, start, end, name, seen}: the last layout's
  let perCode = new Map(); // code id -> Map(coding id -> entry)
  let stripesOfCode = new Map(); // code id -> its stripes
  let all = []; // every stripe
  let generation = 0;
  let relayout = true; // lay every stripe out again (the first time, new coders' colours)
  let laneCount = 0;
  let stale = true;
  let moved = new Set();
  const lineInfo = new WeakMap(); // line element -> {start, end, codings}
  const drawnLines = new Map(); // line start -> element
  const painted = new Set(); // lines painted during this redraw

  function makeStripes(entries) { // one code's codings -> its stripes
    entries.sort((a, b) => a.start - b.start);
    const out = [];
    let g = null;
    for (const e of entries) {
      if (g && e.start <= g.end) {
        g.end = Math.max(g.end, e.end);
        g.codings.push(e);
      } else {
        g = { code: e.code, start: e.start, end: e.end, codings: [e], coders: [], lane: 0 };
        out.push(g);
      }
    }
    for (const s of out) {
      for (const e of s.codings) if (!s.coders.includes(e.name)) s.coders.push(e.name);
      if (s.coders.length > 1) s.coders.sort((x, y) => rank(x) - rank(y));
    }
    return out;
  }
  const sameStripe = (s) => `${s.start}:${s.end}:${s.coders.join("\u0000")}`;
  function settle(s, lane) { // give a stripe its lane; note the codings whose bars moved
    s.lane = Math.min(lane, MAX_LANES - 1);
    for (const e of s.codings) {
      groupOf.set(e.id, s);
      const place = s.lane * 16 + Math.min(15, s.coders.indexOf(e.name));
      const was = places.get(e.id);
      if (was !== undefined && was !== place) moved.add(e.id);
      places.set(e.id, place);
    }
  }

  function layoutAll() { // one sweep in text order
    groupOf = new Map();
    stripesOfCode = new Map();
    for (const [code, entries] of perCode) stripesOfCode.set(code, makeStripes([...entries.values()]));
    all = [...stripesOfCode.values()].flat();
    all.sort((a, b) => a.start - b.start || b.end - a.end || a.code - b.code);
    const ends = [];
    for (const s of all) {
      let lane = ends.findIndex((e) => e <= s.start);
      if (lane < 0) lane = ends.push(0) - 1;
      ends[lane] = s.end;
      settle(s, lane);
    }
  }

  function layoutCodes(codes) { // the stripes of these codes only; the others stay put
    all = all.filter((s) => !codes.has(s.code));
    const fresh = [];
    for (const code of codes) {
      const old = new Map((stripesOfCode.get(code) || []).map((s) => [sameStripe(s), s]));
      const entries = perCode.get(code);
      const next = entries && entries.size ? makeStripes([...entries.values()]) : [];
      for (let i = 0; i < next.length; i++) {
        const same = old.get(sameStripe(next[i]));
        if (same) {
          same.codings = next[i].codings;
          next[i] = same;
          settle(same, same.lane);
          all.push(same);
        } else {
          fresh.push(next[i]);
        }
      }
      if (next.length) stripesOfCode.set(code, next);
      else { stripesOfCode.delete(code); perCode.delete(code); }
    }
    fresh.sort((a, b) => a.start - b.start || b.end - a.end);
    for (const s of fresh) {
      const busy = [];
      for (const o of all) if (o.start < s.end && s.start < o.end) busy[o.lane] = true;
      let lane = 0;
      while (busy[lane]) lane++;
      settle(s, lane);
      all.push(s);
    }
  }

  // the stripes as laid out (with `true`: laid out from scratch first), for tests
  root.qcStripes = (fresh = false) => {
    if (fresh) { relayout = true; layout(); stale = true; }
    return all.map((s) => ({ code: s.code, start: s.start, end: s.end, lane: s.lane, coders: [...s.coders] }));
  };

  function layout() {
    const t0 = performance.now();
    stale = false;
    generation++;
    const codes = new Set();
    let changes = 0;
    for (const c of ctx.visibleCodings()) {
      if (c.suggestion) continue;
      const e = known.get(c.id), name = nameOf(c);
      if (e && e.start === c.start && e.end === c.end && e.code === c.code_id && e.name === name) {
        e.seen = generation;
        continue;
      }
      if (e) { codes.add(e.code); perCode.get(e.code).delete(c.id); }
      const entry = { id: c.id, code: c.code_id, start: c.start, end: c.end, name, seen: generation };
      known.set(c.id, entry);
      (perCode.get(entry.code) || perCode.set(entry.code, new Map()).get(entry.code)).set(c.id, entry);
      codes.add(entry.code);
      changes++;
    }
    for (const [id, e] of known) {
      if (e.seen === generation) continue;
      known.delete(id);
      perCode.get(e.code).delete(id);
      groupOf.delete(id);
      places.delete(id);
      codes.add(e.code);
      changes++;
    }
    if (relayout || changes > 200) layoutAll();
    else if (codes.size) layoutCodes(codes);
    relayout = false;
    let lanes = 0;
    for (const s of all) if (s.lane >= lanes) lanes = s.lane + 1;
    if (lanes !== laneCount) {
      laneCount = lanes;
      body.style.setProperty("--qc-lanes", String(Math.max(1, laneCount))); // team.css
    }
    spent += performance.now() - t0;
  }

  // Which rows of a line text[a:b] covers, as fractions of the line's height: the rows are
  // estimated from the characters a row holds (measured once the text is laid out), so a
  // stripe is never shorter than a row and laying out stays the browser's own business.
  let perRow = 0; // characters per row; 0 until measured (a stripe then covers its line)
  function extent(info, a, b) {
    const len = Math.max(1, info.end - info.start);
    const rows = perRow ? Math.max(1, Math.ceil(len / perRow - 0.1)) : 1;
    // a little slack: the estimate is rough, and a coding ending a row should not spill over
    const r0 = Math.max(0, Math.min(rows - 1, Math.floor(((a - info.start) / len) * rows + 0.15)));
    const r1 = Math.max(r0 + 1, Math.min(rows, Math.ceil(((b - info.start) / len) * rows - 0.15)));
    return [r0 / rows, r1 / rows];
  }
  function bar(color, x, width, [top, bottom]) {
    const h = bottom - top;
    const y = h >= 1 ? 0 : (top / (1 - h)) * 100; // background-position's % is of (box - bar)
    return `linear-gradient(${color}, ${color}) ${x}px ${y.toFixed(2)}% / ${width}px ${(h * 100).toFixed(2)}% no-repeat`;
  }
  // one line tells how many characters a row holds: the longest of the first lines drawn
  function measure() {
    let longest = null;
    for (const node of [...body.children].slice(0, 40)) {
      if (!longest || node.textContent.length > longest.textContent.length) longest = node;
    }
    if (!longest) return;
    const row = parseFloat(getComputedStyle(longest).lineHeight) || 30;
    const rows = Math.max(1, Math.round(longest.offsetHeight / row));
    const next = longest.textContent.length / rows;
    if (next && (!perRow || Math.abs(next - perRow) > 0.1 * perRow)) {
      perRow = next;
      for (const node of drawnLines.values()) if (node.dataset.stripes) queue.push(node);
    }
  }
  const measureSoon = () => requestAnimationFrame(() => requestAnimationFrame(() => { measure(); drainSoon(); }));
  ctx.on("text", measureSoon);
  model.on("change:font_size", measureSoon);
  if (window.ResizeObserver) new ResizeObserver(measureSoon).observe(body);

  // Lines drawn in bulk (a first render, a new codebook) are painted in slices while the
  // browser is idle, so the text shows at once; a key press's few lines are painted at once.
  const EAGER = 60;
  let queue = [];
  let drawnNow = 0; // lines decorated during this redraw
  let draining = false;
  function drainSoon() {
    if (draining || !queue.length) return;
    draining = true;
    root.dataset.stripes = "painting";
    if (window.requestIdleCallback) requestIdleCallback(drain, { timeout: 300 });
    else setTimeout(drain, 16);
  }
  function drain(idle) {
    draining = false;
    if (!perRow) measure();
    const until = performance.now() + (idle ? Math.max(3, idle.timeRemaining() - 1) : 8);
    let i = 0;
    for (; i < queue.length && performance.now() < until; i++) {
      const node = queue[i];
      if (node.isConnected) { paint(node, lineInfo.get(node)); colourBadges(node, lineInfo.get(node)); }
    }
    queue = queue.slice(i);
    if (queue.length) drainSoon();
    else root.dataset.stripes = "ready";
  }

  function stripesOn(info) {
    const here = new Map(); // stripe -> its codings on this line
    for (const c of info.codings) {
      const s = !c.suggestion && groupOf.get(c.id);
      if (s) (here.get(s) || here.set(s, []).get(s)).push(c);
    }
    return here;
  }

  function paint(node, info) {
    const here = stripesOn(info);
    painted.add(node);
    if (!here.size) {
      if (node.dataset.stripes) { node.style.background = ""; delete node.dataset.stripes; }
      return;
    }
    const layers = [];
    for (const [s, codings] of here) {
      const x = PAD + s.lane * LANE;
      const color = (ctx.codeById(s.code) || {}).color || "#999999";
      layers.push(bar(color, x, BAR, extent(info, s.start, s.end)));
      const by = new Map(); // coder -> [start, end] of their codings here
      for (const c of codings) {
        const n = nameOf(c), was = by.get(n);
        by.set(n, was ? [Math.min(was[0], c.start), Math.max(was[1], c.end)] : [c.start, c.end]);
      }
      s.coders.forEach((n, k) => {
        if (k >= TICKS || !by.has(n)) return;
        const [a, b] = by.get(n);
        layers.push(bar(coderColor(n), x + BAR + GAP + k * (TICK + 1), TICK, extent(info, a, b)));
      });
    }
    node.style.background = layers.join(", ");
    node.dataset.stripes = String(here.size);
  }

  function colourBadges(node, info) {
    const badges = node.querySelectorAll(".qc-badge.qc-other");
    if (!badges.length) return;
    const byId = new Map(info.codings.map((c) => [String(c.id), c]));
    for (const b of badges) {
      const c = byId.get(b.dataset.coding);
      if (c && !c.suggestion) b.style.setProperty("--qc-coder", coderColor(nameOf(c)));
    }
  }

  let spent = 0; // ms of this feature's work in the current redraw (root's data-team-ms)
  ctx.decorateLine.push((node, info) => {
    if (stale) layout();
    const t0 = performance.now();
    lineInfo.set(node, info);
    drawnLines.set(info.start, node);
    if (perRow && drawnNow++ < EAGER) {
      paint(node, info);
      colourBadges(node, info);
    } else {
      queue.push(node);
    }
    spent += performance.now() - t0;
  });
  ctx.on("render", () => {
    if (stale) layout();
    const t0 = performance.now();
    if (moved.size) { // stripes that changed lane also cross lines the core kept
      for (const [start, node] of drawnLines) {
        if (!node.isConnected) { drawnLines.delete(start); continue; }
        const info = lineInfo.get(node);
        if (!painted.has(node) && info && info.codings.some((c) => moved.has(c.id))) {
          if (drawnNow++ < EAGER) paint(node, info); else queue.push(node);
        }
      }
      moved = new Set();
    }
    painted.clear();
    drawnNow = 0;
    stale = true; // the next redraw lays the stripes out again
    drainSoon();
    root.dataset.teamMs = (spent + performance.now() - t0).toFixed(2);
    spent = 0;
  });

  // which stripe is under the mouse
  function stripeAt(e) {
    const line = e.target.closest ? e.target.closest(".qc-line") : null;
    if (!line || !line.dataset.stripes || e.target !== line) return null;
    const r = line.getBoundingClientRect();
    const x = e.clientX - r.left, y = (e.clientY - r.top) / r.height;
    const lane = Math.floor((x - PAD) / LANE);
    const info = lineInfo.get(line);
    if (!info || x < PAD || lane >= laneCount) return null;
    for (const s of stripesOn(info).keys()) {
      const [top, bottom] = extent(info, s.start, s.end);
      if (s.lane === lane && y >= top && y <= bottom) return s;
    }
    return null;
  }
  const who = (names) => names.flatMap((n, i) => [i ? ", " : "", ctx.coderTag(n)]);
  const codeOf = (id) => ctx.codeById(id) || { path: "?", name: "?", color: "#999999" };
  const describe = (s) => `${codeOf(s.code).path} — ${s.coders.map(coderLabel).join(", ")}`;

  body.addEventListener("mousedown", (e) => { if (stripeAt(e)) holdSelection(e); });
  body.addEventListener("click", (e) => {
    const s = stripeAt(e);
    if (!s) return;
    ctx.selectCp(s.start, s.end, false);
    ctx.say(`Selected the words coded ${describe(s)}. Press a code's key to code them too.`);
  });

  // the tooltip ----------------------------------------------------------------------------
  const tip = el("div", { class: "qc-tip", hidden: "", role: "tooltip" });
  root.append(tip);
  let byId = { of: null, map: new Map() };
  function codingById(id) {
    const all = model.get("codings");
    if (byId.of !== all) byId = { of: all, map: new Map(all.map((c) => [String(c.id), c])) };
    return byId.map.get(String(id));
  }
  function row(code, names, prefix = "") {
    return el("div", { class: "qc-tip-row", style: `--qc-color:${code.color}` },
      el("span", { class: "qc-swatch", text: ctx.initials(code) }),
      el("span", { class: "qc-tip-code", text: ` ${prefix}${code.path}` }), " — ", ...who(names));
  }
  function rowsFor(codings) {
    const people = new Map(), machines = [];
    for (const c of codings) {
      if (c.suggestion) { machines.push(c); continue; }
      const names = people.get(c.code_id) || people.set(c.code_id, []).get(c.code_id);
      if (!names.includes(nameOf(c))) names.push(nameOf(c));
    }
    return [
      ...[...people].map(([code, names]) => row(codeOf(code), names.sort((x, y) => rank(x) - rank(y)))),
      ...machines.map((c) => row(codeOf(c.code_id), [c.coder], "suggested: ")),
    ];
  }
  let tipFor = null;
  function showTip(key, rows, e) {
    if (tipFor !== key) {
      tip.replaceChildren(...rows);
      tipFor = key;
    }
    tip.hidden = false;
    const host = root.getBoundingClientRect();
    const left = Math.min(e.clientX - host.left + 14, Math.max(0, host.width - tip.offsetWidth - 4));
    tip.style.left = `${left}px`;
    tip.style.top = `${e.clientY - host.top + 18}px`;
  }
  function hideTip() {
    tip.hidden = true;
    tipFor = null;
    body.classList.remove("qc-on-stripe");
  }
  const popover = root.querySelector(":scope > .qc-pop"); // popover.js: a click's details
  body.addEventListener("mousemove", (e) => {
    if (popover && !popover.hidden) return hideTip(); // the details are open: no label on them
    const s = stripeAt(e);
    body.classList.toggle("qc-on-stripe", !!s);
    if (s) return showTip(`stripe:${s.code}:${s.start}:${s.end}`, [row(codeOf(s.code), s.coders), el("div", { class: "qc-tip-hint", text: "Click to select these words" })], e);
    const seg = e.target.closest ? e.target.closest(".qc-hl, .qc-badge") : null;
    const ids = seg && (seg.dataset.c || seg.dataset.coding);
    if (!ids) return hideTip();
    seg.removeAttribute("title"); // this tooltip instead of the browser's slow, small one
    const codings = String(ids).split(" ").map(codingById).filter(Boolean);
    if (!codings.length) return hideTip();
    showTip(`text:${ids}`, rowsFor(codings), e);
  });
  body.addEventListener("mouseleave", hideTip);
  body.addEventListener("mousedown", hideTip);
  ctx.on("text", hideTip);
  ctx.on("codings", () => { tipFor = null; });
});
