// modules/net/dns-message: parsing and building DNS messages, byte by byte, plus property
// tests (random garbage never throws; build → parse round-trips; an independent decoder,
// dns-packet, reads what we build).

import test from "ava";
import fc from "fast-check";
import { createRequire } from "node:module";
import {
  CLASS_IN,
  FLAG_AUTHORITATIVE,
  FLAG_RESPONSE,
  MAX_MESSAGE_BYTES,
  TYPE_A,
  TYPE_NSEC,
  TYPE_PTR,
  TYPE_SRV,
  TYPE_TXT,
  asciiLower,
  encodeMessage,
  formatIpv4,
  labelToText,
  nameToLabels,
  parseHeader,
  parseIpv4,
  parseMessage,
  sameName,
  sameRecordData,
  type DnsMessage,
  type DnsRecord,
  type DnsRecordData,
} from "../modules/net/dns-message";
import { utf8Decode, utf8Encode } from "../modules/net/utf8";

interface DnsPacketModule {
  decode(buf: Buffer): {
    id: number;
    flags: number;
    questions: Array<{ name: string; type: string; class: string }>;
    answers: Array<{ name: string; type: string; class: string; flush: boolean; ttl: number; data: unknown }>;
    additionals: Array<{ name: string; type: string; ttl: number; data: unknown }>;
  };
  encode(packet: unknown): Buffer;
}
const dnsPacket = createRequire(import.meta.url)("dns-packet") as DnsPacketModule;

// ---- test-side wire helpers (written independently of the module) ---------------------------

const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");
const fromHex = (...parts: string[]) => Uint8Array.from(Buffer.from(parts.join("").replace(/\s+/g, ""), "hex"));
const ascii = (s: string) => Buffer.from(s, "latin1").toString("hex");
/** A label or character-string: length byte + bytes. */
const lbl = (s: string) => (s.length < 16 ? "0" : "") + s.length.toString(16) + ascii(s);
const u16 = (n: number) => n.toString(16).padStart(4, "0");
const u32 = (n: number) => n.toString(16).padStart(8, "0");
const header = (id: number, flags: number, qd: number, an: number, ns: number, ar: number) => u16(id) + u16(flags) + u16(qd) + u16(an) + u16(ns) + u16(ar);

function parsed(bytes: Uint8Array): DnsMessage {
  const r = parseMessage(bytes);
  if (!r.ok) throw new Error("parse failed: " + r.error);
  return r.message;
}

// ---- parsing ----------------------------------------------------------------------------------

test("parses a query: two questions (second compressed), QU bit, a known answer", (t) => {
  const bytes = fromHex(
    header(0x1234, 0x0000, 2, 1, 0, 0),
    lbl("_shelly") + lbl("_tcp") + lbl("local") + "00", // at 12: _shelly(12) _tcp(20) local(25)
    u16(TYPE_PTR) + u16(0x8001), // QU + IN
    lbl("_http") + "c014", // _http._tcp.local via pointer to offset 20
    u16(TYPE_PTR) + u16(0x0001),
    "c00c" + u16(TYPE_PTR) + u16(0x0001) + u32(4500) + u16(6) + lbl("abc") + "c00c", // known answer
  );
  const m = parsed(bytes);
  t.is(m.id, 0x1234);
  t.is(m.flags, 0);
  t.deepEqual(m.questions, [
    { name: "_shelly._tcp.local", type: TYPE_PTR, qclass: 1, unicastResponse: true },
    { name: "_http._tcp.local", type: TYPE_PTR, qclass: 1, unicastResponse: false },
  ]);
  t.deepEqual(m.answers, [
    { name: "_shelly._tcp.local", type: TYPE_PTR, rrclass: 1, cacheFlush: false, ttl: 4500, data: { kind: "ptr", target: "abc._shelly._tcp.local" } },
  ]);
  t.deepEqual(m.authorities, []);
  t.deepEqual(m.additionals, []);
  t.deepEqual(parseHeader(bytes), { id: 0x1234, flags: 0, questionCount: 2, answerCount: 1, authorityCount: 0, additionalCount: 0 });
});

