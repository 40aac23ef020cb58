// "Open in coder" from Retrieval moves this Coder to the passage (Python selects it with a
// "focus" message) and then asks, with "reveal", to be brought into view: the Coder's top
// to the top of the notebook, the selected passage inside its text box, and the keyboard.
FEATURES.push(function reveal(ctx) {
  const { root, body } = ctx;
  ctx.on("msg", (msg) => {
    if (msg.type !== "reveal") return;
    // after the "focus" message before it has selected the passage
    requestAnimationFrame(() => {
      root.scrollIntoView({ block: "start" });
      const sel = window.getSelection();
      const node = sel && sel.rangeCount ? sel.getRangeAt(0).startContainer : null;
      const at = node && body.contains(node) ? (node.nodeType === Node.TEXT_NODE ? node.parentElement : node) : null;
      if (at) {
        const r = at.getBoundingClientRect(), box = body.getBoundingClientRect();
        if (r.top < box.top || r.bottom > box.bottom) body.scrollTop += r.top - box.top - body.clientHeight / 3;
      }
      root.focus({ preventScroll: true });
      root.classList.add("qc-revealed");
      setTimeout(() => root.classList.remove("qc-revealed"), 1500);
    });
  });
});
