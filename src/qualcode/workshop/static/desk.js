// The workshop's coding screen: a small widget manager for the person's desk (desk.py).
// The server's widgets (the Coder, Retrieval) arrive over one websocket as "open" (state),
// "msg" (update or custom message) and "close"; this draws the few kinds they are made of
// with plain elements, and the transcript view with its own front end (transcript.js, the
// same file JupyterLab runs). What the person does goes back as the widget protocol's
// "update" and "custom" messages; the server decides what it accepts and who it is from.
import transcript from "/static/transcript.js";

const host = document.getElementById("desk");
const models = new Map(); // id -> {id, state, handlers}
const views = new Map(); // id -> element drawn for it (one per model: a screen shows each once)
let socket = null;

function model(id) { return models.get(String(id).replace(/^IPY_MODEL_/, "")); }

function send(id, data) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ kind: "msg", id, data }));
}

function fire(m, event, ...args) { for (const f of m.handlers[event] || []) f(...args); }

// The anywidget model the transcript view's front end expects.
function anyModel(m) {
  let changed = {};
  return {
    get: (k) => m.state[k],
    set: (k, v) => { m.state[k] = v; changed[k] = v; fire(m, "change:" + k); },
    save_changes: () => { if (Object.keys(changed).length) send(m.id, { method: "update", state: changed }); changed = {}; },
    on: (e, f) => (m.handlers[e] = m.handlers[e] || []).push(f),
    off: (e, f) => { if (e && f) m.handlers[e] = (m.handlers[e] || []).filter((g) => g !== f); },
    send: (content) => send(m.id, { method: "custom", content }),
  };
}

// Layout widgets hold CSS properties by their Python names (max_height -> max-height).
function applyLayout(el, ref) {
  const layout = ref && model(ref);
  if (!layout) return;
  for (const [k, v] of Object.entries(layout.state)) {
    if (v === null || v === undefined || k.startsWith("_") || typeof v === "object") continue;
    const prop = k.replace(/_/g, "-");
    el.style.setProperty(prop === "display" && v === "" ? "display" : prop, v);
    if (prop === "display" && v === "") el.style.removeProperty("display");
  }
}

function labelled(m, control) {
  const desc = m.state.description;
  if (!desc) return control;
  const wrap = document.createElement("label");
  wrap.className = "qc-field";
  const span = document.createElement("span");
  span.textContent = desc;
  wrap.append(span, control);
  return wrap;
}

const kinds = {
  VBoxModel: box("qc-vbox"),
  HBoxModel: box("qc-hbox"),
  BoxModel: box("qc-vbox"),
  AccordionModel: accordion,
  HTMLModel: (m) => {
    const el = document.createElement("div");
    const draw = () => { el.innerHTML = m.state.value || ""; };
    m.handlers["change:value"] = [draw];
    draw();
    return el;
  },
  LabelModel: (m) => {
    const el = document.createElement("span");
    const draw = () => { el.textContent = m.state.value || ""; };
    m.handlers["change:value"] = [draw];
    draw();
    return el;
  },
  ButtonModel: (m) => button(m, false),
  ToggleButtonModel: (m) => button(m, true),
  DropdownModel: (m) => {
    const select = document.createElement("select");
    const draw = () => {
      select.replaceChildren(...(m.state._options_labels || []).map((text, i) => {
        const o = document.createElement("option");
        o.value = String(i);
        o.textContent = text;
        return o;
      }));
      select.value = m.state.index === null || m.state.index === undefined ? "" : String(m.state.index);
      select.disabled = !!m.state.disabled;
    };
    for (const k of ["_options_labels", "index", "disabled"]) m.handlers["change:" + k] = [draw];
    select.addEventListener("change", () => {
      m.state.index = Number(select.value);
      send(m.id, { method: "update", state: { index: m.state.index } });
    });
    draw();
    return labelled(m, select);
  },
  TextModel: text("input"),
  TextareaModel: text("textarea"),
  CheckboxModel: (m) => {
    const box = document.createElement("input");
    box.type = "checkbox";
    const draw = () => { box.checked = !!m.state.value; box.disabled = !!m.state.disabled; };
    for (const k of ["value", "disabled"]) m.handlers["change:" + k] = [draw];
    box.addEventListener("change", () => {
      m.state.value = box.checked;
      send(m.id, { method: "update", state: { value: box.checked } });
    });
    draw();
    const wrap = document.createElement("label");
    wrap.className = "qc-check";
    wrap.append(box, document.createTextNode(" " + (m.state.description || "")));
    return wrap;
  },
  OutputModel: () => document.createElement("div"),
  AnyModel: (m) => {
    const el = document.createElement("div");
    const shim = anyModel(m);
    if (transcript.initialize) transcript.initialize({ model: shim });
    transcript.render({ model: shim, el });
    return el;
  },
};

// A button; a toggle keeps its value (pressed or not) and sends it, a button sends a click.
function button(m, toggle) {
  const el = document.createElement("button");
  el.type = "button";
  const draw = () => {
    el.textContent = m.state.description || "";
    el.title = m.state.tooltip || "";
    el.disabled = !!m.state.disabled;
    if (toggle) el.setAttribute("aria-pressed", m.state.value ? "true" : "false");
    el.className = "qc-button" + (toggle ? " qc-toggle" : "") +
      (m.state.button_style ? " qc-" + m.state.button_style : "");
  };
  for (const k of ["description", "tooltip", "disabled", "button_style", "value"]) m.handlers["change:" + k] = [draw];
  el.addEventListener("click", () => {
    if (!toggle) { send(m.id, { method: "custom", content: { event: "click" } }); return; }
    m.state.value = !m.state.value;
    draw();
    send(m.id, { method: "update", state: { value: m.state.value } });
  });
  draw();
  return el;
}

