// The captive portal's DNS server while the access point is up: every A question is
// answered with the access point's address (modules/net/dns-captive).

import UDP from "embedded:io/socket/udp";
import { CaptiveDnsResponder } from "../net/dns-captive";

export class CaptiveDns {
  private readonly socket: UDP;
  readonly responder: CaptiveDnsResponder;

  /** Throws when the port cannot be bound. */
  constructor(port: number, apAddress: string) {
    const responder = new CaptiveDnsResponder({ address: apAddress });
    this.responder = responder;
    this.socket = new UDP({
      port,
      onReadable(packets: number) {
        while (packets-- > 0) {
          const packet = this.read();
          if (packet === undefined) return;
          const reply = responder.reply(new Uint8Array(packet));
          if (reply === null) continue;
          try {
            this.write(reply, packet.address, packet.port);
          } catch {
            // no buffer now: the resolver retries
          }
        }
      },
    });
  }

  close(): void {
    this.socket.close();
  }
}
