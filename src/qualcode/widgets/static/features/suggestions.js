// Machine suggestions: "." selects the next one, Enter accepts it, Backspace rejects it.
FEATURES.push(function suggestions(ctx) {
  let current = null;
  function next() {
    const waiting = ctx.model.get("codings").filter((c) => c.suggestion).sort((a, b) => a.start - b.start || a.id - b.id);
    if (!waiting.length) {
      ctx.say("No suggestions left to review on this transcript.");
      return;
    }
    const here = current ? waiting.findIndex((c) => c.id === current) : -1;
    const chosen = waiting[(here + 1) % waiting.length];
    current = chosen.id;
    ctx.selectCp(chosen.start, chosen.end);
    const code = ctx.codeById(chosen.code_id) || { path: "?" };
    ctx.say(`Suggestion ${waiting.indexOf(chosen) + 1} of ${waiting.length}: ${code.path} (from ${chosen.coder}). Enter accepts, Backspace rejects.`);
  }
  ctx.on("text", () => { current = null; });
  ctx.onKey((e) => {
    if (e.key === ".") {
      next();
      return true;
    }
    if ((e.key === "Enter" || e.key === "Backspace") && current !== null) {
      ctx.send({ type: e.key === "Enter" ? "accept" : "reject", coding_id: current });
      current = null;
      window.getSelection().removeAllRanges();
      return true;
    }
    return false;
  });
});
