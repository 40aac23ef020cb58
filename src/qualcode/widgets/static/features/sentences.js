// Keyboard selection by sentence: ↓ ↑ move to the next or previous sentence, Shift extends.
FEATURES.push(function sentences(ctx) {
  let cursor = -1, anchor = -1;
  function move(delta, extend) {
    const all = ctx.model.get("sentences");
    if (!all.length) return;
    cursor = Math.max(0, Math.min(all.length - 1, cursor + delta));
    if (!extend || anchor < 0) anchor = cursor;
    const lo = Math.min(anchor, cursor), hi = Math.max(anchor, cursor);
    ctx.selectCp(all[lo][0], all[hi][1]);
  }
  ctx.on("text", () => { cursor = -1; anchor = -1; });
  ctx.onKey((e) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return false;
    move(e.key === "ArrowDown" ? 1 : -1, e.shiftKey);
    return true;
  });
});
