// modules/net/mdns-responder: what the emulated Pro 3EM answers, checked byte by byte against
// packets written out here by hand (with their compression offsets), plus the rules:
// unicast for QU and legacy queries, known-answer suppression, subnets, rate limits, garbage.

import test from "ava";
import fc from "fast-check";
import { createRequire } from "node:module";
import { TYPE_A, TYPE_NSEC, TYPE_PTR, TYPE_SRV, TYPE_TXT, encodeMessage, parseMessage, type DnsMessage, type DnsRecord } from "../modules/net/dns-message";
import {
  ANNOUNCE_COUNT,
  ANNOUNCE_INTERVAL_MS,
  HOST_RECORD_TTL,
  LEGACY_UNICAST_TTL,
  MdnsResponder,
  OTHER_RECORD_TTL,
  type MdnsPacket,
  type MdnsResponderOptions,
} from "../modules/net/mdns-responder";
import { makeIdentity } from "../modules/shelly/identity";

interface DnsPacketModule {
  decode(buf: Buffer): { answers: Array<{ name: string; type: string; data: unknown; flush: boolean; ttl: number }> };
  encode(packet: unknown): Buffer;
}
const dnsPacket = createRequire(import.meta.url)("dns-packet") as DnsPacketModule;

// ---- the device and the expected bytes, written independently of the module ----------------

const ID = "shellypro3em-aabbccddeeff";
const IDENTITY = { id: ID, mac: "AABBCCDDEEFF", model: "SPEM-003CEBEU", app: "Pro3EM", version: "1.4.4", firmwareId: "20240213-000000/1.4.4-test", gen: 2 };
const TXT = ["gen=2", "id=" + ID, "mac=AABBCCDDEEFF", "app=Pro3EM", "model=SPEM-003CEBEU", "ver=1.4.4", "fw_id=20240213-000000/1.4.4-test", "arch=esp8266"];

const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");
const ascii = (s: string) => Buffer.from(s, "latin1").toString("hex");
const lbl = (s: string) => s.length.toString(16).padStart(2, "0") + ascii(s);
const u16 = (n: number) => n.toString(16).padStart(4, "0");
const u32 = (n: number) => n.toString(16).padStart(8, "0");
const header = (id: number, flags: number, qd: number, an: number, ns: number, ar: number) => u16(id) + u16(flags) + u16(qd) + u16(an) + u16(ns) + u16(ar);
const TXT_RDATA = TXT.map(lbl).join("");
const ip = (a: string) => a.split(".").map((n) => Number(n).toString(16).padStart(2, "0")).join("");

test("the hand-written TXT is the 139 bytes the offsets below assume", (t) => {
  t.is(TXT_RDATA.length / 2, 139);
  t.is(lbl(ID).length / 2, 26);
});

/** The announcement (and goodbye): _http PTR SRV TXT, _shelly PTR SRV TXT, A. */
function announcementHex(ttl: { ptr: number; srv: number; txt: number; a: number }, port = 80, addresses = ["10.99.0.1"]): string {
  return (
    header(0, 0x8400, 0, 6 + addresses.length, 0, 0) +
    // 12: "_http._tcp.local" — _http 12, _tcp 18, local 23; rdata at 40: "<id>._http._tcp.local"
    lbl("_http") + lbl("_tcp") + lbl("local") + "00" + u16(TYPE_PTR) + "0001" + u32(ttl.ptr) + u16(28) + lbl(ID) + "c00c" +
    // 68: SRV, owner → 40 (0x28); target in full at 86 (0x56)
    "c028" + u16(TYPE_SRV) + "8001" + u32(ttl.srv) + u16(39) + "0000" + "0000" + u16(port) + lbl(ID) + lbl("local") + "00" +
    // 119: TXT, owner → 40
    "c028" + u16(TYPE_TXT) + "8001" + u32(ttl.txt) + u16(139) + TXT_RDATA +
    // 270 (0x10e): "_shelly" + → "_tcp.local" at 18 (0x12); rdata at 290 (0x122): <id> + → 270
    lbl("_shelly") + "c012" + u16(TYPE_PTR) + "0001" + u32(ttl.ptr) + u16(28) + lbl(ID) + "c10e" +
    // 318: SRV, owner → 290; target in full again
    "c122" + u16(TYPE_SRV) + "8001" + u32(ttl.srv) + u16(39) + "0000" + "0000" + u16(port) + lbl(ID) + lbl("local") + "00" +
    // 369: TXT, owner → 290
    "c122" + u16(TYPE_TXT) + "8001" + u32(ttl.txt) + u16(139) + TXT_RDATA +
    // 520: A, owner → the first SRV target "<id>.local" at 86
    addresses.map((a) => "c056" + u16(TYPE_A) + "8001" + u32(ttl.a) + u16(4) + ip(a)).join("")
  );
}

