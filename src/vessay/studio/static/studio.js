// vessay studio: the page. State arrives over server-sent events (/events); every tab renders the
// same state, so tabs stay in sync. Cards are keyed by scene id and replaced only when their
// content changes, so a scene that is playing keeps playing while others update.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const WORDY = /[\p{L}\p{N}_]/u;

const ui = {
  board: null,
  jobs: null,
  focus: 0,         // index of the focused card
  playing: null,    // the card element whose audio plays
  cards: new Map(), // scene id -> card element
  lastProblemShown: -1,
};

// ---------- small helpers

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "style") node.style.cssText = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function clock(seconds, tenths = false) {
  if (!isFinite(seconds)) seconds = 0;
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  const whole = tenths ? s.toFixed(1).padStart(4, "0") : String(Math.floor(s)).padStart(2, "0");
  return `${m}:${whole}`;
}

function bytes(n) {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} kB`;
  return `${n} B`;
}

function post(url, body) {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body || {}) })
    .then((r) => r.json()).catch(() => ({ ok: false, message: "the studio is not answering" }));
}

// ---------- accent colour: the essay theme's own, nudged until it reads on the page

function luminance(hex) {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

function applyAccent() {
  const theme = ui.board && ui.board.theme;
  const root = document.documentElement;
  const accent = theme ? theme.colors.accent : "#5b8cff";
  const dark = root.dataset.mode === "dark";
  const l = luminance(accent);
  let shown = accent, ink = l > 0.35 ? "#0b1020" : "#ffffff";
  if (dark && l < 0.12) { shown = `color-mix(in srgb, ${accent} 55%, white)`; ink = "#0b1020"; }
  if (!dark && l > 0.45) { shown = `color-mix(in srgb, ${accent} 60%, black)`; ink = "#ffffff"; }
  root.style.setProperty("--accent", shown);
  root.style.setProperty("--accent-ink", ink);
}

// ---------- the event stream

function connect() {
  const events = new EventSource("/events");
  events.addEventListener("board", (e) => { ui.board = JSON.parse(e.data); renderBoard(); });
  events.addEventListener("jobs", (e) => { ui.jobs = JSON.parse(e.data); renderJobs(); });
  events.onopen = () => { ui.connected = true; renderStatus(); };
  events.onerror = () => { ui.connected = false; renderStatus(); };
}

// ---------- header status

function renderStatus() {
  const status = $("#status");
  const text = $(".text", status);
  const build = (ui.jobs && ui.jobs.build) || {};
  const board = ui.board;
  status.className = "status";
  if (!ui.connected) { text.textContent = "Reconnecting…"; status.classList.add("error"); return; }
  if (build.state === "running") {
    status.classList.add("busy");
    text.textContent = build.total ? `${cap(build.label)} ${build.done}/${build.total}` : cap(build.label || "Building");
  } else if (board && board.problems.some((p) => p.level === "error")) {
    status.classList.add("error");
    text.textContent = board.stale ? "Error: showing last good" : "Errors found";
  } else {
    status.classList.add("live");
    text.textContent = "Live: watching for saves";
  }
}

const cap = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

// ---------- board

function renderBoard() {
  const board = ui.board;
  document.title = `${board.title} · vessay studio`;
  $("#title").textContent = board.title;
  $("#script-path").textContent = board.script;
  applyAccent();
  renderThemes();
  renderProblems();
  renderCards();
  renderTimeline();
  renderChapters();
  renderStatus();
  $("#stale").hidden = !board.stale;
}

function renderThemes() {
  const select = $("#theme");
  const board = ui.board;
  const own = board.theme ? board.theme.name : "";
  const options = [h("option", { value: "" }, `Script's theme${board.chosen_theme ? "" : own ? ` (${own})` : ""}`)];
  for (const name of board.themes) options.push(h("option", { value: name }, name));
  select.replaceChildren(...options);
  select.value = board.chosen_theme && board.themes.includes(board.chosen_theme) ? board.chosen_theme : "";
}

