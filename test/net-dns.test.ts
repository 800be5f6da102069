// modules/net/dns-captive: answers on bytes, property tests on random datagrams, and the
// responder on a real UDP socket on 127.0.0.1 queried with dgram and node:dns's Resolver.

import dgram from "node:dgram";
import { Resolver } from "node:dns/promises";
import test from "ava";
import fc from "fast-check";
import { CaptiveDnsResponder, DEFAULT_NXDOMAIN_NAMES, MAX_QUERY_BYTES, parseCaptiveQuery } from "../modules/net/dns-captive";
import { parseMessage } from "../modules/net/dns-message";
import { serveCaptiveDns } from "./support/net-adapter";

const AP = "192.168.4.1";

/** A standard query: header (RD set unless flags say otherwise), one question, optional EDNS OPT. */
function query(name: string, type = 1, { id = 0x1234, flags = 0x0100, qclass = 1, edns = false } = {}): Uint8Array {
  const labels = name === "" ? [] : name.split(".");
  const bytes: number[] = [id >> 8, id & 255, flags >> 8, flags & 255, 0, 1, 0, 0, 0, 0, 0, edns ? 1 : 0];
  for (const label of labels) bytes.push(label.length, ...Buffer.from(label, "latin1"));
  bytes.push(0, type >> 8, type & 255, qclass >> 8, qclass & 255);
  if (edns) bytes.push(0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0); // root, OPT, 1232, no options
  return Uint8Array.from(bytes);
}

function answer(responder: CaptiveDnsResponder, bytes: Uint8Array) {
  const reply = responder.reply(bytes);
  if (reply === null) return null;
  const parsed = parseMessage(reply);
  if (!parsed.ok) throw new Error("reply does not parse: " + parsed.error);
  return { reply, message: parsed.message, rcode: parsed.message.flags & 15 };
}

test("A questions are answered with the AP address, TTL 60, the question copied byte for byte", (t) => {
  const responder = new CaptiveDnsResponder({ address: AP });
  for (const name of ["connectivitycheck.gstatic.com", "captive.apple.com", "www.msftconnecttest.com", "ConNecTiViTyCheck.GStatic.com", "a", "x.local"]) {
    const q = query(name);
    const r = answer(responder, q)!;
    t.is(r.rcode, 0, name);
    t.is(r.message.id, 0x1234);
    t.is(r.message.flags, 0x8580); // QR, AA, RD (copied), RA, NOERROR
    t.deepEqual(r.message.questions, [{ name, type: 1, qclass: 1, unicastResponse: false }]);
    t.deepEqual(r.message.answers, [{ name, type: 1, rrclass: 1, cacheFlush: false, ttl: 60, data: { kind: "a", address: AP } }]);
    t.deepEqual(Array.from(r.reply.subarray(12, q.length)), Array.from(q.subarray(12)), "question bytes");
    t.is(r.reply.length, q.length + 16);
  }
  t.deepEqual(responder.counts, { answered: 6, noData: 0, nxdomain: 0, ignored: 0 });
});

test("AAAA, HTTPS and other types get an empty NOERROR; ANY gets the A record", (t) => {
  const responder = new CaptiveDnsResponder({ address: AP, ttl: 30 });
  for (const type of [28, 65, 64, 15, 16, 12, 33, 6]) {
    const r = answer(responder, query("captive.apple.com", type))!;
    t.is(r.rcode, 0, `type ${type}`);
    t.deepEqual(r.message.answers, [], `type ${type}`);
    t.is(r.message.flags & 0x8000, 0x8000);
  }
  const any = answer(responder, query("example.org", 255))!;
  t.deepEqual(any.message.answers.map((a) => [a.type, a.ttl, a.data]), [[1, 30, { kind: "a", address: AP }]]);
  // Class CH (version.bind and friends) and the root name get no address.
  t.deepEqual(answer(responder, query("version.bind", 16, { qclass: 3 }))!.message.answers, []);
  t.deepEqual(answer(responder, query("", 1))!.message.answers, []);
  t.is(responder.counts.noData, 10);
});

test("the DoH canary and iCloud Private Relay names are NXDOMAIN (case-insensitive), configurable", (t) => {
  const responder = new CaptiveDnsResponder({ address: AP });
  for (const name of DEFAULT_NXDOMAIN_NAMES) {
    for (const type of [1, 28]) {
      const r = answer(responder, query(name.toUpperCase(), type))!;
      t.is(r.rcode, 3, name);
      t.deepEqual(r.message.answers, []);
    }
  }
  const none = new CaptiveDnsResponder({ address: AP, nxdomainNames: [] });
  t.is(answer(none, query("use-application-dns.net"))!.message.answers.length, 1);
});

test("RD is copied; EDNS queries are answered without echoing OPT", (t) => {
  const responder = new CaptiveDnsResponder({ address: AP });
  t.is(answer(responder, query("a.b", 1, { flags: 0 }))!.message.flags, 0x8480);
  const r = answer(responder, query("a.b", 1, { edns: true }))!;
  t.is(r.message.answers.length, 1);
  t.is(r.message.additionals.length, 0);
});

