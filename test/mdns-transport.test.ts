// host/mdns-transport with a fake socket: what it asks of the OS (port, TTLs, memberships,
// multicast interface per packet), when it announces, how it follows address changes and
// says goodbye. The real-socket test is test/mdns-netns.test.ts (inside network namespaces).

import test from "ava";
import type os from "node:os";
import { parseMessage, type DnsRecord } from "../modules/net/dns-message";
import { advertisedAddresses, startMdns, type MdnsSocket } from "../host/mdns-transport";

const ID = "shellypro3em-aabbccddeeff";
const IDENTITY = { id: ID, mac: "AABBCCDDEEFF", model: "SPEM-003CEBEU", app: "Pro3EM", version: "1.4.4", firmwareId: "20240213-000000/1.4.4-test", gen: 2 };

interface Sent {
  bytes: Uint8Array;
  port: number;
  address: string;
  /** The multicast interface in force when it was sent. */
  multicastIf: string | null;
}

class FakeSocket implements MdnsSocket {
  calls: string[] = [];
  sent: Sent[] = [];
  multicastIf: string | null = null;
  closed = false;
  failSends = false;
  private listeners: Record<string, Array<(...args: never[]) => void>> = {};

  constructor(private readonly bindError?: NodeJS.ErrnoException) {}

  on(event: string, listener: (...args: never[]) => void) {
    (this.listeners[event] ??= []).push(listener);
    return this;
  }
  once(event: string, listener: (...args: never[]) => void) {
    return this.on(event, listener);
  }
  removeListener(event: string, listener: (...args: never[]) => void) {
    this.listeners[event] = (this.listeners[event] ?? []).filter((l) => l !== listener);
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    for (const l of [...(this.listeners[event] ?? [])]) (l as (...a: unknown[]) => void)(...args);
  }
  bind(options: { port: number; address: string }, callback: () => void) {
    this.calls.push(`bind ${options.address}:${options.port}`);
    setImmediate(() => (this.bindError ? this.emit("error", this.bindError) : callback()));
    return this;
  }
  setTTL(ttl: number) {
    this.calls.push(`setTTL ${ttl}`);
  }
  setMulticastTTL(ttl: number) {
    this.calls.push(`setMulticastTTL ${ttl}`);
  }
  setMulticastLoopback(on: boolean) {
    this.calls.push(`setMulticastLoopback ${on}`);
  }
  setMulticastInterface(address: string) {
    this.multicastIf = address;
  }
  addMembership(group: string, iface: string) {
    this.calls.push(`addMembership ${group} ${iface}`);
  }
  dropMembership(group: string, iface: string) {
    this.calls.push(`dropMembership ${group} ${iface}`);
  }
  send(bytes: Uint8Array, port: number, address: string, callback: (error: Error | null) => void) {
    if (this.closed) throw new Error("send after close");
    this.sent.push({ bytes: bytes.slice(), port, address, multicastIf: this.multicastIf });
    setImmediate(() => callback(this.failSends ? new Error("ENETUNREACH") : null));
  }
  close(callback?: () => void) {
    this.calls.push("close");
    this.closed = true;
    if (callback) setImmediate(callback);
  }
}

const v4 = (address: string, cidr: string, internal = false): os.NetworkInterfaceInfo =>
  ({ address, netmask: "255.255.255.0", family: "IPv4", mac: "02:00:00:00:00:01", internal, cidr }) as os.NetworkInterfaceInfo;
const v6 = (address: string): os.NetworkInterfaceInfo =>
  ({ address, netmask: "ffff:ffff:ffff:ffff::", family: "IPv6", mac: "02:00:00:00:00:01", internal: false, cidr: address + "/64", scopeid: 2 }) as os.NetworkInterfaceInfo;

