// The host's mDNS: a UDP socket on 5353 in front of the core's MdnsResponder. It joins
// 224.0.0.251 on the chosen interface (or every non-internal IPv4 interface), sends every
// packet with IP TTL 255 (multicast and, for Sigenergy and other Shelly controllers,
// unicast too), announces at start and whenever the addresses change (polled), and says
// goodbye (TTL 0) on close. A socket that cannot be had (another responder holding 5353
// without SO_REUSEADDR, no permission) turns mDNS off with a log line; serving goes on.

import dgram from "node:dgram";
import os from "node:os";
import {
  ANNOUNCE_COUNT,
  ANNOUNCE_INTERVAL_MS,
  MDNS_ADDRESS,
  MDNS_PORT,
  MdnsResponder,
  type MdnsDeviceIdentity,
  type MdnsPacket,
} from "../modules/net/mdns-responder";

/** Every reply leaves with this IP TTL (RFC 6762 §11; Tasmota PR #24952). */
export const MDNS_IP_TTL = 255;
export const DEFAULT_POLL_MS = 3000;

/** The part of dgram.Socket we use (tests hand in a fake). */
export interface MdnsSocket {
  on(event: "message", listener: (msg: Buffer, rinfo: { address: string; port: number }) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  bind(options: { port: number; address: string }, callback: () => void): unknown;
  once(event: "error", listener: (error: Error) => void): unknown;
  removeListener(event: "error", listener: (error: Error) => void): unknown;
  setTTL(ttl: number): unknown;
  setMulticastTTL(ttl: number): unknown;
  setMulticastLoopback(on: boolean): unknown;
  setMulticastInterface(address: string): unknown;
  addMembership(group: string, iface: string): unknown;
  dropMembership(group: string, iface: string): unknown;
  send(bytes: Uint8Array, port: number, address: string, callback: (error: Error | null) => void): unknown;
  close(callback?: () => void): unknown;
}

export interface MdnsOptions {
  identity: MdnsDeviceIdentity;
  /** Advertised in SRV. */
  httpPort: number;
  /** Only this local IPv4 address's interface (e.g. serve's --bind); default: all. */
  interfaceAddress?: string;
  log: (line: string) => void;
  /** Problems (no socket, a failed join or send); default: log. Lets serve --quiet still show them. */
  warn?: (line: string) => void;
  /** TXT arch (default esp8266). */
  arch?: string;
  /** How often to look for address changes (default 3 s). */
  pollMs?: number;
  /** Seams for tests. */
  port?: number;
  networkInterfaces?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  createSocket?: () => MdnsSocket;
  nowMs?: () => number;
}

export interface MdnsHandle {
  /** False when the socket could not be bound (mDNS is then off). */
  readonly active: boolean;
  readonly responder: MdnsResponder;
  /** Sends the goodbye and closes the socket. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * The IPv4 addresses to advertise, "a.b.c.d/prefix": the non-internal ones, or only
 * `only` (which may be internal, e.g. 127.0.0.1 for a loopback test).
 */
export function advertisedAddresses(interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>, only?: string): string[] {
  const out: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      // Node 18.0–18.3 reported family as the number 4.
      if (a.family !== "IPv4" && (a.family as unknown) !== 4) continue;
      if (only !== undefined ? a.address !== only : a.internal) continue;
      const prefix = a.cidr ? a.cidr.slice(a.cidr.indexOf("/") + 1) : String(prefixOf(a.netmask));
      const entry = a.address + "/" + prefix;
      if (!out.includes(entry)) out.push(entry);
    }
  }
  return out;
}

function prefixOf(netmask: string): number {
  let bits = 0;
  for (const part of netmask.split(".")) {
    let n = parseInt(part, 10);
    while (n & 0x80) {
      bits++;
      n = (n << 1) & 0xff;
    }
  }
  return bits;
}