/** Reply to a QM/QU query for _shelly._tcp.local PTR: PTR, SRV, TXT, A in the answers. */
const SHELLY_PTR_REPLY =
  header(0, 0x8400, 0, 4, 0, 0) +
  // 12: _shelly 12, _tcp 20, local 25; rdata at 42 (0x2a)
  lbl("_shelly") + lbl("_tcp") + lbl("local") + "00" + u16(TYPE_PTR) + "0001" + u32(4500) + u16(28) + lbl(ID) + "c00c" +
  // 70: SRV, target in full at 88 (0x58)
  "c02a" + u16(TYPE_SRV) + "8001" + u32(120) + u16(39) + "0000" + "0000" + u16(80) + lbl(ID) + lbl("local") + "00" +
  // 121: TXT
  "c02a" + u16(TYPE_TXT) + "8001" + u32(4500) + u16(139) + TXT_RDATA +
  // 272: A
  "c058" + u16(TYPE_A) + "8001" + u32(120) + u16(4) + "0a630001";

/** Reply to a legacy query (id 0x1234) for _shelly._tcp.local PTR: question echoed, TTL 10, no cache-flush. */
const SHELLY_PTR_LEGACY_REPLY =
  header(0x1234, 0x8400, 1, 4, 0, 0) +
  // 12: the question
  lbl("_shelly") + lbl("_tcp") + lbl("local") + "00" + u16(TYPE_PTR) + "0001" +
  // 36: PTR, owner → 12; rdata at 48 (0x30)
  "c00c" + u16(TYPE_PTR) + "0001" + u32(10) + u16(28) + lbl(ID) + "c00c" +
  // 76: SRV; target in full at 94 (0x5e)
  "c030" + u16(TYPE_SRV) + "0001" + u32(10) + u16(39) + "0000" + "0000" + u16(80) + lbl(ID) + lbl("local") + "00" +
  // 127: TXT
  "c030" + u16(TYPE_TXT) + "0001" + u32(10) + u16(139) + TXT_RDATA +
  // 278: A
  "c05e" + u16(TYPE_A) + "0001" + u32(10) + u16(4) + "0a630001";

function responder(extra: Partial<MdnsResponderOptions> = {}): MdnsResponder {
  return new MdnsResponder({ identity: IDENTITY, httpPort: 80, addresses: ["10.99.0.1/24"], ...extra });
}

type Q = { name: string; type: number; qu?: boolean };
function query(questions: Q[], options: { id?: number; known?: DnsRecord[]; flags?: number } = {}): Uint8Array {
  const bytes = encodeMessage({
    id: options.id ?? 0,
    flags: options.flags ?? 0,
    questions: questions.map((q) => ({ name: q.name, type: q.type, qclass: 1, unicastResponse: q.qu === true })),
    answers: options.known ?? [],
    authorities: [],
    additionals: [],
  });
  if (bytes === null) throw new Error("bad test query");
  return bytes;
}

function parsed(p: MdnsPacket): DnsMessage {
  const r = parseMessage(p.bytes);
  if (!r.ok) throw new Error(r.error);
  return r.message;
}
const summary = (records: DnsRecord[]) => records.map((r) => `${r.type} ${r.name}`);

// ---- announcements and goodbye --------------------------------------------------------------

