// The hotline panel: what awaits the party's acknowledgement (with a countdown to each
// deadline and an Acknowledge button), the channel's messages newest first with each
// receiving party's state, the composer, and a banner over the map when a message is
// escalated to duty officers or admins. Cards carry data-message-id; receipts carry
// data-receipt-party, data-state (sent, delivered, read, acknowledged) and data-level.
import { api } from "./api.js";
import { createComposer, eventLabel } from "./compose.js";
import { el } from "./dom.js";
import {
  LEVELS,
  awaiting,
  hotline,
  isOfficer,
  myParty,
  myReceipt,
  putMessage,
  serverNow,
  setServerDate,
} from "./hotlinestate.js";
import { colourOf, partyName, state } from "./state.js";
import { showVerify } from "./verify.js";

const PAGE = 50;
const LEVEL_TEXT = {
  none: "",
  reminder: "reminder sent",
  duty_officer: "escalated to duty officers",
  admins: "escalated to admins",
};
const ROLE_OF_LEVEL = { duty_officer: "duty_officer", admins: "party_admin" };

export function clock(iso) {
  return iso ? iso.slice(11, 19) + "Z" : "?";
}

function full(iso) {
  return iso ? iso.replace("T", " ").replace(/(\.\d+)?Z$/, "Z") : "";
}