function twoInterfaces(): NodeJS.Dict<os.NetworkInterfaceInfo[]> {
  return {
    lo: [v4("127.0.0.1", "127.0.0.1/8", true)],
    eth0: [v4("10.99.0.1", "10.99.0.1/24"), v6("fe80::1")],
    wlan0: [v4("192.168.4.1", "192.168.4.1/24")],
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits until the condition holds (a loaded CI machine may be slow), or fails after timeoutMs. */
async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(10);
  }
}
const records = (s: Sent): DnsRecord[] => {
  const r = parseMessage(s.bytes);
  if (!r.ok) throw new Error(r.error);
  return r.message.answers;
};
const aRecords = (s: Sent) => records(s).filter((r) => r.type === 1).map((r) => (r.data.kind === "a" ? r.data.address : "?"));

function query(name: string, qu = false, id = 0): Buffer {
  const labels = name.split(".").map((l) => Buffer.concat([Buffer.of(l.length), Buffer.from(l)]));
  return Buffer.concat([Buffer.from([id >> 8, id & 255, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 12, qu ? 0x80 : 0, 1])]);
}

test("startup: port 5353 on all addresses, IP TTL 255 for unicast and multicast, joins each IPv4 interface, announces twice 1 s apart", async (t) => {
  const socket = new FakeSocket();
  const lines: string[] = [];
  const mdns = await startMdns({ identity: IDENTITY, httpPort: 80, log: (l) => lines.push(l), createSocket: () => socket, networkInterfaces: twoInterfaces });
  t.true(mdns.active);
  t.deepEqual(socket.calls, [
    "bind 0.0.0.0:5353",
    "setTTL 255",
    "setMulticastTTL 255",
    "setMulticastLoopback true",
    "addMembership 224.0.0.251 10.99.0.1",
    "addMembership 224.0.0.251 192.168.4.1",
  ]);
  t.deepEqual(mdns.responder.addresses, ["10.99.0.1/24", "192.168.4.1/24"]);
  await until(() => socket.sent.length >= 2);
  t.deepEqual(socket.sent.map((s) => [s.address, s.port, s.multicastIf, aRecords(s).join()]), [
    ["224.0.0.251", 5353, "10.99.0.1", "10.99.0.1"],
    ["224.0.0.251", 5353, "192.168.4.1", "192.168.4.1"],
  ]);
  const firstAt = Date.now();
  await until(() => socket.sent.length >= 4);
  t.true(Date.now() - firstAt >= 900, "the second announcement after one second");
  t.is(socket.sent.length, 4);
  t.deepEqual(socket.sent[2].bytes, socket.sent[0].bytes);
  await sleep(1100);
  t.is(socket.sent.length, 4, "and no third");
  t.regex(lines[0], /^mDNS: shellypro3em-aabbccddeeff\._http\._tcp\.local, shellypro3em-aabbccddeeff\._shelly\._tcp\.local → shellypro3em-aabbccddeeff\.local:80 on 10\.99\.0\.1\/24, 192\.168\.4\.1\/24$/);
  await mdns.close();
});

test("interfaceAddress: only that interface (an internal one too, when asked for)", async (t) => {
  const socket = new FakeSocket();
  const mdns = await startMdns({ identity: IDENTITY, httpPort: 8080, interfaceAddress: "192.168.4.1", log: () => {}, createSocket: () => socket, networkInterfaces: twoInterfaces });
  t.deepEqual(socket.calls.filter((c) => c.startsWith("addMembership")), ["addMembership 224.0.0.251 192.168.4.1"]);
  await until(() => socket.sent.length >= 1);
  await sleep(20);
  t.deepEqual(socket.sent.map((s) => s.multicastIf), ["192.168.4.1"]);
  await mdns.close();
  t.deepEqual(advertisedAddresses(twoInterfaces(), "127.0.0.1"), ["127.0.0.1/8"]);
});

