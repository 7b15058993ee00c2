// wqcheck explore: the page. It keeps what it shows in S and asks the
// server for everything else (JSON under /api/); the URL always holds the
// variant, its parameters, the property, the path and the step shown.
"use strict";

const S = window.S = {
  v: "", set: [], prop: "", path: [], cur: 0,
  full: false, bycpu: false, showAll: false,
  watches: [], watchValues: {}, trace: null, state: null, cells: [],
};
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

// params are the query every request and the URL carry.
function params(extra) {
  const q = new URLSearchParams();
  if (S.v) q.set("v", S.v);
  for (const s of S.set) q.append("set", s);
  if (S.prop) q.set("prop", S.prop);
  for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
  return q;
}

async function api(name, extra) {
  const r = await fetch("/api/" + name + "?" + params(extra));
  const body = await r.json();
  if (!r.ok) throw body;
  return body;
}

function showError(e) {
  const box = $("error");
  if (!e) { box.hidden = true; return; }
  box.hidden = false;
  box.textContent = (e.error || String(e)) + (e.hint ? "\nhint: " + e.hint : "");
}

const pathStr = (p) => p.join(".");

function pushURL() {
  const q = params({ path: pathStr(S.path), step: S.cur });
  if (S.full) q.set("full", "1");
  history.replaceState(null, "", "?" + q);
  $("share").href = location.href;
  for (const [id, extra] of [["export-svg", { format: "svg" }], ["export-dot", { format: "dot" }],
    ["export-dot-states", { format: "dot", style: "states" }]]) {
    $(id).href = "/api/export?" + params(Object.assign({ path: pathStr(S.path), full: S.full ? 1 : 0 }, extra));
  }
  $("where").textContent = S.v ? S.v + (S.set.length ? " " + S.set.join(" ") : "") : "";
}

// ---- the verdict matrix --------------------------------------------------

async function pollMatrix() {
  try {
    const m = await api("matrix");
    S.cells = m.cells;
    renderMatrix();
    if (!S.v && m.cells.length) {
      const c = m.cells[0];
      S.v = c.variant; S.set = setList(c.set);
      await loadPath();
    }
    if (m.cells.some((c) => c.status === "queued" || c.status === "running")) setTimeout(pollMatrix, 1000);
  } catch (e) { showError(e); }
}

const setList = (set) => Object.keys(set || {}).sort().map((k) => k + "=" + set[k]);

function renderMatrix() {
  const names = [];
  for (const c of S.cells) for (const p of c.props) if (!names.includes(p.name)) names.push(p.name);
  const tall = names.length > 8; // many properties: their names run upwards
  const head = el("tr", {}, el("th", {}, "variant"), el("th", {}, "states"),
    ...names.map((n) => el("th", { class: tall ? "up" : "" }, el("span", {}, n))));
  const rows = S.cells.map((c) => {
    const status = c.status === "done" ? (c.complete ? "" : " (stopped: " + c.stopped + ")") : " " + c.status + "…";
    const tr = el("tr", {}, el("td", {}, c.label), el("td", { class: "mono" }, c.states.toLocaleString("en") + status));
    for (const n of names) {
      const p = c.props.find((x) => x.name === n);
      if (!p) { tr.append(el("td")); continue; }
      const sel = c.variant === S.v && sameSet(c.set) && n === S.prop && S.path.length;
      const attrs = { class: "v v-" + p.verdict + (sel ? " sel" : ""), "data-prop": n, "data-variant": c.variant };
      if (p.why) attrs.title = p.why; // why a complete search left it unknown
      const td = el("td", attrs, p.verdict + (p.steps ? " (" + p.steps + ")" : ""));
      if (p.trace) td.addEventListener("click", () => openTrace(c, n));
      tr.append(td);
    }
    return tr;
  });
  $("matrix").replaceChildren(el("table", {}, head, ...rows));
}

const sameSet = (set) => pathStr(setList(set)) === pathStr([...S.set].sort());

async function openTrace(cell, prop) {
  S.v = cell.variant; S.set = setList(cell.set); S.prop = prop;
  try {
    const t = await api("trace");
    if (!t.path && t.path !== "") return;
    S.path = t.path === "" ? [] : t.path.split(".").map(Number);
    S.cur = S.path.length;
    await loadPath();
    renderMatrix();
  } catch (e) { showError(e); }
}

// ---- the trace as lanes ---------------------------------------------------

async function loadPath() {
  try {
    S.trace = await api("path", { path: pathStr(S.path), bycpu: S.bycpu ? 1 : 0 });
    S.prop = S.prop || "";
    showError(null);
    await loadWatches();
    renderLanes();
    await loadState();
  } catch (e) { showError(e); }
}

// visible says whether step i (1-based; 0 the initial state) has a row.
const visible = (i) => i === 0 || S.full || !S.trace.counterexample || S.trace.steps[i - 1].kept;

