// The live stream (/ws): a snapshot, then numbered updates; on a lost connection,
// reconnect with backoff and resume from the last frame applied (the server sends
// exactly what was missed, or a new snapshot). Frames carry the hotline too.
import { api } from "./api.js";
import { applyHotline, applyHotlineSnapshot } from "./hotlinestate.js";
import { changed, state } from "./state.js";

let epoch = null;
let seq = null;
let socket = null;
let retry = 500;
const asked = new Set(); // MMSIs whose row was asked for
const fresh = new Set(); // ids of events that arrived live, to flash
let onStatus = () => {};
let onEvent = () => {};

export function freshEvents() {
  return fresh;
}

export function startLive(statusListener, eventListener) {
  onStatus = statusListener;
  onEvent = eventListener;
  connect();
}

export function stopLive() {
  if (socket) {
    socket.onclose = null;
    socket.close();
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${scheme}//${location.host}/ws`);
  onStatus("connecting");
  socket.onopen = () => {
    retry = 500;
    socket.send(JSON.stringify({ type: "hello", epoch, resume: seq }));
    onStatus("live");
  };
  socket.onmessage = (message) => apply(JSON.parse(message.data));
  socket.onclose = () => {
    onStatus("reconnecting");
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 15000);
  };
}

function apply(frame) {
  if (frame.type === "snapshot") {
    state.vessels = new Map(frame.vessels.map((v) => [v.mmsi, v]));
    state.events = new Map(frame.events.map((e) => [e.id, e]));
    applyHotlineSnapshot(frame.hotline);
  } else if (frame.type === "update") {
    if (frame.epoch !== epoch || frame.first !== seq + 1) {
      // Not the frame that follows ours: start again from a snapshot.
      seq = null;
      socket.close();
      return;
    }
    for (const point of frame.points) move(point);
    for (const fields of frame.statics) {
      const vessel = state.vessels.get(fields.mmsi);
      if (vessel) Object.assign(vessel, fields);
    }
    for (const event of frame.events) {
      const known = state.events.has(event.id);
      state.events.set(event.id, event);
      if (!known) {
        fresh.add(event.id);
        setTimeout(() => {
          fresh.delete(event.id);
          changed();
        }, 4000);
      }
      onEvent(event, known);
    }
    applyHotline(frame.hotline);
  } else {
    return;
  }
  epoch = frame.epoch;
  seq = frame.seq;
  state.now = frame.now;
  changed();
}

function move(point) {
  const vessel = state.vessels.get(point.mmsi);
  if (vessel) {
    if (!vessel.at || point.at >= vessel.at) {
      const { msg_type, source, ...position } = point;
      Object.assign(vessel, position);
    }
    return;
  }
  // A vessel the page has not met: show its position, ask for its row.
  state.vessels.set(point.mmsi, { ...point, release: "full" });
  if (asked.has(point.mmsi)) return;
  asked.add(point.mmsi);
  api("GET", `/api/vessels/${point.mmsi}`)
    .then((row) => {
      const known = state.vessels.get(row.mmsi);
      state.vessels.set(row.mmsi, known && known.at > row.at ? { ...row, ...pick(known) } : row);
      changed();
    })
    .catch(() => asked.delete(point.mmsi));
}

function pick(vessel) {
  const { at, lat, lon, speed, course, heading, status } = vessel;
  return { at, lat, lon, speed, course, heading, status };
}