test("parses every record kind: A, PTR, SRV, TXT, NSEC, cache-flush bit, u32 TTL, raw others", (t) => {
  const name = lbl("host") + lbl("local") + "00"; // at 12
  const bytes = fromHex(
    header(0, 0x8400, 0, 6, 0, 1),
    name + u16(TYPE_A) + u16(0x8001) + u32(120) + u16(4) + "0a630001",
    "c00c" + u16(TYPE_PTR) + u16(1) + u32(0xffffffff) + u16(2) + "c00c",
    "c00c" + u16(TYPE_SRV) + u16(0x8001) + u32(120) + u16(6 + 2) + u16(1) + u16(2) + u16(80) + "c00c",
    "c00c" + u16(TYPE_TXT) + u16(0x8001) + u32(4500) + u16(6 + 1 + 4) + lbl("gen=2") + "00" + "03c3bc41",
    "c00c" + u16(TYPE_NSEC) + u16(0x8001) + u32(120) + u16(2 + 2 + 5 + 2 + 1) + "c00c" + "0005" + "4000000040" + "0101" + "40",
    "c00c" + u16(99) + u16(1) + u32(7) + u16(3) + "010203",
    "c00c" + u16(28) + u16(0x8001) + u32(120) + u16(16) + "fe80000000000000000000000000beef", // AAAA: raw
  );
  const m = parsed(bytes);
  t.deepEqual(
    m.answers.map((r) => [r.name, r.type, r.cacheFlush, r.ttl, r.data]),
    [
      ["host.local", TYPE_A, true, 120, { kind: "a", address: "10.99.0.1" }],
      ["host.local", TYPE_PTR, false, 0xffffffff, { kind: "ptr", target: "host.local" }],
      ["host.local", TYPE_SRV, true, 120, { kind: "srv", priority: 1, weight: 2, port: 80, target: "host.local" }],
      ["host.local", TYPE_TXT, true, 4500, { kind: "txt", strings: ["gen=2", "", "üA"] }],
      ["host.local", TYPE_NSEC, true, 120, { kind: "nsec", next: "host.local", types: [1, 33, 256 + 1] }],
      ["host.local", 99, false, 7, { kind: "raw", bytes: Uint8Array.of(1, 2, 3) }],
    ],
  );
  t.deepEqual(m.additionals[0].data, { kind: "raw", bytes: fromHex("fe80000000000000000000000000beef") });
});

test("record data that does not fit its type is kept raw, the message still parses", (t) => {
  const cases: Array<[string, number, string]> = [
    ["A with 3 bytes", TYPE_A, "0a6300"],
    ["A with 5 bytes", TYPE_A, "0a63000101"],
    ["PTR name running past the data", TYPE_PTR, "03616263"],
    ["PTR with bytes after the name", TYPE_PTR, "0361626300ff"],
    ["PTR forward pointer", TYPE_PTR, "c0ff"],
    ["SRV too short", TYPE_SRV, "000000"],
    ["TXT string overrunning", TYPE_TXT, "0561626364"],
    ["NSEC window length 0", TYPE_NSEC, "00" + "0000"],
    ["NSEC window length 33", TYPE_NSEC, "00" + "0021" + "00".repeat(33)],
    ["NSEC windows out of order", TYPE_NSEC, "00" + "010140" + "000140"],
    ["NSEC bitmap overrunning", TYPE_NSEC, "00" + "0002" + "40"],
    ["NSEC half a window header", TYPE_NSEC, "00" + "00"],
  ];
  for (const [what, type, rdata] of cases) {
    const bytes = fromHex(header(0, 0, 1, 1, 0, 0), lbl("q") + "00" + u16(1) + u16(1), lbl("x") + "00" + u16(type) + u16(1) + u32(1) + u16(rdata.length / 2) + rdata);
    const m = parsed(bytes);
    t.deepEqual(m.answers[0].data, { kind: "raw", bytes: fromHex(rdata) }, what);
    t.is(m.questions[0].name, "q", what);
  }
});

