// `ir2shelly decode <file|->`: what does my meter send? One line (or JSON object) per frame.

import { readFileSync } from "node:fs";
import { decodeCapture, type DecodedFile } from "../sml/decode-file";
import { UsageError } from "./args";

export async function readInput(source: string): Promise<Uint8Array> {
  if (source === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  }
  try {
    return new Uint8Array(readFileSync(source));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : code === "EACCES" ? "permission denied" : String((error as Error).message);
    throw new UsageError(`cannot read ${source}: ${why}`);
  }
}

export function describeFrame(file: DecodedFile): string {
  if (!file.ok) return `rejected: ${file.error}`;
  const parts = file.entries.map((e) => {
    if ("value" in e) return `${e.obis}=${e.raw !== undefined ? `${e.raw}e${e.scaler}` : e.value}${e.unit ? " " + e.unit : ""}`;
    if ("text" in e) return `${e.obis}="${e.text}"`;
    if ("hex" in e) return `${e.obis}=${e.hex}`;
    if ("bool" in e) return `${e.obis}=${e.bool}`;
    return `${e.obis}=${"list" in e ? "(list)" : "(none)"}`;
  });
  const crcNote = file.badMessageCrcs > 0 ? `, ${file.badMessageCrcs} message CRC mismatch(es) tolerated` : "";
  return `frame crc=${file.crc} server=${file.serverId ?? "-"}${crcNote}: ${parts.join(", ")}`;
}

export function jsonFrame(file: DecodedFile): string {
  if (!file.ok) return JSON.stringify({ ok: false, error: file.error });
  return JSON.stringify({ ok: true, crc: file.crc, serverId: file.serverId, values: file.values });
}

export async function decodeCommand(source: string, json: boolean, out: (line: string) => void): Promise<number> {
  const bytes = await readInput(source);
  const capture = decodeCapture(bytes);
  for (const file of capture.files) out(json ? jsonFrame(file) : describeFrame(file));
  const ok = capture.files.filter((f) => f.ok).length;
  if (!json) {
    const a = capture.assembler;
    const extra = a ? `, ${a.crcErrors} CRC errors, ${a.truncated} truncated, ${a.discardedBytes} bytes outside frames` : "";
    out(`${ok} frame(s) decoded from ${bytes.length} bytes${extra}`);
  }
  if (capture.files.length === 0) {
    process.stderr.write(`no SML frame found in ${source === "-" ? "standard input" : source} (${bytes.length} bytes)\n`);
    return 1;
  }
  return ok > 0 ? 0 : 1;
}
