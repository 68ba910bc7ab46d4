// The ledger's checks, in the browser, with Web Crypto alone: RFC 6962 hashing (SHA-256,
// leaf H(0x00 || entry), node H(0x01 || left || right)), RFC 9162's inclusion proof
// verification (2.1.3.2), C2SP signed notes and their Ed25519 signatures, and the record
// a party signed. The same rules as src/shade/ledger (merkle.py, notes.py, keys.py,
// entries.py), so that a party need not take the server's word for what it says.

const utf8 = new TextEncoder();
const DASH = "\u2014 ";
export const ED25519 = 0x01;
export const COSIGNATURE = 0x04;
export const ENTRY_DOMAIN = "shade/ledger/entry/v1\n";

export class CheckError extends Error {}

// Web Crypto is there only in a secure context (HTTPS, or localhost).
export function webCrypto() {
  return globalThis.crypto && globalThis.crypto.subtle ? globalThis.crypto.subtle : null;
}

export function bytes(...parts) {
  const chunks = parts.map((p) =>
    typeof p === "string" ? utf8.encode(p) : p instanceof Uint8Array ? p : Uint8Array.from(p),
  );
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

export function hex(data) {
  return [...data].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function fromHex(text) {
  if (typeof text !== "string" || !/^([0-9a-f]{2})*$/.test(text))
    throw new CheckError(`not hex: ${String(text).slice(0, 20)}`);
  return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
}

export function fromBase64(text) {
  let raw;
  try {
    raw = atob(text);
  } catch {
    throw new CheckError(`not base64: ${String(text).slice(0, 20)}`);
  }
  const out = Uint8Array.from(raw, (c) => c.charCodeAt(0));
  if (toBase64(out) !== text) throw new CheckError("not canonical base64");
  return out;
}

export function toBase64(data) {
  return btoa(String.fromCharCode(...data));
}

export function equal(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export async function sha256(...parts) {
  return new Uint8Array(await webCrypto().digest("SHA-256", bytes(...parts)));
}

export const leafHash = (data) => sha256([0x00], data);
export const nodeHash = (left, right) => sha256([0x01], left, right);

// RFC 9162 2.1.3.2: the root an inclusion proof leads to from leaf `index` of a tree of
// `size` leaves (sizes as BigInt: a log may outgrow 32 bits).
export async function rootFromInclusion(index, size, leaf, proof) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn < 0n || fn > sn) throw new CheckError(`no leaf ${index} in a tree of ${size}`);
  for (const hash of [leaf, ...proof]) {
    if (hash.length !== 32) throw new CheckError("a hash is 32 bytes");
  }
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) throw new CheckError("the inclusion proof is too long");
    if (fn & 1n || fn === sn) {
      r = await nodeHash(p, r);
      if (!(fn & 1n)) {
        while (fn !== 0n && !(fn & 1n)) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new CheckError("the inclusion proof is too short");
  return r;
}

// A key's 4-byte id: SHA-256(name || 0x0A || type || public key)[:4].
export async function keyId(name, type, pub) {
  return (await sha256(name, [0x0a, type], pub)).slice(0, 4);
}

// Verifier keys, one per line: name+keyidhex+base64(0x01 || public key). Returns
// [{name, id (as written), pub, line}]; lines that are not keys are skipped.
export function parseKeys(text) {
  const keys = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const first = line.indexOf("+");
    const second = line.indexOf("+", first + 1);
    if (first <= 0 || second < 0) continue;
    const name = line.slice(0, first);
    const id = line.slice(first + 1, second);
    let data;
    try {
      data = fromBase64(line.slice(second + 1));
    } catch {
      continue;
    }
    if (!/^[0-9a-f]{8}$/.test(id) || data.length !== 33 || data[0] !== ED25519) continue;
    keys.push({ name, id, pub: data.slice(1), line });
  }
  return keys;
}

// A signed note: its text (up to and with the newline before the blank line) and its
// signature lines "— name base64(keyid || data)".
export function parseNote(note) {
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) throw new CheckError("not a signed note");
  const text = note.slice(0, split + 1);
  const signatures = note
    .slice(split + 2)
    .split("\n")
    .filter((line) => line)
    .map((line) => {
      if (!line.startsWith(DASH))
        throw new CheckError(`not a signature line: ${line.slice(0, 40)}`);
      const rest = line.slice(DASH.length);
      const space = rest.indexOf(" ");
      const raw = space > 0 ? fromBase64(rest.slice(space + 1)) : new Uint8Array();
      if (raw.length < 5) throw new CheckError(`a malformed signature line: ${line.slice(0, 40)}`);
      return { name: rest.slice(0, space), keyId: raw.slice(0, 4), data: raw.slice(4) };
    });
  return { text, signatures };
}

// A checkpoint's text: origin, size, base64 root (and maybe more lines).
export function parseCheckpoint(text) {
  const lines = text.split("\n");
  if (lines.length < 4 || lines[lines.length - 1] !== "" || lines.slice(0, -1).some((l) => !l)) {
    throw new CheckError("a checkpoint's text is three or more non-empty lines");
  }
  if (!/^(0|[1-9][0-9]{0,18})$/.test(lines[1]))
    throw new CheckError("the checkpoint's size is not a number");
  const root = fromBase64(lines[2]);
  if (root.length !== 32) throw new CheckError("the checkpoint's root is not 32 bytes");
  return { origin: lines[0], size: BigInt(lines[1]), root, rootText: lines[2] };
}

// What a cosignature (C2SP tlog-cosignature, type 0x04) signs, and its time.
export function cosigned(text, data) {
  if (data.length !== 8 + 64) return null;
  const time = new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0);
  return {
    time,
    message: bytes(`cosignature/v1\ntime ${time}\n${text}`),
    signature: data.slice(8),
  };
}

// Ed25519 verification: true or false, or null when this browser's Web Crypto has no
// Ed25519.
export async function ed25519Verify(pub, signature, message) {
  let key;
  try {
    key = await webCrypto().importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
  } catch (failure) {
    // No Ed25519 here (older browsers say NotSupportedError, or TypeError); a key that is
    // not one is a failure.
    if (failure && (failure.name === "NotSupportedError" || failure.name === "TypeError"))
      return null;
    return false;
  }
  try {
    return await webCrypto().verify({ name: "Ed25519" }, key, signature, message);
  } catch {
    return false;
  }
}

// A record as the log holds it, canonical JSON {"entry":{...},"key":"<8 hex>","sig":"..."}:
// its entry's canonical bytes (what the party signed, after the domain line), the key id,
// the signature and the parsed entry. Keys are in byte order, so "entry" comes first.
export function splitRecord(line) {
  const found = /^\{"entry":(\{.*\}),"key":"([0-9a-f]{8})","sig":"([A-Za-z0-9+/=]+)"\}$/s.exec(
    line,
  );
  if (!found) throw new CheckError("the line is not a signed record");
  let entry;
  try {
    entry = JSON.parse(found[1]);
  } catch {
    throw new CheckError("the record's entry is not JSON");
  }
  return { entryText: found[1], entry, keyId: found[2], signature: fromBase64(found[3]) };
}
