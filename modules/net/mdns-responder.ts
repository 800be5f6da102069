// Our own mDNS responder (RFC 6762 / RFC 6763) for the emulated Shelly Pro 3EM. Pure: the
// shell hands in datagrams and the current time, and sends the packets that come back. Both
// shells use it (Moddable's mdns module cannot put the A record into the answers or send
// unicast replies with IP TTL 255, and does not run on lin).
//
// What consumers need (shared/reference/consumers.md, shelly/api.md §4):
// - two services, `_http._tcp` and `_shelly._tcp`, instance name = device id
//   (`shellypro3em-<mac lower>`), host `<id>.local`, port 80, both with the same TXT;
// - PTR, SRV, TXT *and A* in the answer section (shellies-ng reads A only from there);
// - unicast replies for QU questions and for legacy queries (source port ≠ 5353); the shell
//   sends every reply with IP TTL 255 (Sigenergy / Tasmota PR #24952).
//
// Decisions:
// - TXT `gen` comes from identity.gen (2, the Pro 3EM's Gen2 firmware). The Solakon One was
//   only seen pairing with `gen=3` (uni-meter #267); a later setting can hand in gen 3 here.
// - TXT `arch=esp8266`: what real Gen2 devices report (api.md §4). uni-meter/AstraMeter use
//   esp32; no consumer is known to check it. Overridable with options.arch.
// - TXT `mac` is the upper-case MAC without separators, as in `/shelly`.
// - TTLs as RFC 6762 §10 recommends: 120 s for records naming a host (A, SRV, NSEC), 4500 s
//   for the others (PTR, TXT); at most 10 s in legacy unicast replies (§6.7); 0 in goodbyes.
// - No probing (§8.1): the names contain the MAC, so a conflict means a second emulator
//   with the same MAC, which a probe could not fix either.
// - A QU question is always answered by unicast (§5.4 would allow multicast when the record
//   was not multicast for a quarter of its TTL); a TC query is answered at once (§7.2 would
//   wait for the rest of the known answers). Both keep the responder stateless per query.
// - Multicast answers are rate-limited per record and interface (§6: at most once a second)
//   when the shell passes the time; announcements count as multicasts.
// - Queries from outside every local subnet are ignored (§11), when prefixes are known.

import {
  CLASS_ANY,
  CLASS_IN,
  FLAG_AUTHORITATIVE,
  FLAG_RESPONSE,
  TYPE_A,
  TYPE_ANY,
  TYPE_NSEC,
  TYPE_PTR,
  TYPE_SRV,
  TYPE_TXT,
  asciiLower,
  encodeMessage,
  parseHeader,
  parseIpv4,
  parseMessage,
  sameName,
  sameRecordData,
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
} from "./dns-message";

export const MDNS_ADDRESS = "224.0.0.251";
export const MDNS_PORT = 5353;
/** TTL of records that name a host (A, SRV, NSEC), RFC 6762 §10. */
export const HOST_RECORD_TTL = 120;
/** TTL of the other records (PTR, TXT), RFC 6762 §10. */
export const OTHER_RECORD_TTL = 4500;
/** Cap on TTLs in replies to legacy (non-5353) queriers, RFC 6762 §6.7. */
export const LEGACY_UNICAST_TTL = 10;
/** RFC 6762 §8.3: at least two announcements, one second apart. */
export const ANNOUNCE_COUNT = 2;
export const ANNOUNCE_INTERVAL_MS = 1000;
/** RFC 6762 §6: a record is multicast at most once a second per interface. */
export const MULTICAST_MIN_INTERVAL_MS = 1000;
export const DEFAULT_ARCH = "esp8266";

export const SERVICE_TYPES = Object.freeze(["_http._tcp.local", "_shelly._tcp.local"] as const);
export const SERVICES_META_NAME = "_services._dns-sd._udp.local";

/** Structurally a subset of modules/shelly/identity's DeviceIdentity. */
export interface MdnsDeviceIdentity {
  /** `shellypro3em-<mac lower>`: instance and host name. */
  readonly id: string;
  /** Upper-case hex without separators. */
  readonly mac: string;
  readonly model: string;
  readonly app: string;
  readonly version: string;
  readonly firmwareId: string;
  readonly gen: number;
}

