// Find in the transcript: Ctrl+F inside the Coder (or the toolbar's "Find in text") opens a
// small bar. Every hit is highlighted (the CSS Custom Highlight API: ranges over the text, no
// new elements), "3 of 12" counts them, from the text on screen. Enter takes the hit: it
// becomes the selection and the keyboard goes back to the transcript, so a code key codes it
// at once; Enter again (or F3) goes to the next hit, Shift+Enter to the previous. Escape
// closes the bar, keeping the hit selected. Case does not matter.
FEATURES.push(function find(ctx) {
  const { el, root, body, button } = ctx;
  const LIMIT = 5000; // hits painted; more are counted as "5000+"
  const canPaint = typeof Highlight !== "undefined" && typeof CSS !== "undefined" && CSS.highlights;
  const input = el("input", {
    type: "search", class: "qc-find-input", placeholder: "Find words in this transcript",
    "aria-label": "Find words in this transcript", spellcheck: "false",
  });
  const count = el("span", { class: "qc-find-count", role: "status", "aria-live": "polite" });
  const bar = el("div", { class: "qc-find", hidden: "", role: "search" },
    el("span", { class: "qc-find-label", text: "Find" }), input, count,
    button("↑ Previous", "Previous match (Shift+Enter)", () => step(-1)),
    button("↓ Next", "Next match (Enter)", () => step(1)),
    button("✕ Close", "Close (Esc)", () => close()));
  root.insertBefore(bar, body.parentElement);
  ctx.panels.push(bar); // keys typed in the bar are its own

  let hits = []; // [start, end] in code points, in text order
  let more = false; // more hits than LIMIT
  let current = -1; // the hit shown as current
  let taken = false; // the current hit is the transcript's selection
  let painted = { all: [], current: [] }; // this Coder's ranges in the page's highlights

  function highlight(name) {
    let h = CSS.highlights.get(name);
    if (!h) {
      h = new Highlight();
      h.priority = name === "qc-find-current" ? 1 : 0; // the current hit over the others
      CSS.highlights.set(name, h);
    }
    return h;
  }

  // Several Coders share the page's two highlights: each adds and removes only its ranges.
  function paint() {
    if (!canPaint) return;
    const all = highlight("qc-find"), now = highlight("qc-find-current");
    for (const r of painted.all) all.delete(r);
    for (const r of painted.current) now.delete(r);
    painted = { all: [], current: [] };
    if (bar.hidden) return;
    for (const [s, e] of hits) {
      const r = ctx.rangeFor(s, e);
      all.add(r);
      painted.all.push(r);
    }
    if (current >= 0 && hits[current]) {
      const r = ctx.rangeFor(...hits[current]);
      now.add(r);
      painted.current.push(r);
    }
  }

  // After a redraw: the lines drawn again have new text nodes, and a range into a removed
  // node has been moved onto its parent element; only those ranges are made again.
  function repair() {
    if (!canPaint || painted.all.length !== hits.length) return paint();
    const all = highlight("qc-find");
    const stale = (r) => r.startContainer.nodeType !== Node.TEXT_NODE || r.endContainer.nodeType !== Node.TEXT_NODE;
    painted.all.forEach((r, i) => {
      if (!stale(r)) return;
      all.delete(r);
      painted.all[i] = ctx.rangeFor(...hits[i]);
      all.add(painted.all[i]);
    });
    if (painted.current.some(stale)) paint();
  }

  function search() {
    hits = [];
    more = false;
    const q = input.value.trim();
    if (q) {
      const pattern = q.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+");
      const text = ctx.model.get("text");
      for (const m of text.matchAll(new RegExp(pattern, "giu"))) {
        if (hits.length >= LIMIT) { more = true; break; }
        hits.push([ctx.toCp(m.index), ctx.toCp(m.index + m[0].length)]);
      }
    }
    // the first hit from the text on screen, as a browser's find does
    const shown = ctx.visibleRange();
    const from = shown ? shown[0] : 0;
    current = hits.length ? Math.max(0, hits.findIndex((h) => h[0] >= from)) : -1;
    if (current >= 0 && hits[current][0] < from) current = 0; // none below: wrap
    taken = false;
    show(false);
  }

  function show(select) {
    const total = `${hits.length}${more ? "+" : ""}`;
    count.textContent = !input.value.trim() ? "" : hits.length ? `${current + 1} of ${total}` : "No matches";
    count.classList.toggle("qc-find-none", !!input.value.trim() && !hits.length);
    paint();
    if (current < 0) return;
    const [s, e] = hits[current];
    if (select) {
      root.focus({ preventScroll: true });
      ctx.selectCp(s, e, false);
      taken = true;
    }
    scrollTo(s, e);
  }

  // Bring the hit to the middle of the text box, and the box into the window.
  function scrollTo(s, e) {
    const r = ctx.rangeFor(s, e).getBoundingClientRect();
    const box = body.getBoundingClientRect();
    if (r.top < box.top + 8 || r.bottom > box.bottom - 8) {
      body.scrollTop += r.top - box.top - body.clientHeight / 2;
    }
    const again = ctx.rangeFor(s, e).getBoundingClientRect();
    if (again.top < 0 || again.bottom > window.innerHeight) {
      (ctx.rangeFor(s, e).startContainer.parentElement || body).scrollIntoView({ block: "center" });
    }
  }

  // The first Enter takes the hit shown; each one after it moves on.
  function step(delta) {
    if (!hits.length) return;
    if (taken || delta < 0) current = (current + delta + hits.length) % hits.length;
    show(true);
  }

  function open() {
    const wasOpen = !bar.hidden;
    bar.hidden = false;
    const sel = window.getSelection();
    const words = sel && !sel.isCollapsed && ctx.currentRange() ? sel.toString().trim() : "";
    if (!wasOpen && words && words.length < 60 && !words.includes("\n")) input.value = words;
    input.focus();
    input.select();
    if (!wasOpen) search();
  }

  function close() {
    if (bar.hidden) return;
    bar.hidden = true;
    paint();
    count.textContent = "";
    root.focus({ preventScroll: true });
  }

  input.addEventListener("input", search);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === "F3") step(e.shiftKey ? -1 : 1);
    else if (e.key === "Escape") {
      const keep = taken && current >= 0 ? hits[current] : null;
      close();
      if (keep) ctx.selectCp(keep[0], keep[1], false);
    } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "f") input.select();
    else { e.stopPropagation(); return; }
    e.preventDefault();
    e.stopPropagation();
  });

  // The hit is still the selection: Enter in the transcript goes on to the next one.
  function onHit() {
    const sel = ctx.currentRange();
    return taken && current >= 0 && sel && sel[0] === hits[current][0] && sel[1] === hits[current][1];
  }

  ctx.onKey((e) => {
    const key = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && !e.altKey && key === "f") { open(); return true; }
    if (bar.hidden) return false;
    if (e.key === "F3" || (e.key === "Enter" && onHit())) { step(e.shiftKey ? -1 : 1); return true; }
    if (e.key === "Escape") { close(); return true; }
    return false;
  });
  ctx.on("text", () => { if (!bar.hidden) search(); });
  ctx.on("render", () => { if (!bar.hidden) repair(); });
  ctx.toolbar.tools.append(button("Find in text (Ctrl+F)", "Find words in this transcript", open));
  ctx.openFind = open;
});