function renderProblems() {
  const problems = ui.board.problems;
  const list = $("#problem-list");
  const errors = problems.filter((p) => p.level === "error").length;
  const warnings = problems.length - errors;
  $("#problem-count").textContent = problems.length
    ? [errors && `${errors} error${errors > 1 ? "s" : ""}`, warnings && `${warnings} warning${warnings > 1 ? "s" : ""}`].filter(Boolean).join(", ")
    : "";
  if (!problems.length) {
    list.replaceChildren(h("div", { class: "allgood" }, "✓ No problems found: the script, its files and the voice check out."));
    return;
  }
  list.replaceChildren(...problems.map((p) => {
    const where = p.file ? `${p.file}${p.line ? `:${p.line}` : ""}${p.col ? `:${p.col}` : ""}` : "";
    return h("div", { class: `problem ${p.level}`, dataset: { line: p.line || "" },
      onclick: () => p.scene && focusScene(indexOf(p.scene), true) },
      where && h("div", { class: "where" }, `${where}${p.scene ? `  ·  scene ${p.scene}` : ""}`),
      h("div", { class: "what" }, p.message),
      p.excerpt.length ? excerpt(p) : null);
  }));
}

function excerpt(p) {
  const rows = [];
  for (const line of p.excerpt) {
    const hit = line.n === p.line;
    rows.push(h("div", { class: hit ? "hit" : "" }, h("span", { class: "n" }, line.n), line.text || " "));
    if (hit && p.col) rows.push(h("div", { class: "caret" }, h("span", { class: "n" }, ""), " ".repeat(p.col - 1) + "^"));
  }
  return h("div", { class: "excerpt" }, rows);
}

const indexOf = (id) => ui.board.scenes.findIndex((s) => s.id === id);

// ---------- cards

function renderCards() {
  const scenes = ui.board.scenes;
  const holder = $("#cards");
  const keep = new Set(scenes.map((s) => s.id));
  for (const [id, el] of ui.cards) {
    if (!keep.has(id)) { stopCard(el); el.remove(); ui.cards.delete(id); }
  }
  scenes.forEach((scene, i) => {
    // While the script fails to load, its errors also show on the (last good) card they point into.
    const extra = ui.board.stale ? ui.board.problems.filter((p) => p.scene === scene.id) : [];
    if (extra.length) scene = { ...scene, findings: [...scene.findings, ...extra] };
    const rev = scene.rev + extra.map((p) => `${p.line}:${p.col}:${p.message}`).join("|");
    let el = ui.cards.get(scene.id);
    if (!el || el.dataset.rev !== rev) {
      const fresh = buildCard(scene);
      fresh.dataset.rev = rev;
      if (el) {
        carryPlayback(el, fresh);
        el.replaceWith(fresh);
        fresh.classList.add("fresh");
      }
      el = fresh;
      ui.cards.set(scene.id, el);
    }
    el.dataset.index = i;
    $(".num", el).textContent = String(i + 1).padStart(2, "0");
    if (holder.children[i] !== el) holder.insertBefore(el, holder.children[i] || null);
  });
  const total = ui.board.timeline ? clock(ui.board.timeline.duration) : "…";
  $("#board-info").textContent = `${scenes.length} scene${scenes.length === 1 ? "" : "s"} · ${total}`;
  ui.focus = Math.min(ui.focus, Math.max(0, scenes.length - 1));
  markFocus(false);
}

