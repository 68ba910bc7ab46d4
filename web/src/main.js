// The page: sign in if need be, then the map, the panels and the live stream. The aside
// has two tabs: the picture (events, details, vessels) and the hotline.
import "./style.css";
import { api, ApiError } from "./api.js";
import { createHotline } from "./hotline.js";
import { createMap, drawTrail, drawVessels, drawZones, showEvent } from "./map.js";
import { drawDetails, drawEvents, drawVesselList, drawWhoami } from "./panels.js";
import { startLive, stopLive } from "./live.js";
import { showLogin } from "./login.js";
import { changed, onChange, state } from "./state.js";
import { createTimeControl } from "./timecontrol.js";

const app = document.getElementById("app");
let picked = null;
let hotline = null;

async function boot() {
  try {
    state.me = await api("GET", "/api/me");
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 401) {
      showLogin(app, boot);
      return;
    }
    app.textContent = `SHADE cannot reach its server: ${failure.message}`;
    return;
  }
  state.parties = new Map(state.me.parties.map((p) => [p.id, p]));
  state.now = state.me.now;
  showApp();
}

function showApp() {
  app.innerHTML = `
    <header>
      <strong>SHADE</strong>
      <span id="whoami"></span>
      <span id="live-status" class="status">connecting</span>
      <div id="time-control"></div>
      <button id="logout" type="button">Sign out</button>
    </header>
    <div id="hotline-banner" class="banner" role="alert" hidden></div>
    <main>
      <div id="map"></div>
      <aside>
        <nav class="tabs" role="tablist">
          <button id="picture-tab" class="tab" type="button" role="tab" data-tab="picture"
            aria-controls="picture-panel">Picture</button>
          <button id="hotline-tab" class="tab" type="button" role="tab" data-tab="hotline"
            aria-controls="hotline-panel">Hotline <span id="hotline-badge" class="badge"
            hidden></span></button>
        </nav>
        <div id="picture-panel" class="tab-panel" role="tabpanel">
          <section><h2>Events</h2><ul id="event-list"></ul></section>
          <section id="details"></section>
          <section><h2>Vessels <span id="vessel-count"></span></h2>
            <table><thead><tr><th></th><th>name</th><th>MMSI</th><th>party</th><th>kn</th></tr></thead>
            <tbody id="vessel-list"></tbody></table></section>
        </div>
        <div id="hotline-panel" class="tab-panel" role="tabpanel" hidden></div>
      </aside>
    </main>`;
  drawWhoami(document.getElementById("whoami"));
  createMap(document.getElementById("map"), select);
  createTimeControl(document.getElementById("time-control"));
  api("GET", "/api/zones").then(drawZones).catch(() => {});
  hotline = createHotline(
    document.getElementById("hotline-panel"),
    document.getElementById("hotline-banner"),
    { showEvent, onCount: drawBadge },
  );
  hotline.onOpen(() => showTab("hotline"));
  for (const tab of document.querySelectorAll("aside .tab")) {
    tab.addEventListener("click", () => showTab(tab.dataset.tab));
  }
  showTab(location.hash === "#hotline" ? "hotline" : "picture");
  document.getElementById("logout").addEventListener("click", async () => {
    stopLive();
    await api("DELETE", "/api/session").catch(() => {});
    location.reload();
  });
  onChange(redraw);
  const status = document.getElementById("live-status");
  startLive(
    (text) => {
      status.textContent = text;
      status.className = `status ${text}`;
    },
    () => {},
  );
  redraw();
}

function showTab(name) {
  for (const tab of document.querySelectorAll("aside .tab")) {
    const on = tab.dataset.tab === name;
    tab.classList.toggle("active", on);
    tab.setAttribute("aria-selected", String(on));
  }
  document.getElementById("picture-panel").hidden = name !== "picture";
  document.getElementById("hotline-panel").hidden = name !== "hotline";
  history.replaceState(
    null,
    "",
    name === "hotline" ? "#hotline" : location.pathname + location.search,
  );
  hotline.setActive(name === "hotline");
}

function drawBadge(count, overdue = false) {
  const badge = document.getElementById("hotline-badge");
  const text = count ? String(count) : "";
  if (badge.textContent !== text) badge.textContent = text;
  badge.hidden = count === 0;
  badge.classList.toggle("overdue", overdue);
}

function redraw() {
  hotline.draw();
  drawVessels();
  drawVesselList(document.getElementById("vessel-list"), select);
  document.getElementById("vessel-count").textContent =
    `(${document.querySelectorAll("#vessel-list tr").length})`;
  drawDetails(document.getElementById("details"));
  drawEvents(document.getElementById("event-list"), pick, picked);
}

async function select(mmsi) {
  state.selected = mmsi;
  changed();
  const since = new Date(Date.parse(state.now ?? new Date().toISOString()) - 2 * 3600e3);
  try {
    const trail = await api(
      "GET",
      `/api/vessels/${mmsi}/track.geojson?from=${encodeURIComponent(since.toISOString())}`,
    );
    if (state.selected === mmsi) drawTrail(trail);
  } catch {
    drawTrail(null);
  }
}

function pick(event) {
  picked = event.id;
  showEvent(event);
  changed();
}

boot();