test("queries: multicast answers leave by the querier's interface; QU and legacy answers go back by unicast", async (t) => {
  const socket = new FakeSocket();
  // The clock stands still: the announcement's records stay "just multicast".
  const mdns = await startMdns({ identity: IDENTITY, httpPort: 80, log: () => {}, createSocket: () => socket, networkInterfaces: twoInterfaces, nowMs: () => 1e9 });
  await until(() => socket.sent.length >= 2);
  socket.sent = [];
  const replies = () => socket.sent.filter((s) => records(s).length === 4); // announcements have 7
  // The announcement just multicast everything: a QM query inside the next second gets nothing.
  socket.emit("message", query("_shelly._tcp.local"), { address: "10.99.0.2", port: 5353 });
  await sleep(30);
  t.is(replies().length, 0);
  socket.emit("message", query("_shelly._tcp.local", true), { address: "192.168.4.7", port: 5353 });
  socket.emit("message", query("_shelly._tcp.local", false, 77), { address: "10.99.0.9", port: 40001 });
  await until(() => replies().length >= 2);
  t.deepEqual(replies().map((s) => [s.address, s.port, aRecords(s).join()]), [
    ["192.168.4.7", 5353, "192.168.4.1"],
    ["10.99.0.9", 40001, "10.99.0.1"],
  ]);
  t.is(replies()[1].bytes[0] * 256 + replies()[1].bytes[1], 77, "legacy id echoed");
  t.true(socket.calls.indexOf("setTTL 255") < socket.calls.length, "unicast TTL was set before any send");
  await mdns.close();
});

test("multicast answer to a query from the second interface leaves by that interface", async (t) => {
  const socket = new FakeSocket();
  let now = 0;
  const mdns = await startMdns({ identity: IDENTITY, httpPort: 80, log: () => {}, createSocket: () => socket, networkInterfaces: twoInterfaces, nowMs: () => now });
  await until(() => socket.sent.length >= 2);
  now = 5000; // well after the announcements
  socket.sent = [];
  const replies = () => socket.sent.filter((s) => records(s).length === 4);
  socket.emit("message", query("_shelly._tcp.local"), { address: "192.168.4.7", port: 5353 });
  socket.emit("message", query("_shelly._tcp.local"), { address: "10.99.0.2", port: 5353 });
  await until(() => replies().length >= 2);
  t.deepEqual(replies().map((s) => [s.address, s.multicastIf, aRecords(s).join()]), [
    ["224.0.0.251", "192.168.4.1", "192.168.4.1"],
    ["224.0.0.251", "10.99.0.1", "10.99.0.1"],
  ]);
  await mdns.close();
});

test("address change: memberships follow, announced again (twice), logged", async (t) => {
  const socket = new FakeSocket();
  const lines: string[] = [];
  const interfaces = twoInterfaces();
  const mdns = await startMdns({ identity: IDENTITY, httpPort: 80, log: (l) => lines.push(l), createSocket: () => socket, networkInterfaces: () => interfaces, pollMs: 30 });
  await until(() => socket.sent.length >= 4); // both start-up announcements
  socket.sent = [];
  socket.calls = [];
  interfaces.eth0 = [v4("10.99.0.5", "10.99.0.5/24")];
  await until(() => socket.sent.length >= 2);
  t.deepEqual(socket.calls, ["dropMembership 224.0.0.251 10.99.0.1", "addMembership 224.0.0.251 10.99.0.5"]);
  t.deepEqual(socket.sent.map((s) => aRecords(s).join()), ["10.99.0.5", "192.168.4.1"]);
  t.true(lines.some((l) => l === "mDNS: addresses now 10.99.0.5/24, 192.168.4.1/24; announcing again"));
  await until(() => socket.sent.length >= 4);
  // No change: nothing more.
  await sleep(1200);
  t.is(socket.sent.length, 4);
  // All interfaces gone: nothing to announce, no crash; back again: announced.
  delete interfaces.eth0;
  delete interfaces.wlan0;
  await until(() => mdns.responder.addresses.length === 0);
  t.is(socket.sent.length, 4);
  interfaces.eth0 = [v4("10.99.0.1", "10.99.0.1/24")];
  await until(() => socket.sent.length >= 5);
  t.deepEqual(aRecords(socket.sent[4]), ["10.99.0.1"]);
  await mdns.close();
});

