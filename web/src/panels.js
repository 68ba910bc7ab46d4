// The side panels: who is signed in, the vessel list, the selected vessel's details, the
// events list. Each is redrawn from state; rows carry data-mmsi / data-event-id.
import { colourOf, partyName, shownVessels, state } from "./state.js";
import { freshEvents } from "./live.js";

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child ?? "");
  return node;
};

const ROLES = {
  viewer: "viewer",
  watch_officer: "watch officer",
  duty_officer: "duty officer",
  liaison_officer: "liaison officer",
  party_admin: "party admin",
};

export function drawWhoami(container) {
  const { user } = state.me;
  const party = user.party ? partyName(user.party) : "server admin";
  const swatch = el("span", { class: "swatch", style: `background:${colourOf(user.party)}` });
  container.replaceChildren(swatch, ` ${user.name} · ${party} · ${ROLES[user.role] ?? user.role}`);
}

function time(iso) {
  return iso ? iso.replace("T", " ").replace(/(\.\d+)?Z$/, "Z") : "?";
}

export function drawVesselList(tbody, onSelect) {
  const vessels = shownVessels()
    .slice()
    .sort(
      (a, b) =>
        partyName(a.party).localeCompare(partyName(b.party)) ||
        (a.shipname ?? "~").localeCompare(b.shipname ?? "~") ||
        a.mmsi - b.mmsi,
    );
  tbody.replaceChildren(
    ...vessels.map((v) =>
      el(
        "tr",
        {
          dataset: { mmsi: String(v.mmsi) },
          class: v.mmsi === state.selected ? "selected" : "",
          onclick: () => onSelect(v.mmsi),
        },
        el("td", {}, el("span", { class: "swatch", style: `background:${colourOf(v.party)}` })),
        el("td", {}, v.shipname ?? "—"),
        el("td", { class: "num" }, String(v.mmsi)),
        el("td", {}, partyName(v.party)),
        el("td", { class: "num" }, v.speed == null ? "" : v.speed.toFixed(1)),
      ),
    ),
  );
}

const FIELDS = [
  ["shipname", "name"],
  ["mmsi", "MMSI"],
  ["callsign", "call sign"],
  ["imo", "IMO"],
  ["ship_type", "ship type"],
  ["at", "position at"],
  ["lat", "latitude"],
  ["lon", "longitude"],
  ["speed", "speed (kn)"],
  ["course", "course (°)"],
  ["heading", "heading (°)"],
  ["status", "nav status"],
  ["destination", "destination"],
  ["eta", "ETA"],
  ["draught", "draught (m)"],
];

// Decimals shown per field: positions to about 10 m, the rest as AIS carries them.
const DECIMALS = { lat: 4, lon: 4, speed: 1, course: 1, draught: 1 };

function releaseText(v) {
  if (v.release === "delayed") return `delayed ${v.release_minutes} min`;
  if (v.release === "coarsened") return `coarsened to a ${v.release_nm} nm cell`;
  return v.release ?? "full";
}

export function drawDetails(container) {
  const v = shownVessels().find((x) => x.mmsi === state.selected);
  if (!v) {
    container.replaceChildren(el("p", { class: "hint" }, "Select a vessel on the map or in the list."));
    return;
  }
  const rows = [el("dt", {}, "party"), el("dd", {}, partyName(v.party))];
  rows.push(el("dt", {}, "shown"), el("dd", { class: `release ${v.release}` }, releaseText(v)));
  for (const [key, label] of FIELDS) {
    let value = v[key];
    if (value == null) continue;
    if (key === "at" || key === "eta") value = time(value);
    else if (typeof value === "number" && key in DECIMALS) value = value.toFixed(DECIMALS[key]);
    rows.push(el("dt", {}, label), el("dd", {}, String(value)));
  }
  container.replaceChildren(el("h3", {}, v.shipname ?? `MMSI ${v.mmsi}`), el("dl", {}, ...rows));
}

const fixed = (value, digits) => (typeof value === "number" ? value.toFixed(digits) : value);

const SUMMARY = {
  encounter: (e) =>
    `CPA ${fixed(e.cpa_nm, 2)} nm in ${fixed(e.tcpa_min, 1)} min; closest so far ${fixed(e.closest_nm, 2)} nm`,
  zone: (e) => `${e.zone_name}, ${e.dwell_min} min`,
  gap: (e) => `silent ${e.gap_min} min`,
  loiter: (e) => `${e.duration_min} min at ${e.mean_knots} kn`,
  rendezvous: (e) => `${e.duration_min} min together, ${e.closest_m} m`,
};

export function drawEvents(list, onPick, picked) {
  const events = [...state.events.values()].sort((a, b) =>
    b.start === a.start ? b.id.localeCompare(a.id) : b.start.localeCompare(a.start),
  );
  const fresh = freshEvents();
  list.replaceChildren(
    ...events.map((e) => {
      const who = e.mmsi
        .map((m, i) => {
          const vessel = state.vessels.get(m);
          return `${vessel?.shipname ?? m} (${partyName(e.parties[i] ?? "neutral")})`;
        })
        .join(" / ");
      const summary = SUMMARY[e.kind] ? SUMMARY[e.kind](e) : "";
      const classes = [e.kind, e.end ? "closed" : "open"];
      if (fresh.has(e.id)) classes.push("fresh");
      if (e.id === picked) classes.push("picked");
      return el(
        "li",
        { dataset: { eventId: e.id }, class: classes.join(" "), onclick: () => onPick(e) },
        el("span", { class: "kind" }, e.kind),
        el("span", { class: "state" }, e.end ? "closed" : "open"),
        el("div", { class: "who" }, who),
        el("div", { class: "figures" }, summary),
        el("div", { class: "when" }, time(e.start)),
      );
    }),
  );
}