test("announce: one multicast packet, every record in the answers, exact bytes", (t) => {
  const packets = responder().announce();
  t.is(packets.length, 1);
  const [p] = packets;
  t.deepEqual({ ...p, bytes: undefined }, { bytes: undefined, address: "224.0.0.251", port: 5353, unicast: false, via: "10.99.0.1" });
  t.is(hexOf(p.bytes), announcementHex({ ptr: 4500, srv: 120, txt: 4500, a: 120 }));
  t.is(p.bytes.length, 536);
});

test("goodbye: the same records with TTL 0", (t) => {
  const [p] = responder().goodbye();
  t.is(hexOf(p.bytes), announcementHex({ ptr: 0, srv: 0, txt: 0, a: 0 }));
  t.deepEqual({ ...p, bytes: undefined }, { bytes: undefined, address: "224.0.0.251", port: 5353, unicast: false, via: "10.99.0.1" });
});

test("an independent decoder (dns-packet) reads the announcement as consumers need it", (t) => {
  const [p] = responder().announce();
  const d = dnsPacket.decode(Buffer.from(p.bytes));
  const get = (name: string, type: string) => d.answers.find((a) => a.name === name && a.type === type);
  t.is(get("_shelly._tcp.local", "PTR")?.data, ID + "._shelly._tcp.local");
  t.is(get("_http._tcp.local", "PTR")?.data, ID + "._http._tcp.local");
  for (const service of ["_http", "_shelly"]) {
    const instance = `${ID}.${service}._tcp.local`;
    t.deepEqual(get(instance, "SRV")?.data, { priority: 0, weight: 0, port: 80, target: ID + ".local" });
    t.deepEqual((get(instance, "TXT")?.data as Buffer[]).map(String), TXT);
    t.true(get(instance, "SRV")!.flush);
  }
  t.is(get(ID + ".local", "A")?.data, "10.99.0.1", "the A record is in the answers (shellies-ng)");
  // Home Assistant takes the MAC from the instance name: 12 hex digits after the last '-'.
  t.regex(ID, /-[0-9a-f]{12}$/);
  t.is(ANNOUNCE_COUNT, 2);
  t.is(ANNOUNCE_INTERVAL_MS, 1000);
});

test("identity from makeIdentity fits; port, gen and arch are as given", (t) => {
  const identity = makeIdentity({ mac: "aa:bb:cc:dd:ee:ff", version: "1.4.4", firmwareId: "20240213-000000/1.4.4-test" });
  const r = new MdnsResponder({ identity, httpPort: 80, addresses: ["10.99.0.1/24"] });
  t.deepEqual([...r.txt], TXT);
  t.is(hexOf(r.announce()[0].bytes), announcementHex({ ptr: 4500, srv: 120, txt: 4500, a: 120 }));
  t.is(hexOf(responder({ httpPort: 8080 }).announce()[0].bytes), announcementHex({ ptr: 4500, srv: 120, txt: 4500, a: 120 }, 8080));
  // Solakon's quirk (gen=3) and uni-meter's arch=esp32 stay possible as settings.
  const solakon = responder({ identity: { ...IDENTITY, gen: 3 }, arch: "esp32" });
  t.is(solakon.txt[0], "gen=3");
  t.is(solakon.txt[7], "arch=esp32");
  t.is(r.hostName, ID + ".local");
  t.deepEqual([...r.instanceNames], [ID + "._http._tcp.local", ID + "._shelly._tcp.local"]);
});

test("no addresses: nothing to announce, no answers", (t) => {
  const r = responder({ addresses: [] });
  t.deepEqual(r.announce(), []);
  t.deepEqual(r.goodbye(), []);
  t.deepEqual(r.handleQuery(query([{ name: "_shelly._tcp.local", type: TYPE_PTR }]), "10.99.0.2", 5353), []);
  t.is(r.counters.ignored, 1);
});

// ---- answering ------------------------------------------------------------------------------

