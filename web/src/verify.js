// "Verify": a message's place in the ledger checked in this browser, each step shown with
// its result. The checkpoint and its log signature (the log key as /api/ledger/keys gives
// it, its key id recomputed), the entry's hash against the leaf, what the entry says
// against what the page shows, the sender's signature of the entry, the inclusion proof
// up to the checkpoint's root, and each acknowledgement the same way.
//
// The keys come from the server checked here; a party that wants more than the server's
// word checks them against the keys the parties exchanged (`shade ledger verify`).
import { api } from "./api.js";
import { el } from "./dom.js";
import {
  COSIGNATURE,
  ED25519,
  ENTRY_DOMAIN,
  bytes,
  cosigned,
  ed25519Verify,
  equal,
  fromHex,
  hex,
  keyId,
  leafHash,
  parseCheckpoint,
  parseKeys,
  parseNote,
  rootFromInclusion,
  splitRecord,
  webCrypto,
} from "./ledger.js";
import { partyName } from "./state.js";

const NO_ED25519 = "this browser's Web Crypto has no Ed25519: the signature is not checked here";
const short = (h) => `${h.slice(0, 16)}…`;

// Runs the checks; onStep(step) as each ends. Returns {outcome, steps, record}.
export async function verifyMessage(message, onStep = () => {}) {
  const steps = [];
  const record = {};
  const step = (id, label, result, detail) => {
    const done = { id, label, result, detail };
    steps.push(done);
    onStep(done);
    return result === "ok";
  };
  const attempt = async (id, label, check) => {
    try {
      const [result, detail] = await check();
      return step(id, label, result, detail);
    } catch (failure) {
      return step(id, label, "failed", failure.message);
    }
  };
  const finish = () => {
    const results = steps.map((s) => s.result);
    const outcome = results.includes("failed")
      ? "failed"
      : results.some((r) => r !== "ok")
        ? "partial"
        : "ok";
    return { outcome, steps, record };
  };

  if (!webCrypto()) {
    step(
      "crypto",
      "Web Crypto",
      "failed",
      "this page has no Web Crypto (browsers offer it over HTTPS or on localhost only): " +
        "nothing can be checked here; check an export with `shade ledger verify`",
    );
    return finish();
  }

  // The checkpoint: what the log signed (its text), read from the note, not the fields.
  let note = null;
  let checkpoint = null;
  let signedAt = null;
  await attempt("checkpoint", "Checkpoint", async () => {
    const answer = await api("GET", "/api/ledger/checkpoint");
    note = parseNote(answer.note);
    checkpoint = parseCheckpoint(note.text);
    signedAt = answer.signed_at;
    const same =
      checkpoint.origin === answer.origin &&
      String(checkpoint.size) === String(answer.size) &&
      checkpoint.rootText === answer.root;
    const what = `${checkpoint.origin}, ${checkpoint.size} entries, root ${short(hex(checkpoint.root))}`;
    return same
      ? ["ok", what]
      : ["failed", `${what}: the answer's fields differ from its signed text`];
  });
  if (!checkpoint) return finish();
  record.size = String(checkpoint.size);
  record.root = hex(checkpoint.root);
  record.signedAt = signedAt;

  let keys = [];
  let logKey = null;
  await attempt("log-key", "Log key", async () => {
    keys = parseKeys((await api("GET", "/api/ledger/keys")).text);
    logKey = keys.find((k) => k.name === checkpoint.origin) ?? null;
    if (!logKey) return ["failed", `no key named ${checkpoint.origin} among the server's keys`];
    const id = hex(await keyId(logKey.name, ED25519, logKey.pub));
    return id === logKey.id
      ? ["ok", `${logKey.name}+${id}: its id is SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]`]
      : ["failed", `the key says id ${logKey.id}, its key makes ${id}`];
  });

  await attempt("checkpoint-signature", "Checkpoint signed by the log", async () => {
    if (!logKey) return ["failed", "no log key to check it with"];
    const signature = note.signatures.find(
      (s) => s.name === logKey.name && hex(s.keyId) === logKey.id,
    );
    if (!signature)
      return ["failed", `no signature by ${logKey.name} (key ${logKey.id}) on the note`];
    const valid = await ed25519Verify(logKey.pub, signature.data, bytes(note.text));
    if (valid === null) return ["unsupported", NO_ED25519];
    return valid
      ? ["ok", "Ed25519 signature of the checkpoint text verifies"]
      : ["failed", "the Ed25519 signature does not verify"];
  });

  for (const signature of note.signatures) {
    if (signature.name === checkpoint.origin) continue;
    const key = keys.find((k) => k.name === signature.name);
    const label = `Cosigned by ${partyName(signature.name)}`;
    await attempt(`cosignature-${signature.name}`, label, async () => {
      if (!key) return ["skipped", `no key of ${signature.name} here: not checked`];
      if (hex(signature.keyId) !== hex(await keyId(key.name, COSIGNATURE, key.pub))) {
        return ["failed", "the line's key id is not that key's cosignature id"];
      }
      const signed = cosigned(note.text, signature.data);
      if (!signed) return ["failed", "not a cosignature (time and signature)"];
      const valid = await ed25519Verify(key.pub, signed.signature, signed.message);
      if (valid === null) return ["unsupported", NO_ED25519];
      const when = new Date(Number(signed.time) * 1000).toISOString().replace(".000Z", "Z");
      return valid
        ? ["ok", `cosignature of ${when} verifies`]
        : ["failed", "the cosignature does not verify"];
    });
  }

  // The message's entry.
  const entry = await checkEntry(message.seq, "entry", `Entry #${message.seq}`, attempt);
  if (entry) {
    const { entry: value } = entry.record;
    const body = value.body ?? {};
    Object.assign(record, {
      english: body.english ?? null,
      chinese: body.chinese ?? null,
      text: body.text ?? null,
      leaf: hex(entry.leaf),
    });
    await attempt("content", "The record says what is shown", async () => {
      const differs = [];
      const want = (name, found, shown) => {
        if ((found ?? null) !== (shown ?? null)) differs.push(name);
      };
      want("place", value.seq, message.seq);
      want("kind", value.kind, "hotline.message");
      want("message id", body.message, message.id);
      want("channel", body.channel, message.channel);
      want("sender party", value.party, message.party);
      want("sender", value.author, message.author);
      want("precedence", body.precedence, message.precedence);
      want("English", body.english, message.english);
      want("Chinese", body.chinese, message.chinese);
      want("free text", body.text, message.text);
      want("event", body.event?.id, message.event?.id);
      return differs.length
        ? ["failed", `the page shows another ${differs.join(", ")} than the record`]
        : [
            "ok",
            `sender, precedence, English, Chinese, free text${message.event ? " and event" : ""} are the record's`,
          ];
    });
    await checkSignature(entry, "entry-signature", keys, attempt);
    await checkInclusion(message.seq, entry.leaf, checkpoint, "inclusion", attempt);
  }

  // Each acknowledgement: its own entry, naming this message by its place and leaf hash.
  for (const receipt of message.receipts) {
    if (receipt.ack_seq == null) continue;
    const id = `ack-${receipt.party}`;
    const label = `Acknowledgement by ${partyName(receipt.party)}, entry #${receipt.ack_seq}`;
    if (BigInt(receipt.ack_seq) >= checkpoint.size) {
      step(id, label, "skipped", "newer than the checkpoint: verify again");
      continue;
    }
    const ack = await checkEntry(receipt.ack_seq, `${id}-entry`, label, attempt);
    if (!ack) continue;
    await attempt(`${id}-content`, `${label}: of this message`, async () => {
      const { entry: value } = ack.record;
      const body = value.body ?? {};
      const differs = [];
      if (value.kind !== "hotline.ack") differs.push("kind");
      if (value.party !== receipt.party) differs.push("party");
      if (body.message !== message.id) differs.push("message id");
      if (body.message_seq !== message.seq) differs.push("message place");
      if (!entry || body.message_leaf !== hex(entry.leaf)) differs.push("message leaf hash");
      return differs.length
        ? ["failed", `another ${differs.join(", ")}`]
        : ["ok", `by ${value.author} at ${value.at}, of entry #${message.seq} by its leaf hash`];
    });
    await checkSignature(ack, `${id}-signature`, keys, attempt);
    await checkInclusion(receipt.ack_seq, ack.leaf, checkpoint, `${id}-inclusion`, attempt);
  }
  return finish();
}

