#!/usr/bin/env node
// Process adapter (docs/conformance.md sections 3 and 8) for the primitive
// operations of tools/ce1_prim.h over Node.js's built-in crypto module (no
// npm packages). Run it as `node tools/adapters/node_adapter.mjs`.
//
// It offers what node:crypto offers as an application sees it:
// - aes_ecb_* (aes-128/192/256-ecb, setAutoPadding(false)), sm4_ecb_* when
//   the linked OpenSSL lists sm4-ecb, aes_xts_* (aes-128/256-xts, the
//   tweak as the IV), aes_gcm_seal / aes_gcm_open (aes-*-gcm with
//   authTagLength, setAAD, getAuthTag / setAuthTag), hkdf_sha256
//   (crypto.hkdfSync), pbkdf2_sha256 (crypto.pbkdf2Sync), and
//   capabilities.
// - Not hkdf_sha256_extract nor hkdf_sha256_expand: hkdfSync does extract
//   and expand together and Node has no API for either step alone, so they
//   are not announced and answer UNSUPPORTED_OP.
// - No CE1 frames: protect, unprotect and derive answer UNSUPPORTED_OP.
//
// Statuses, in ce1_prim.h's order: a line that is not a JSON object
// (invalid UTF-8, decoded with a fatal TextDecoder; not JSON; not an
// object; duplicate member names) or a member missing or of the wrong
// type (strict hex; integers written as integers, which JSON.parse cannot
// tell from 7.0, hence the small parser below): INVALID_ARGUMENT; then
// ce1_prim.h's argument domains: INVALID_ARGUMENT; then what node:crypto
// refuses of the rest: NOT_SUPPORTED (seen with Node 20 / OpenSSL 3.0: GCM
// tag lengths other than 4, 8 and 12..16, GCM IVs over 128 bytes, XTS
// encryption with Key1 == Key2, HKDF info over 1024 bytes, PBKDF2
// iterations or length over 2**31 - 1); then the operation (aes_gcm_open:
// a tag of another size than tag_len, or one that does not verify:
// AUTH_FAILED). Anything else that throws is INTERNAL, with a line on
// standard error.

import crypto from "node:crypto";
import process from "node:process";

// ------------------------------------------------------------ strict JSON

class JsonInt {
  // A JSON number written as an integer: an optional "-" and digits.
  constructor(text) { this.value = BigInt(text); }
}

class JsonNumber {} // a number with a fraction or an exponent

class Malformed extends Error {}

const MAX_DEPTH = 512;

// Parses one line of text as RFC 8259 JSON. Objects are null-prototype
// objects (a member named "__proto__" is just a member), duplicate names
// are refused, integers become JsonInt and other numbers JsonNumber.
function parseJson(text) {
  let i = 0;
  const fail = () => { throw new Malformed(); };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const literal = (word, value) => {
    if (text.startsWith(word, i)) { i += word.length; return value; }
    return fail();
  };
  const string = () => {
    i++; // the opening quote
    let out = "";
    let start = i;
    for (;;) {
      if (i >= text.length) fail();
      const c = text.charCodeAt(i);
      if (c === 0x22) { out += text.slice(start, i); i++; return out; }
      if (c < 0x20) fail();
      if (c !== 0x5c) { i++; continue; }
      out += text.slice(start, i);
      const e = text[i + 1];
      const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f",
                       n: "\n", r: "\r", t: "\t" }[e];
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (e === "u") {
        const h = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(h)) fail();
        out += String.fromCharCode(parseInt(h, 16));
        i += 6;
      } else {
        fail();
      }
      start = i;
    }
  };
  const numberRe = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
  const number = () => {
    numberRe.lastIndex = i;
    const m = numberRe.exec(text);
    if (!m) fail();
    i += m[0].length;
    return m[1] === undefined && m[2] === undefined
      ? new JsonInt(m[0]) : new JsonNumber();
  };
  const value = (depth) => {
    if (depth > MAX_DEPTH) fail();
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj = Object.create(null);
      ws();
      if (text[i] === "}") { i++; return obj; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const name = string();
        if (Object.prototype.hasOwnProperty.call(obj, name)) fail();
        ws();
        if (text[i] !== ":") fail();
        i++;
        obj[name] = value(depth + 1);
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") { i++; return obj; }
        fail();
      }
    }
    if (c === "[") {
      i++;
      const arr = [];
      ws();
      if (text[i] === "]") { i++; return arr; }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") { i++; return arr; }
        fail();
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true", true);
    if (c === "f") return literal("false", false);
    if (c === "n") return literal("null", null);
    if (c === "-" || (c >= "0" && c <= "9")) return number();
    return fail();
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail();
  return v;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// The request object of a line (a Buffer without its newline), or null.
function parseLine(bytes) {
  try {
    const v = parseJson(utf8.decode(bytes));
    return v !== null && typeof v === "object" && !Array.isArray(v)
      && !(v instanceof JsonInt) && !(v instanceof JsonNumber) ? v : null;
  } catch (e) {
    if (e instanceof Malformed || e instanceof TypeError
        || e instanceof RangeError) return null; // bad UTF-8, deep nesting
    throw e;
  }
}

// --------------------------------------------------------------- requests

class Refused extends Error {
  constructor(status) { super(status); this.status = status; }
}
const invalid = () => new Refused("INVALID_ARGUMENT");

function hexField(req, name) {
  const v = req[name];
  if (typeof v !== "string" || v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v))
    throw invalid();
  return Buffer.from(v, "hex");
}