test("QM query for _shelly._tcp PTR: multicast PTR+SRV+TXT+A, exact bytes", (t) => {
  const r = responder();
  const packets = r.handleQuery(query([{ name: "_shelly._tcp.local", type: TYPE_PTR }]), "10.99.0.2", 5353);
  t.is(packets.length, 1);
  t.deepEqual({ ...packets[0], bytes: undefined }, { bytes: undefined, address: "224.0.0.251", port: 5353, unicast: false, via: "10.99.0.1" });
  t.is(hexOf(packets[0].bytes), SHELLY_PTR_REPLY);
  t.deepEqual(r.counters, { received: 1, malformed: 0, ignored: 0, answered: 1 });
});

test("QU query: the same answer by unicast to the querier's port 5353", (t) => {
  const packets = responder().handleQuery(query([{ name: "_shelly._tcp.local", type: TYPE_PTR, qu: true }]), "10.99.0.2", 5353);
  t.is(packets.length, 1);
  t.deepEqual({ ...packets[0], bytes: undefined }, { bytes: undefined, address: "10.99.0.2", port: 5353, unicast: true, via: null });
  t.is(hexOf(packets[0].bytes), SHELLY_PTR_REPLY);
});

test("legacy query (source port ≠ 5353): unicast to that port, id and question echoed, TTL ≤ 10, no cache-flush", (t) => {
  const packets = responder().handleQuery(query([{ name: "_shelly._tcp.local", type: TYPE_PTR }], { id: 0x1234 }), "10.99.0.2", 40000);
  t.is(packets.length, 1);
  t.deepEqual({ ...packets[0], bytes: undefined }, { bytes: undefined, address: "10.99.0.2", port: 40000, unicast: true, via: null });
  t.is(hexOf(packets[0].bytes), SHELLY_PTR_LEGACY_REPLY);
  t.is(LEGACY_UNICAST_TTL, 10);
  // QU on a legacy query changes nothing.
  const qu = responder().handleQuery(query([{ name: "_shelly._tcp.local", type: TYPE_PTR, qu: true }], { id: 0x1234 }), "10.99.0.2", 40000);
  t.is(parsed(qu[0]).questions[0].unicastResponse, true, "the question is echoed as asked");
  t.is(qu[0].port, 40000);
});

test("_http._tcp PTR; both services in one query: one packet, A once", (t) => {
  const http = responder().handleQuery(query([{ name: "_http._tcp.local", type: TYPE_PTR }]), "10.99.0.2", 5353);
  t.deepEqual(summary(parsed(http[0]).answers), [`12 _http._tcp.local`, `33 ${ID}._http._tcp.local`, `16 ${ID}._http._tcp.local`, `1 ${ID}.local`]);
  const both = responder().handleQuery(query([{ name: "_http._tcp.local", type: TYPE_PTR }, { name: "_shelly._tcp.local", type: TYPE_PTR }]), "10.99.0.2", 5353);
  t.is(both.length, 1);
  t.deepEqual(summary(parsed(both[0]).answers), [
    `12 _http._tcp.local`, `33 ${ID}._http._tcp.local`, `16 ${ID}._http._tcp.local`, `1 ${ID}.local`,
    `12 _shelly._tcp.local`, `33 ${ID}._shelly._tcp.local`, `16 ${ID}._shelly._tcp.local`,
  ]);
});

test("names match case-insensitively; answers use our spelling", (t) => {
  const packets = responder().handleQuery(query([{ name: "_SHELLY._Tcp.LOCAL", type: TYPE_PTR }]), "10.99.0.2", 5353);
  t.is(hexOf(packets[0].bytes), SHELLY_PTR_REPLY);
  const legacy = responder().handleQuery(query([{ name: "_SHELLY._tcp.local", type: TYPE_PTR }], { id: 1 }), "10.99.0.2", 1234);
  t.is(parsed(legacy[0]).questions[0].name, "_SHELLY._tcp.local", "the legacy question is echoed as asked");
  t.is(parsed(legacy[0]).answers[0].name, "_shelly._tcp.local");
});