test("responses, other opcodes, bad counts, compression in the question, truncation and garbage get no reply", (t) => {
  const responder = new CaptiveDnsResponder({ address: AP });
  const good = query("example.com");
  const withCounts = (offset: number, value: number) => {
    const b = good.slice();
    b[offset + 1] = value;
    return b;
  };
  const cases: [string, Uint8Array][] = [
    ["a response", query("example.com", 1, { flags: 0x8180 })],
    ["opcode STATUS", query("example.com", 1, { flags: 0x1000 })],
    ["opcode UPDATE", query("example.com", 1, { flags: 0x2800 })],
    ["no question", withCounts(4, 0)],
    ["two questions", withCounts(4, 2)],
    ["an answer record", withCounts(6, 1)],
    ["an authority record", withCounts(8, 1)],
    ["pointer in the question", Uint8Array.from([...good.subarray(0, 12), 0xc0, 0x0c, 0, 1, 0, 1])],
    ["label type 0x40", Uint8Array.from([...good.subarray(0, 12), 0x41, 0x61, 0, 0, 1, 0, 1])],
    ["truncated name", good.subarray(0, 20)],
    ["truncated type", good.subarray(0, good.length - 1)],
    ["header only", good.subarray(0, 12)],
    ["empty", new Uint8Array(0)],
    ["too long", Uint8Array.from([...good, ...new Uint8Array(MAX_QUERY_BYTES)])],
    ["name over 255 bytes", query(Array.from({ length: 5 }, () => "a".repeat(63)).join("."))],
  ];
  for (const [name, bytes] of cases) t.is(responder.reply(bytes), null, name);
  t.is(responder.counts.ignored, cases.length);
  // A name of exactly 255 bytes on the wire is fine.
  const longest = [..."abc"].map((c) => c.repeat(63)).join(".") + "." + "d".repeat(61); // 64*3 + 62 + 1 = 255
  t.is(answer(responder, query(longest))!.message.answers.length, 1);
});

test("parseCaptiveQuery and setAddress", (t) => {
  t.deepEqual(parseCaptiveQuery(query("Connectivitycheck.Gstatic.com", 28)), { id: 0x1234, name: "Connectivitycheck.Gstatic.com", type: 28, qclass: 1, end: 47 });
  const responder = new CaptiveDnsResponder({ address: AP });
  t.false(responder.setAddress("192.168.4.256"));
  t.false(responder.setAddress("fe80::1"));
  t.true(responder.setAddress("10.0.0.1"));
  t.deepEqual(answer(responder, query("x.y"))!.message.answers[0].data, { kind: "a", address: "10.0.0.1" });
  t.throws(() => new CaptiveDnsResponder({ address: "nope" }), { instanceOf: RangeError });
});

test("property: random datagrams never throw; every reply is a well-formed response to the query", (t) => {
  const responder = new CaptiveDnsResponder({ address: AP });
  const nameArb = fc.array(fc.stringMatching(/^[a-zA-Z0-9-]{1,20}$/), { maxLength: 5 }).map((l) => l.join("."));
  const mutated = fc.tuple(nameArb, fc.integer({ min: 0, max: 65535 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 })).map(([name, type, edits]) => {
    const b = query(name, type).slice();
    for (const [at, v] of edits) b[at % b.length] = v;
    return b;
  });
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), mutated), (bytes) => {
      const reply = responder.reply(bytes);
      if (reply === null) return true;
      const parsed = parseMessage(reply);
      if (!parsed.ok) return false;
      const m = parsed.message;
      return (m.flags & 0x8000) !== 0 && m.id === ((bytes[0] << 8) | bytes[1]) && m.questions.length === 1 && m.answers.length <= 1;
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

// ---- real sockets ----

test("dgram: a query to the responder on 127.0.0.1 gets the AP address; garbage gets silence", async (t) => {
  const server = await serveCaptiveDns({ address: AP });
  const client = dgram.createSocket("udp4");
  try {
    const replies: Buffer[] = [];
    client.on("message", (m) => replies.push(m));
    await new Promise<void>((resolve) => client.bind(0, "127.0.0.1", resolve));
    client.send(Buffer.from("definitely not DNS"), server.port, "127.0.0.1");
    client.send(query("clients3.google.com", 1, { id: 0xbeef }), server.port, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 200));
    t.is(replies.length, 1);
    const m = parseMessage(new Uint8Array(replies[0]));
    t.true(m.ok);
    if (m.ok) {
      t.is(m.message.id, 0xbeef);
      t.deepEqual(m.message.answers.map((a) => a.data), [{ kind: "a", address: AP }]);
    }
    t.deepEqual(server.responder.counts, { answered: 1, noData: 0, nxdomain: 0, ignored: 1 });
  } finally {
    client.close();
    await server.close();
  }
});

test("node:dns Resolver: resolve4 gives the AP address with TTL, resolve6 has no data, the canary does not exist", async (t) => {
  const server = await serveCaptiveDns({ address: AP });
  try {
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.port}`]);
    t.deepEqual(await resolver.resolve4("connectivitycheck.gstatic.com"), [AP]);
    t.deepEqual(await resolver.resolve4("captive.apple.com", { ttl: true }), [{ address: AP, ttl: 60 }]);
    t.deepEqual(await resolver.resolve4("anything.at.all.example"), [AP]);
    await t.throwsAsync(resolver.resolve6("connectivitycheck.gstatic.com"), { code: "ENODATA" });
    await t.throwsAsync(resolver.resolveMx("example.com"), { code: "ENODATA" });
    await t.throwsAsync(resolver.resolve4("use-application-dns.net"), { code: "ENOTFOUND" });
  } finally {
    await server.close();
  }
});
