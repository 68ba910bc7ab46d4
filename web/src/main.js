// The page: sign in if need be, then the map, the panels and the live stream.
import "./style.css";
import { api, ApiError } from "./api.js";
import { createMap, drawTrail, drawVessels, drawZones, showEvent } from "./map.js";
import { drawDetails, drawEvents, drawVesselList, drawWhoami } from "./panels.js";
import { startLive, stopLive } from "./live.js";
import { showLogin } from "./login.js";
import { changed, onChange, state } from "./state.js";
import { createTimeControl } from "./timecontrol.js";

const app = document.getElementById("app");
let picked = null;

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
    <main>
      <div id="map"></div>
      <aside>
        <section><h2>Events</h2><ul id="event-list"></ul></section>
        <section id="details"></section>
        <section><h2>Vessels <span id="vessel-count"></span></h2>
          <table><thead><tr><th></th><th>name</th><th>MMSI</th><th>party</th><th>kn</th></tr></thead>
          <tbody id="vessel-list"></tbody></table></section>
      </aside>
    </main>`;
  drawWhoami(document.getElementById("whoami"));
  createMap(document.getElementById("map"), select);
  createTimeControl(document.getElementById("time-control"));
  api("GET", "/api/zones").then(drawZones).catch(() => {});
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

function redraw() {
  drawVessels();
  drawVesselList(document.getElementById("vessel-list"), select);
  document.getElementById("vessel-count").textContent = `(${document.querySelectorAll("#vessel-list tr").length})`;
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