test("ANY and the per-name questions", (t) => {
  const ask = (name: string, type: number) => {
    const p = responder().handleQuery(query([{ name, type }]), "10.99.0.2", 5353);
    return p.length === 0 ? null : parsed(p[0]);
  };
  const inst = ID + "._shelly._tcp.local";
  t.deepEqual(summary(ask("_shelly._tcp.local", 255)!.answers), [`12 _shelly._tcp.local`, `33 ${inst}`, `16 ${inst}`, `1 ${ID}.local`]);
  t.deepEqual(summary(ask(inst, 255)!.answers), [`33 ${inst}`, `16 ${inst}`, `1 ${ID}.local`]);
  t.deepEqual(summary(ask(inst, TYPE_SRV)!.answers), [`33 ${inst}`, `1 ${ID}.local`]);
  t.deepEqual(summary(ask(inst, TYPE_TXT)!.answers), [`16 ${inst}`]);
  t.deepEqual(summary(ask(ID + "._http._tcp.local", TYPE_TXT)!.answers), [`16 ${ID}._http._tcp.local`]);
  t.deepEqual(summary(ask(ID + ".local", TYPE_A)!.answers), [`1 ${ID}.local`]);
  t.deepEqual(summary(ask(ID + ".local", 255)!.answers), [`1 ${ID}.local`]);
  // Shared names get no negative answers; names that are not ours get nothing.
  t.is(ask("_shelly._tcp.local", TYPE_SRV), null);
  t.is(ask("_http._tcp.local", TYPE_A), null);
  t.is(ask("_services._dns-sd._udp.local", TYPE_A), null);
  t.is(ask("_hap._tcp.local", TYPE_PTR), null);
  t.is(ask("shellypro3em-000000000000.local", TYPE_A), null);
  t.is(ask(ID, TYPE_A), null);
  t.is(ask("local", TYPE_PTR), null);
});

test("AAAA for the host: NSEC (only A exists) with the A record as additional, exact bytes", (t) => {
  const p = responder().handleQuery(query([{ name: ID + ".local", type: 28 }]), "10.99.0.2", 5353);
  t.is(
    hexOf(p[0].bytes),
    header(0, 0x8400, 0, 1, 0, 1) +
      // 12: owner <id>.local (host at 12, local at 38); next name in full; window 0: bit 1 (A)
      lbl(ID) + lbl("local") + "00" + u16(TYPE_NSEC) + "8001" + u32(120) + u16(33 + 3) + lbl(ID) + lbl("local") + "00" + "000140" +
      "c00c" + u16(TYPE_A) + "8001" + u32(120) + u16(4) + "0a630001",
  );
});

test("any other type for an instance: NSEC listing TXT and SRV, exact bytes", (t) => {
  const instance = ID + "._shelly._tcp.local";
  const p = responder().handleQuery(query([{ name: instance, type: TYPE_A }]), "10.99.0.2", 5353);
  t.is(
    hexOf(p[0].bytes),
    header(0, 0x8400, 0, 1, 0, 0) +
      lbl(ID) + lbl("_shelly") + lbl("_tcp") + lbl("local") + "00" + u16(TYPE_NSEC) + "8001" + u32(120) + u16(46 + 7) +
      lbl(ID) + lbl("_shelly") + lbl("_tcp") + lbl("local") + "00" + "0005" + "0000800040",
  );
});

test("service enumeration (_services._dns-sd._udp): both service types, exact bytes", (t) => {
  const p = responder().handleQuery(query([{ name: "_services._dns-sd._udp.local", type: TYPE_PTR }]), "10.99.0.2", 5353);
  t.is(
    hexOf(p[0].bytes),
    header(0, 0x8400, 0, 2, 0, 0) +
      // 12: _services 12, _dns-sd 22, _udp 30, local 35 (0x23); rdata at 52: _http 52, _tcp 58 (0x3a)
      lbl("_services") + lbl("_dns-sd") + lbl("_udp") + lbl("local") + "00" + u16(TYPE_PTR) + "0001" + u32(4500) + u16(13) + lbl("_http") + lbl("_tcp") + "c023" +
      "c00c" + u16(TYPE_PTR) + "0001" + u32(4500) + u16(10) + lbl("_shelly") + "c03a",
  );
});