export async function startMdns(options: MdnsOptions): Promise<MdnsHandle> {
  const log = options.log;
  const warn = options.warn ?? log;
  const interfaces = options.networkInterfaces ?? os.networkInterfaces;
  const now = options.nowMs ?? (() => performance.now());
  const responder = new MdnsResponder({ identity: options.identity, httpPort: options.httpPort, arch: options.arch });
  const socket: MdnsSocket = options.createSocket ? options.createSocket() : dgram.createSocket({ type: "udp4", reuseAddr: true });
  const port = options.port ?? MDNS_PORT;

  let closed = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const joined = new Set<string>();
  const joinFailed = new Set<string>(); // logged once each
  let sending: Promise<void> = Promise.resolve();
  let sendErrors = 0;

  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind({ port, address: "0.0.0.0" }, () => {
        socket.removeListener("error", reject);
        resolve();
      });
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    warn(`mDNS off: cannot use UDP port ${port} (${e.code ?? e.message})`);
    try {
      socket.close();
    } catch {
      // already closed
    }
    return { active: false, responder, close: async () => {} };
  }
  socket.on("error", (error) => warn(`mDNS socket error: ${error.message}`));
  socket.setTTL(MDNS_IP_TTL);
  socket.setMulticastTTL(MDNS_IP_TTL);
  socket.setMulticastLoopback(true); // a browser on this host sees us too

  // Packets go out one after another: a multicast one picks its interface just before.
  const send = (packets: MdnsPacket[]): Promise<void> => {
    for (const p of packets) {
      sending = sending.then(
        () =>
          new Promise<void>((resolve) => {
            if (!p.unicast && p.via !== null) {
              try {
                socket.setMulticastInterface(p.via);
              } catch (error) {
                warn(`mDNS: cannot send via ${p.via}: ${(error as Error).message}`);
                resolve();
                return;
              }
            }
            socket.send(p.bytes, p.port, p.address, (error) => {
              // Log the first few only: a vanished interface would fill the log.
              if (error && sendErrors++ < 5) warn(`mDNS: send to ${p.address}:${p.port} failed: ${error.message}`);
              resolve();
            });
          }),
      );
    }
    return sending;
  };

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  let announceRound = 0;
  const announceBurst = () => {
    const round = ++announceRound; // a newer burst (address change) supersedes this one
    const step = (i: number) => {
      if (closed || round !== announceRound) return;
      void send(responder.announce(now()));
      if (i + 1 < ANNOUNCE_COUNT) later(ANNOUNCE_INTERVAL_MS, () => step(i + 1));
    };
    step(0);
  };

  const refreshAddresses = (): boolean => {
    const addresses = advertisedAddresses(interfaces(), options.interfaceAddress);
    const wanted = new Set(addresses.map((a) => a.slice(0, a.indexOf("/"))));
    for (const address of [...joined]) {
      if (wanted.has(address)) continue;
      joined.delete(address);
      try {
        socket.dropMembership(MDNS_ADDRESS, address);
      } catch {
        // the interface is gone already
      }
    }
    for (const address of wanted) {
      if (joined.has(address)) continue;
      try {
        socket.addMembership(MDNS_ADDRESS, address);
        joined.add(address);
      } catch (error) {
        // Some interfaces cannot do multicast; try again at the next poll, say so once.
        if (!joinFailed.has(address)) warn(`mDNS: cannot join ${MDNS_ADDRESS} on ${address}: ${(error as Error).message}`);
        joinFailed.add(address);
      }
    }
    return responder.setAddresses(addresses);
  };

  socket.on("message", (msg, rinfo) => {
    if (closed) return;
    const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    const packets = responder.handleQuery(bytes, rinfo.address, rinfo.port, now());
    if (packets.length > 0) void send(packets);
  });

  refreshAddresses();
  const shown = () => (responder.addresses.length > 0 ? responder.addresses.join(", ") : "no address yet");
  log(`mDNS: ${responder.instanceNames.join(", ")} → ${responder.hostName}:${options.httpPort} on ${shown()}`);
  announceBurst();

  const poll = setInterval(() => {
    if (refreshAddresses()) {
      log(`mDNS: addresses now ${shown()}; announcing again`);
      announceBurst();
    }
  }, options.pollMs ?? DEFAULT_POLL_MS);
  poll.unref();

  return {
    active: true,
    responder,
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await send(responder.goodbye());
      await new Promise<void>((resolve) => {
        try {
          socket.close(() => resolve());
        } catch {
          resolve();
        }
      });
    },
  };
}