// An integer field as a BigInt.
function intField(req, name) {
  const v = req[name];
  if (!(v instanceof JsonInt)) throw invalid();
  return v.value;
}

function need(ok) { if (!ok) throw invalid(); }

// node:crypto refused an argument inside ce1_prim.h's domain.
function refusedBy(fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Refused) throw e;
    if (typeof e?.code === "string"
        && /^(ERR_CRYPTO_|ERR_OSSL_|ERR_OUT_OF_RANGE$)/
          .test(e.code))
      throw new Refused("NOT_SUPPORTED");
    throw e;
  }
}

const run = (ctx, data) => Buffer.concat([ctx.update(data), ctx.final()]);

function ecb(name, encrypt) {
  return (key, data) => {
    const ctx = refusedBy(() => encrypt
      ? crypto.createCipheriv(name(key), key, null)
      : crypto.createDecipheriv(name(key), key, null));
    ctx.setAutoPadding(false);
    return run(ctx, data);
  };
}

const aesEcbName = (key) => `aes-${key.length * 8}-ecb`;

function xts(encrypt, key, tweak, data) {
  const name = `aes-${key.length * 4}-xts`;
  return refusedBy(() => run(encrypt
    ? crypto.createCipheriv(name, key, tweak)
    : crypto.createDecipheriv(name, key, tweak), data));
}

function gcmSeal(key, iv, aad, plaintext, tagLen) {
  const c = refusedBy(() => crypto.createCipheriv(
    `aes-${key.length * 8}-gcm`, key, iv, { authTagLength: tagLen }));
  c.setAAD(aad);
  const ct = run(c, plaintext);
  return [ct, c.getAuthTag()];
}

function gcmOpen(key, iv, aad, ciphertext, tag, tagLen) {
  // The receiver's configuration first (NOT_SUPPORTED before AUTH_FAILED),
  // then the tag's size, which an application must check: without
  // authTagLength Node accepts any valid tag length.
  const d = refusedBy(() => crypto.createDecipheriv(
    `aes-${key.length * 8}-gcm`, key, iv, { authTagLength: tagLen }));
  if (tag.length !== tagLen) throw new Refused("AUTH_FAILED");
  d.setAuthTag(tag);
  d.setAAD(aad);
  const pt = d.update(ciphertext);
  try {
    d.final();
  } catch (e) {
    throw new Refused("AUTH_FAILED");
  }
  return pt;
}

const HKDF_MAX = 255n * 32n;