export function countdownText(deadline, now = serverNow()) {
  const left = Date.parse(deadline) - now;
  const seconds = Math.floor(Math.abs(left) / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  const span = h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  return { text: left >= 0 ? `${span} left` : `overdue ${span}`, overdue: left < 0 };
}

function swatch(party) {
  return el("span", { class: "swatch", style: `background:${colourOf(party)}` });
}

function receiptState(r) {
  if (r.acked_at) return "acknowledged";
  if (r.read_at) return "read";
  if (r.delivered_at) return "delivered";
  return "sent";
}

function receiptText(r) {
  if (r.acked_at)
    return `acknowledged by ${r.acked_by} at ${clock(r.acked_at)} (entry #${r.ack_seq})`;
  if (r.read_at) return `read by ${r.read_by} at ${clock(r.read_at)}, not acknowledged`;
  if (r.delivered_at) return `delivered at ${clock(r.delivered_at)}, not read`;
  return "not yet delivered";
}

function levelBadge(level, at) {
  if (!level || level === "none") return null;
  return el(
    "span",
    { class: `level ${level}`, dataset: { level }, title: at ? `since ${full(at)}` : "" },
    LEVEL_TEXT[level],
  );
}

const fixed = (value, digits) => (typeof value === "number" ? value.toFixed(digits) : value);

function eventFigures(e) {
  const parts = [];
  if (e.cpa_nm != null) parts.push(`CPA ${fixed(e.cpa_nm, 2)} nm`);
  if (e.tcpa_min != null) parts.push(`TCPA ${fixed(e.tcpa_min, 1)} min`);
  if (e.closest_nm != null) parts.push(`closest ${fixed(e.closest_nm, 2)} nm`);
  return parts.join(", ");
}

export function createHotline(panel, banner, { showEvent = () => {}, onCount = () => {} } = {}) {
  let channelId = null;
  let shownVersion = -1;
  let active = false;
  const cards = new Map(); // message id -> {node, sig}
  const errors = new Map(); // message id -> the last failure to acknowledge it
  const pending = new Set(); // ids being acknowledged
  const readAsked = new Set(); // ids this page has marked read
  const exhausted = new Set(); // channels with no older page

  panel.replaceChildren(
    el(
      "section",
      { id: "hotline-awaiting-section", hidden: true },
      el("h2", {}, "Awaiting your acknowledgement ", el("span", { id: "hotline-awaiting-count" })),
      el("ol", { id: "hotline-awaiting", class: "messages" }),
    ),
    el(
      "section",
      { id: "hotline-channel-section" },
      el("h2", {}, "Channel"),
      el("select", { id: "hotline-channel", "aria-label": "channel" }),
      el("p", { id: "hotline-no-channel", class: "hint", hidden: true }),
    ),
    el("section", { id: "hotline-compose" }),
    el(
      "section",
      {},
      el("h2", {}, "Messages ", el("span", { id: "hotline-message-count" })),
      el("ol", { id: "hotline-messages", class: "messages" }),
      el("button", { id: "hotline-older", type: "button", hidden: true }, "Older messages"),
    ),
  );
  const $ = (id) => panel.querySelector(`#${id}`);
  const select = $("hotline-channel");
  select.addEventListener("change", () => {
    channelId = select.value;
    shownVersion = -1;
    draw();
  });
  $("hotline-older").addEventListener("click", older);
  const composer = createComposer(
    $("hotline-compose"),
    () => hotline.channels.get(channelId) ?? null,
  );

  // A card seen in the open panel (or clicked) is read by the party: marked once.
  const seen = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) markRead(entry.target.dataset.messageId);
      }
    },
    { threshold: 0.5 },
  );
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && active) {
      for (const { node } of cards.values()) {
        if (node.isConnected) {
          seen.unobserve(node);
          seen.observe(node);
        }
      }
    }
  });

  function markRead(id) {
    if (!active || document.visibilityState !== "visible") return;
    const message = hotline.messages.get(id);
    const receipt = message && myReceipt(message);
    if (!receipt || receipt.read_at || readAsked.has(id)) return;
    readAsked.add(id);
    api("POST", `/api/hotline/messages/${id}/read`)
      .then(putMessage)
      .catch(() => readAsked.delete(id));
  }

  async function acknowledge(id) {
    pending.add(id);
    errors.delete(id);
    shownVersion = -1;
    draw();
    try {
      putMessage(await api("POST", `/api/hotline/messages/${id}/ack`));
    } catch (failure) {
      errors.set(id, `Not acknowledged: ${failure.message}`);
    } finally {
      pending.delete(id);
      shownVersion = -1;
      draw();
    }
  }

  async function older() {
    const channel = channelId;
    const seqs = [...hotline.messages.values()]
      .filter((m) => m.channel === channel)
      .map((m) => m.seq);
    const before = seqs.length ? Math.min(...seqs) : null;
    const query = before === null ? "" : `&before=${before}`;
    const button = $("hotline-older");
    button.disabled = true;
    try {
      const page = await api(
        "GET",
        `/api/hotline/channels/${channel}/messages?limit=${PAGE}${query}`,
      );
      if (!page.next) exhausted.add(channel);
      for (const message of page.items) putMessage(message);
    } finally {
      button.disabled = false;
    }
  }

  function card(m, where) {
    const mine = m.party === myParty();
    const receipt = myReceipt(m);
    const due = (receipt && !receipt.acked_at) || (mine && !m.acknowledged);
    const flash = Date.now() - (hotline.escalated.get(m.id) ?? 0) < 3000;
    const classes = ["message", m.precedence.toLowerCase(), mine ? "sent" : "received", where];
    if (flash) classes.push("escalated-now");
    if (receipt && !receipt.acked_at) classes.push("unacked");
    const channel = hotline.channels.get(m.channel);
    const node = el(
      "li",
      {
        class: classes.join(" "),
        dataset: { messageId: m.id, precedence: m.precedence, seq: String(m.seq) },
        onclick: () => markRead(m.id),
      },
      el(
        "div",
        { class: "head" },
        el(
          "span",
          { class: `precedence ${m.precedence}`, dataset: { precedence: m.precedence } },
          m.precedence,
        ),
        el("span", { class: "from" }, swatch(m.party), ` ${partyName(m.party)} · ${m.author}`),
        el(
          "time",
          { class: "sent-at", datetime: m.sent_at, title: full(m.sent_at) },
          clock(m.sent_at),
        ),
        el("span", { class: "seq", title: "its place in the ledger" }, `#${m.seq}`),
      ),
      hotline.channels.size > 1 && channel
        ? el("div", { class: "channel hint" }, channel.name)
        : null,
      m.english ? el("div", { class: "msg-en", lang: "en" }, m.english) : null,
      m.chinese ? el("div", { class: "msg-zh", lang: "zh-Hans" }, m.chinese) : null,
      m.text ? el("div", { class: "msg-text" }, m.text) : null,
      m.event ? eventLine(m.event) : null,
    );
    if (due) {
      const line = el(
        "div",
        { class: "due" },
        el("span", {
          class: "countdown",
          dataset: { deadline: m.deadline_at },
          title: `deadline ${full(m.deadline_at)}`,
        }),
        receipt && !receipt.acked_at ? levelBadge(receipt.level, receipt.escalated_at) : null,
      );
      if (receipt && !receipt.acked_at && isOfficer()) {
        line.append(
          el(
            "button",
            {
              type: "button",
              class: "ack-button primary",
              disabled: pending.has(m.id),
              onclick: (e) => {
                e.stopPropagation();
                acknowledge(m.id);
              },
            },
            pending.has(m.id) ? "Acknowledging…" : "Acknowledge",
          ),
        );
      }
      node.append(line);
    }
    if (errors.has(m.id)) node.append(el("p", { class: "error", role: "alert" }, errors.get(m.id)));
    node.append(
      el(
        "ul",
        { class: "receipts" },
        ...m.receipts.map((r) =>
          el(
            "li",
            {
              class: r.party === myParty() ? "own" : "",
              dataset: { receiptParty: r.party, state: receiptState(r), level: r.level },
            },
            swatch(r.party),
            el("span", { class: "party" }, ` ${partyName(r.party)}: `),
            el("span", { class: "state" }, receiptText(r)),
            // The party's own level is on the line above, by its countdown.
            r.acked_at || (r === receipt && due) ? null : levelBadge(r.level, r.escalated_at),
          ),
        ),
      ),
      el(
        "div",
        { class: "actions" },
        el(
          "button",
          {
            type: "button",
            class: "verify-button",
            title: "check its entry, signatures and inclusion proof in this browser",
            onclick: (e) => {
              e.stopPropagation();
              showVerify(hotline.messages.get(m.id) ?? m);
            },
          },
          "Verify in ledger",
        ),
      ),
    );
    return node;
  }

  function eventLine(e) {
    const known = state.events.get(e.id);
    return el(
      "div",
      { class: "msg-event", dataset: { eventId: e.id } },
      el("span", { class: "kind" }, `about ${e.kind}`),
      ` ${eventFigures(e) || eventLabel(e)}`,
      e.geometry
        ? el(
            "button",
            {
              type: "button",
              class: "link",
              onclick: (click) => {
                click.stopPropagation();
                showEvent(known ?? e);
              },
            },
            "on map",
          )
        : null,
    );
  }

  function sync(list, messages, where) {
    const nodes = messages.map((m) => {
      const sig = JSON.stringify([
        m,
        where,
        errors.get(m.id),
        pending.has(m.id),
        hotline.escalated.get(m.id),
        hotline.channels.size > 1,
      ]);
      let known = cards.get(m.id);
      if (!known || known.sig !== sig) {
        if (known) seen.unobserve(known.node);
        known = { node: card(m, where), sig };
        cards.set(m.id, known);
        seen.observe(known.node);
      }
      return known.node;
    });
    const same =
      nodes.length === list.children.length && nodes.every((n, i) => list.children[i] === n);
    if (!same) list.replaceChildren(...nodes);
  }

  function drawChannels() {
    const channels = [...hotline.channels.values()].sort((a, b) => a.name.localeCompare(b.name));
    if (!hotline.channels.has(channelId)) channelId = channels[0]?.id ?? null;
    const options = channels.map((c) => {
      const others = c.parties
        .filter((p) => p !== myParty())
        .map(partyName)
        .join(", ");
      return el(
        "option",
        { value: c.id, selected: c.id === channelId },
        `${c.name} (with ${others})`,
      );
    });
    const wanted = channels.map((c) => c.id).join(",");
    if (select.dataset.ids !== wanted) {
      select.replaceChildren(...options);
      select.dataset.ids = wanted;
    }
    select.value = channelId ?? "";
    select.hidden = channels.length === 0;
    const none = $("hotline-no-channel");
    none.hidden = channels.length > 0;
    none.textContent =
      myParty() === null
        ? "A server admin has no party: the hotline is between parties."
        : "Your party has no hotline channel yet: a liaison officer (or above) opens one.";
  }

  function draw() {
    if (hotline.version === shownVersion) return;
    shownVersion = hotline.version;
    drawChannels();
    const waiting = awaiting();
    const waitingIds = new Set(waiting.map((m) => m.id));
    $("hotline-awaiting-section").hidden = waiting.length === 0;
    $("hotline-awaiting-count").textContent = `(${waiting.length})`;
    sync($("hotline-awaiting"), waiting, "awaiting");
    const messages = [...hotline.messages.values()]
      .filter((m) => m.channel === channelId && !waitingIds.has(m.id))
      .sort((a, b) => b.seq - a.seq);
    sync($("hotline-messages"), messages, "listed");
    const all = [...hotline.messages.values()].filter((m) => m.channel === channelId).length;
    $("hotline-message-count").textContent = channelId ? `(${all})` : "";
    $("hotline-older").hidden = !channelId || exhausted.has(channelId) || all < PAGE;
    for (const id of cards.keys()) {
      if (!hotline.messages.has(id)) cards.delete(id);
    }
    drawBanner();
    tick();
  }

  // Over the map: messages escalated to duty officers or admins, received (to act on)
  // or sent (the other side has not acknowledged).
  function drawBanner() {
    const role = state.me?.user?.role;
    const items = [];
    for (const m of hotline.messages.values()) {
      const receipt = myReceipt(m);
      if (receipt && !receipt.acked_at && LEVELS.indexOf(receipt.level) >= 2) {
        const text = m.english ?? m.text ?? "";
        items.push({
          m,
          level: receipt.level,
          side: "received",
          mine: ROLE_OF_LEVEL[receipt.level] === role,
          text: `${m.precedence} from ${partyName(m.party)} not acknowledged: ${LEVEL_TEXT[receipt.level]} of your party. “${text}”`,
        });
      } else if (m.party === myParty()) {
        const late = m.receipts.filter((r) => !r.acked_at && LEVELS.indexOf(r.level) >= 2);
        if (!late.length) continue;
        const level = LEVELS[Math.max(...late.map((r) => LEVELS.indexOf(r.level)))];
        const who = late.map((r) => partyName(r.party)).join(", ");
        items.push({
          m,
          level,
          side: "sent",
          mine: false,
          text: `Your ${m.precedence} is not acknowledged by ${who}: ${LEVEL_TEXT[level]} there.`,
        });
      }
    }
    items.sort((a, b) => LEVELS.indexOf(b.level) - LEVELS.indexOf(a.level) || a.m.seq - b.m.seq);
    banner.hidden = items.length === 0;
    const top = items[0];
    const side = items.some((i) => i.side === "received") ? "received" : "sent";
    const loud = items.some((i) => i.mine) ? " mine" : "";
    banner.className = top ? `banner ${top.level} ${side}${loud}` : "banner";
    banner.dataset.level = top ? top.level : "none";
    banner.replaceChildren(
      ...items.map((item) =>
        el(
          "div",
          {
            class: `banner-item ${item.level} ${item.side}${item.mine ? " mine" : ""}`,
            dataset: { bannerMessage: item.m.id, level: item.level, side: item.side },
          },
          item.mine
            ? el("strong", {}, item.level === "admins" ? "ADMINS: " : "DUTY OFFICER: ")
            : null,
          item.text,
          el(
            "button",
            {
              type: "button",
              onclick: () => {
                channelId = item.m.channel;
                shownVersion = -1;
                openTab();
                draw();
                cards.get(item.m.id)?.node.scrollIntoView({ block: "center" });
              },
            },
            "Open",
          ),
        ),
      ),
    );
  }

  // The countdowns, every quarter second, on the server's clock.
  function tick() {
    const now = serverNow();
    let overdue = false;
    for (const node of panel.querySelectorAll(".countdown[data-deadline]")) {
      const shown = countdownText(node.dataset.deadline, now);
      if (node.textContent !== shown.text) node.textContent = shown.text;
      node.classList.toggle("overdue", shown.overdue);
      if (shown.overdue && node.closest("#hotline-awaiting")) overdue = true;
    }
    onCount(awaiting().length, overdue);
  }
  setInterval(tick, 250);

  let openTab = () => {};
  // The server's clock, for the countdowns.
  const started = Date.now();
  fetch("/api/me", { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((answer) => setServerDate(answer.headers.get("Date"), started, Date.now()))
    .catch(() => {});

  return {
    draw() {
      composer.refresh();
      draw();
    },
    setActive(on) {
      active = on;
      if (on) {
        // Cards already in view are seen now.
        for (const { node } of cards.values()) {
          seen.unobserve(node);
          seen.observe(node);
        }
      }
    },
    onOpen(fn) {
      openTab = fn;
    },
  };
}
