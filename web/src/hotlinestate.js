// What the page knows of the hotline: the party's channels and their messages, from the
// live stream (a snapshot, then message, channel and escalation items in each update) and
// from the answers to what this page sent. A message always comes with all its receipts;
// a receipt only ever moves on (delivered, read, acknowledged; escalated higher), so two
// copies that arrive out of order are merged, never the older one kept.
import { changed, state } from "./state.js";

export const hotline = {
  channels: new Map(), // id -> channel
  messages: new Map(), // id -> message
  escalated: new Map(), // message id -> Date.now() of the last escalation seen live
  version: 0, // bumped at every change, so views redraw only when the hotline changed
};

export const LEVELS = ["none", "reminder", "duty_officer", "admins"];
export const PRECEDENCES = ["FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE"];
const RANKS = { viewer: 0, watch_officer: 1, duty_officer: 2, liaison_officer: 3, party_admin: 4 };

export function myParty() {
  return state.me?.user?.party ?? null;
}

export function atLeast(role) {
  return (RANKS[state.me?.user?.role] ?? -1) >= RANKS[role];
}

// May this user send and acknowledge (a watch officer or above, of a party)?
export function isOfficer() {
  return myParty() !== null && atLeast("watch_officer");
}

function bump() {
  hotline.version += 1;
  changed();
}

function mergeReceipt(old, fresh) {
  if (!old) return fresh;
  const level = LEVELS.indexOf(fresh.level) >= LEVELS.indexOf(old.level) ? fresh : old;
  const acked = fresh.acked_at ? fresh : old;
  const read = fresh.read_at ? fresh : old;
  return {
    ...fresh,
    delivered_at: fresh.delivered_at ?? old.delivered_at,
    read_at: read.read_at,
    read_by: read.read_by,
    acked_at: acked.acked_at,
    acked_by: acked.acked_by,
    ack_seq: acked.ack_seq,
    level: level.level,
    escalated_at: level.escalated_at,
    next_step_at: acked.acked_at ? null : level.next_step_at,
  };
}

function merge(old, fresh) {
  if (!old) return fresh;
  const before = new Map(old.receipts.map((r) => [r.party, r]));
  const receipts = fresh.receipts.map((r) => mergeReceipt(before.get(r.party), r));
  return { ...fresh, receipts, acknowledged: receipts.every((r) => r.acked_at) };
}

export function putMessage(message) {
  hotline.messages.set(message.id, merge(hotline.messages.get(message.id), message));
  bump();
}

export function applyHotlineSnapshot(snapshot) {
  if (!snapshot) return;
  const kept = hotline.messages;
  hotline.channels = new Map(snapshot.channels.map((c) => [c.id, c]));
  hotline.messages = new Map();
  for (const message of snapshot.messages) {
    hotline.messages.set(message.id, merge(kept.get(message.id), message));
  }
  // Older pages asked for meanwhile stay, if their channel does.
  for (const [id, message] of kept) {
    if (!hotline.messages.has(id) && hotline.channels.has(message.channel)) {
      hotline.messages.set(id, message);
    }
  }
  bump();
}

export function applyHotline(items) {
  for (const item of items ?? []) {
    if (item.type === "message") {
      hotline.messages.set(
        item.message.id,
        merge(hotline.messages.get(item.message.id), item.message),
      );
    } else if (item.type === "channel") {
      hotline.channels.set(item.channel.id, item.channel);
    } else if (item.type === "escalation") {
      hotline.escalated.set(item.escalation.message, Date.now());
    }
  }
  if (items && items.length) bump();
}

// The receipt of the user's party, if it is a receiver of the message.
export function myReceipt(message) {
  const party = myParty();
  return message.receipts.find((r) => r.party === party) ?? null;
}

// Messages the user's party has still to acknowledge, the most pressing first.
export function awaiting() {
  return [...hotline.messages.values()]
    .filter((m) => {
      const receipt = myReceipt(m);
      return receipt && !receipt.acked_at;
    })
    .sort((a, b) => a.deadline_at.localeCompare(b.deadline_at) || a.seq - b.seq);
}

// The server's clock less the browser's (ms), from the Date header of an answer: the
// countdowns run on the server's time, to within a second.
let offset = 0;

export function setServerDate(header, sentAt, receivedAt) {
  const server = Date.parse(header ?? "");
  if (Number.isNaN(server)) return;
  const local = (sentAt + receivedAt) / 2;
  const guess = server + 500 - local; // the header has whole seconds
  offset = Math.abs(guess) < 1500 ? 0 : guess;
}

export function serverNow() {
  return Date.now() + offset;
}