export interface MdnsResponderOptions {
  identity: MdnsDeviceIdentity;
  /** The HTTP port in SRV (80 on the device: Hoymiles and Growatt ignore SRV and use 80). */
  httpPort: number;
  /** TXT `arch` (default esp8266, see the decisions above). */
  arch?: string;
  /** Initial addresses, as for setAddresses. */
  addresses?: readonly string[];
}

export interface MdnsPacket {
  bytes: Uint8Array;
  /** Destination: 224.0.0.251 for multicast, the querier's address for unicast. */
  address: string;
  port: number;
  unicast: boolean;
  /** For multicast: the local address whose interface it must leave by (null: any). */
  via: string | null;
}

export interface MdnsCounters {
  /** Datagrams handed to handleQuery. */
  received: number;
  /** Datagrams that did not parse. */
  malformed: number;
  /** Queries ignored: off-link source, no addresses, non-zero opcode/rcode. */
  ignored: number;
  /** Queries that produced at least one packet. */
  answered: number;
}

interface LocalAddress {
  text: string;
  value: number;
  /** 0..32, or -1 when the subnet is unknown. */
  prefix: number;
}

interface Answer {
  answers: DnsRecord[];
  additionals: DnsRecord[];
}

/** Answers mDNS queries for one emulated device. Keeps state in the instance only. */
export class MdnsResponder {
  readonly hostName: string;
  /** `<id>._http._tcp.local`, `<id>._shelly._tcp.local`. */
  readonly instanceNames: readonly string[];
  readonly txt: readonly string[];
  readonly counters: MdnsCounters = { received: 0, malformed: 0, ignored: 0, answered: 0 };
  private readonly port: number;
  private locals: LocalAddress[] = [];
  /** Record key + "@" + via → when it was last multicast. */
  private readonly lastMulticast = new Map<string, number>();

  constructor(options: MdnsResponderOptions) {
    const identity = options.identity;
    this.hostName = identity.id + ".local";
    this.instanceNames = SERVICE_TYPES.map((type) => identity.id + "." + type);
    this.port = options.httpPort;
    this.txt = [
      "gen=" + identity.gen,
      "id=" + identity.id,
      "mac=" + identity.mac,
      "app=" + identity.app,
      "model=" + identity.model,
      "ver=" + identity.version,
      "fw_id=" + identity.firmwareId,
      "arch=" + (options.arch ?? DEFAULT_ARCH),
    ];
    if (options.addresses) this.setAddresses(options.addresses);
  }

  /**
   * The device's IPv4 addresses, each "a.b.c.d" or "a.b.c.d/prefix" (the prefix lets the
   * responder pick the address on the querier's subnet and ignore off-link queries).
   * Invalid entries are skipped. Returns whether the set changed: then announce again.
   */
  setAddresses(addresses: readonly string[]): boolean {
    const next: LocalAddress[] = [];
    for (const entry of addresses) {
      const slash = entry.indexOf("/");
      const text = slash < 0 ? entry : entry.slice(0, slash);
      const value = parseIpv4(text);
      if (value === null) continue;
      let prefix = -1;
      if (slash >= 0) {
        const p = entry.slice(slash + 1);
        if (!/^\d{1,2}$/.test(p) || parseInt(p, 10) > 32) continue;
        prefix = parseInt(p, 10);
      }
      if (!next.some((l) => l.text === text)) next.push({ text, value, prefix });
    }
    const key = (list: LocalAddress[]) => list.map((l) => l.text + "/" + l.prefix).sort().join(",");
    const changed = key(next) !== key(this.locals);
    this.locals = next;
    return changed;
  }

  get addresses(): string[] {
    return this.locals.map((l) => (l.prefix < 0 ? l.text : l.text + "/" + l.prefix));
  }

  /**
   * The packets to send in reply to a datagram received on port 5353. Never throws. Pass
   * nowMs (a monotonic clock) to rate-limit multicast answers.
   */
  handleQuery(bytes: Uint8Array, fromAddress: string, fromPort: number, nowMs?: number): MdnsPacket[] {
    this.counters.received++;
    try {
      return this.answerQuery(bytes, fromAddress, fromPort, nowMs);
    } catch {
      // A bug must not take the device off the network; count it as a bad datagram.
      this.counters.malformed++;
      return [];
    }
  }

