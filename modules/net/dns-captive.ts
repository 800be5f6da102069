// The captive portal's DNS server as a pure function of a query datagram: while the device
// runs its own access point, every name resolves to the device, so that phones and laptops
// find their connectivity-check URL answered by our setup page and open it by themselves.
//
// Decisions:
// - A (and ANY) questions get one A record with the AP address, TTL 60 s: short, so that the
//   real addresses come back soon after the device has left AP mode.
// - AAAA, HTTPS/SVCB and every other type get an empty NOERROR answer ("no data"), not
//   NXDOMAIN: NXDOMAIN would say the *name* does not exist, contradicting the A answer, and
//   some stub resolvers then drop the A answer too. With no AAAA, clients use IPv4.
// - Names that networks use to switch client features off are answered NXDOMAIN, because an
//   answer would make the client tunnel DNS past the portal: Firefox's DoH canary
//   "use-application-dns.net" and Apple's iCloud Private Relay "mask.icloud.com",
//   "mask-h2.icloud.com" (both documented as "NXDOMAIN = disable"). Configurable.
// - Only well-formed standard queries are answered: one question, no answer or authority
//   records (an EDNS OPT in the additional section is fine but not echoed), opcode QUERY.
//   Responses, other opcodes, truncated or oversized datagrams and garbage get no reply
//   (null): nothing to learn from a FORMERR, and no reflection for random packets.
// - The question is copied byte for byte (DNS 0x20 case randomization stays intact) and the
//   answer's name is a pointer to it.
//
// reply() never throws, allocates only the answer, and keeps no state between queries except
// counters.

import { CLASS_ANY, CLASS_IN, TYPE_A, TYPE_ANY, parseIpv4, labelToText } from "./dns-message";

export interface CaptiveDnsOptions {
  /** The access point's IPv4 address, dotted quad ("192.168.4.1"). */
  address: string;
  /** TTL of the A answers, seconds (default 60). */
  ttl?: number;
  /** Names answered NXDOMAIN (lower case, no trailing dot). Default: DEFAULT_NXDOMAIN_NAMES. */
  nxdomainNames?: readonly string[];
}

export const DEFAULT_CAPTIVE_TTL = 60;
export const DEFAULT_NXDOMAIN_NAMES: readonly string[] = Object.freeze(["use-application-dns.net", "mask.icloud.com", "mask-h2.icloud.com"]);
/** Larger datagrams are ignored (RFC 9715's advice for the EDNS buffer size). */
export const MAX_QUERY_BYTES = 1232;

const RCODE_NOERROR = 0;
const RCODE_NXDOMAIN = 3;

/** The one question of a standard query, as found on the wire. */
export interface CaptiveDnsQuestion {
  id: number;
  /** Text form of the name ("connectivitycheck.gstatic.com"), escapes as in dns-message. */
  name: string;
  type: number;
  qclass: number;
  /** Offset just after the question (12 + name + 4). */
  end: number;
}

/** Reads the question of a standard query; null for responses, other opcodes and anything malformed. */
export function parseCaptiveQuery(query: Uint8Array): CaptiveDnsQuestion | null {
  const n = query.length;
  if (n < 17 || n > MAX_QUERY_BYTES) return null; // header + root name + type + class
  const flags = (query[2] << 8) | query[3];
  if ((flags & 0x8000) !== 0 || (flags & 0x7800) !== 0) return null; // a response, or not QUERY
  const questions = (query[4] << 8) | query[5];
  const answers = (query[6] << 8) | query[7];
  const authorities = (query[8] << 8) | query[9];
  if (questions !== 1 || answers !== 0 || authorities !== 0) return null;
  let p = 12;
  let wire = 1;
  let name = "";
  for (;;) {
    if (p >= n) return null;
    const len = query[p];
    if (len === 0) break;
    if (len > 63) return null; // compression pointers or reserved label types: not in a question we answer
    wire += len + 1;
    if (wire > 255 || p + 1 + len > n) return null;
    name += (name.length === 0 ? "" : ".") + labelToText(query, p + 1, p + 1 + len);
    p += 1 + len;
  }
  p++;
  if (p + 4 > n) return null;
  return {
    id: (query[0] << 8) | query[1],
    name,
    type: (query[p] << 8) | query[p + 1],
    qclass: (query[p + 2] << 8) | query[p + 3],
    end: p + 4,
  };
}