const ops = {
  aes_ecb_encrypt: (req) => {
    const key = hexField(req, "key"), data = hexField(req, "data");
    need([16, 24, 32].includes(key.length) && data.length % 16 === 0);
    return { data: ecb(aesEcbName, true)(key, data).toString("hex") };
  },
  aes_ecb_decrypt: (req) => {
    const key = hexField(req, "key"), data = hexField(req, "data");
    need([16, 24, 32].includes(key.length) && data.length % 16 === 0);
    return { data: ecb(aesEcbName, false)(key, data).toString("hex") };
  },
  aes_xts_encrypt: (req) => xtsRequest(req, true),
  aes_xts_decrypt: (req) => xtsRequest(req, false),
  aes_gcm_seal: (req) => {
    const key = hexField(req, "key"), iv = hexField(req, "iv");
    const aad = hexField(req, "aad"), pt = hexField(req, "plaintext");
    const tagLen = intField(req, "tag_len");
    need([16, 24, 32].includes(key.length) && iv.length >= 1
         && tagLen >= 1n && tagLen <= 16n);
    const [ct, tag] = gcmSeal(key, iv, aad, pt, Number(tagLen));
    return { ciphertext: ct.toString("hex"), tag: tag.toString("hex") };
  },
  aes_gcm_open: (req) => {
    const key = hexField(req, "key"), iv = hexField(req, "iv");
    const aad = hexField(req, "aad"), ct = hexField(req, "ciphertext");
    const tag = hexField(req, "tag"), tagLen = intField(req, "tag_len");
    need([16, 24, 32].includes(key.length) && iv.length >= 1
         && tagLen >= 1n && tagLen <= 16n);
    return { plaintext: gcmOpen(key, iv, aad, ct, tag, Number(tagLen))
      .toString("hex") };
  },
  hkdf_sha256: (req) => {
    const salt = hexField(req, "salt"), ikm = hexField(req, "ikm");
    const info = hexField(req, "info"), length = intField(req, "length");
    need(length >= 1n && length <= HKDF_MAX);
    const okm = refusedBy(() =>
      crypto.hkdfSync("sha256", ikm, salt, info, Number(length)));
    return { okm: Buffer.from(okm).toString("hex") };
  },
  pbkdf2_sha256: (req) => {
    const password = hexField(req, "password"), salt = hexField(req, "salt");
    const iterations = intField(req, "iterations");
    const length = intField(req, "length");
    need(iterations >= 1n && length >= 1n);
    // Past 2**53 Number() rounds, but node:crypto refuses anything over
    // 2**31 - 1 anyway.
    const dk = refusedBy(() => crypto.pbkdf2Sync(
      password, salt, Number(iterations), Number(length), "sha256"));
    return { dk: dk.toString("hex") };
  },
};

function xtsRequest(req, encrypt) {
  const key = hexField(req, "key"), tweak = hexField(req, "tweak");
  const data = hexField(req, "data");
  need([32, 64].includes(key.length) && tweak.length === 16
       && data.length >= 16);
  return { data: xts(encrypt, key, tweak, data).toString("hex") };
}

if (crypto.getCiphers().includes("sm4-ecb")) {
  const sm4 = () => "sm4-ecb";
  ops.sm4_ecb_encrypt = (req) => {
    const key = hexField(req, "key"), data = hexField(req, "data");
    need(key.length === 16 && data.length % 16 === 0);
    return { data: ecb(sm4, true)(key, data).toString("hex") };
  };
  ops.sm4_ecb_decrypt = (req) => {
    const key = hexField(req, "key"), data = hexField(req, "data");
    need(key.length === 16 && data.length % 16 === 0);
    return { data: ecb(sm4, false)(key, data).toString("hex") };
  };
}

function answer(req) {
  if (req === null) return { error: "INVALID_ARGUMENT" };
  const op = req.op;
  if (typeof op !== "string") return { error: "INVALID_ARGUMENT" };
  if (op === "capabilities") return { ops: Object.keys(ops).sort() };
  if (!Object.prototype.hasOwnProperty.call(ops, op))
    return { error: "UNSUPPORTED_OP" };
  try {
    return ops[op](req);
  } catch (e) {
    if (e instanceof Refused) return { error: e.status };
    throw e;
  }
}

function respond(line) {
  let ans;
  try {
    ans = answer(parseLine(line));
  } catch (e) {
    process.stderr.write(
      `node_adapter: ${e?.code ?? ""} ${e?.message ?? e}\n`);
    ans = { error: "INTERNAL" };
  }
  return JSON.stringify(ans) + "\n";
}

// ------------------------------------------------------------------ stdin

// Standard output to a pipe or a file is synchronous in Node on Linux, so
// each answer is written (flushed) before the next line is read.
// The runner closed our standard output: nothing more can be answered.
process.stdout.on("error", () => process.exit(0));
let pending = [];
process.stdin.on("data", (chunk) => {
  let start = 0;
  for (let nl = chunk.indexOf(0x0a); nl !== -1;
       nl = chunk.indexOf(0x0a, start)) {
    pending.push(chunk.subarray(start, nl));
    const line = pending.length === 1 ? pending[0] : Buffer.concat(pending);
    pending = [];
    process.stdout.write(respond(line));
    start = nl + 1;
  }
  if (start < chunk.length) pending.push(chunk.subarray(start));
});
process.stdin.on("end", () => {
  if (pending.length) process.stdout.write(respond(Buffer.concat(pending)));
  pending = [];
});
