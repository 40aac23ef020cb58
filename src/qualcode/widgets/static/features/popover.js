// Click a highlight: its codes and coders; remove your own coding or write a memo on it,
// accept or reject a machine suggestion.
FEATURES.push(function popover(ctx) {
  const { el, root, body, button, send } = ctx;
  const pop = el("div", { class: "qc-pop", hidden: "", role: "dialog", "aria-label": "Codes here" });
  root.append(pop);
  function close() { pop.hidden = true; }
  function show(seg) {
    const ids = new Set(seg.dataset.c.split(" ").map(Number));
    const here = ctx.model.get("codings").filter((c) => ids.has(c.id));
    pop.replaceChildren(el("div", { class: "qc-pop-title", text: "Codes on these words" }));
    for (const c of here) {
      const code = ctx.codeById(c.code_id) || { path: "?", color: "#999" };
      const row = el("div", { class: "qc-pop-row", style: `--qc-color:${code.color}` },
        el("span", { class: "qc-swatch", text: ctx.initials(code) }),
        el("span", { class: "qc-pop-code", text: ` ${code.path}` }),
        el("span", { class: "qc-pop-coder" }, " by ", ctx.coderTag ? ctx.coderTag(c.coder) : c.coder));
      if (c.memo) row.append(el("div", { class: "qc-memo", text: `Memo: ${c.memo}` }));
      if (c.suggestion) {
        row.append(
          button("Accept", "Make this suggestion your own coding", () => { close(); send({ type: "accept", coding_id: c.id }); }),
          button("Reject", "Remove this suggestion", () => { close(); send({ type: "reject", coding_id: c.id }); }),
        );
      }
      if (c.mine) {
        // the memo editor grows with what is written; Ctrl+Enter saves, as the button does
        const memo = el("textarea", { class: "qc-memo-input", rows: "4", "aria-label": "Memo on this coding", placeholder: "Write a memo on this coding: why this code, what to ask next… (Ctrl+Enter saves)" });
        memo.value = c.memo || "";
        const grow = () => { memo.style.height = "auto"; memo.style.height = `${Math.min(memo.scrollHeight + 2, 320)}px`; };
        const save = () => { close(); send({ type: "memo", coding_id: c.id, memo: memo.value }); root.focus(); };
        memo.addEventListener("input", grow);
        memo.addEventListener("keydown", (e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save(); }
        });
        row.append(
          button("Remove", "Remove this coding", () => { close(); send({ type: "uncode", coding_id: c.id }); }),
          memo,
          button("Save memo", "Save the memo (Ctrl+Enter)", save),
          el("span", { class: "qc-hint", text: " or press Ctrl+Enter" }),
        );
        requestAnimationFrame(grow);
      }
      pop.append(row);
    }
    pop.append(button("Close", "Close (Esc)", close));
    const box = seg.getBoundingClientRect();
    const host = root.getBoundingClientRect();
    pop.style.top = `${box.bottom - host.top + 4}px`;
    pop.hidden = false;
    // beside the words, but inside the Coder: never cut off at the right edge
    const left = Math.min(box.left - host.left, host.width - pop.offsetWidth - 4);
    pop.style.left = `${Math.max(0, left)}px`;
    const first = pop.querySelector("button");
    if (first) first.focus();
  }
  body.addEventListener("click", (e) => {
    const seg = e.target.closest(".qc-hl");
    if (seg && window.getSelection().isCollapsed) show(seg);
  });
  pop.addEventListener("keydown", (e) => { if (e.key === "Escape") { close(); root.focus(); } e.stopPropagation(); });
  ctx.panels.push(pop);
  ctx.onKey((e) => {
    if (e.key !== "Escape" || pop.hidden) return false;
    close();
    return true;
  });
});
