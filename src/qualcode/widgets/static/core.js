// The pure parts of the transcript view's core (joined before static/transcript.js, which
// uses them): making elements, a code's initials, code point <-> UTF-16 offsets, and the
// patch a key press's change of codings makes to the browser's list, the text on screen, and
// `initialize` (once per model). No view state here.
//
// What the core gives a feature's installer, `ctx`:
//   model, root, body, toolbar (.tools: a group features add buttons to), legend, status,
//   side (a column beside the text), el, button, send(msg) -> id, say(text), initials(code),
//   codes(), codeById(id), visibleCodings(), filters (predicates a coding must pass to be
//   drawn), colorOf(coding), currentRange(), selectCp(start, end, scroll), applyCode(codeId,
//   range), redraw(everything = true; false redraws changed lines only), onKey(fn(e) -> true
//   if handled), panels (elements whose keys are their own), decorateLine (fns(node, {start,
//   end, codings}) called when a line is drawn), on(event, fn) for "text" (a transcript
//   shown), "codes", "codings", "render", "msg" and "applied" (range: a code applied, not
//   yet saved), rangeFor(start, end) (a DOM Range over
//   code points: highlights without new elements), toCp(utf16 offset) (for offsets found in
//   the text by a JavaScript search), and visibleRange() ([start, end] of the text on screen
//   now, or null).
// model.get("codings") is always the transcript's codings as Python has them: sent whole when
// a transcript opens, then patched in place by small messages (see `initialize` at the end),
// after which "codings" is emitted too. Lines are drawn lazily: those near the screen first,
// the rest as they are scrolled to (or selected with selectCp), so decorateLine and a
// "render" come for those lines then; text not drawn yet is a plain .qc-seg holding its words.

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

function initials(code) {
  const name = code.name || code.path;  // the code's own name: it may contain "/"
  const words = name.split(/[\s/-]+/).filter((w) => /^[A-Za-z0-9]/.test(w) && !/^(and|of|to|the|in|for|with)$/i.test(w));
  return (words.slice(0, 3).map((w) => w[0].toUpperCase()).join("") || name.slice(0, 2)).slice(0, 3);
}

// Code point <-> UTF-16 offsets. Only the astral characters (two UTF-16 units each) are
// listed, so a 600,000-character transcript with a few emoji costs a regex scan, not a table.
function offsetMaps(text) {
  if (!/[\uD800-\uDFFF]/.test(text)) return { toU16: (cp) => cp, toCp: (u) => u, length: text.length };
  const astralU = []; // UTF-16 start of each astral character
  const astralCp = []; // its code point offset
  const pair = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;
  for (let m = pair.exec(text); m; m = pair.exec(text)) {
    astralCp.push(m.index - astralU.length);
    astralU.push(m.index);
  }
  const below = (arr, x) => { // how many of arr are < x
    let lo = 0, hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (arr[mid] < x) lo = mid + 1; else hi = mid;
    }
    return lo;
  };
  // a UTF-16 offset inside a pair belongs to the character the pair is
  return { toU16: (cp) => cp + below(astralCp, cp), toCp: (u) => u - below(astralU, u), length: text.length - astralU.length };
}

// The change a {type: "codings", add, remove} message makes to the list of codings: removed
// ids go, added ones replace any with their id, the rest keep their order (as Python's).
function patchCodings(list, msg) {
  const gone = new Set([...(msg.remove || []), ...(msg.add || []).map((c) => c.id)]);
  let j = 0;
  for (const c of list) if (!gone.has(c.id)) list[j++] = c;
  list.length = j;
  list.push(...(msg.add || []));
}

// The code point under a point of the window, if it is in the transcript's text.
function cpAt(body, pointToCp, x, y) {
  let node = null, offset = 0;
  if (document.caretPositionFromPoint) {
    const pos = document.caretPositionFromPoint(x, y);
    if (pos) { node = pos.offsetNode; offset = pos.offset; }
  } else if (document.caretRangeFromPoint) {
    const r = document.caretRangeFromPoint(x, y);
    if (r) { node = r.startContainer; offset = r.startOffset; }
  }
  return node && body.contains(node) ? pointToCp(node, offset) : null;
}

// The text on screen: the transcript box cut by every scrolling box around it (the
// notebook's) and the window; its first and last characters there, as code points.
function textOnScreen(root, body, pointToCp) {
  const box = body.getBoundingClientRect();
  let top = Math.max(box.top, 0), bottom = Math.min(box.bottom, window.innerHeight);
  for (let node = root.parentElement; node; node = node.parentElement) {
    if (!node.clientHeight || !/(auto|scroll)/.test(getComputedStyle(node).overflowY)) continue;
    const r = node.getBoundingClientRect();
    top = Math.max(top, r.top);
    bottom = Math.min(bottom, r.bottom);
  }
  if (bottom - top < 8) return null;
  const style = getComputedStyle(body);
  const pad = parseFloat(style.paddingLeft) || 0;
  const half = (parseFloat(style.lineHeight) || 24) / 2; // a line less than half shown is not
  const left = box.left + body.clientLeft + pad + 1, right = box.left + body.clientWidth - pad;
  let start = null, end = null;
  for (let y = top + half; start === null && y < bottom; y += 6) start = cpAt(body, pointToCp, left, y);
  for (let y = bottom - half; end === null && y > top; y -= 6) end = cpAt(body, pointToCp, right, y);
  if (start === null) return null;
  return [start, Math.max(start, end === null ? start : end)];
}

// A transcript's codings arrive whole in the `codings` trait; a key press's change arrives as
// a message {type: "codings", add, remove} (TranscriptView.patch_codings), applied here, once
// per model, to the trait's own list, so every view and every feature reading
// model.get("codings") sees what Python has, without 5,000 codings crossing per key press.
function initialize({ model }) {
  model.on("msg:custom", (msg) => { if (msg.type === "codings") patchCodings(model.get("codings"), msg); });
}