function renderLanes() {
  const t = S.trace;
  $("trace-title").textContent = t.counterexample ? "of " + t.prop + " (" + (S.full ? "full" : "brief") + ")" : "(simulation)";
  const head = el("tr", {}, el("th", {}, "step"), ...t.lanes.map((l) => el("th", {}, l)),
    ...S.watches.map((w, i) => el("th", { class: "watch" }, w, el("button", { class: "rm", title: "remove", onclick: () => removeWatch(i) }, "×"))));
  const rows = [];
  for (let i = 0; i <= t.steps.length; i++) {
    if (!visible(i)) continue;
    const st = i > 0 ? t.steps[i - 1] : null;
    const inCycle = st && t.loop >= 0 && i - 1 >= t.loop;
    const cls = [i === S.cur ? "cur" : "", inCycle ? "cycle" : "", inCycle && i - 1 === t.loop ? "cycle-start" : ""].join(" ");
    const num = i === 0 ? "init" : String(i);
    const tr = el("tr", { class: cls, "data-step": i, onclick: () => go(i) },
      el("td", { class: "num" }, num, inCycle && i - 1 === t.loop ? el("span", { class: "cyclemark", title: "the cycle repeats for ever from here" }, " ↻ cycle") : null));
    for (let l = 0; l < t.lanes.length; l++) {
      const here = st && st.lane === l;
      tr.append(el("td", { class: here ? "here" : "" }, here ? stepCell(st) : null));
    }
    for (const w of S.watches) {
      const vs = S.watchValues[w] || [];
      tr.append(el("td", { class: "watch" + (i > 0 && vs[i] !== vs[i - 1] ? " changed" : "") }, vs[i] ?? ""));
    }
    rows.push(tr);
  }
  if (!t.steps.length) rows.push(el("tr", {}, el("td", { colspan: 2, class: "muted" }, "the initial state: pick an enabled step on the right")));
  const cols = el("colgroup", {}, el("col", { class: "num" }), ...t.lanes.map(() => el("col", { class: "lane" })),
    ...S.watches.map(() => el("col", { class: "watch" })));
  $("lanes").replaceChildren(el("table", {}, cols, head, ...rows));
  const cur = $("lanes").querySelector("tr.cur td.here") || $("lanes").querySelector("tr.cur td");
  if (cur) reveal($("lanes"), cur);
  $("pos").textContent = "step " + S.cur + " of " + t.steps.length;
  $("trace-msg").textContent = t.msg ? "At the end: " + t.msg : "";
  pushURL();
}

// reveal scrolls box (not the page) so that cell shows below the sticky
// header row.
function reveal(box, cell) {
  const b = box.getBoundingClientRect(), c = cell.getBoundingClientRect();
  const head = box.querySelector("th") ? box.querySelector("th").getBoundingClientRect().height : 0;
  if (c.top < b.top + head) box.scrollTop -= b.top + head - c.top;
  else if (c.bottom > b.bottom) box.scrollTop += c.bottom - b.bottom + 16;
  if (c.left < b.left) box.scrollLeft -= b.left - c.left;
  else if (c.right > b.right) box.scrollLeft += c.right - b.right + 16;
}

// stepCell renders a step: its brief statements, or every statement with
// the helpers' bodies folded.
function stepCell(st) {
  const box = el("div");
  if (!S.full && S.trace.counterexample) {
    for (const line of st.brief || []) box.append(el("div", {}, line));
  } else {
    let group = null, fn = null;
    for (const l of st.full || []) {
      if (!l.func) { group = null; fn = null; box.append(el("div", {}, l.text)); continue; }
      if (l.func !== fn) {
        fn = l.func;
        group = el("details", { class: "fn" }, el("summary", {}, l.func + "()"));
        box.append(group);
      }
      group.append(el("div", {}, l.text));
    }
  }
  if (st.err) box.append(el("div", { class: "err" }, "*** " + st.err));
  return box;
}

function go(i) {
  S.cur = Math.max(0, Math.min(i, S.trace.steps.length));
  renderLanes();
  loadState();
}

function stepBy(d) {
  let i = S.cur + d;
  while (i > 0 && i < S.trace.steps.length && !visible(i)) i += d;
  go(i);
}

// ---- the state: successors, properties, diff ------------------------------

async function loadState() {
  try {
    S.state = await api("state", { path: pathStr(S.path.slice(0, S.cur)) });
    renderState();
  } catch (e) { showError(e); }
}