test("framing errors come back as typed reasons, never as exceptions", (t) => {
  const q = (name: string) => fromHex(header(0, 0, 1, 0, 0, 0), name, u16(1), u16(1));
  const cases: Array<[string, Uint8Array, string]> = [
    ["empty", new Uint8Array(0), "truncated"],
    ["11 bytes", new Uint8Array(11), "truncated"],
    ["counts beyond the size", fromHex(header(0, 0, 0xffff, 0, 0, 0)), "truncated"],
    ["record count beyond the size", fromHex(header(0, 0, 0, 1, 0, 0), "00".repeat(10)), "truncated"],
    ["name without its end", fromHex(header(0, 0, 1, 0, 0, 0), lbl("abc") + "05616263"), "truncated"],
    ["label longer than the rest", fromHex(header(0, 0, 1, 0, 0, 0), "3f" + "61".repeat(10)), "truncated"],
    ["question without type", fromHex(header(0, 0, 1, 0, 0, 0), "00" + "0001" + "00"), "truncated"],
    ["pointer to itself", q("c00c"), "bad_pointer"],
    ["pointer forward", q("c010" + "00"), "bad_pointer"],
    ["pointer loop via an earlier label", fromHex(header(0, 0, 2, 0, 0, 0), lbl("a") + "c00c" + u16(1) + u16(1), "c00c" + u16(1) + u16(1)), "bad_pointer"],
    ["half a pointer at the end", fromHex(header(0, 0, 2, 0, 0, 0), lbl("abcdef") + "00" + u16(1) + u16(1), "c0"), "truncated"],
    ["reserved label type 0x40", q("4100"), "bad_name"],
    ["reserved label type 0x80", q("8100"), "bad_name"],
    ["name of 256 bytes", q((lbl("a".repeat(63))).repeat(4) + "00"), "bad_name"],
    ["name over 255 bytes through pointers", fromHex(header(0, 0, 2, 0, 0, 0), lbl("a".repeat(63)).repeat(3) + lbl("a".repeat(61)) + "00" + u16(1) + u16(1), lbl("b") + "c00c" + u16(1) + u16(1)), "bad_name"],
    ["rdata beyond the end", fromHex(header(0, 0, 0, 1, 0, 0), "00" + u16(1) + u16(1) + u32(1) + u16(4) + "0102"), "truncated"],
    ["over 9000 bytes", new Uint8Array(MAX_MESSAGE_BYTES + 1), "too_long"],
  ];
  for (const [what, bytes, error] of cases) t.deepEqual(parseMessage(bytes), { ok: false, error } as never, what);
  // 255 bytes exactly is fine: 3 × 64 + 62 + root.
  const longest = q(lbl("a".repeat(63)).repeat(3) + lbl("a".repeat(61)) + "00");
  t.true(parseMessage(longest).ok);
  t.is(parseHeader(new Uint8Array(11)), null);
});

// ---- names ------------------------------------------------------------------------------------

test("names: text to labels with escapes, UTF-8, one trailing dot; invalid names are null", (t) => {
  const labels = (name: string) => nameToLabels(name)?.map((l) => Buffer.from(l).toString("hex"));
  t.deepEqual(labels("_shelly._tcp.local"), [ascii("_shelly"), ascii("_tcp"), ascii("local")]);
  t.deepEqual(labels("local."), [ascii("local")]);
  t.deepEqual(labels(""), []);
  t.deepEqual(labels("."), []);
  t.deepEqual(labels("my\\.printer.local"), [ascii("my.printer"), ascii("local")]);
  t.deepEqual(labels("a\\\\b"), [ascii("a\\b")]);
  t.deepEqual(labels("\\000\\255\\065"), ["00ff41"]);
  t.deepEqual(labels("Küche"), ["4bc3bc636865"]);
  t.deepEqual(labels("\u{1F50C}"), ["f09f948c"]);
  t.deepEqual(labels("\ud800x"), ["efbfbd78"], "a lone surrogate becomes U+FFFD");
  t.deepEqual(labels("a".repeat(63)), [ascii("a".repeat(63))]);
  t.is(nameToLabels([..."abcd"].map((c) => c.repeat(63)).join(".").slice(0, 253))?.length, 4, "253 characters of text = 255 bytes");
  for (const bad of ["a..b", ".a", "a.b..", "a".repeat(64), [1, 2, 3, 4].map(() => "a".repeat(63)).join("."), "\\256", "\\25", "\\2x5", "a\\", "ü".repeat(32)]) {
    t.is(nameToLabels(bad), null, JSON.stringify(bad).slice(0, 40));
  }
});