test("QU and QM questions in one query: a unicast and a multicast packet", (t) => {
  const p = responder().handleQuery(query([{ name: "_http._tcp.local", type: TYPE_PTR, qu: true }, { name: "_shelly._tcp.local", type: TYPE_PTR }]), "10.99.0.2", 5353);
  t.deepEqual(p.map((x) => [x.unicast, x.address]), [[false, "224.0.0.251"], [true, "10.99.0.2"]]);
  t.is(hexOf(p[0].bytes), SHELLY_PTR_REPLY);
  t.deepEqual(summary(parsed(p[1]).answers), [`12 _http._tcp.local`, `33 ${ID}._http._tcp.local`, `16 ${ID}._http._tcp.local`, `1 ${ID}.local`], "A stays in the unicast reply too");
});

test("not for us: responses, other opcodes, rcodes, classes; garbage is counted", (t) => {
  const r = responder();
  const q = [{ name: "_shelly._tcp.local", type: TYPE_PTR }];
  t.deepEqual(r.handleQuery(r.announce()[0].bytes, "10.99.0.2", 5353), [], "our own announcement looped back");
  t.deepEqual(r.handleQuery(query(q, { flags: 0x8000 }), "10.99.0.2", 5353), []);
  t.deepEqual(r.handleQuery(query(q, { flags: 0x2800 }), "10.99.0.2", 5353), [], "opcode 5 (update)");
  t.deepEqual(r.handleQuery(query(q, { flags: 0x0003 }), "10.99.0.2", 5353), [], "rcode 3");
  t.is(r.counters.ignored, 4);
  const chaos = encodeMessage({ id: 0, flags: 0, questions: [{ name: "_shelly._tcp.local", type: TYPE_PTR, qclass: 3, unicastResponse: false }], answers: [], authorities: [], additionals: [] })!;
  t.deepEqual(r.handleQuery(chaos, "10.99.0.2", 5353), []);
  const anyClass = encodeMessage({ id: 0, flags: 0, questions: [{ name: "_shelly._tcp.local", type: TYPE_PTR, qclass: 255, unicastResponse: false }], answers: [], authorities: [], additionals: [] })!;
  t.is(r.handleQuery(anyClass, "10.99.0.2", 5353).length, 1, "class ANY is answered");
  // The TC bit (more known answers follow) does not stop an answer.
  t.is(r.handleQuery(query(q, { flags: 0x0200 }), "10.99.0.2", 5353).length, 1);
  t.deepEqual(r.handleQuery(new Uint8Array(5), "10.99.0.2", 5353), []);
  t.deepEqual(r.handleQuery(query(q).subarray(0, 20), "10.99.0.2", 5353), []);
  t.is(r.counters.malformed, 2);
  t.deepEqual(r.handleQuery(query(q), "not-an-address", 5353), []);
});

test("known-answer suppression: records the querier holds with ≥ half their TTL are left out", (t) => {
  const inst = ID + "._shelly._tcp.local";
  const ptr = (ttl: number): DnsRecord => ({ name: "_shelly._tcp.local", type: TYPE_PTR, rrclass: 1, cacheFlush: false, ttl, data: { kind: "ptr", target: inst.toUpperCase() } });
  const ask = (known: DnsRecord[]) => responder().handleQuery(query([{ name: "_shelly._tcp.local", type: TYPE_PTR }], { known }), "10.99.0.2", 5353);
  t.deepEqual(summary(parsed(ask([ptr(OTHER_RECORD_TTL / 2)])[0]).answers), [`33 ${inst}`, `16 ${inst}`, `1 ${ID}.local`]);
  t.is(hexOf(ask([ptr(OTHER_RECORD_TTL / 2 - 1)])[0].bytes), SHELLY_PTR_REPLY, "less than half the TTL left: answered in full");
  const otherPtr = { ...ptr(4500), data: { kind: "ptr" as const, target: "other._shelly._tcp.local" } };
  t.is(hexOf(ask([otherPtr])[0].bytes), SHELLY_PTR_REPLY, "another device's PTR suppresses nothing");
  const all: DnsRecord[] = [
    ptr(4500),
    { name: inst, type: TYPE_SRV, rrclass: 1, cacheFlush: true, ttl: HOST_RECORD_TTL, data: { kind: "srv", priority: 0, weight: 0, port: 80, target: ID + ".local" } },
    { name: inst, type: TYPE_TXT, rrclass: 1, cacheFlush: true, ttl: OTHER_RECORD_TTL, data: { kind: "txt", strings: TXT } },
    { name: ID + ".local", type: TYPE_A, rrclass: 1, cacheFlush: true, ttl: 60, data: { kind: "a", address: "10.99.0.1" } },
  ];
  t.deepEqual(ask(all), [], "everything known: no packet");
  const wrongTxt = all.map((r) => (r.type === TYPE_TXT ? { ...r, data: { kind: "txt" as const, strings: ["gen=2"] } } : r));
  t.deepEqual(summary(parsed(ask(wrongTxt)[0]).answers), [`16 ${inst}`], "a stale TXT is answered");
});

