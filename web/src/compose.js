// The composer: a precedence, a standard phrase (grouped as the catalogue groups them) with
// an input per parameter by its type, free text, the event it is about; a bilingual
// preview from the server (POST /api/hotline/preview) as one types; Send. Each draft has
// a random idempotency key: sending it again (no answer came) never sends it twice, and a
// changed draft gets a new key.
import { api, ApiError } from "./api.js";
import { el } from "./dom.js";
import { PRECEDENCES, isOfficer, putMessage } from "./hotlinestate.js";
import { partyName, state } from "./state.js";

const GROUPS = ["intention", "manoeuvre", "request", "warning", "confirmation"];
const NUMBERS = {
  course: { min: 0, max: 359, step: 1, unit: "° true" },
  speed: { min: 0, max: 60, step: 0.1, unit: "kn" },
  distance: { min: 0, max: 100, step: 0.1, unit: "nm" },
  cpa: { min: 0, max: 100, step: 0.01, unit: "nm" },
  minutes: { min: 0, max: 1440, step: 0.1, unit: "min" },
};
const LABELS = { cpa: "CPA", minutes: "in (minutes)" };
const DEBOUNCE_MS = 250;

function newKey() {
  const random = new Uint8Array(16);
  crypto.getRandomValues(random); // there in insecure contexts too, unlike randomUUID
  return [...random].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const fixed = (value, digits) => (typeof value === "number" ? value.toFixed(digits) : value);

export function eventLabel(e) {
  const who = e.mmsi
    .map(
      (m, i) => `${state.vessels.get(m)?.shipname ?? m} (${partyName(e.parties[i] ?? "neutral")})`,
    )
    .join(" / ");
  const figures =
    e.kind === "encounter" ? `, CPA ${fixed(e.cpa_nm, 2)} nm in ${fixed(e.tcpa_min, 1)} min` : "";
  return `${e.kind}: ${who}${figures}`;
}

export function createComposer(container, channelOf) {
  let catalogue = null; // {items, activities, sides}
  let key = newKey();
  const values = {}; // parameter inputs' values by name, kept across phrases
  let timer = null;
  let asked = 0;
  let eventsShown = "";

  container.replaceChildren(
    el(
      "details",
      { id: "composer", open: true },
      el("summary", {}, "New message"),
      el(
        "p",
        { id: "compose-readonly", class: "hint", hidden: true },
        "Only watch officers and above send messages.",
      ),
      el(
        "form",
        { id: "compose-form", class: "compose", autocomplete: "off" },
        el(
          "div",
          { class: "row" },
          el(
            "label",
            {},
            "Precedence",
            el(
              "select",
              { id: "compose-precedence" },
              ...PRECEDENCES.map((p) => el("option", { value: p, selected: p === "ROUTINE" }, p)),
            ),
          ),
          el(
            "label",
            { class: "grow" },
            "Standard phrase",
            el(
              "select",
              { id: "compose-phrase" },
              el("option", { value: "" }, "— free text only —"),
            ),
          ),
        ),
        el("div", { id: "compose-params", class: "params" }),
        el(
          "label",
          {},
          "About event",
          el("select", { id: "compose-event" }, el("option", { value: "" }, "none")),
        ),
        el(
          "label",
          {},
          "Free text",
          el("textarea", {
            id: "compose-text",
            rows: 2,
            maxlength: 2000,
            placeholder: "sent as written, beside the phrase",
          }),
        ),
        el(
          "div",
          { id: "compose-preview", class: "preview", "aria-live": "polite" },
          el("div", { id: "compose-preview-en", lang: "en" }),
          el("div", { id: "compose-preview-zh", lang: "zh-Hans" }),
        ),
        el("p", { id: "compose-error", class: "error", role: "alert" }),
        el(
          "div",
          { class: "row" },
          el("button", { id: "compose-send", type: "submit", class: "primary" }, "Send"),
          el("span", { id: "compose-status", class: "hint" }),
        ),
      ),
    ),
  );
  const $ = (id) => container.querySelector(`#${id}`);
  const form = $("compose-form");
  const phrase = $("compose-phrase");
  const params = $("compose-params");
  const eventSelect = $("compose-event");
  const text = $("compose-text");
  const english = $("compose-preview-en");
  const chinese = $("compose-preview-zh");
  const error = $("compose-error");
  const status = $("compose-status");
  const send = $("compose-send");

  function chosen() {
    return catalogue?.items.find((p) => p.id === phrase.value) ?? null;
  }

  function input(name, attrs) {
    return el("input", {
      id: `compose-param-${name}`,
      dataset: { param: name },
      value: values[name] ?? "",
      oninput: (e) => (values[name] = e.target.value),
      ...attrs,
    });
  }

  function choice(name, table) {
    return el(
      "select",
      {
        id: `compose-param-${name}`,
        dataset: { param: name },
        oninput: (e) => (values[name] = e.target.value),
      },
      el("option", { value: "" }, "choose"),
      ...Object.entries(table).map(([id, [en, zh]]) =>
        el("option", { value: id, selected: values[name] === id }, `${en} · ${zh}`),
      ),
    );
  }

  function field(name) {
    if (name in NUMBERS) {
      const { min, max, step, unit } = NUMBERS[name];
      return el(
        "label",
        {},
        `${LABELS[name] ?? name} (${unit})`,
        input(name, { type: "number", min, max, step, inputmode: "decimal" }),
      );
    }
    if (name === "side") return el("label", {}, "side", choice("side", catalogue.sides));
    if (name === "activity")
      return el("label", {}, "activity", choice("activity", catalogue.activities));
    if (name === "position") {
      const vessel = state.vessels.get(state.selected);
      if (!values["position-lat"] && vessel && vessel.lat != null && vessel.lon != null) {
        values["position-lat"] = String(Number(vessel.lat.toFixed(4)));
        values["position-lon"] = String(Number(vessel.lon.toFixed(4)));
      }
      return el(
        "div",
        { class: "position" },
        el(
          "label",
          {},
          "latitude (°N +)",
          input("position-lat", { type: "number", min: -90, max: 90, step: 0.0001 }),
        ),
        el(
          "label",
          {},
          "longitude (°E +)",
          input("position-lon", { type: "number", min: -180, max: 180, step: 0.0001 }),
        ),
      );
    }
    if (name === "time") {
      if (!values.time)
        values.time = new Date(Date.now() + 3600e3).toISOString().slice(0, 14) + "00";
      return el("label", {}, "until (UTC)", input("time", { type: "datetime-local", step: 60 }));
    }
    return el("label", {}, name, input(name, { type: "text" }));
  }

  function drawParams() {
    const p = chosen();
    params.replaceChildren(...(p ? p.parameters.map(field) : []));
  }

  // The parameters as the API takes them, and those still to fill in.
  function collect() {
    const p = chosen();
    const out = {};
    const missing = [];
    for (const name of p ? p.parameters : []) {
      if (name === "position") {
        const lat = values["position-lat"];
        const lon = values["position-lon"];
        if (lat === undefined || lat === "" || lon === undefined || lon === "")
          missing.push("position");
        else out.position = { lat: Number(lat), lon: Number(lon) };
      } else if (values[name] === undefined || values[name] === "") {
        missing.push(name);
      } else if (name in NUMBERS) {
        out[name] = Number(values[name]);
      } else if (name === "time") {
        out.time = `${values.time.length === 16 ? values.time + ":00" : values.time}Z`;
      } else {
        out[name] = values[name];
      }
    }
    return { params: out, missing };
  }

  function preview() {
    clearTimeout(timer);
    timer = setTimeout(ask, DEBOUNCE_MS);
  }

  async function ask() {
    const mine = ++asked;
    const p = chosen();
    error.textContent = "";
    if (!p) {
      english.textContent = text.value.trim()
        ? "Free text only: sent as written, not translated."
        : "";
      chinese.textContent = "";
      english.dataset.state = chinese.dataset.state = "none";
      return;
    }
    const { params: given, missing } = collect();
    if (missing.length) {
      english.textContent = p.english;
      chinese.textContent = p.chinese;
      english.dataset.state = chinese.dataset.state = "incomplete";
      error.textContent = `Fill in: ${missing.join(", ")}`;
      return;
    }
    try {
      const answer = await api("POST", "/api/hotline/preview", { phrase: p.id, params: given });
      if (mine !== asked) return;
      english.textContent = answer.english;
      chinese.textContent = answer.chinese;
      english.dataset.state = chinese.dataset.state = "ready";
    } catch (failure) {
      if (mine !== asked) return;
      english.dataset.state = chinese.dataset.state = "invalid";
      error.textContent = failure.message;
    }
  }

  // A new event chosen: its figures and place fill the parameters that take them.
  function fromEvent(e) {
    if (!e) return;
    if (typeof e.cpa_nm === "number") values.cpa = String(Number(e.cpa_nm.toFixed(2)));
    if (typeof e.tcpa_min === "number" && e.tcpa_min >= 0)
      values.minutes = String(Number(e.tcpa_min.toFixed(1)));
    const point = e.geometry?.type === "Point" ? e.geometry.coordinates : null;
    if (point) {
      values["position-lon"] = String(Number(point[0].toFixed(4)));
      values["position-lat"] = String(Number(point[1].toFixed(4)));
    }
    drawParams();
  }

  function changedDraft() {
    key = newKey(); // another draft: a new key, so it is not taken for a retry of the last
    status.textContent = "";
    delete status.dataset.sentId;
    preview();
  }

  phrase.addEventListener("change", () => {
    drawParams();
    changedDraft();
  });
  eventSelect.addEventListener("change", () => {
    fromEvent(state.events.get(eventSelect.value));
    changedDraft();
  });
  form.addEventListener("input", (e) => {
    if (e.target !== phrase && e.target !== eventSelect) changedDraft();
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const channel = channelOf();
    if (!channel) {
      error.textContent = "No channel to send on.";
      return;
    }
    const p = chosen();
    const body = { precedence: $("compose-precedence").value, key };
    if (p) {
      const { params: given, missing } = collect();
      if (missing.length) {
        error.textContent = `Fill in: ${missing.join(", ")}`;
        return;
      }
      body.phrase = p.id;
      body.params = given;
    }
    if (text.value.trim()) body.text = text.value;
    if (eventSelect.value) body.event = eventSelect.value;
    if (!body.phrase && !body.text) {
      error.textContent = "Choose a standard phrase or write a text.";
      return;
    }
    send.disabled = true;
    error.textContent = "";
    status.textContent = "sending…";
    try {
      const message = await api("POST", `/api/hotline/channels/${channel.id}/messages`, body);
      putMessage(message);
      const to = channel.parties
        .filter((party) => party !== message.party)
        .map(partyName)
        .join(", ");
      status.textContent = `sent ${message.precedence} to ${to}: ledger entry #${message.seq}`;
      status.dataset.sentId = message.id;
      phrase.value = "";
      text.value = "";
      eventSelect.value = "";
      drawParams();
      key = newKey();
      ask();
    } catch (failure) {
      status.textContent = "";
      error.textContent =
        failure instanceof ApiError
          ? `Not sent: ${failure.message}`
          : "No answer from the server: send again (the message is sent once, however often you press Send).";
    } finally {
      send.disabled = false;
    }
  });

  function drawPhrases() {
    const groups = GROUPS.concat(
      catalogue.items.map((p) => p.group).filter((g) => !GROUPS.includes(g)),
    );
    phrase.replaceChildren(
      el("option", { value: "" }, "— free text only —"),
      ...[...new Set(groups)]
        .map((group) => {
          const items = catalogue.items.filter((p) => p.group === group);
          if (!items.length) return null;
          const label = group[0].toUpperCase() + group.slice(1);
          return el(
            "optgroup",
            { label },
            ...items.map((p) =>
              el("option", { value: p.id, title: p.chinese }, p.english.replace(/{(\w+)}/g, "…")),
            ),
          );
        })
        .filter(Boolean),
    );
  }

  api("GET", "/api/hotline/phrases")
    .then((answer) => {
      catalogue = answer;
      drawPhrases();
      container.dataset.ready = "true";
    })
    .catch((failure) => {
      error.textContent = `The standard phrases could not be had: ${failure.message}`;
    });

  return {
    // The events the user sees, for "about event"; and who may send.
    refresh() {
      const officer = isOfficer();
      $("compose-readonly").hidden = officer;
      form.hidden = !officer;
      const events = [...state.events.values()].sort((a, b) => b.start.localeCompare(a.start));
      const shown = events.map((e) => `${e.id}|${e.cpa_nm}|${e.end}`).join(",");
      if (shown === eventsShown) return;
      eventsShown = shown;
      const current = eventSelect.value;
      eventSelect.replaceChildren(
        el("option", { value: "" }, "none"),
        ...events.map((e) =>
          el("option", { value: e.id, selected: e.id === current }, eventLabel(e)),
        ),
      );
      if (current && !state.events.has(current)) {
        eventSelect.value = "";
        changedDraft();
      }
    },
  };
}
