// Shelly JSON-RPC over UDP (Marstek and others poll EM.GetStatus this way): one socket per
// port, each datagram one frame, the reply goes back to the sender.

import UDP from "embedded:io/socket/udp";

/** Larger datagrams are not RPC frames; they are dropped unread. */
const MAX_DATAGRAM_BYTES = 2048;

export type FrameHandler = (text: string, remote: string) => string | null;

export class UdpRpc {
  private readonly sockets: UDP[] = [];
  readonly ports: number[] = [];
  received = 0;
  dropped = 0;

  constructor(ports: readonly number[], handle: FrameHandler, log: (line: string) => void) {
    for (const port of ports) {
      try {
        const socket: UDP = new UDP({
          port,
          onReadable: (packets: number) => {
            while (packets-- > 0) {
              const packet = socket.read();
              if (packet === undefined) return;
              this.datagram(socket, packet, handle);
            }
          },
        });
        this.sockets.push(socket);
        this.ports.push(port);
      } catch (error) {
        log("udp: cannot listen on port " + port + ": " + String(error));
      }
    }
  }

  close(): void {
    for (const s of this.sockets) s.close();
    this.sockets.length = 0;
  }

  private datagram(socket: UDP, packet: ArrayBuffer & { address: string; port: number }, handle: FrameHandler): void {
    this.received++;
    if (packet.byteLength === 0 || packet.byteLength > MAX_DATAGRAM_BYTES) {
      this.dropped++;
      return;
    }
    let text: string;
    try {
      text = String.fromArrayBuffer(packet);
    } catch {
      this.dropped++; // not UTF-8
      return;
    }
    const reply = handle(text, packet.address);
    if (reply === null) return;
    try {
      socket.write(ArrayBuffer.fromString(reply), packet.address, packet.port);
    } catch {
      this.dropped++; // no buffer: the client asks again
    }
  }
}
