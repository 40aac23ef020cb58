// Keyboard selection by sentence: ↓ ↑ select the next or previous sentence, Shift extends.
// The first press starts where you are, not at the top: after your last coding when it is on
// screen, else at the first sentence on screen (↑: the last one on screen). The interviewer's
// sentences are passed over; Alt+↓ and Alt+↑ step through them too.
FEATURES.push(function sentences(ctx) {
  let cursor = null, anchor = null; // [start, end] of the sentence moved to, and where Shift began
  let spoken = null, madeFrom = null; // the sentences outside the interviewer's turns, and
  // the turns they were made from (new turns, same text: a speaker's role changed)

  function participants() {
    const turns = ctx.model.get("turns");
    if (spoken && madeFrom === turns) return spoken;
    madeFrom = turns;
    const asked = turns.filter((t) => t.role === "interviewer");
    let k = 0;
    spoken = ctx.model.get("sentences").filter(([s]) => {
      while (k < asked.length && asked[k].end <= s) k++;
      return !(k < asked.length && asked[k].start <= s);
    });
    return spoken;
  }

  // Index of the first sentence starting at or after cp (list.length if none).
  function firstFrom(list, cp) {
    let lo = 0, hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid][0] < cp) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // The words coded last in this view, as soon as the code is applied (Python's saved coding
  // may not be back yet when the next ↓ comes); else the newest of your codings here.
  let applied = null;
  ctx.on("applied", (range) => { applied = { start: range[0], end: range[1] }; });
  function lastCoding() {
    if (applied) return applied;
    let last = null;
    for (const c of ctx.model.get("codings")) {
      if (c.mine && !c.suggestion && (!last || c.id > last.id)) last = c;
    }
    return last;
  }

  // Where the first press starts: the index the move lands on, or -1 for nowhere.
  function startIndex(list, delta) {
    const sel = ctx.currentRange();
    const shown = ctx.visibleRange();
    const last = lastCoding();
    let at = null; // [start, end] to move away from
    if (sel) at = sel;
    else if (last && shown && last.end > shown[0] && last.start < shown[1]) at = [last.start, last.end];
    if (at) return delta > 0 ? firstFrom(list, at[1]) : firstFrom(list, at[0]) - 1;
    if (!shown) return delta > 0 ? 0 : list.length - 1;
    const first = firstFrom(list, shown[0]);
    if (delta > 0) return first < list.length ? first : list.length - 1;
    const after = firstFrom(list, shown[1] + 1) - 1; // the last sentence starting on screen
    return after >= first ? after : Math.max(first - 1, 0);
  }

  function move(delta, extend, everyone) {
    const list = everyone ? ctx.model.get("sentences") : participants();
    if (!list.length) return;
    const sel = ctx.currentRange();
    const held = cursor && anchor && sel &&
      sel[0] === Math.min(cursor[0], anchor[0]) && sel[1] === Math.max(cursor[1], anchor[1]);
    let i = held
      ? (delta > 0 ? firstFrom(list, cursor[1]) : firstFrom(list, cursor[0]) - 1)
      : startIndex(list, delta);
    if (i < 0 || i >= list.length) {
      ctx.say(i < 0 ? "That is the first sentence." : "That is the last sentence.");
      if (held) return;
      i = Math.max(0, Math.min(list.length - 1, i));
    }
    cursor = list[i];
    if (!extend || !held) anchor = cursor;
    ctx.selectCp(Math.min(anchor[0], cursor[0]), Math.max(anchor[1], cursor[1]));
  }

  ctx.on("text", () => { cursor = null; anchor = null; spoken = null; applied = null; });
  ctx.onKey((e) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return false;
    if (e.ctrlKey || e.metaKey) return false;
    move(e.key === "ArrowDown" ? 1 : -1, e.shiftKey, e.altKey);
    return true;
  });
});
