// JSON-RPC over UDP (Marstek B2500/Venus/Jupiter, Solakon One): one frame per datagram,
// one reply datagram to the sender's address and port. Datagrams that are not a frame
// with an id get no reply. Each port is bound on its own: a port that cannot be bound
// (below 1024 without root, or taken by another program) is reported in one sentence and
// the others keep serving, so that the HTTP side and the remaining ports stay useful.

import dgram from "node:dgram";
import net from "node:net";
import type { FrameReply } from "../modules/shelly/shelly-device";
import { plainAddress } from "./http-transport";

export interface UdpTransportOptions {
  /** Address to bind (the same as HTTP); "0.0.0.0" for all IPv4 interfaces. */
  address: string;
  ports: readonly number[];
  handleFrame: (text: string, remote: string) => FrameReply;
  /** Larger datagrams are dropped unread (default 8 KiB; requests are a few dozen bytes). */
  maxDatagramBytes?: number;
  log: (line: string) => void;
}

export interface UdpPortFailure {
  port: number;
  code: string;
  sentence: string;
}

export interface UdpTransport {
  /** Ports we listen on (the actual numbers, also for a requested 0). */
  readonly bound: readonly number[];
  readonly failed: readonly UdpPortFailure[];
  close(): Promise<void>;
}

/** Who polls which port: for the log line when a port cannot be had. */
function whoUses(port: number): string {
  if (port === 1010) return "Marstek B2500 up to firmware 224, Venus, Jupiter and Solakon One poll this port";
  if (port === 2220) return "Marstek B2500 from firmware 226 polls this port";
  return "consumers configured for this port get no answer";
}

/** One clear sentence for a port we could not bind. */
export function udpFailureSentence(port: number, address: string, code: string, message: string): string {
  const why =
    code === "EACCES"
      ? "permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE (e.g. sudo setcap cap_net_bind_service=+ep \"$(readlink -f \"$(command -v node)\")\")"
      : code === "EADDRINUSE"
        ? "it is already in use by another program (another emulator?)"
        : code === "EADDRNOTAVAIL"
          ? `there is no address ${address} on this machine`
          : message;
  return `UDP RPC on port ${port} is off: ${why}; ${whoUses(port)}.`;
}

export async function startUdpTransport(options: UdpTransportOptions): Promise<UdpTransport> {
  const maxDatagram = options.maxDatagramBytes ?? 8 * 1024;
  const type = net.isIPv6(options.address) ? "udp6" : "udp4";
  const sockets: dgram.Socket[] = [];
  const bound: number[] = [];
  const failed: UdpPortFailure[] = [];

  const open = (port: number) =>
    new Promise<void>((resolve) => {
      const socket = dgram.createSocket({ type, reuseAddr: false });
      const onBindError = (error: NodeJS.ErrnoException) => {
        const code = error.code ?? "ERROR";
        const sentence = udpFailureSentence(port, options.address, code, error.message);
        failed.push({ port, code, sentence });
        options.log(sentence);
        socket.close();
        resolve();
      };
      socket.once("error", onBindError);
      socket.on("message", (message, rinfo) => {
        if (message.length > maxDatagram || message.length === 0) return;
        let reply: FrameReply;
        try {
          reply = options.handleFrame(message.toString("utf8"), plainAddress(rinfo.address));
        } catch (error) {
          options.log(`internal error on a UDP datagram from ${rinfo.address}: ${(error as Error).stack ?? error}`);
          return;
        }
        if (reply.reply === null) return;
        socket.send(reply.reply, rinfo.port, rinfo.address, () => {
          // Send errors (e.g. an unreachable sender) are the peer's problem, not ours.
        });
      });
      socket.bind({ port, address: options.address, exclusive: true }, () => {
        socket.off("error", onBindError);
        socket.on("error", (error) => options.log(`UDP port ${port}: ${error.message}`));
        sockets.push(socket);
        bound.push(socket.address().port);
        resolve();
      });
    });

  for (const port of options.ports) await open(port);
  return {
    bound,
    failed,
    close: async () => {
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