test("close: goodbye with TTL 0 on each interface, then the socket closes; later messages and timers do nothing", async (t) => {
  const socket = new FakeSocket();
  const mdns = await startMdns({ identity: IDENTITY, httpPort: 80, log: () => {}, createSocket: () => socket, networkInterfaces: twoInterfaces });
  await until(() => socket.sent.length >= 2);
  socket.sent = [];
  await mdns.close();
  t.is(socket.sent.length, 2);
  for (const s of socket.sent) {
    t.is(s.address, "224.0.0.251");
    t.true(records(s).every((r) => r.ttl === 0));
    t.is(records(s).length, 7);
  }
  t.deepEqual(socket.sent.map((s) => s.multicastIf), ["10.99.0.1", "192.168.4.1"]);
  t.is(socket.calls[socket.calls.length - 1], "close");
  socket.emit("message", query("_shelly._tcp.local", true), { address: "10.99.0.2", port: 5353 });
  await sleep(1200);
  t.is(socket.sent.length, 2, "no answer and no second announcement after close");
  await mdns.close();
  t.is(socket.calls.filter((c) => c === "close").length, 1);
});

test("port 5353 taken: mDNS is off with a log line, serving goes on", async (t) => {
  const error = Object.assign(new Error("bind EADDRINUSE"), { code: "EADDRINUSE" });
  const socket = new FakeSocket(error);
  const lines: string[] = [];
  const warnings: string[] = [];
  const mdns = await startMdns({ identity: IDENTITY, httpPort: 80, log: (l) => lines.push(l), warn: (l) => warnings.push(l), createSocket: () => socket, networkInterfaces: twoInterfaces });
  t.false(mdns.active);
  t.deepEqual(warnings, ["mDNS off: cannot use UDP port 5353 (EADDRINUSE)"], "a problem: shown even with serve --quiet");
  t.deepEqual(lines, []);
  t.deepEqual(socket.sent, []);
  await mdns.close();
});

test("send errors are logged a few times only", async (t) => {
  const socket = new FakeSocket();
  socket.failSends = true;
  const lines: string[] = [];
  const mdns = await startMdns({ identity: IDENTITY, httpPort: 80, log: (l) => lines.push(l), createSocket: () => socket, networkInterfaces: twoInterfaces });
  for (let i = 0; i < 10; i++) socket.emit("message", query("_shelly._tcp.local", true), { address: "10.99.0.2", port: 5353 });
  await until(() => socket.sent.length >= 12);
  await sleep(20);
  t.is(lines.filter((l) => l.includes("failed: ENETUNREACH")).length, 5);
  await mdns.close();
});

test("an interface that cannot join the group is reported once and retried at each poll", async (t) => {
  const socket = new FakeSocket();
  let refuse = true;
  const add = socket.addMembership.bind(socket);
  socket.addMembership = (group: string, iface: string) => {
    if (refuse && iface === "192.168.4.1") throw new Error("addMembership ENODEV");
    add(group, iface);
  };
  const warnings: string[] = [];
  const mdns = await startMdns({ identity: IDENTITY, httpPort: 80, log: () => {}, warn: (l) => warnings.push(l), createSocket: () => socket, networkInterfaces: twoInterfaces, pollMs: 20 });
  await sleep(100);
  t.deepEqual(warnings, ["mDNS: cannot join 224.0.0.251 on 192.168.4.1: addMembership ENODEV"]);
  refuse = false;
  await until(() => socket.calls.includes("addMembership 224.0.0.251 192.168.4.1"));
  t.pass();
  await mdns.close();
});

test("advertisedAddresses: IPv4 non-internal with prefix from cidr or netmask", (t) => {
  const interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = {
    lo: [v4("127.0.0.1", "127.0.0.1/8", true)],
    eth0: [{ ...v4("10.0.0.5", ""), cidr: null, netmask: "255.255.240.0" } as os.NetworkInterfaceInfo, v6("fe80::2")],
    eth1: [{ ...v4("172.16.0.9", "172.16.0.9/30"), family: 4 } as unknown as os.NetworkInterfaceInfo],
    eth2: undefined,
  };
  t.deepEqual(advertisedAddresses(interfaces), ["10.0.0.5/20", "172.16.0.9/30"]);
  t.deepEqual(advertisedAddresses(interfaces, "10.0.0.5"), ["10.0.0.5/20"]);
  t.deepEqual(advertisedAddresses(interfaces, "10.0.0.6"), []);
});
