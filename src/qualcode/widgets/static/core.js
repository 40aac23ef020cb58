// The pure parts of the transcript view's core (joined before static/transcript.js, which
// uses them): making elements, a code's initials, code point <-> UTF-16 offsets, and the
// patch a key press's change of codings makes to the browser's list. No DOM state here.

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
