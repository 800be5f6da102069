// TCP connections for the outbound WebSocket (modules/app/outbound-ws) over ECMA-419
// sockets: a host name is looked up first (Net.resolve), then a TcpLink connects.

import Net from "net";
import type { OutboundDialer } from "../app/outbound-ws";
import { parseIpv4 } from "../net/dns-message";
import { TcpLink } from "./tcp-link";

export const deviceDialer: OutboundDialer = Object.freeze<OutboundDialer>({
  dial(host, port, events) {
    let link: TcpLink | null = null;
    let ended = false;
    const open = (address: string) => {
      const opened = new TcpLink({ address, port });
      opened.attach({ onConnected: () => events.connected(), onBytes: (bytes) => events.bytes(bytes), onGone: () => events.gone() });
      link = opened;
    };
    if (parseIpv4(host) !== null) open(host);
    else {
      Net.resolve(host, (_name, address) => {
        if (ended) return;
        if (address === undefined) {
          events.gone();
          return;
        }
        try {
          open(address);
        } catch {
          events.gone();
        }
      });
    }
    return {
      write: (bytes) => link?.write(bytes),
      encodeText: (text) => new Uint8Array(ArrayBuffer.fromString(text)),
      close: () => {
        ended = true;
        link?.close();
      },
    };
  },
});
