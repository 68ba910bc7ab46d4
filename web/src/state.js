// What the page knows: vessels by MMSI and events by id, from the live stream's snapshot
// and updates (or, when looking back in time, from the picture at that time), and who
// is told when either changes.

export const state = {
  me: null, // {user, parties, now}
  parties: new Map(), // id -> {id, name, colour}
  vessels: new Map(), // mmsi -> vessel (the API's Vessel)
  events: new Map(), // id -> event
  past: null, // a list of vessels when showing a past time; null when live
  selected: null, // mmsi
  now: null,
};

const listeners = new Set();
let scheduled = false;

export function onChange(listener) {
  listeners.add(listener);
}

// Many changes in one frame become one redraw.
export function changed() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    for (const listener of listeners) listener();
  });
}

export function shownVessels() {
  return state.past ?? [...state.vessels.values()];
}

export function colourOf(party) {
  const found = state.parties.get(party);
  return found ? found.colour : "#8a94a6";
}

export function partyName(party) {
  const found = state.parties.get(party);
  return found ? found.name : "neutral";
}