function buildCard(scene) {
  const audio = scene.audio;
  const errors = scene.findings.filter((f) => f.level === "error").length;
  const classes = ["card", errors ? "has-error" : scene.findings.length ? "has-warning" : ""].join(" ");
  const player = audio && audio.url ? h("audio", { preload: "metadata", src: audio.url }) : null;
  const el = h("article", { class: classes, tabindex: "-1", dataset: { id: scene.id, rev: scene.rev },
    "aria-label": `Scene ${scene.id}`, onclick: (e) => { if (!e.target.closest("button, .w, .seek")) focusScene(+el.dataset.index, false); } },
    h("div", { class: "pic" },
      scene.picture ? h("img", { src: scene.picture.url, alt: `Picture of scene ${scene.id}`, loading: "lazy", decoding: "async" })
        : h("div", { class: "pending" }, "Drawing…"),
      h("span", { class: "num" }, ""),
      h("span", { class: "len", title: "Length in the video" }, sceneLength(scene))),
    h("div", { class: "body" },
      h("div", { class: "meta" },
        h("span", { class: "id" }, scene.id),
        h("span", { class: "chip" }, scene.layout),
        audio ? h("span", { class: `chip ${{ recording: "rec", voice: "voice" }[audio.source] || ""}` },
          audio.source === "none" ? "no narration" : audio.source)
          : h("span", { class: "chip" }, scene.recorded ? "recording…" : "narrating…"),
        h("span", { class: "line", title: "Line in the script" }, `line ${scene.line}`)),
      h("div", { class: "sub", dir: "auto" }, `${scene.title} · ${scene.motion} · ${scene.index ? `${scene.transition.type} in` : "opens"}`),
      player ? audioRow(audio) : null,
      narration(scene),
      audio && audio.cuts.length ? cutsRow(audio.cuts) : null,
      scene.findings.length ? h("div", { class: "findings" }, scene.findings.map((f) =>
        h("div", { class: `finding ${f.level}` }, h("b", {}, f.line ? `line ${f.line}` : f.level), f.message))) : null),
    player);
  el._scene = scene;
  if (player) wireAudio(el, player);
  return el;
}

function sceneLength(scene) {
  const slot = scene.audio && ui.board.timeline && ui.board.timeline.scenes.find((s) => s.id === scene.id);
  return slot ? clock(slot.end - slot.start, true) : "…";
}

function audioRow(audio) {
  const track = h("div", { class: "track" }, h("div", { class: "fill" }),
    audio.cuts.map((c) => h("span", { class: "cutmark", title: `${c.reason} cut here`,
      style: `left:${Math.min(100, (100 * c.start) / Math.max(audio.duration, 0.01))}%` })));
  return h("div", { class: "audio" },
    h("button", { class: "play", title: "Play or pause (Space)", "aria-label": "Play" }, "▶"),
    h("div", { class: "seek", role: "slider", "aria-label": "Position in the scene" }, track),
    h("span", { class: "time" }, `0:00.0 / ${clock(audio.duration, true)}`));
}

function narration(scene) {
  const box = h("div", { class: "narration", dir: "auto" }); // Arabic or Hebrew reads from the right
  const words = scene.audio ? scene.audio.words : [];
  const reveals = new Set(scene.reveals);
  let k = 0;
  for (const token of scene.narration.split(/\s+/).filter(Boolean)) {
    if (!WORDY.test(token)) { box.append(token, " "); continue; }
    if (reveals.has(k)) box.append(h("span", { class: "rv", title: "The next list item appears here" }, "▶"));
    const timing = words[k];
    const span = h("span", { class: "w", dataset: { k } }, token);
    if (timing) { span.dataset.start = timing[1]; span.dataset.end = timing[2]; }
    box.append(span, " ");
    k += 1;
  }
  if (!scene.narration) {
    const why = scene.audio && scene.audio.source === "none" ? "No narration: the scene plays with its own sound." : "No narration text: the recording plays as it is.";
    box.append(h("span", { class: "muted" }, why));
  }
  return box;
}

function cutsRow(cuts) {
  const removed = cuts.reduce((sum, c) => sum + Math.max(0, c.end - c.start), 0);
  return h("div", { class: "cuts", title: "What cleanup cut from the recording" },
    `✂ ${cuts.length} cut${cuts.length > 1 ? "s" : ""}, ${removed.toFixed(1)} s removed:`,
    cuts.map((c) => h("span", { class: "chip" }, `${c.reason} ${clock(c.start, true)}–${clock(c.end, true)}`)));
}

// ---------- playback and the word highlight