  /** Unsolicited responses with every record, one packet per interface (subnet). */
  announce(nowMs?: number): MdnsPacket[] {
    const out: MdnsPacket[] = [];
    for (const group of this.subnetGroups()) {
      const answers = this.allRecords(group);
      const via = group[0].text;
      if (nowMs !== undefined) {
        this.pruneRateLimit(nowMs);
        for (const r of answers) this.lastMulticast.set(recordKey(r) + "@" + via, nowMs);
      }
      const bytes = encodeMessage(responseMessage(0, [], answers, []));
      if (bytes !== null) out.push({ bytes, address: MDNS_ADDRESS, port: MDNS_PORT, unicast: false, via });
    }
    return out;
  }

  /** The same records with TTL 0 (RFC 6762 §10.1), for when the device goes away. */
  goodbye(): MdnsPacket[] {
    const out: MdnsPacket[] = [];
    for (const group of this.subnetGroups()) {
      const answers = this.allRecords(group).map((r) => ({ ...r, ttl: 0 }));
      const bytes = encodeMessage(responseMessage(0, [], answers, []));
      if (bytes !== null) out.push({ bytes, address: MDNS_ADDRESS, port: MDNS_PORT, unicast: false, via: group[0].text });
    }
    return out;
  }

  // ---- queries -------------------------------------------------------------------------------

  private answerQuery(bytes: Uint8Array, fromAddress: string, fromPort: number, nowMs?: number): MdnsPacket[] {
    const header = parseHeader(bytes);
    if (header === null) {
      this.counters.malformed++;
      return [];
    }
    // Responses (ours looped back, other devices'), non-standard opcodes, and messages with
    // a non-zero rcode (RFC 6762 §18.3, §18.11) are not queries for us.
    if ((header.flags & FLAG_RESPONSE) !== 0 || (header.flags & 0x7800) !== 0 || (header.flags & 0x000f) !== 0) {
      this.counters.ignored++;
      return [];
    }
    const parsed = parseMessage(bytes);
    if (!parsed.ok) {
      this.counters.malformed++;
      return [];
    }
    const query = parsed.message;
    const locals = this.localsFor(fromAddress);
    if (locals === null) {
      this.counters.ignored++;
      return [];
    }
    const legacy = fromPort !== MDNS_PORT;
    const unicastSet = new RecordSet();
    const multicastSet = new RecordSet();
    const answered: DnsQuestion[] = [];
    for (const question of query.questions) {
      const a = this.answerQuestion(question, locals);
      if (a === null) continue;
      answered.push(question);
      const target = legacy || question.unicastResponse ? unicastSet : multicastSet;
      for (const r of a.answers) target.addAnswer(r);
      for (const r of a.additionals) target.addAdditional(r);
    }
    if (answered.length === 0) return [];
    // Known-answer suppression (RFC 6762 §7.1): the querier already has it with at least
    // half of its TTL left.
    const known = (r: DnsRecord) =>
      query.answers.some(
        (k) => k.type === r.type && k.rrclass === r.rrclass && sameName(k.name, r.name) && sameRecordData(k.data, r.data) && k.ttl >= r.ttl / 2,
      );
    unicastSet.removeWhere(known);
    multicastSet.removeWhere(known);
    // A record that is also multicast stays in the unicast reply: consumers read a reply
    // as a whole (shellies-ng wants PTR and A together).

    const out: MdnsPacket[] = [];
    const via = locals[0].text;
    if (nowMs !== undefined) {
      multicastSet.removeWhere((r) => {
        const last = this.lastMulticast.get(recordKey(r) + "@" + via);
        return last !== undefined && nowMs - last >= 0 && nowMs - last < MULTICAST_MIN_INTERVAL_MS;
      });
    }
    if (multicastSet.answers.length > 0) {
      if (nowMs !== undefined) {
        this.pruneRateLimit(nowMs);
        for (const r of multicastSet.answers) this.lastMulticast.set(recordKey(r) + "@" + via, nowMs);
      }
      const bytes = encodeMessage(responseMessage(0, [], multicastSet.answers, multicastSet.additionals));
      if (bytes !== null) out.push({ bytes, address: MDNS_ADDRESS, port: MDNS_PORT, unicast: false, via });
    }
    if (unicastSet.answers.length > 0) {
      let message: DnsMessage;
      if (legacy) {
        // RFC 6762 §6.7: echo the id and the question, no cache-flush bits, TTL ≤ 10 s.
        const cap = (r: DnsRecord): DnsRecord => ({ ...r, cacheFlush: false, ttl: Math.min(r.ttl, LEGACY_UNICAST_TTL) });
        message = responseMessage(query.id, answered, unicastSet.answers.map(cap), unicastSet.additionals.map(cap));
      } else {
        message = responseMessage(0, [], unicastSet.answers, unicastSet.additionals);
      }
      const bytes = encodeMessage(message);
      if (bytes !== null) out.push({ bytes, address: fromAddress, port: fromPort, unicast: true, via: null });
    }
    if (out.length > 0) this.counters.answered++;
    return out;
  }

