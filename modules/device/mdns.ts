// mDNS over a UDP socket on 5353 with the core's responder (modules/net/mdns-responder):
// `_http._tcp` and `_shelly._tcp` with the real device's TXT, A records in the answers,
// replies with IP TTL 255. The socket joins 224.0.0.251 on ESP32; the simulator's UDP socket
// cannot join a group, so there only unicast (legacy, port ≠ 5353) queries are answered.

import UDP from "embedded:io/socket/udp";
import platform from "device-platform";
import { MdnsResponder, MDNS_ADDRESS, type MdnsPacket } from "../net/mdns-responder";
import type { DeviceIdentity } from "../shelly/identity";

export interface MdnsServiceOptions {
  identity: DeviceIdentity;
  httpPort: number;
  /** 5353 on the device. */
  port: number;
  nowMs(): number;
  log(line: string): void;
}

export class MdnsService {
  readonly responder: MdnsResponder;
  private socket: UDP | null = null;
  private multicast = false;

  constructor(private readonly options: MdnsServiceOptions) {
    this.responder = new MdnsResponder({ identity: options.identity, httpPort: options.httpPort });
  }

  get listening(): boolean {
    return this.socket !== null;
  }

  get joined(): boolean {
    return this.multicast;
  }

  /**
   * (Re)opens the socket for the current addresses, joins the group and announces. Call
   * after every new station address: lwIP joins the group per interface address.
   */
  start(addresses: readonly string[]): void {
    this.stop(false);
    this.responder.setAddresses(addresses);
    const o = this.options;
    try {
      this.socket = new UDP({
        port: o.port,
        timeToLive: 255,
        onReadable: (packets: number) => {
          while (packets-- > 0 && this.socket !== null) {
            const packet = this.socket.read();
            if (packet === undefined) return;
            this.send(this.responder.handleQuery(new Uint8Array(packet), packet.address, packet.port, o.nowMs()));
          }
        },
      });
    } catch (error) {
      o.log("mdns: cannot listen on port " + o.port + ": " + String(error));
      return;
    }
    try {
      this.multicast = platform.joinMulticast(this.socket, MDNS_ADDRESS);
    } catch (error) {
      o.log("mdns: cannot join " + MDNS_ADDRESS + ": " + String(error));
    }
    this.announce();
  }

  /** Announces every record (RFC 6762 wants two announcements, a second apart). */
  announce(): void {
    if (this.multicast) this.send(this.responder.announce(this.options.nowMs()));
  }

  /** Sends goodbyes (when asked) and closes the socket. */
  stop(goodbye: boolean): void {
    const socket = this.socket;
    if (socket === null) return;
    if (goodbye && this.multicast) this.send(this.responder.goodbye());
    socket.close();
    this.socket = null;
    this.multicast = false;
  }

  private send(packets: readonly MdnsPacket[]): void {
    const socket = this.socket;
    if (socket === null) return;
    for (const p of packets) {
      try {
        socket.write(p.bytes, p.address, p.port);
      } catch {
        // out of buffers: the querier asks again
      }
    }
  }
}