test("label bytes to text: UTF-8 where valid, \\. \\\\ \\DDD otherwise", (t) => {
  const text = (h: string) => {
    const b = fromHex(h);
    return labelToText(b, 0, b.length);
  };
  t.is(text(ascii("shellypro3em-aabbccddeeff")), "shellypro3em-aabbccddeeff");
  t.is(text(ascii("a.b\\c")), "a\\.b\\\\c");
  t.is(text("00091f7f20"), "\\000\\009\\031\\127 ");
  t.is(text("4bc3bc636865"), "Küche");
  t.is(text("f09f948c"), "\u{1F50C}");
  t.is(text("c080"), "\\192\\128", "overlong");
  t.is(text("eda080"), "\\237\\160\\128", "surrogate");
  t.is(text("f4908080"), "\\244\\144\\128\\128", "above U+10FFFF");
  t.is(text("e282"), "\\226\\130", "truncated sequence");
  t.is(text("ff41"), "\\255A");
});

test("property: label bytes → text → labels gives the same bytes", (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 63 }), (label) => {
      const text = labelToText(label, 0, label.length);
      const back = nameToLabels(text);
      return back !== null && back.length === 1 && hexOf(back[0]) === hexOf(label);
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test("name comparison is ASCII case-insensitive only", (t) => {
  t.true(sameName("_Shelly._TCP.Local", "_shelly._tcp.local"));
  t.false(sameName("_shelly._tcp.local", "_shelly._tcp.locals"));
  t.false(sameName("Ä", "ä"));
  t.is(asciiLower("ABC-Ä-xyz"), "abc-Ä-xyz");
});

// ---- UTF-8 and IPv4 ---------------------------------------------------------------------------

test("property: utf8Encode matches Node's encoder; utf8Decode matches it on valid input", (t) => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
      const ours = utf8Encode(s);
      const node = Buffer.from(s, "utf8");
      return hexOf(ours) === node.toString("hex") && utf8Decode(ours) === node.toString("utf8");
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
      const decoded = utf8Decode(b);
      // Each invalid byte is one U+FFFD; valid input decodes as Node does.
      return Buffer.from(b).toString("utf8") === decoded || decoded.includes("\ufffd");
    }),
    { numRuns: 2000 },
  );
  t.is(utf8Decode(fromHex("e282ff41")), "\ufffd\ufffdA"); // one U+FFFD per maximal subpart, as TextDecoder
  t.is(utf8Decode(fromHex("41424344"), 1, 3), "BC");
});

test("IPv4 text ↔ number", (t) => {
  t.is(parseIpv4("10.99.0.1"), 0x0a630001);
  t.is(parseIpv4("255.255.255.255"), 0xffffffff);
  t.is(parseIpv4("0.0.0.0"), 0);
  for (const bad of ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "1..2.3", " 1.2.3.4", "1.2.3.4 "]) t.is(parseIpv4(bad), null, bad);
  t.is(formatIpv4(0xc0a80401), "192.168.4.1");
  t.is(formatIpv4(0xffffffff), "255.255.255.255");
});

// ---- building ---------------------------------------------------------------------------------

const rec = (name: string, type: number, data: DnsRecordData, ttl = 120, cacheFlush = true): DnsRecord => ({ name, type, rrclass: CLASS_IN, cacheFlush, ttl, data });
const response = (answers: DnsRecord[], extra: Partial<DnsMessage> = {}): DnsMessage => ({ id: 0, flags: FLAG_RESPONSE | FLAG_AUTHORITATIVE, questions: [], answers, authorities: [], additionals: [], ...extra });

test("builds with name compression; SRV target and NSEC next name in full", (t) => {
  const bytes = encodeMessage(
    response(
      [
        rec("_svc._tcp.local", TYPE_PTR, { kind: "ptr", target: "dev._svc._tcp.local" }, 4500, false),
        rec("dev._svc._tcp.local", TYPE_SRV, { kind: "srv", priority: 0, weight: 0, port: 80, target: "dev.local" }),
        rec("dev.local", TYPE_A, { kind: "a", address: "10.99.0.1" }),
        rec("DEV.local", TYPE_A, { kind: "a", address: "10.99.0.2" }),
      ],
      { additionals: [rec("dev.local", TYPE_NSEC, { kind: "nsec", next: "dev.local", types: [TYPE_A] })] },
    ),
  );
  t.is(
    hexOf(bytes!),
    header(0, 0x8400, 0, 4, 0, 1) +
      // 12: _svc(12) _tcp(17) local(22) 0(28)
      lbl("_svc") + lbl("_tcp") + lbl("local") + "00" + u16(TYPE_PTR) + u16(1) + u32(4500) + u16(6) +
      // 39: rdata dev(39) → pointer to _svc at 12
      lbl("dev") + "c00c" +
      // 45: SRV owner = the PTR target at 39
      "c027" + u16(TYPE_SRV) + u16(0x8001) + u32(120) + u16(6 + 11) + u16(0) + u16(0) + u16(80) +
      // 63: target written in full: dev(63) local(67) 0
      lbl("dev") + lbl("local") + "00" +
      // 74: A owner → the SRV target at 63
      "c03f" + u16(TYPE_A) + u16(0x8001) + u32(120) + u16(4) + "0a630001" +
      // 90: "DEV.local": compression keeps the spelling, so only "local" (22) is shared
      lbl("DEV") + "c016" + u16(TYPE_A) + u16(0x8001) + u32(120) + u16(4) + "0a630002" +
      // 110: NSEC owner → 63; next name in full; window 0, 1 byte, bit for type 1
      "c03f" + u16(TYPE_NSEC) + u16(0x8001) + u32(120) + u16(11 + 3) + lbl("dev") + lbl("local") + "00" + "000140",
  );
});