function lowerAscii(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 0x20) : text[i];
  }
  return out;
}

export interface CaptiveDnsCounts {
  /** A answers with our address. */
  answered: number;
  /** Empty NOERROR answers (AAAA and other types). */
  noData: number;
  /** NXDOMAIN answers (the opt-out names). */
  nxdomain: number;
  /** Datagrams without a reply. */
  ignored: number;
}

export class CaptiveDnsResponder {
  private address = new Uint8Array(4);
  private ttl: number;
  private readonly nxdomainNames: readonly string[];
  readonly counts: CaptiveDnsCounts = { answered: 0, noData: 0, nxdomain: 0, ignored: 0 };

  constructor(options: CaptiveDnsOptions) {
    this.ttl = Math.max(0, Math.min(0x7fffffff, Math.floor(options.ttl ?? DEFAULT_CAPTIVE_TTL)));
    this.nxdomainNames = options.nxdomainNames ?? DEFAULT_NXDOMAIN_NAMES;
    if (!this.setAddress(options.address)) throw new RangeError("not an IPv4 address: " + options.address);
  }

  /** Changes the address handed out; false (and no change) if it is not a dotted-quad IPv4. */
  setAddress(address: string): boolean {
    const value = parseIpv4(address);
    if (value === null) return false;
    const bytes = new Uint8Array(4);
    bytes[0] = value >>> 24;
    bytes[1] = (value >>> 16) & 0xff;
    bytes[2] = (value >>> 8) & 0xff;
    bytes[3] = value & 0xff;
    this.address = bytes;
    return true;
  }

  /** The reply datagram for a query datagram, or null when none is to be sent. Never throws. */
  reply(query: Uint8Array): Uint8Array | null {
    const question = parseCaptiveQuery(query);
    if (question === null) {
      this.counts.ignored++;
      return null;
    }
    const classOk = question.qclass === CLASS_IN || question.qclass === CLASS_ANY;
    let rcode = RCODE_NOERROR;
    let withAddress = false;
    if (this.nxdomainNames.indexOf(lowerAscii(question.name)) >= 0) rcode = RCODE_NXDOMAIN;
    else withAddress = classOk && question.name.length > 0 && (question.type === TYPE_A || question.type === TYPE_ANY);
    const end = question.end;
    const out = new Uint8Array(end + (withAddress ? 16 : 0));
    out.set(query.subarray(0, end));
    // Header: QR, opcode QUERY, AA, RD as asked, RA; one question; no OPT echoed.
    out[2] = 0x84 | (query[2] & 0x01);
    out[3] = 0x80 | rcode;
    out[6] = 0;
    out[7] = withAddress ? 1 : 0;
    out[8] = 0;
    out[9] = 0;
    out[10] = 0;
    out[11] = 0;
    if (withAddress) {
      let p = end;
      out[p++] = 0xc0; // name: pointer to the question's name at offset 12
      out[p++] = 12;
      out[p++] = 0;
      out[p++] = TYPE_A;
      out[p++] = 0;
      out[p++] = CLASS_IN;
      const ttl = this.ttl;
      out[p++] = ttl >>> 24;
      out[p++] = (ttl >>> 16) & 0xff;
      out[p++] = (ttl >>> 8) & 0xff;
      out[p++] = ttl & 0xff;
      out[p++] = 0;
      out[p++] = 4;
      out.set(this.address, p);
      this.counts.answered++;
    } else if (rcode === RCODE_NXDOMAIN) {
      this.counts.nxdomain++;
    } else {
      this.counts.noData++;
    }
    return out;
  }
}
