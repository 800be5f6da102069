// Real processes for end-to-end tests: a socat pseudo-terminal pair, and `ir2shelly serve`.

import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { repoRoot } from "./fixtures";

export interface PtyPair {
  /** The end the test writes meter bytes into. */
  meterEnd: string;
  /** The end `ir2shelly serve --serial` opens. */
  readerEnd: string;
  close(): Promise<void>;
}

/** socat pty,raw,echo=0 pty,raw,echo=0 — two linked pseudo-terminals. */
export async function openPtyPair(): Promise<PtyPair> {
  const child = spawn("socat", ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"], { stdio: ["ignore", "ignore", "pipe"] });
  const paths: string[] = [];
  await new Promise<void>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`socat did not start: ${text}`)), 5000);
    child.on("error", (error) => reject(new Error(`cannot run socat (install it: apt-get install socat): ${error.message}`)));
    child.stderr!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      for (const m of text.matchAll(/PTY is (\S+)/g)) if (!paths.includes(m[1])) paths.push(m[1]);
      if (paths.length === 2 && /starting data transfer loop/.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    meterEnd: paths[0],
    readerEnd: paths[1],
    close: () => stop(child),
  };
}

export interface ServeProcess {
  port: number;
  output(): string;
  /** Resolves when a line matching `pattern` appears (or rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
  child: ChildProcess;
}

export const CLI = path.join(repoRoot, "bin", "ir2shelly.js");

/** Runs `ir2shelly <args>` and waits for "listening on http://…:<port>". */
export async function startServe(args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, "serve", "--http-port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"], cwd: repoRoot });
  let text = "";
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const w of [...waiters]) {
      const m = w.pattern.exec(text);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[0]);
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const waitFor = (pattern: RegExp, timeoutMs = 10_000) => new Promise<string>((resolve, reject) => {
    const m = pattern.exec(text);
    if (m) return resolve(m[0]);
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${text}`)), timeoutMs);
    waiters.push({ pattern, resolve: (line) => { clearTimeout(timer); resolve(line); } });
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`ir2shelly exited with ${code} before ${pattern}:\n${text}`)); });
  });
  const line = await waitFor(/listening on http:\/\/[\d.]+:(\d+)/);
  const port = Number(/:(\d+)/.exec(line.slice(line.indexOf("//")))![1]);
  return { port, output: () => text, waitFor, stop: () => stop(child), child };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], input?: Uint8Array): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["pipe", "pipe", "pipe"], cwd: repoRoot });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on("data", (c: Buffer) => { stderr += c.toString(); });
    child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    if (input) child.stdin.end(Buffer.from(input));
    else child.stdin.end();
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Writes bytes to a tty at `baud` (10 bits per byte on the wire), in small slices. */
export async function writePaced(fd: number, bytes: Uint8Array, baud: number, write: (fd: number, chunk: Uint8Array) => void): Promise<void> {
  const bytesPerMs = baud / 10 / 1000;
  const slice = 16;
  const start = performance.now();
  for (let i = 0; i < bytes.length; i += slice) {
    write(fd, bytes.subarray(i, Math.min(i + slice, bytes.length)));
    const due = start + (i + slice) / bytesPerMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}