// ---- addresses ------------------------------------------------------------------------------

test("queries from outside every local subnet are ignored; unknown prefixes accept all", (t) => {
  const q = query([{ name: "_shelly._tcp.local", type: TYPE_PTR }]);
  const r = responder();
  t.deepEqual(r.handleQuery(q, "192.168.1.7", 5353), []);
  t.deepEqual(r.handleQuery(q, "10.99.1.2", 5353), []);
  t.is(r.counters.ignored, 2);
  t.is(r.handleQuery(q, "10.99.0.254", 5353).length, 1);
  const open = responder({ addresses: ["10.99.0.1"] });
  t.is(hexOf(open.handleQuery(q, "192.168.1.7", 5353)[0].bytes), SHELLY_PTR_REPLY);
  t.is(responder({ addresses: ["10.99.0.1/0"] }).handleQuery(q, "8.8.8.8", 5353).length, 1);
  t.is(responder({ addresses: ["10.99.0.1/32"] }).handleQuery(q, "10.99.0.2", 5353).length, 0);
});

test("two interfaces: each querier gets the address on its own subnet; one announcement per interface", (t) => {
  const r = responder({ addresses: ["10.99.0.1/24", "192.168.4.1/24"] });
  const q = query([{ name: "_shelly._tcp.local", type: TYPE_PTR }]);
  const fromAp = r.handleQuery(q, "192.168.4.20", 5353);
  t.is(fromAp[0].via, "192.168.4.1");
  t.deepEqual(parsed(fromAp[0]).answers.filter((a) => a.type === TYPE_A).map((a) => a.data), [{ kind: "a", address: "192.168.4.1" }]);
  const fromLan = r.handleQuery(q, "10.99.0.2", 5353);
  t.is(hexOf(fromLan[0].bytes), SHELLY_PTR_REPLY);
  const announced = r.announce();
  t.deepEqual(announced.map((p) => p.via), ["10.99.0.1", "192.168.4.1"]);
  t.is(hexOf(announced[0].bytes), announcementHex({ ptr: 4500, srv: 120, txt: 4500, a: 120 }));
  t.is(hexOf(announced[1].bytes), announcementHex({ ptr: 4500, srv: 120, txt: 4500, a: 120 }, 80, ["192.168.4.1"]));
  t.deepEqual(r.goodbye().map((p) => p.via), ["10.99.0.1", "192.168.4.1"]);
});

test("two addresses on one subnet: one packet with both A records", (t) => {
  const r = responder({ addresses: ["10.99.0.1/24", "10.99.0.3/24"] });
  const [p] = r.announce();
  t.is(hexOf(p.bytes), announcementHex({ ptr: 4500, srv: 120, txt: 4500, a: 120 }, 80, ["10.99.0.1", "10.99.0.3"]));
  t.is(r.announce().length, 1);
});

test("setAddresses reports changes, skips invalid entries, ignores order and duplicates", (t) => {
  const r = responder({ addresses: [] });
  t.true(r.setAddresses(["10.99.0.1/24", "10.99.0.3/24"]));
  t.false(r.setAddresses(["10.99.0.3/24", "10.99.0.1/24", "10.99.0.1/24"]));
  t.true(r.setAddresses(["10.99.0.1/16", "10.99.0.3/24"]));
  t.true(r.setAddresses(["10.99.0.1", "bogus", "10.99.0.300/24", "10.99.0.4/33", "10.99.0.5/x", "", "10.99.0.6/"]));
  t.deepEqual(r.addresses, ["10.99.0.1"]);
  t.true(r.setAddresses([]));
  t.false(r.setAddresses([]));
});