test("builds questions with the QU bit, TXT (empty = one zero byte), raw data, TTL 0", (t) => {
  const bytes = encodeMessage({
    id: 0xbeef,
    flags: 0,
    questions: [{ name: "a.local", type: TYPE_PTR, qclass: CLASS_IN, unicastResponse: true }],
    answers: [rec("a.local", TYPE_TXT, { kind: "txt", strings: [] }, 0, false), rec("a.local", TYPE_TXT, { kind: "txt", strings: ["k=ü", ""] }, 0, false)],
    authorities: [rec("a.local", 99, { kind: "raw", bytes: Uint8Array.of(9, 8) }, 1, false)],
    additionals: [],
  });
  t.is(
    hexOf(bytes!),
    header(0xbeef, 0, 1, 2, 1, 0) +
      lbl("a") + lbl("local") + "00" + u16(TYPE_PTR) + u16(0x8001) +
      "c00c" + u16(TYPE_TXT) + u16(1) + u32(0) + u16(1) + "00" +
      "c00c" + u16(TYPE_TXT) + u16(1) + u32(0) + u16(6) + "046b3dc3bc" + "00" +
      "c00c" + u16(99) + u16(1) + u32(1) + u16(2) + "0908",
  );
});

test("NSEC type bitmaps span windows", (t) => {
  const bytes = encodeMessage(response([rec("a", TYPE_NSEC, { kind: "nsec", next: "a", types: [TYPE_SRV, TYPE_TXT, 257, 1, TYPE_TXT] })]))!;
  // window 0: types 1, 16, 33 → 5 bytes 40 00 80 00 40; window 1: type 257 → 1 byte 40
  t.true(hexOf(bytes).endsWith(lbl("a") + "00" + "0005" + "4000800040" + "0101" + "40"));
  const m = parsed(bytes);
  t.deepEqual(m.answers[0].data, { kind: "nsec", next: "a", types: [1, 16, 16, 33, 257].filter((v, i, a) => a.indexOf(v) === i) });
});

test("building refuses bad input with null", (t) => {
  const one = (data: DnsRecordData, name = "a.local") => encodeMessage(response([rec(name, TYPE_A, data)]));
  t.is(one({ kind: "a", address: "10.0.0.256" }), null);
  t.is(one({ kind: "a", address: "10.99.0.1" }, "a..local"), null);
  t.is(one({ kind: "ptr", target: "x".repeat(64) }), null);
  t.is(one({ kind: "srv", priority: 0, weight: 0, port: 1, target: ".x" }), null);
  t.is(one({ kind: "nsec", next: "a..b", types: [1] }), null);
  t.is(one({ kind: "nsec", next: "a", types: [70000] }), null);
  t.is(one({ kind: "txt", strings: ["x".repeat(256)] }), null);
  t.not(one({ kind: "txt", strings: ["x".repeat(255)] }), null);
  t.is(encodeMessage({ ...response([]), questions: [{ name: "a..b", type: 1, qclass: 1, unicastResponse: false }] }), null);
  const big = response([rec("a.local", TYPE_TXT, { kind: "txt", strings: ["x".repeat(200)] })]);
  t.is(encodeMessage(big, 100), null, "over maxBytes");
  t.is(encodeMessage(big, 12 + 9 + 10 + 201)!.length, 232, "exactly maxBytes");
  const many = response(Array.from({ length: 60 }, () => rec("a.local", TYPE_TXT, { kind: "txt", strings: ["y".repeat(200)] })));
  t.is(encodeMessage(many), null, "over 9000 bytes");
});