function renderState() {
  const s = S.state;
  $("state-id").textContent = s.id !== undefined ? "#" + s.id + " (depth " + s.depth + " on this path)" : "after " + s.depth + " step" + (s.depth === 1 ? "" : "s");
  const byThread = {};
  for (const x of s.succs) (byThread[x.thread] = byThread[x.thread] || []).push(x);
  const succs = Object.entries(byThread).map(([th, xs]) => el("div", {}, ...xs.map((x) =>
    el("button", { class: "succ", "data-k": x.k, "data-thread": th, title: (x.all || []).join("\n"), onclick: () => pick(x.k) },
      el("span", { class: "th" }, th), x.text, x.blocks ? " (blocks)" : "", x.err ? el("span", { class: "err" }, " *** " + x.err) : null,
      x.id !== undefined ? el("span", { class: "id" }, "#" + x.id) : null))));
  $("succs").replaceChildren(...(succs.length ? succs : [el("div", { class: "muted" }, "no thread can move")]));
  const graphProps = s.props.filter((p) => p.status === "graph").map((p) => p.name);
  $("props").replaceChildren(el("table", {}, ...s.props.filter((p) => p.status !== "graph").map((p) =>
    el("tr", { "data-prop": p.name }, el("td", {}, p.name), el("td", { class: "p-" + p.status }, p.status), el("td", {}, p.msg || "")))),
  graphProps.length ? el("div", { class: "muted" }, "decided over the whole graph, not at a state (see the verdicts): " + graphProps.join(", ")) : null);
  const vars = s.vars.filter((v) => S.showAll || v.changed);
  $("diff").replaceChildren(vars.length ? el("table", {}, ...vars.map((v) =>
    el("tr", { class: v.changed ? "changed" : "" }, el("td", {}, v.path),
      el("td", {}, v.changed && v.old ? el("span", { class: "old" }, v.old) : null, v.value)))) :
    el("div", { class: "muted" }, S.cur === 0 ? "the initial state (tick “show unchanged” to see it)" : "nothing changed"));
  pushURL();
}

async function pick(k) {
  S.path = S.path.slice(0, S.cur).concat([k]);
  S.cur = S.path.length;
  await loadPath();
}

// ---- BFS ids and shortest paths (the server numbers the states on demand) --

async function gotoState(extra) {
  try {
    const r = await api("goto", extra);
    if (r.id === undefined) {
      $("index-status").textContent = "numbering the states… " + (r.states || 0).toLocaleString("en");
      setTimeout(() => gotoState(extra), 500);
      return;
    }
    $("index-status").textContent = "";
    S.path = r.path === "" ? [] : r.path.split(".").map(Number);
    S.cur = S.path.length;
    await loadPath();
  } catch (e) { $("index-status").textContent = ""; showError(e); }
}

// ---- watch expressions ----------------------------------------------------

async function loadWatches() {
  S.watchValues = {};
  for (const w of S.watches) {
    try {
      const r = await api("watch", { path: pathStr(S.path), expr: w });
      S.watchValues[w] = r.values;
    } catch (e) { S.watchValues[w] = []; }
  }
}

async function addWatch(expr) {
  try {
    const r = await api("watch", { path: pathStr(S.path), expr });
    $("watch-error").textContent = "";
    S.watches.push(expr);
    S.watchValues[expr] = r.values;
    $("watch-input").value = "";
    renderLanes();
  } catch (e) {
    let msg = e.error || String(e);
    if (e.col) msg += "\n" + expr + "\n" + " ".repeat(e.col - 1) + "^";
    $("watch-error").textContent = msg;
  }
}

function removeWatch(i) {
  S.watches.splice(i, 1);
  renderLanes();
}

// ---- start ----------------------------------------------------------------

function readURL() {
  const q = new URLSearchParams(location.search);
  S.v = q.get("v") || "";
  S.set = q.getAll("set");
  S.prop = q.get("prop") || "";
  const p = q.get("path") || "";
  S.path = p === "" ? [] : p.split(".").map(Number);
  const step = q.get("step");
  S.cur = step === null ? S.path.length : Math.min(Number(step), S.path.length);
  S.full = q.get("full") === "1";
}

function keys(e) {
  if (e.target.tagName === "INPUT" || !S.trace) return;
  if (e.key === "ArrowRight") { stepBy(1); e.preventDefault(); }
  if (e.key === "ArrowLeft") { stepBy(-1); e.preventDefault(); }
}

function start() {
  readURL();
  $("full").checked = S.full;
  $("prev").onclick = () => stepBy(-1);
  $("next").onclick = () => stepBy(1);
  $("full").onchange = () => { S.full = $("full").checked; renderLanes(); };
  $("bycpu").onchange = () => { S.bycpu = $("bycpu").checked; loadPath(); };
  $("show-all").onchange = () => { S.showAll = $("show-all").checked; renderState(); };
  $("goto").onclick = () => gotoState({ id: $("goto-id").value.trim() });
  $("shortest").onclick = () => gotoState({ path: pathStr(S.path.slice(0, S.cur)) });
  $("watch-form").onsubmit = (e) => { e.preventDefault(); const x = $("watch-input").value.trim(); if (x) addWatch(x); };
  $("share").onclick = (e) => { e.preventDefault(); navigator.clipboard && navigator.clipboard.writeText(location.href); };
  document.addEventListener("keydown", keys);
  if (S.v) loadPath();
  pollMatrix();
}

start();
