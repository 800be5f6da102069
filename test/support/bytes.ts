// Pure byte helpers shared by the Node tests and the XS suites (no Node imports).

import type { ConnectionIo } from "../../modules/net/websocket";
import { latin1Decode } from "../../modules/net/utf8";

/** The concatenation of byte arrays (or number lists). */
export function concatBytes(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A ConnectionIo that records what the core writes, for byte-level tests. */
export class RecordingIo implements ConnectionIo {
  readonly writes: Uint8Array[] = [];
  closed = 0;

  write(bytes: Uint8Array): void {
    if (this.closed > 0) throw new Error("write after close");
    this.writes.push(bytes.slice());
  }

  close(): void {
    this.closed++;
  }

  /** Everything written so far as one array. */
  bytes(): Uint8Array {
    return concatBytes(...this.writes);
  }

  /** Everything written so far as Latin-1 text. */
  text(): string {
    const b = this.bytes();
    return latin1Decode(b, 0, b.length);
  }
}