// The entry at seq: fetched, readable, hashed as a leaf and compared with the server's.
async function checkEntry(seq, id, label, attempt) {
  let found = null;
  await attempt(id, `${label}: hash`, async () => {
    const answer = await api("GET", `/api/ledger/entries/${seq}`);
    if (!answer.readable) return ["failed", "the entry is not readable by your party"];
    const leaf = await leafHash(bytes(answer.line));
    const record = splitRecord(answer.line);
    found = { seq, leaf, record, line: answer.line };
    return hex(leaf) === answer.leaf
      ? ["ok", `SHA-256(0x00 ‖ entry) = ${short(hex(leaf))}, the leaf the server gives`]
      : [
          "failed",
          `SHA-256(0x00 ‖ entry) = ${short(hex(leaf))}, the server gives ${short(answer.leaf)}`,
        ];
  });
  return found;
}

// The party's Ed25519 signature of the entry (the domain line, then the entry's bytes).
async function checkSignature(found, id, keys, attempt) {
  const { entry, keyId: signedBy, signature, entryText } = found.record;
  await attempt(id, `Signed by ${partyName(entry.party)}`, async () => {
    const key = keys.find((k) => k.name === entry.party);
    if (!key) return ["skipped", `no key of ${entry.party} here: not checked`];
    if (key.id !== signedBy)
      return ["failed", `signed with key ${signedBy}, ${entry.party}'s is ${key.id}`];
    const valid = await ed25519Verify(key.pub, signature, bytes(ENTRY_DOMAIN, entryText));
    if (valid === null) return ["unsupported", NO_ED25519];
    return valid
      ? ["ok", `Ed25519 signature by ${entry.party}+${key.id} verifies`]
      : ["failed", "the Ed25519 signature does not verify"];
  });
}