function wireAudio(el, player) {
  const button = $(".play", el);
  const seek = $(".seek", el);
  button.addEventListener("click", () => toggle(el));
  player.addEventListener("play", () => { startPlaying(el); });
  player.addEventListener("pause", () => { button.textContent = "▶"; button.setAttribute("aria-label", "Play"); el.classList.remove("playing"); });
  player.addEventListener("ended", () => {
    highlight(el, Infinity);
    if ($("#continuous").checked) playIndex(+el.dataset.index + 1);
  });
  player.addEventListener("timeupdate", () => highlight(el, player.currentTime));
  const seekTo = (e) => {
    const box = seek.getBoundingClientRect();
    const duration = el._scene.audio.duration;
    player.currentTime = Math.max(0, Math.min(1, (e.clientX - box.left) / box.width)) * duration;
    highlight(el, player.currentTime);
  };
  seek.addEventListener("pointerdown", (e) => { seekTo(e); seek.setPointerCapture(e.pointerId); seek.onpointermove = seekTo; });
  seek.addEventListener("pointerup", () => { seek.onpointermove = null; });
  $(".narration", el).addEventListener("click", (e) => {
    const word = e.target.closest(".w");
    if (!word || word.dataset.start === undefined) return;
    focusScene(+el.dataset.index, false);
    player.currentTime = +word.dataset.start;
    highlight(el, player.currentTime);
    player.play();
  });
}

function startPlaying(el) {
  for (const other of ui.cards.values()) if (other !== el) pauseCard(other);
  const video = $("#draft");
  if (!video.paused) video.pause();
  ui.playing = el;
  el.classList.add("playing");
  const button = $(".play", el);
  button.textContent = "❚❚";
  button.setAttribute("aria-label", "Pause");
  const tick = () => {
    const player = $("audio", el);
    if (!player || player.paused || ui.playing !== el) return;
    highlight(el, player.currentTime);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

function highlight(el, t) {
  const audio = el._scene.audio;
  if (!audio) return;
  $(".fill", el).style.width = `${Math.min(100, (100 * Math.min(t, audio.duration)) / Math.max(audio.duration, 0.01))}%`;
  $(".time", el).textContent = `${clock(Math.min(t, audio.duration), true)} / ${clock(audio.duration, true)}`;
  const words = audio.words;
  // The word being said: the last one started by t (binary search over start times).
  let lo = 0, hi = words.length - 1, now = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid][1] <= t) { now = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (el._now === now) return;
  el._now = now;
  for (const span of el.querySelectorAll(".narration .w")) {
    const k = +span.dataset.k;
    span.classList.toggle("now", k === now && t < words[now][2] + 0.35);
    span.classList.toggle("said", k <= now);
  }
  const current = el.querySelector(".narration .w.now");
  if (current) {
    const box = $(".narration", el);
    const top = current.offsetTop - box.offsetTop;
    if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - 24) box.scrollTo({ top: top - 24, behavior: "smooth" });
  }
}

function toggle(el) {
  const player = el && $("audio", el);
  if (!player) return;
  if (player.paused) player.play(); else player.pause();
}

function pauseCard(el) { const p = $("audio", el); if (p && !p.paused) p.pause(); }
function stopCard(el) { pauseCard(el); if (ui.playing === el) ui.playing = null; }
function stopAll() { for (const el of ui.cards.values()) pauseCard(el); $("#draft").pause(); }

function playIndex(i) {
  const scenes = ui.board.scenes;
  if (i < 0 || i >= scenes.length) return;
  focusScene(i, true);
  const el = ui.cards.get(scenes[i].id);
  const player = el && $("audio", el);
  if (player) { player.currentTime = 0; player.play(); }
}

// A card rebuilt while its scene plays (say, a warning appeared) keeps playing from the same spot,
// unless its narration changed.
function carryPlayback(old, fresh) {
  const was = $("audio", old);
  const now = $("audio", fresh);
  if (!was || was.paused) return;
  was.pause();
  if (now && old._scene.audio && fresh._scene.audio && old._scene.audio.url === fresh._scene.audio.url) {
    now.currentTime = was.currentTime;
    now.play();
  }
}

// ---------- focus

function focusScene(i, scroll) {
  const scenes = ui.board ? ui.board.scenes : [];
  if (!scenes.length) return;
  ui.focus = Math.max(0, Math.min(scenes.length - 1, i));
  markFocus(scroll);
}