  /** What one question asks of us, or null if it is not about our names. */
  private answerQuestion(q: DnsQuestion, locals: LocalAddress[]): Answer | null {
    if (q.qclass !== CLASS_IN && q.qclass !== CLASS_ANY) return null;
    const any = q.type === TYPE_ANY;
    const name = asciiLower(q.name);
    if (name === SERVICES_META_NAME) {
      if (!any && q.type !== TYPE_PTR) return null;
      return { answers: SERVICE_TYPES.map((type) => ptrRecord(SERVICES_META_NAME, type)), additionals: [] };
    }
    for (let i = 0; i < SERVICE_TYPES.length; i++) {
      const type = SERVICE_TYPES[i];
      const instance = this.instanceNames[i];
      if (name === type) {
        // Shared name: no negative answers for other types.
        if (!any && q.type !== TYPE_PTR) return null;
        return { answers: [ptrRecord(type, instance), this.srvRecord(instance), this.txtRecord(instance), ...this.aRecords(locals)], additionals: [] };
      }
      if (name === asciiLower(instance)) {
        if (any) return { answers: [this.srvRecord(instance), this.txtRecord(instance), ...this.aRecords(locals)], additionals: [] };
        if (q.type === TYPE_SRV) return { answers: [this.srvRecord(instance), ...this.aRecords(locals)], additionals: [] };
        if (q.type === TYPE_TXT) return { answers: [this.txtRecord(instance)], additionals: [] };
        // RFC 6762 §6.1: say that the other types do not exist.
        return { answers: [nsecRecord(instance, [TYPE_TXT, TYPE_SRV])], additionals: [] };
      }
    }
    if (name === asciiLower(this.hostName)) {
      if (any || q.type === TYPE_A) return { answers: this.aRecords(locals), additionals: [] };
      // AAAA and everything else: we have only IPv4 (HA rejects IPv6 anyway).
      return { answers: [nsecRecord(this.hostName, [TYPE_A])], additionals: this.aRecords(locals) };
    }
    return null;
  }

  // ---- records -------------------------------------------------------------------------------

  private srvRecord(instance: string): DnsRecord {
    return { name: instance, type: TYPE_SRV, rrclass: CLASS_IN, cacheFlush: true, ttl: HOST_RECORD_TTL, data: { kind: "srv", priority: 0, weight: 0, port: this.port, target: this.hostName } };
  }

  private txtRecord(instance: string): DnsRecord {
    return { name: instance, type: TYPE_TXT, rrclass: CLASS_IN, cacheFlush: true, ttl: OTHER_RECORD_TTL, data: { kind: "txt", strings: this.txt.slice() } };
  }

  private aRecords(locals: LocalAddress[]): DnsRecord[] {
    return locals.map((l) => ({ name: this.hostName, type: TYPE_A, rrclass: CLASS_IN, cacheFlush: true, ttl: HOST_RECORD_TTL, data: { kind: "a" as const, address: l.text } }));
  }

