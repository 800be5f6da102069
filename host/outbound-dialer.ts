// TCP connections for the outbound WebSocket (modules/app/outbound-ws): node:net sockets
// whose events go to the core.

import net from "node:net";
import type { OutboundDialer } from "../modules/app/outbound-ws";

export const nodeDialer: OutboundDialer = {
  dial(host, port, events) {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    socket.on("connect", () => events.connected());
    socket.on("data", (data: Buffer) => events.bytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    socket.on("error", () => {}); // "close" follows
    socket.on("close", () => events.gone());
    return {
      write: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      close: () => {
        if (socket.connecting) socket.destroy();
        else socket.end();
      },
    };
  },
};
