// modules/net (DNS messages, mDNS responder) on XS: the same bytes as on Node, names with
// escapes and UTF-8 without TextEncoder, and random datagrams that never throw.

import { encodeMessage, labelToText, nameToLabels, parseMessage, TYPE_PTR } from "../../modules/net/dns-message";
import { utf8Decode, utf8Encode } from "../../modules/net/utf8";
import { MdnsResponder } from "../../modules/net/mdns-responder";
import { deepEqual, equal, ok, test } from "./harness";

const ID = "shellypro3em-aabbccddeeff";
const IDENTITY = { id: ID, mac: "AABBCCDDEEFF", model: "SPEM-003CEBEU", app: "Pro3EM", version: "1.4.4", firmwareId: "20240213-000000/1.4.4-test", gen: 2 };
const TXT = ["gen=2", "id=" + ID, "mac=AABBCCDDEEFF", "app=Pro3EM", "model=SPEM-003CEBEU", "ver=1.4.4", "fw_id=20240213-000000/1.4.4-test", "arch=esp8266"];

const hexOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const fromHex = (h: string) => {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
};
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
const lbl = (s: string) => s.length.toString(16).padStart(2, "0") + ascii(s);
const u16 = (n: number) => n.toString(16).padStart(4, "0");
const u32 = (n: number) => n.toString(16).padStart(8, "0");
const TXT_RDATA = TXT.map(lbl).join("");

const ANNOUNCEMENT =
  u16(0) + u16(0x8400) + u16(0) + u16(7) + u16(0) + u16(0) +
  lbl("_http") + lbl("_tcp") + lbl("local") + "00" + "000c0001" + u32(4500) + u16(28) + lbl(ID) + "c00c" +
  "c028" + "00218001" + u32(120) + u16(39) + "00000000" + u16(80) + lbl(ID) + lbl("local") + "00" +
  "c028" + "00108001" + u32(4500) + u16(139) + TXT_RDATA +
  lbl("_shelly") + "c012" + "000c0001" + u32(4500) + u16(28) + lbl(ID) + "c10e" +
  "c122" + "00218001" + u32(120) + u16(39) + "00000000" + u16(80) + lbl(ID) + lbl("local") + "00" +
  "c122" + "00108001" + u32(4500) + u16(139) + TXT_RDATA +
  "c056" + "00018001" + u32(120) + u16(4) + "0a630001";

const LEGACY_QUERY = u16(0x1234) + u16(0) + u16(1) + u16(0) + u16(0) + u16(0) + lbl("_shelly") + lbl("_tcp") + lbl("local") + "00" + "000c0001";
const LEGACY_REPLY =
  u16(0x1234) + u16(0x8400) + u16(1) + u16(4) + u16(0) + u16(0) +
  lbl("_shelly") + lbl("_tcp") + lbl("local") + "00" + "000c0001" +
  "c00c" + "000c0001" + u32(10) + u16(28) + lbl(ID) + "c00c" +
  "c030" + "00210001" + u32(10) + u16(39) + "00000000" + u16(80) + lbl(ID) + lbl("local") + "00" +
  "c030" + "00100001" + u32(10) + u16(139) + TXT_RDATA +
  "c05e" + "00010001" + u32(10) + u16(4) + "0a630001";

const responder = () => new MdnsResponder({ identity: IDENTITY, httpPort: 80, addresses: ["10.99.0.1/24"] });

test("announcement bytes are the same as on Node", () => {
  const packets = responder().announce(0);
  equal(packets.length, 1);
  equal(hexOf(packets[0].bytes), ANNOUNCEMENT);
  equal(packets[0].address, "224.0.0.251");
  equal(packets[0].via, "10.99.0.1");
});

test("legacy query: unicast reply with the id and question echoed", () => {
  const packets = responder().handleQuery(fromHex(LEGACY_QUERY), "10.99.0.2", 40000, 0);
  equal(packets.length, 1);
  equal(packets[0].unicast, true);
  equal(packets[0].port, 40000);
  equal(hexOf(packets[0].bytes), LEGACY_REPLY);
});