test("record data equality (known answers)", (t) => {
  t.true(sameRecordData({ kind: "ptr", target: "A.local" }, { kind: "ptr", target: "a.LOCAL" }));
  t.false(sameRecordData({ kind: "ptr", target: "a.local" }, { kind: "a", address: "1.2.3.4" }));
  t.true(sameRecordData({ kind: "srv", priority: 0, weight: 0, port: 80, target: "h.local" }, { kind: "srv", priority: 0, weight: 0, port: 80, target: "H.local" }));
  t.false(sameRecordData({ kind: "srv", priority: 0, weight: 0, port: 80, target: "h.local" }, { kind: "srv", priority: 0, weight: 0, port: 81, target: "h.local" }));
  t.true(sameRecordData({ kind: "txt", strings: ["a", "b"] }, { kind: "txt", strings: ["a", "b"] }));
  t.false(sameRecordData({ kind: "txt", strings: ["a", "b"] }, { kind: "txt", strings: ["a"] }));
  t.true(sameRecordData({ kind: "nsec", next: "a", types: [1] }, { kind: "nsec", next: "A", types: [1] }));
  t.false(sameRecordData({ kind: "nsec", next: "a", types: [1] }, { kind: "nsec", next: "a", types: [28] }));
  t.true(sameRecordData({ kind: "raw", bytes: Uint8Array.of(1) }, { kind: "raw", bytes: Uint8Array.of(1) }));
  t.false(sameRecordData({ kind: "raw", bytes: Uint8Array.of(1) }, { kind: "raw", bytes: Uint8Array.of(2) }));
  t.false(sameRecordData({ kind: "a", address: "1.2.3.4" }, { kind: "a", address: "1.2.3.5" }));
});

// ---- properties -------------------------------------------------------------------------------

const labelArb = fc.uint8Array({ minLength: 1, maxLength: 20 }).map((b) => labelToText(b, 0, b.length));
const nameArb = fc.array(fc.oneof(labelArb, fc.constantFrom("local", "_tcp", "_shelly", "LOCAL")), { minLength: 1, maxLength: 5 }).map((l) => l.join("."));
const dataArb: fc.Arbitrary<[number, DnsRecordData]> = fc.oneof(
  fc.tuple(fc.constant(TYPE_A), fc.record({ kind: fc.constant("a" as const), address: fc.ipV4() })),
  fc.tuple(fc.constant(TYPE_PTR), fc.record({ kind: fc.constant("ptr" as const), target: nameArb })),
  fc.tuple(fc.constant(TYPE_SRV), fc.record({ kind: fc.constant("srv" as const), priority: fc.nat(0xffff), weight: fc.nat(0xffff), port: fc.nat(0xffff), target: nameArb })),
  fc.tuple(fc.constant(TYPE_TXT), fc.record({ kind: fc.constant("txt" as const), strings: fc.array(fc.string({ unit: "grapheme", maxLength: 30 }), { minLength: 1, maxLength: 4 }) })),
  fc.tuple(fc.constant(TYPE_NSEC), fc.record({ kind: fc.constant("nsec" as const), next: nameArb, types: fc.uniqueArray(fc.nat(600), { minLength: 1, maxLength: 6 }).map((a) => a.sort((x, y) => x - y)) })),
  fc.tuple(fc.integer({ min: 256, max: 0xffff }), fc.record({ kind: fc.constant("raw" as const), bytes: fc.uint8Array({ maxLength: 20 }) })),
);
const recordArb: fc.Arbitrary<DnsRecord> = fc
  .tuple(nameArb, dataArb, fc.integer({ min: 1, max: 0x7fff }), fc.boolean(), fc.nat({ max: 0xffffffff }))
  .map(([name, [type, data], rrclass, cacheFlush, ttl]) => ({ name, type, rrclass, cacheFlush, ttl, data }));
const messageArb: fc.Arbitrary<DnsMessage> = fc.record({
  id: fc.nat(0xffff),
  flags: fc.nat(0xffff),
  questions: fc.array(fc.record({ name: nameArb, type: fc.nat(0xffff), qclass: fc.integer({ min: 1, max: 0x7fff }), unicastResponse: fc.boolean() }), { maxLength: 3 }),
  answers: fc.array(recordArb, { maxLength: 4 }),
  authorities: fc.array(recordArb, { maxLength: 2 }),
  additionals: fc.array(recordArb, { maxLength: 3 }),
});