function markFocus(scroll) {
  const scenes = ui.board.scenes;
  const id = scenes[ui.focus] && scenes[ui.focus].id;
  for (const [sid, el] of ui.cards) el.classList.toggle("focus", sid === id);
  for (const block of document.querySelectorAll(".tl-scene")) block.classList.toggle("focus", block.dataset.id === id);
  const el = ui.cards.get(id);
  if (el && scroll) { el.scrollIntoView({ block: "nearest", behavior: "smooth" }); el.focus({ preventScroll: true }); }
}

// ---------- timeline strip

function renderTimeline() {
  const box = $("#timeline");
  const tl = ui.board.timeline;
  if (!tl) { box.replaceChildren(h("div", { class: "muted" }, "The timeline appears once every scene is narrated.")); return; }
  const pct = (t) => `${(100 * t) / tl.duration}%`;
  const level = (id) => {
    const el = ui.cards.get(id);
    const found = el ? el._scene.findings : [];
    return found.some((f) => f.level === "error") ? "error" : found.length ? "warning" : "";
  };
  const chapters = h("div", { class: "lane ch" }, tl.chapters.map((c) =>
    h("div", { class: "tl-chapter", style: `left:${pct(c.start)};width:${pct(c.end - c.start)}`, title: `${clock(c.start)} ${c.title}` }, c.title)));
  const scenes = h("div", { class: "lane sc" }, tl.scenes.map((s, i) =>
    h("div", { class: `tl-scene ${s.layout === "section" ? "section" : ""} ${level(s.id)}`, dataset: { id: s.id },
      style: `left:calc(${pct(s.start)} + 1px);width:calc(${pct(s.end - s.start)} - 2px)`,
      title: `${s.id} · ${s.layout} · ${clock(s.start, true)}–${clock(s.end, true)}`,
      onclick: () => { focusScene(i, true); seekDraft(s.start); } },
    h("span", { class: "id" }, s.id), h("span", { class: "len" }, `${(s.end - s.start).toFixed(1)}s`))));
  const joins = tl.joins.map((j) => h("div", { class: `tl-join ${j.kind}`, title: `${j.kind} ${j.duration.toFixed(2)} s`,
    style: `left:${pct(j.start)};width:max(6px, ${pct(j.duration)})` }));
  const music = h("div", { class: "lane mu" }, tl.music
    ? h("div", { class: "tl-music", title: "Music bed" }, `♪ ${tl.music.name} · volume ${tl.music.volume}${tl.music.duck ? " · ducked under the voice" : ""}`)
    : h("div", { class: "tl-nomusic" }, "no music bed"),
    (tl.clips || []).map((c) => h("div", { class: "tl-clip", title: `Sound of clip ${c.id}`,
      style: `left:${pct(c.start)};width:${pct(c.end - c.start)}` }, "clip sound")));
  box.replaceChildren(chapters, scenes, ...joins, music, h("div", { class: "playhead", id: "playhead", hidden: true }));
  const cuts = tl.joins.filter((j) => j.kind !== "cut").length;
  $("#timeline-info").textContent = `${clock(tl.duration, true)} · ${tl.scenes.length} scenes · ${tl.chapters.length} chapters · ${cuts} transitions`;
  markFocus(false);
  movePlayhead();
}

function movePlayhead() {
  const head = $("#playhead");
  const tl = ui.board && ui.board.timeline;
  if (!head || !tl) return;
  let t = null;
  const video = $("#draft");
  if (!video.paused || (video.currentTime > 0 && !ui.playing)) t = video.currentTime;
  else if (ui.playing) {
    const span = tl.scenes.find((s) => s.id === ui.playing.dataset.id);
    const player = $("audio", ui.playing);
    if (span && player) t = span.voice + player.currentTime;
  }
  head.hidden = t === null;
  if (t !== null) head.style.left = `${(100 * Math.min(t, tl.duration)) / tl.duration}%`;
  for (const c of document.querySelectorAll(".chapter")) {
    const now = t !== null && t >= +c.dataset.start && t < +c.dataset.end;
    const list = c.parentElement;
    if (now && !c.classList.contains("now") && (c.offsetTop < list.scrollTop || c.offsetTop + c.offsetHeight > list.scrollTop + list.clientHeight)) {
      list.scrollTop = c.offsetTop - 8;
    }
    c.classList.toggle("now", now);
  }
  const done = $("#ticks-done");
  if (done) done.style.width = `${t === null ? 0 : (100 * Math.min(t, tl.duration)) / tl.duration}%`;
}