// ---- rate limiting --------------------------------------------------------------------------

test("a record is multicast at most once a second; unicast answers are not limited", (t) => {
  const r = responder();
  const shelly = query([{ name: "_shelly._tcp.local", type: TYPE_PTR }]);
  const http = query([{ name: "_http._tcp.local", type: TYPE_PTR }]);
  t.is(hexOf(r.handleQuery(shelly, "10.99.0.2", 5353, 10_000)[0].bytes), SHELLY_PTR_REPLY);
  t.deepEqual(r.handleQuery(shelly, "10.99.0.3", 5353, 10_500), [], "half a second later: nothing new to multicast");
  // _http shares only the A record with the answer just sent.
  t.deepEqual(summary(parsed(r.handleQuery(http, "10.99.0.3", 5353, 10_600)[0]).answers), [`12 _http._tcp.local`, `33 ${ID}._http._tcp.local`, `16 ${ID}._http._tcp.local`]);
  t.is(r.handleQuery(query([{ name: "_shelly._tcp.local", type: TYPE_PTR, qu: true }]), "10.99.0.3", 5353, 10_700).length, 1, "QU");
  t.is(r.handleQuery(shelly, "10.99.0.3", 44444, 10_700).length, 1, "legacy");
  t.is(hexOf(r.handleQuery(shelly, "10.99.0.2", 5353, 11_000)[0].bytes), SHELLY_PTR_REPLY, "a second later: again");
  // Without a clock there is no limit.
  t.is(r.handleQuery(shelly, "10.99.0.2", 5353).length, 1);
  t.is(r.handleQuery(shelly, "10.99.0.2", 5353).length, 1);
  // The announcements count as multicasts.
  const a = responder();
  a.announce(0);
  t.deepEqual(a.handleQuery(shelly, "10.99.0.2", 5353, 999), []);
  t.is(a.handleQuery(shelly, "10.99.0.2", 5353, 1000).length, 1);
  // A clock that goes backwards does not silence the responder.
  t.is(a.handleQuery(shelly, "10.99.0.2", 5353, 0).length, 1);
});

test("the rate-limit table stays bounded across address changes", (t) => {
  const r = responder();
  for (let i = 0; i < 2000; i++) {
    r.setAddresses([`10.${i >> 8}.${i & 255}.1/24`]);
    r.announce(i * 2000);
  }
  const table = (r as unknown as { lastMulticast: Map<string, number> }).lastMulticast;
  t.true(table.size < 300, `size ${table.size}`);
});

// ---- garbage --------------------------------------------------------------------------------

test("property: random datagrams and mutated queries never throw", (t) => {
  const r = responder({ addresses: ["10.99.0.1/24", "192.168.4.1/24"] });
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom("10.99.0.2", "192.168.4.2", "1.2.3.4", "x"), fc.constantFrom(5353, 1234), (b, from, port) => {
      const out = r.handleQuery(b, from, port, 0);
      return Array.isArray(out);
    }),
    { numRuns: 3000 },
  );
  const base = query([{ name: "_shelly._tcp.local", type: TYPE_PTR }, { name: ID + ".local", type: 28 }, { name: "_services._dns-sd._udp.local", type: TYPE_PTR }], { known: [{ name: "_shelly._tcp.local", type: TYPE_PTR, rrclass: 1, cacheFlush: false, ttl: 100, data: { kind: "ptr", target: "x._shelly._tcp.local" } }] });
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { minLength: 1, maxLength: 6 }), fc.nat(10_000), (flips, now) => {
      const b = base.slice();
      for (const [at, v] of flips) b[at] = v;
      for (const p of r.handleQuery(b, "10.99.0.2", 5353, now)) if (!parseMessage(p.bytes).ok) return false;
      return true;
    }),
    { numRuns: 3000 },
  );
  t.is(r.counters.received, 6000);
});