test("property: parse(encode(m)) gives m back", (t) => {
  fc.assert(
    fc.property(messageArb, (m) => {
      const bytes = encodeMessage(m);
      if (bytes === null) return false;
      t.deepEqual(parsed(bytes), m);
      return true;
    }),
    { numRuns: 1000 },
  );
});

test("property: dns-packet (an independent decoder) reads what we build", (t) => {
  const typeNames: Record<number, string> = { [TYPE_A]: "A", [TYPE_PTR]: "PTR", [TYPE_SRV]: "SRV", [TYPE_TXT]: "TXT" };
  const simpleName = fc.array(fc.stringMatching(/^[a-z0-9_-]{1,12}$/), { minLength: 1, maxLength: 4 }).map((l) => l.join("."));
  const simpleRecord = fc.oneof(
    fc.record({ name: simpleName, address: fc.ipV4() }).map(({ name, address }) => rec(name, TYPE_A, { kind: "a", address })),
    fc.record({ name: simpleName, target: simpleName }).map(({ name, target }) => rec(name, TYPE_PTR, { kind: "ptr", target }, 4500, false)),
    fc.record({ name: simpleName, target: simpleName, port: fc.nat(0xffff) }).map(({ name, target, port }) => rec(name, TYPE_SRV, { kind: "srv", priority: 1, weight: 2, port, target })),
    fc.record({ name: simpleName, strings: fc.array(fc.stringMatching(/^[ -~]{0,40}$/), { minLength: 1, maxLength: 5 }) }).map(({ name, strings }) => rec(name, TYPE_TXT, { kind: "txt", strings })),
  );
  fc.assert(
    fc.property(fc.array(simpleRecord, { minLength: 1, maxLength: 8 }), (answers) => {
      const bytes = encodeMessage(response(answers))!;
      const theirs = dnsPacket.decode(Buffer.from(bytes));
      t.is(theirs.answers.length, answers.length);
      answers.forEach((r, i) => {
        const a = theirs.answers[i];
        t.is(a.name, r.name);
        t.is(a.type, typeNames[r.type]);
        t.is(a.ttl, r.ttl);
        t.is(a.flush, r.cacheFlush);
        const d = r.data;
        if (d.kind === "a") t.is(a.data, d.address);
        if (d.kind === "ptr") t.is(a.data, d.target);
        if (d.kind === "srv") t.deepEqual(a.data, { priority: 1, weight: 2, port: d.port, target: d.target });
        if (d.kind === "txt") t.deepEqual((a.data as Buffer[]).map((b) => b.toString("latin1")), d.strings);
      });
    }),
    { numRuns: 300 },
  );
});

test("property: random bytes and mutated messages never throw", (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      const r = parseMessage(b);
      return r.ok || typeof r.error === "string";
    }),
    { numRuns: 5000 },
  );
  fc.assert(
    fc.property(messageArb, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 8 }), fc.nat(), (m, flips, cut) => {
      const bytes = encodeMessage(m);
      if (bytes === null) return true;
      for (const [at, v] of flips) bytes[at % bytes.length] = v;
      const r1 = parseMessage(bytes);
      const r2 = parseMessage(bytes.subarray(0, cut % (bytes.length + 1)));
      return (r1.ok || typeof r1.error === "string") && (r2.ok || typeof r2.error === "string");
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test("dns-packet's encoding of a real-world style query parses", (t) => {
  const query = dnsPacket.encode({
    type: "query",
    id: 0,
    flags: 0,
    questions: [
      { name: "_shelly._tcp.local", type: "PTR" },
      { name: "_http._tcp.local", type: "PTR" },
    ],
    answers: [{ name: "_http._tcp.local", type: "PTR", ttl: 4400, data: "other._http._tcp.local" }],
  });
  query[12 + 20 + 2] |= 0x80; // the QU bit of the first question (dns-packet cannot set it)
  const m = parsed(query);
  t.deepEqual(m.questions, [
    { name: "_shelly._tcp.local", type: TYPE_PTR, qclass: 1, unicastResponse: true },
    { name: "_http._tcp.local", type: TYPE_PTR, qclass: 1, unicastResponse: false },
  ]);
  t.deepEqual(m.answers[0].data, { kind: "ptr", target: "other._http._tcp.local" });
});