function loop() { movePlayhead(); requestAnimationFrame(loop); }

// ---------- draft video

function renderChapters() {
  const tl = ui.board.timeline;
  const box = $("#chapters");
  const ticks = $("#ticks");
  if (!tl) { box.replaceChildren(); ticks.replaceChildren(); return; }
  box.replaceChildren(...tl.chapters.map((c) => h("div", { class: "chapter", dataset: { start: c.start, end: c.end },
    title: `Play from ${clock(c.start)}`, onclick: () => seekDraft(c.start, true) }, h("b", {}, clock(c.start)), h("bdi", {}, c.title))));
  ticks.replaceChildren(h("div", { class: "done", id: "ticks-done" }),
    ...tl.chapters.map((c) => h("span", { class: "tick", title: `${clock(c.start)} ${c.title}`, style: `left:${(100 * c.start) / tl.duration}%` })));
  ticks.onclick = (e) => {
    const box = ticks.getBoundingClientRect();
    const t = ((e.clientX - box.left) / box.width) * tl.duration;
    const chapter = [...tl.chapters].reverse().find((c) => c.start <= t + 0.01) || tl.chapters[0];
    seekDraft(Math.abs(chapter.start - t) < tl.duration * 0.015 ? chapter.start : t, true);
  };
}

function seekDraft(t, play = false) {
  const video = $("#draft");
  if (!video.src) return;
  video.currentTime = t;
  if (play) video.play();
}

function renderDraft(draft) {
  const video = $("#draft");
  const label = $("#draft-state");
  $("#draft-empty").hidden = Boolean(video.getAttribute("src"));
  if (draft.state === "off") $("#draft-empty").textContent = "No draft video: the studio was started with --no-video.";
  if (draft.state === "ready" && draft.video && video.getAttribute("src") !== draft.video) {
    const at = video.currentTime, playing = !video.paused;
    video.replaceChildren();
    if (draft.captions) video.append(h("track", { kind: "captions", src: draft.captions, srclang: "en", label: "Captions" }));
    video.src = draft.video;
    video.controls = true;
    video.addEventListener("loadedmetadata", () => { video.currentTime = Math.min(at, video.duration || 0); if (playing) video.play(); }, { once: true });
    $("#draft-empty").hidden = true;
  }
  const texts = {
    idle: "", off: "off (started with --no-video)", waiting: "waiting for the storyboard",
    running: draft.total ? `rendering: ${draft.label} ${draft.done}/${draft.total}` : `rendering: ${draft.label || ""}`,
    ready: draft.pieces !== undefined ? `up to date · ${draft.encoded} of ${draft.pieces} pieces re-encoded` : "up to date",
    failed: `failed: ${draft.message || ""}`,
  };
  label.textContent = texts[draft.state] ?? draft.state;
  label.classList.toggle("failed", draft.state === "failed");
}

// ---------- final render

