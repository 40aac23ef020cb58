// The mouse and touch routes to a code, beside the keys: every element marked
// `data-code-target="<code id>"` (a key strip chip, a code tree row, a palette item) applies its
// code to the selected words when clicked, and takes selected words dragged onto it; a
// right-click on selected words opens the code menu (the palette) at the pointer; on a touch
// screen a "Code this…" button appears beside the selected words and opens the same menu.
// An element that handles its own click calls `preventDefault()` so it is not applied twice;
// a control inside a target (button, link, input...) is left to itself.
FEATURES.push(function mouse(ctx) {
  const { el, root, body } = ctx;
  const TARGET = "[data-code-target]";
  const DRAG_TYPE = "application/x-qualcode-words";

  const elementOf = (node) => (node && node.nodeType !== Node.ELEMENT_NODE ? node.parentElement : node);
  function targetOf(node) {
    const found = elementOf(node) && elementOf(node).closest(TARGET);
    return found && root.contains(found) ? found : null;
  }
  function apply(target, range) {
    const wanted = target.dataset.codeTarget;
    const code = ctx.codes().find((c) => String(c.id) === wanted);
    if (code) ctx.applyCode(code.id, range);
  }

  // Click to apply. The press must not take the selection away (nor the focus, for a row).
  // A control inside a target (a tree row's fold arrow, a key box) does its own thing.
  const CONTROL = "button, a, input, textarea, select, summary, [role=button]";
  function ownControl(node, target) {
    const control = elementOf(node).closest(CONTROL);
    return control && control !== target && target.contains(control);
  }
  root.addEventListener("mousedown", (e) => {
    if (targetOf(e.target) && !elementOf(e.target).closest("input, textarea, select")) e.preventDefault();
  });
  root.addEventListener("click", (e) => {
    const target = targetOf(e.target);
    if (!target || e.defaultPrevented || ownControl(e.target, target)) return;
    apply(target, ctx.currentRange());
  });

  // Drag selected words onto a code. Only our own type travels with the drag, and nothing
  // outside the widget's code targets accepts it, so no text is copied or moved in the page.
  let dragged = null; // [start, end] while selected words are being dragged
  let marked = null; // the code target under the pointer
  function mark(target) {
    if (marked === target) return;
    if (marked) marked.classList.remove("qc-drop");
    marked = target;
    if (marked) marked.classList.add("qc-drop");
  }
  // While our words are dragged, the page's other drop handlers (editors, file areas,
  // JupyterLab's own) never see the drag: only a code target accepts it.
  function onDragOver(e) {
    const target = targetOf(e.target);
    mark(target);
    e.stopPropagation();
    if (target) {
      e.preventDefault(); // allows the drop here
      e.dataTransfer.dropEffect = "copy";
    }
  }
  function onDrop(e) {
    const target = targetOf(e.target);
    const range = dragged;
    e.preventDefault();
    e.stopPropagation();
    endDrag();
    if (target) apply(target, range);
  }
  let statusBefore = null; // the status line while the words are dragged says what to do
  function endDrag() {
    if (statusBefore !== null && dragged) ctx.status.textContent = statusBefore;
    dragged = null;
    mark(null);
    root.classList.remove("qc-dragging");
    for (const type of ["dragenter", "dragover"]) window.removeEventListener(type, onDragOver, true);
    window.removeEventListener("drop", onDrop, true);
  }
  body.addEventListener("dragstart", (e) => {
    const range = ctx.currentRange();
    if (!range) return;
    dragged = range;
    e.dataTransfer.clearData();
    e.dataTransfer.setData(DRAG_TYPE, JSON.stringify(range));
    e.dataTransfer.effectAllowed = "copy";
    root.classList.add("qc-dragging");
    statusBefore = ctx.status.textContent;
    ctx.status.textContent = "Let go on a code (framed in blue) to apply it to these words; anywhere else, nothing happens.";
    for (const type of ["dragenter", "dragover"]) window.addEventListener(type, onDragOver, true);
    window.addEventListener("drop", onDrop, true);
  });
  body.addEventListener("dragend", endDrag);

  // Right-click: selected words get the code menu; a highlight (nothing selected) its codes;
  // anywhere else the page's own menu (JupyterLab's; with Shift, the browser's). A long press on a touch screen selects words as the
  // browser does, and "Code this…" follows.
  root.addEventListener("contextmenu", (e) => {
    if (e.pointerType === "touch" || !(body.contains(e.target) || e.target === root)) return;
    const range = ctx.currentRange();
    if (range) {
      e.preventDefault();
      e.stopPropagation(); // JupyterLab opens its own menu from the document otherwise
      const at = e.clientX || e.clientY ? { x: e.clientX, y: e.clientY } : selectionCorner();
      ctx.openPalette({ ...at, range, title: "Code these words" });
      return;
    }
    const seg = elementOf(e.target).closest(".qc-hl");
    if (seg && body.contains(seg)) {
      e.preventDefault();
      e.stopPropagation();
      seg.click(); // the popover's own route: a click on a highlight
    }
  });
  function selectionCorner() {
    const rects = window.getSelection().getRangeAt(0).getClientRects();
    const last = rects[rects.length - 1];
    return last ? { x: last.left, y: last.bottom } : {};
  }

  // Touch: a button beside the selected words opens the code menu with big rows.
  let lastPointer = null;
  document.addEventListener("pointerdown", (e) => { lastPointer = e.pointerType; }, true);
  const touchy = () =>
    lastPointer === "touch" ||
    (lastPointer === null && (navigator.maxTouchPoints > 0 || window.matchMedia("(any-pointer: coarse)").matches));
  let touchRange = null;
  const codeThis = el("button", { type: "button", class: "qc-btn qc-code-this", hidden: "", title: "Choose a code for the selected words" }, "Code this…");
  root.append(codeThis);
  function openFromTouch(e) {
    e.preventDefault(); // opened on the press, before the tap can clear the selection
    if (!touchRange) return;
    const box = codeThis.getBoundingClientRect();
    codeThis.hidden = true;
    // below the button, or above the selected words: never over them
    const sel = window.getSelection();
    const first = sel.rangeCount && !sel.isCollapsed ? sel.getRangeAt(0).getClientRects()[0] : null;
    const above = first ? Math.min(first.top, box.top) : box.top;
    ctx.openPalette({ x: box.left, y: box.bottom, above, range: touchRange, touch: true, title: "Code these words" });
  }
  codeThis.addEventListener("pointerdown", openFromTouch);
  // no mouse events or click after the tap: they would land on the menu just opened
  codeThis.addEventListener("touchstart", (e) => e.preventDefault(), { passive: false });
  codeThis.addEventListener("mousedown", (e) => e.preventDefault());
  codeThis.addEventListener("click", (e) => { if (!codeThis.hidden) openFromTouch(e); });
  function placeCodeThis() {
    if (!root.isConnected) return;
    const range = touchy() ? ctx.currentRange() : null;
    if (!range) {
      if (document.activeElement !== codeThis) codeThis.hidden = true;
      return;
    }
    touchRange = range;
    const rects = window.getSelection().getRangeAt(0).getClientRects();
    const last = rects[rects.length - 1];
    const host = root.getBoundingClientRect();
    codeThis.hidden = false;
    const left = Math.min(last.left - host.left, root.clientWidth - codeThis.offsetWidth);
    codeThis.style.left = `${Math.max(0, left)}px`;
    codeThis.style.top = `${last.bottom - host.top + 24}px`; // below the browser's selection handles
  }
  let placing = false;
  document.addEventListener("selectionchange", () => {
    if (placing) return;
    placing = true;
    requestAnimationFrame(() => { placing = false; placeCodeThis(); });
  });
  ctx.on("render", () => { if (!codeThis.hidden) placeCodeThis(); });
});