// RFC 9162 2.1.3.2: the audit path from the leaf must lead to the checkpoint's root.
async function checkInclusion(seq, leaf, checkpoint, id, attempt) {
  await attempt(id, `Entry #${seq} in the checkpoint's tree`, async () => {
    const size = String(checkpoint.size);
    const answer = await api("GET", `/api/ledger/proof/inclusion?seq=${seq}&size=${size}`);
    if (answer.leaf !== hex(leaf)) return ["failed", "the proof is of another leaf"];
    const root = await rootFromInclusion(seq, checkpoint.size, leaf, answer.proof.map(fromHex));
    return equal(root, checkpoint.root)
      ? [
          "ok",
          `${answer.proof.length} hashes lead from the leaf to the signed root of ${size} entries`,
        ]
      : ["failed", `the proof leads to ${short(hex(root))}, not the signed root`];
  });
}

// The view: a dialog with the steps as they end, then what the record says.
const MARK = { ok: "✓", failed: "✗", unsupported: "–", skipped: "–" };
const WORD = { ok: "ok", failed: "failed", unsupported: "not checked", skipped: "not checked" };
const SUMMARY = {
  ok: "Verified: the message is in the signed ledger as shown.",
  partial: "Partly verified: what could be checked here is right; see the steps not checked.",
  failed: "Verification FAILED: the ledger does not bear out what is shown.",
};

let dialog = null;

function ensureDialog() {
  if (dialog) return dialog;
  dialog = el("dialog", { id: "verify-dialog", "aria-labelledby": "verify-title" });
  dialog.innerHTML = `
    <h3 id="verify-title"></h3>
    <p class="hint">Checked in this browser with Web Crypto (SHA-256, Ed25519), from what the
      server hands over: the checkpoint, the log's key, the entry and its inclusion proof.</p>
    <ol id="verify-result" data-outcome="running"></ol>
    <p id="verify-summary" role="status"></p>
    <h4>What the record says</h4>
    <dl id="verify-record"></dl>
    <form method="dialog"><button id="verify-close" type="submit">Close</button></form>`;
  document.body.append(dialog);
  return dialog;
}

export async function showVerify(message) {
  const view = ensureDialog();
  const result = view.querySelector("#verify-result");
  const summary = view.querySelector("#verify-summary");
  const recordList = view.querySelector("#verify-record");
  const run = Symbol("run");
  view.run = run;
  view.querySelector("#verify-title").textContent =
    `Ledger check: message at entry #${message.seq}`;
  result.replaceChildren();
  result.dataset.outcome = "running";
  summary.textContent = "Checking…";
  summary.className = "";
  recordList.replaceChildren();
  if (!view.open) view.showModal();
  const { outcome, record } = await verifyMessage(message, (step) => {
    if (view.run !== run) return;
    result.append(
      el(
        "li",
        { class: `step ${step.result}`, "data-step": step.id, "data-result": step.result },
        el("span", { class: "mark" }, MARK[step.result] ?? "?"),
        el("span", { class: "label" }, step.label),
        el("span", { class: "result" }, WORD[step.result] ?? step.result),
        el("div", { class: "detail" }, step.detail ?? ""),
      ),
    );
  });
  if (view.run !== run) return;
  result.dataset.outcome = outcome;
  summary.textContent = SUMMARY[outcome];
  summary.className = outcome;
  const rows = [
    ["English", record.english],
    ["Chinese", record.chinese],
    ["free text", record.text],
    ["leaf", record.leaf],
    ["checkpoint", record.size && `${record.size} entries, signed ${record.signedAt}`],
    ["root", record.root],
  ];
  recordList.replaceChildren(
    ...rows
      .filter(([, value]) => value != null)
      .flatMap(([name, value]) => [
        el("dt", {}, name),
        el(
          "dd",
          { class: name === "leaf" || name === "root" ? "hash" : "", "data-record": name },
          value,
        ),
      ]),
  );
}