function renderJobs() {
  const jobs = ui.jobs;
  renderStatus();
  renderDraft(jobs.draft || {});
  const final = jobs.final || {};
  const body = $("#final-body");
  const button = $("#render");
  button.disabled = final.state === "running";
  button.textContent = final.state === "running" ? "Rendering…" : "Render final";
  const state = $("#final-state");
  state.textContent = { running: "running", done: "done", failed: "failed", cancelled: "cancelled" }[final.state] || "";
  if (final.state === "running") {
    ui.bars = ui.bars || {};
    if (final.label && final.total) ui.bars[final.label] = [final.done, final.total];
    const phase = final.message || (final.total ? "Rendering at full quality…" : cap(final.label || "starting"));
    body.replaceChildren(
      h("p", { class: "note" }, phase),
      h("div", { class: "bars" }, Object.entries(ui.bars).map(([label, [done, total]]) =>
        h("div", { class: "meter" }, h("span", {}, label),
          h("div", { class: "track" }, h("div", { class: "fill", style: `width:${(100 * done) / Math.max(1, total)}%` })),
          h("span", {}, `${done}/${total}`)))),
      h("button", { onclick: () => post("/api/render/cancel") }, "Cancel"));
    return;
  }
  ui.bars = {};
  if (final.state === "done") {
    body.replaceChildren(
      h("p", { class: "note" }, `${clock(final.duration)} of video · ${final.encoded} of ${final.pieces} pieces encoded, the rest from the cache.`),
      h("ul", { class: "files" }, final.files.map((f) => h("li", {}, h("a", { href: f.url, download: f.name },
        h("span", {}, f.name), h("span", { class: "size" }, bytes(f.size)))))));
  } else if (final.state === "failed") {
    body.replaceChildren(h("p", { class: "note failed" }, final.message));
  } else if (final.state === "cancelled") {
    body.replaceChildren(h("p", { class: "note" }, "Cancelled. Finished pieces stay cached: the next render resumes from them."));
  } else {
    body.replaceChildren(h("p", { class: "note" }, "Renders the video at full quality, with captions, chapters, thumbnail and description."));
  }
}

async function renderFinal() {
  const answer = await post("/api/render");
  if (!answer.ok && answer.message) $("#final-body").replaceChildren(h("p", { class: "note failed" }, answer.message));
}

// ---------- keyboard

function onKey(e) {
  if (e.target.closest("input, select, textarea") || e.ctrlKey || e.metaKey || e.altKey) return;
  const dialog = $("#keys");
  if (dialog.open && e.key !== "Escape") return;
  const el = ui.board && ui.cards.get((ui.board.scenes[ui.focus] || {}).id);
  const player = el && $("audio", el);
  const keys = {
    j: () => focusScene(ui.focus + 1, true), ArrowDown: () => focusScene(ui.focus + 1, true),
    k: () => focusScene(ui.focus - 1, true), ArrowUp: () => focusScene(ui.focus - 1, true),
    " ": () => toggle(el), p: () => toggle(el),
    Enter: () => { $("#continuous").checked = true; playIndex(ui.focus); },
    ArrowLeft: () => player && (player.currentTime = Math.max(0, player.currentTime - 2)),
    ArrowRight: () => player && (player.currentTime = Math.min(player.duration || 0, player.currentTime + 2)),
    v: () => { const v = $("#draft"); if (v.src) (v.paused ? v.play() : v.pause()); },
    g: () => { const s = ui.board.timeline && ui.board.timeline.scenes[ui.focus]; if (s) seekDraft(s.start); },
    e: nextProblem,
    t: toggleMode,
    R: renderFinal,
    "?": () => dialog.showModal(),
    Escape: () => { if (dialog.open) dialog.close(); else stopAll(); },
  };
  const action = keys[e.key];
  if (!action) return;
  e.preventDefault();
  action();
}

function nextProblem() {
  const problems = ui.board.problems;
  if (!problems.length) return;
  ui.lastProblemShown = (ui.lastProblemShown + 1) % problems.length;
  const p = problems[ui.lastProblemShown];
  if (p.scene) focusScene(indexOf(p.scene), true);
  else $("#problems").scrollIntoView({ behavior: "smooth", block: "nearest" });
}

function toggleMode() {
  const root = document.documentElement;
  root.dataset.mode = root.dataset.mode === "dark" ? "light" : "dark";
  localStorage.setItem("vessay-mode", root.dataset.mode);
  applyAccent();
}

// ---------- start

document.addEventListener("DOMContentLoaded", () => {
  $("#render").addEventListener("click", renderFinal);
  $("#mode").addEventListener("click", toggleMode);
  $("#help").addEventListener("click", () => $("#keys").showModal());
  $("#theme").addEventListener("change", (e) => post("/api/theme", { theme: e.target.value || null }));
  $("#draft").addEventListener("play", () => { for (const el of ui.cards.values()) pauseCard(el); ui.playing = null; });
  document.addEventListener("keydown", onKey);
  renderJobs.call(null, ui.jobs = { build: {}, draft: {}, final: {} });
  connect();
  loop();
});