test("QU query: unicast to port 5353; QM: multicast, then held back for a second", () => {
  const r = responder();
  const qu = fromHex(LEGACY_QUERY.replace(/^1234/, "0000").replace(/0001$/, "8001"));
  const u = r.handleQuery(qu, "10.99.0.2", 5353, 0);
  equal(u.length, 1);
  equal(u[0].address, "10.99.0.2");
  equal(u[0].port, 5353);
  const qm = fromHex(LEGACY_QUERY.replace(/^1234/, "0000"));
  equal(r.handleQuery(qm, "10.99.0.2", 5353, 100).length, 1);
  equal(r.handleQuery(qm, "10.99.0.2", 5353, 600).length, 0);
  equal(r.handleQuery(qm, "10.99.0.2", 5353, 1100).length, 1);
  equal(r.handleQuery(qm, "192.168.9.9", 5353, 5000).length, 0, "off-link");
});

test("goodbye: TTL 0 everywhere", () => {
  const [p] = responder().goodbye();
  const m = parseMessage(p.bytes);
  ok(m.ok);
  if (m.ok) {
    equal(m.message.answers.length, 7);
    ok(m.message.answers.every((a) => a.ttl === 0));
  }
});

test("parse errors are values", () => {
  deepEqual(parseMessage(new Uint8Array(3)), { ok: false, error: "truncated" });
  deepEqual(parseMessage(fromHex(u16(0) + u16(0) + u16(1) + u16(0) + u16(0) + u16(0) + "c00c" + "00010001")), { ok: false, error: "bad_pointer" });
  deepEqual(parseMessage(fromHex(u16(0) + u16(0) + u16(1) + u16(0) + u16(0) + u16(0) + "4100" + "00010001")), { ok: false, error: "bad_name" });
  deepEqual(parseMessage(new Uint8Array(9001)), { ok: false, error: "too_long" });
});

test("names: escapes and UTF-8 without TextEncoder", () => {
  const labels = nameToLabels("Küche\\.1.local");
  ok(labels !== null);
  if (labels) {
    equal(hexOf(labels[0]), "4bc3bc6368652e31");
    equal(labelToText(labels[0], 0, labels[0].length), "Küche\\.1");
  }
  equal(hexOf(utf8Encode("\u{1F50C}ä")), "f09f948cc3a4");
  equal(utf8Decode(fromHex("f09f948cc3a4ff")), "\u{1F50C}ä\ufffd");
  equal(labelToText(fromHex("c080ff"), 0, 3), "\\192\\128\\255");
  equal(nameToLabels("a..b"), null);
});

test("encode → parse round trip", () => {
  const message = {
    id: 9,
    flags: 0x8400,
    questions: [{ name: "_shelly._tcp.local", type: TYPE_PTR, qclass: 1, unicastResponse: true }],
    answers: [
      { name: "x._shelly._tcp.local", type: 33, rrclass: 1, cacheFlush: true, ttl: 120, data: { kind: "srv" as const, priority: 1, weight: 2, port: 80, target: "x.local" } },
      { name: "x.local", type: 47, rrclass: 1, cacheFlush: true, ttl: 120, data: { kind: "nsec" as const, next: "x.local", types: [1, 33, 257] } },
    ],
    authorities: [],
    additionals: [{ name: "x.local", type: 1, rrclass: 1, cacheFlush: true, ttl: 120, data: { kind: "a" as const, address: "10.0.0.1" } }],
  };
  const bytes = encodeMessage(message);
  ok(bytes !== null);
  if (bytes) deepEqual(parseMessage(bytes), { ok: true, message });
});

test("random and mutated datagrams never throw", () => {
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const r = responder();
  const base = fromHex(LEGACY_QUERY);
  for (let i = 0; i < 300; i++) {
    const random = new Uint8Array(next() % 200);
    for (let j = 0; j < random.length; j++) random[j] = next() & 255;
    r.handleQuery(random, "10.99.0.2", 5353, i);
    const mutated = base.slice();
    for (let k = 0; k < 3; k++) mutated[next() % mutated.length] = next() & 255;
    for (const p of r.handleQuery(mutated, "10.99.0.2", 5353, i * 1000)) ok(parseMessage(p.bytes).ok);
  }
  equal(r.counters.received, 600);
});
