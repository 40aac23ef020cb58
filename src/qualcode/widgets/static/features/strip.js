// The key strip above the text stays one line, however many codes have keys: first the names
// give way (the key and the initials stay; the name is in the tooltip), then the chips that
// still do not fit, summed up as "+N more", which leads to the code tree (features/tree.js).
FEATURES.push(function strip(ctx) {
  const { el, legend } = ctx;
  const more = el("button", {
    type: "button", class: "qc-chip qc-more", title: "Every code is in the code tree beside the text",
    onmousedown: (e) => e.preventDefault(), // keep the words selected
    onclick: () => (ctx.tree ? ctx.tree.focus() : ctx.openPalette && ctx.openPalette()),
  });
  function fit() {
    const chips = [...legend.querySelectorAll(".qc-chip:not(.qc-more)")];
    for (const chip of chips) chip.hidden = false;
    more.remove();
    legend.classList.add("qc-strip");
    legend.classList.remove("qc-strip-short");
    if (!chips.length || legend.scrollWidth <= legend.clientWidth) return;
    legend.classList.add("qc-strip-short");
    if (legend.scrollWidth <= legend.clientWidth) return;
    legend.append(more);
    let hidden = 0;
    for (let i = chips.length - 1; i >= 0 && legend.scrollWidth > legend.clientWidth; i--) {
      chips[i].hidden = true;
      hidden += 1;
      more.textContent = `+${hidden} more`;
    }
  }
  if (typeof ResizeObserver !== "undefined") {
    let width = 0;
    new ResizeObserver(() => { if (legend.clientWidth !== width) { width = legend.clientWidth; fit(); } }).observe(legend);
  }
  ctx.on("codes", fit); // the core draws the strip anew, then says so
  ctx.on("text", fit);
});