function text(tag) {
  return (m) => {
    const input = document.createElement(tag);
    const draw = () => {
      if (document.activeElement !== input || input.value === "") input.value = m.state.value || "";
      input.placeholder = m.state.placeholder || "";
      input.disabled = !!m.state.disabled;
    };
    for (const k of ["value", "placeholder", "disabled"]) m.handlers["change:" + k] = [draw];
    let timer = null;
    const push = () => {
      clearTimeout(timer);
      if (m.state.value === input.value) return;
      m.state.value = input.value;
      send(m.id, { method: "update", state: { value: input.value } });
    };
    input.addEventListener("input", () => {
      if (m.state.continuous_update === false) return;
      clearTimeout(timer);
      timer = setTimeout(push, 250);
    });
    input.addEventListener("change", push);
    input.addEventListener("blur", push);
    if (tag === "input") {
      input.addEventListener("keydown", (e) => {
        if (e.key !== "Enter") return;
        push();
        send(m.id, { method: "custom", content: { event: "submit" } });
      });
    }
    draw();
    return labelled(m, input);
  };
}

function box(cls) {
  return (m) => {
    const el = document.createElement("div");
    el.className = cls + " " + (m.state._dom_classes || []).join(" ");
    const draw = () => el.replaceChildren(...(m.state.children || []).map(viewOf).filter(Boolean));
    m.handlers["change:children"] = [draw];
    draw();
    return el;
  };
}

function accordion(m) {
  const el = document.createElement("div");
  el.className = "qc-accordion";
  const draw = () => {
    el.replaceChildren(...(m.state.children || []).map((ref, i) => {
      const d = document.createElement("details");
      d.open = m.state.selected_index === i;
      const s = document.createElement("summary");
      s.textContent = (m.state.titles || [])[i] || "";
      d.addEventListener("toggle", () => {
        const index = d.open ? i : null;
        if (m.state.selected_index === index || (!d.open && m.state.selected_index !== i)) return;
        m.state.selected_index = index;
        send(m.id, { method: "update", state: { selected_index: index } });
      });
      const inner = viewOf(ref);
      d.append(s, ...(inner ? [inner] : []));
      return d;
    }));
  };
  for (const k of ["children", "titles", "selected_index"]) m.handlers["change:" + k] = [draw];
  draw();
  return el;
}

// The element for a widget reference, made once and reused (a box redrawn keeps its children).
function viewOf(ref) {
  const m = model(ref);
  if (!m) return null;
  if (views.has(m.id)) return views.get(m.id);
  const make = kinds[m.state._model_name];
  if (!make) return null;
  const el = make(m);
  if (m.state._model_name !== "AnyModel") {
    for (const c of m.state._dom_classes || []) el.classList.add(c);
  }
  applyLayout(el, m.state.layout);
  const layout = m.state.layout && model(m.state.layout);
  if (layout) (layout.handlers.change = layout.handlers.change || []).push(() => applyLayout(el, m.state.layout));
  views.set(m.id, el);
  return el;
}

function onMessage(msg) {
  if (msg.kind === "open") {
    models.set(msg.id, { id: msg.id, state: msg.state, handlers: {} });
  } else if (msg.kind === "msg") {
    const m = models.get(msg.id);
    if (!m) return;
    if (msg.data.method === "update") {
      Object.assign(m.state, msg.data.state);
      for (const k of Object.keys(msg.data.state)) fire(m, "change:" + k);
      fire(m, "change");
    } else if (msg.data.method === "custom") {
      fire(m, "msg:custom", msg.data.content, []);
    }
  } else if (msg.kind === "close") {
    models.delete(msg.id);
    views.delete(msg.id);
  } else if (msg.kind === "screen") {
    const coder = viewOf(msg.coder);
    const search = document.createElement("section");
    search.className = "qc-retrieval";
    const h = document.createElement("h2");
    h.textContent = "Find coded passages";
    search.append(h, viewOf(msg.retrieval) || "");
    host.replaceChildren(coder || "", search);
  } else if (msg.kind === "said") {
    const p = document.createElement("p");
    p.className = "qc-said";
    p.setAttribute("role", "status");
    p.textContent = msg.text;
    host.prepend(p);
    setTimeout(() => p.remove(), 8000);
  } else if (msg.kind === "signed-out") {
    window.location.assign("/signin");
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/desk`);
  socket.addEventListener("message", (e) => onMessage(JSON.parse(e.data)));
  socket.addEventListener("close", (e) => {
    if (e.code === 4401) { window.location.assign("/signin"); return; }
    const p = document.createElement("p");
    p.className = "qc-said qc-lost";
    p.setAttribute("role", "alert");
    p.textContent = e.code === 4000
      ? "This screen was closed because you opened the workshop on more screens. Reload the page to use this one."
      : "The connection to the workshop was lost. Your saved coding is safe; reload the page to carry on.";
    host.prepend(p);
  });
}

window.__qcDesk = { models, views, send }; // for tests: what a page can send, the server checks
connect();