  /** Announcement order: per service PTR, SRV, TXT; then the A records. */
  private allRecords(locals: LocalAddress[]): DnsRecord[] {
    const out: DnsRecord[] = [];
    for (let i = 0; i < SERVICE_TYPES.length; i++) {
      out.push(ptrRecord(SERVICE_TYPES[i], this.instanceNames[i]), this.srvRecord(this.instanceNames[i]), this.txtRecord(this.instanceNames[i]));
    }
    return out.concat(this.aRecords(locals));
  }

  // ---- addresses -----------------------------------------------------------------------------

  /**
   * The local addresses to answer a querier with: those on its subnet; failing that, those
   * whose subnet is unknown; null if the querier is on no local subnet (or there is none).
   */
  private localsFor(fromAddress: string): LocalAddress[] | null {
    const from = parseIpv4(fromAddress);
    if (from === null) return null;
    for (const group of this.subnetGroups()) {
      const l = group[0];
      if (l.prefix >= 0 && sameSubnet(from, l.value, l.prefix)) return group;
    }
    const unknown = this.locals.filter((l) => l.prefix < 0);
    return unknown.length > 0 ? unknown : null;
  }

  /** Addresses grouped by subnet (each address with an unknown prefix alone), in order. */
  private subnetGroups(): LocalAddress[][] {
    const groups: LocalAddress[][] = [];
    for (const l of this.locals) {
      const group = l.prefix < 0 ? undefined : groups.find((g) => g[0].prefix === l.prefix && sameSubnet(g[0].value, l.value, l.prefix));
      if (group) group.push(l);
      else groups.push([l]);
    }
    return groups;
  }

  private pruneRateLimit(nowMs: number): void {
    if (this.lastMulticast.size < 256) return;
    for (const [key, at] of this.lastMulticast) if (!(nowMs - at >= 0 && nowMs - at < MULTICAST_MIN_INTERVAL_MS)) this.lastMulticast.delete(key);
  }
}

/** Answers and additionals without duplicates; an answer displaces an equal additional. */
class RecordSet {
  answers: DnsRecord[] = [];
  additionals: DnsRecord[] = [];

  has(r: DnsRecord): boolean {
    const key = recordKey(r);
    return this.answers.some((a) => recordKey(a) === key) || this.additionals.some((a) => recordKey(a) === key);
  }

  addAnswer(r: DnsRecord): void {
    const key = recordKey(r);
    if (this.answers.some((a) => recordKey(a) === key)) return;
    this.additionals = this.additionals.filter((a) => recordKey(a) !== key);
    this.answers.push(r);
  }

  addAdditional(r: DnsRecord): void {
    if (!this.has(r)) this.additionals.push(r);
  }

  removeWhere(test: (r: DnsRecord) => boolean): void {
    this.answers = this.answers.filter((r) => !test(r));
    this.additionals = this.additionals.filter((r) => !test(r));
  }
}

/** Identifies one of our records (name, type and the data that tells records apart). */
function recordKey(r: DnsRecord): string {
  const d = r.data;
  const data = d.kind === "a" ? d.address : d.kind === "ptr" ? asciiLower(d.target) : "";
  return r.type + "|" + asciiLower(r.name) + "|" + data;
}

function ptrRecord(name: string, target: string): DnsRecord {
  return { name, type: TYPE_PTR, rrclass: CLASS_IN, cacheFlush: false, ttl: OTHER_RECORD_TTL, data: { kind: "ptr", target } };
}

function nsecRecord(name: string, types: number[]): DnsRecord {
  return { name, type: TYPE_NSEC, rrclass: CLASS_IN, cacheFlush: true, ttl: HOST_RECORD_TTL, data: { kind: "nsec", next: name, types } };
}

function responseMessage(id: number, questions: DnsQuestion[], answers: DnsRecord[], additionals: DnsRecord[]): DnsMessage {
  return { id, flags: FLAG_RESPONSE | FLAG_AUTHORITATIVE, questions, answers, authorities: [], additionals };
}

function sameSubnet(a: number, b: number, prefix: number): boolean {
  if (prefix === 0) return true;
  const shift = 32 - prefix;
  return Math.floor(a / 2 ** shift) === Math.floor(b / 2 ** shift);
}
