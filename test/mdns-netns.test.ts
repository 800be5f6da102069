// host/mdns-transport over real sockets, inside two network namespaces that this test makes
// (never on this machine's own network): ns "dev" runs startMdns on 10.99.0.1/24, ns "lan"
// (10.99.0.2/24, joined by a veth pair) queries it with
//   - the npm mDNS client multicast-dns (what Node consumers use), and
//   - a small Python probe that reads each reply's IP TTL (IP_RECVTTL) and destination
//     address (IP_PKTINFO), which Node cannot: this is what proves "unicast replies carry IP
//     TTL 255" (Sigenergy) rather than only that setTTL was called.
// Needs root and iproute2 (`ip netns`); CI runs as root. Without them the tests are skipped
// and say why. The namespaces are deleted afterwards, also when a test fails.

import test from "ava";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { parseMessage, type DnsMessage } from "../modules/net/dns-message";
import { repoRoot } from "./support/fixtures";

const ID = "shellypro3em-aabbccddeeff";
const NS_PREFIX = "ir2s-mdns-";
const DEV_NS = `${NS_PREFIX}dev-${process.pid}`;
const LAN_NS = `${NS_PREFIX}lan-${process.pid}`;
const DEV_IP = "10.99.0.1";
const LAN_IP = "10.99.0.2";
const ADDED_IP = "10.99.0.3";

function run(args: string[]): string {
  return execFileSync(args[0], args.slice(1), { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
}

function quiet(args: string[]): void {
  try {
    run(args);
  } catch {
    // cleanup: already gone
  }
}

/** Why the namespace tests cannot run here, or null. */
function netnsProblem(): string | null {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "not root (ip netns needs root; CI runs as root)";
  try {
    run(["ip", "-V"]);
  } catch {
    return "`ip` not found: install Debian's iproute2";
  }
  const probe = `${NS_PREFIX}probe-${process.pid}`;
  try {
    run(["ip", "netns", "add", probe]);
  } catch (error) {
    return `cannot create a network namespace: ${String((error as { stderr?: string }).stderr ?? error).trim()}`;
  } finally {
    quiet(["ip", "netns", "del", probe]);
  }
  return null;
}

function pythonProblem(): string | null {
  try {
    run(["python3", "-c", "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).recvmsg"]);
    return null;
  } catch {
    return "python3 (for reading the IP TTL of replies) is not available";
  }
}

const problem = netnsProblem();
const noPython = problem ?? pythonProblem();

/** Namespaces of earlier runs that died before their cleanup (their pid is gone). */
function removeStaleNamespaces(): void {
  let list = "";
  try {
    list = run(["ip", "netns", "list"]);
  } catch {
    return;
  }
  for (const m of list.matchAll(new RegExp(`^(${NS_PREFIX}\\w+-(\\d+))`, "gm"))) {
    const pid = Number(m[2]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) quiet(["ip", "netns", "del", m[1]]);
  }
}

function createNetwork(): void {
  removeStaleNamespaces();
  const steps = [
    ["ip", "netns", "add", DEV_NS],
    ["ip", "netns", "add", LAN_NS],
    // The pair is created inside the namespaces: nothing appears on the host's own network.
    ["ip", "-n", DEV_NS, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", LAN_NS],
    ["ip", "-n", DEV_NS, "addr", "add", `${DEV_IP}/24`, "dev", "veth0"],
    ["ip", "-n", LAN_NS, "addr", "add", `${LAN_IP}/24`, "dev", "veth1"],
    ["ip", "-n", DEV_NS, "link", "set", "lo", "up"],
    ["ip", "-n", LAN_NS, "link", "set", "lo", "up"],
    ["ip", "-n", DEV_NS, "link", "set", "veth0", "up"],
    ["ip", "-n", LAN_NS, "link", "set", "veth1", "up"],
    ["ip", "-n", DEV_NS, "route", "add", "224.0.0.0/4", "dev", "veth0"],
    ["ip", "-n", LAN_NS, "route", "add", "224.0.0.0/4", "dev", "veth1"],
  ];
  for (const step of steps) run(step);
}

function deleteNetwork(): void {
  quiet(["ip", "netns", "del", DEV_NS]);
  quiet(["ip", "netns", "del", LAN_NS]);
}

/** A child process whose stdout lines can be awaited. */
class Proc {
  readonly lines: string[] = [];
  private stderr = "";
  private waiters: Array<() => void> = [];
  exited = false;

  constructor(readonly child: ChildProcess, readonly label: string) {
    let partial = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      partial += chunk.toString();
      const parts = partial.split("\n");
      partial = parts.pop()!;
      this.lines.push(...parts);
      for (const w of this.waiters.splice(0)) w();
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    child.on("exit", () => {
      this.exited = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The first line from index `from` on that matches, or a rejection after timeoutMs. */
  async waitFor(match: (line: string) => boolean, timeoutMs: number, from = 0): Promise<{ line: string; index: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = from; i < this.lines.length; i++) if (match(this.lines[i])) return { line: this.lines[i], index: i };
      const left = deadline - Date.now();
      if (left <= 0 || this.exited) {
        throw new Error(`${this.label}: no matching line within ${timeoutMs} ms${this.exited ? " (exited)" : ""}\nstdout:\n${this.lines.join("\n")}\nstderr:\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }
}

function inNamespace(ns: string, command: string[], label: string): Proc {
  // `ip netns exec` execs the command itself: the pid is the command's, signals reach it.
  const child = spawn("ip", ["netns", "exec", ns, ...command], { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"] });
  return new Proc(child, label);
}

// The device: startMdns as serve would run it (port 80 in SRV), polling addresses every 200 ms.
const RESPONDER = `
const { startMdns } = await import(${JSON.stringify(repoRoot + "/host/mdns-transport.ts")});
const identity = { id: "${ID}", mac: "AABBCCDDEEFF", model: "SPEM-003CEBEU", app: "Pro3EM", version: "1.4.4", firmwareId: "20240213-000000/1.4.4-test", gen: 2 };
const mdns = await startMdns({ identity, httpPort: 80, log: (line) => console.log(line), pollMs: 200 });
console.log("READY " + mdns.responder.addresses.join(","));
process.on("SIGTERM", async () => {
  await mdns.close();
  console.log("CLOSED");
  process.exit(0);
});
// If the test process dies, its end of the pipe closes: go too.
process.stdin.on("end", () => process.exit(1)).resume();
`;

// A real mDNS client: multicast-dns asks for _shelly._tcp.local PTR once and prints every response.
const MULTICAST_DNS_CLIENT = `
const mdns = require("multicast-dns")({ interface: "${LAN_IP}", bind: "0.0.0.0" });
mdns.on("response", (res, rinfo) => {
  console.log(JSON.stringify({ from: rinfo.address + ":" + rinfo.port, answers: res.answers.map((a) => ({ name: a.name, type: a.type, ttl: a.ttl, flush: a.flush, data: a.type === "TXT" ? a.data.map(String) : a.data })), additionals: res.additionals.length }));
});
mdns.on("ready", () => {
  mdns.query({ questions: [{ name: "_shelly._tcp.local", type: "PTR" }] }, () => console.log("QUERIED"));
});
setTimeout(() => mdns.destroy(), 2000);
`;

// The probe: a socket on 5353 (joined to the group) and one on an ephemeral port (legacy
// querier). Reads JSON commands on stdin, prints every datagram with its IP TTL and destination.
const PYTHON_PROBE = `
import json, os, select, socket, struct, sys
IP = socket.IPPROTO_IP
# Linux values; Python 3.11's socket module does not name them all.
IP_TTL, IP_PKTINFO, IP_RECVTTL = 2, 8, 12
LOCAL, GROUP = "${LAN_IP}", "224.0.0.251"
def setup(s):
    s.setsockopt(IP, IP_RECVTTL, 1)
    s.setsockopt(IP, IP_PKTINFO, 1)
    s.setsockopt(IP, socket.IP_MULTICAST_IF, socket.inet_aton(LOCAL))
    s.setsockopt(IP, socket.IP_MULTICAST_TTL, 255)
    s.setsockopt(IP, socket.IP_MULTICAST_LOOP, 0)
mdns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
mdns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
mdns.bind(("0.0.0.0", 5353))
mdns.setsockopt(IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(GROUP) + socket.inet_aton(LOCAL))
setup(mdns)
legacy = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
legacy.bind(("0.0.0.0", 0))
setup(legacy)
def query(qid, name, qtype, qu):
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\\0"
    return struct.pack("!6H", qid, 0, 1, 0, 0, 0) + q + struct.pack("!HH", qtype, 0x8001 if qu else 1)
print(json.dumps({"event": "ready", "legacyPort": legacy.getsockname()[1]}), flush=True)
pending = b""
while True:
    readable, _, _ = select.select([mdns, legacy, 0], [], [])
    for s in readable:
        if s == 0:
            chunk = os.read(0, 4096)
            if not chunk:
                sys.exit(0)
            pending += chunk
            while b"\\n" in pending:
                line, pending = pending.split(b"\\n", 1)
                cmd = json.loads(line)
                sock = legacy if cmd["from"] == "legacy" else mdns
                sock.sendto(query(cmd.get("id", 0), cmd["name"], cmd["type"], cmd.get("qu", False)), (GROUP, 5353))
                print(json.dumps({"event": "sent", "tag": cmd["tag"]}), flush=True)
            continue
        data, anc, _, src = s.recvmsg(9000, 256)
        ttl, dst = None, None
        for level, kind, value in anc:
            if level == IP and kind == IP_TTL:
                ttl = struct.unpack("i", value[:4])[0]
            if level == IP and kind == IP_PKTINFO:
                dst = socket.inet_ntoa(value[8:12])  # in_pktinfo.ipi_addr: the header's destination
        print(json.dumps({"event": "packet", "socket": "5353" if s is mdns else "legacy", "src": "%s:%d" % src, "dst": dst, "ttl": ttl, "hex": data.hex()}), flush=True)
`;

interface ProbePacket {
  event: "packet";
  socket: "5353" | "legacy";
  src: string;
  dst: string;
  ttl: number;
  hex: string;
  message: DnsMessage;
}

let responder: Proc | undefined;
let probe: Proc | undefined;
const started: Proc[] = [];

function cleanupSync(): void {
  for (const p of started) if (!p.exited) p.child.kill("SIGKILL");
  deleteNetwork();
}

function probePackets(from = 0): Array<ProbePacket & { index: number }> {
  const out: Array<ProbePacket & { index: number }> = [];
  probe!.lines.forEach((line, index) => {
    if (index < from || !line.startsWith("{")) return;
    const p = JSON.parse(line) as ProbePacket;
    if (p.event !== "packet") return;
    const r = parseMessage(Uint8Array.from(Buffer.from(p.hex, "hex")));
    if (!r.ok || (r.message.flags & 0x8000) === 0) return; // only responses
    out.push({ ...p, message: r.message, index });
  });
  return out;
}

async function waitForPacket(match: (p: ProbePacket) => boolean, from: number, timeoutMs = 4000): Promise<ProbePacket & { index: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probePackets(from).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching packet; probe saw:\n${probe!.lines.slice(from).join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function sendProbe(command: Record<string, unknown>): number {
  const mark = probe!.lines.length;
  probe!.child.stdin!.write(JSON.stringify(command) + "\n");
  return mark;
}

const names = (m: DnsMessage) => m.answers.map((a) => `${a.type} ${a.name}`);

if (problem) {
  // Only where namespaces cannot be made (not root, no `ip`): CI runs as root with iproute2,
  // so there the test always runs; the skip names the reason in the test output.
  test.skip(`mDNS over real sockets in network namespaces — skipped: ${problem}`, () => {});
} else {
  test.before(async () => {
    process.once("exit", cleanupSync);
    createNetwork();
    if (!noPython) {
      probe = inNamespace(LAN_NS, ["python3", "-u", "-c", PYTHON_PROBE], "python probe");
      started.push(probe);
      await probe.waitFor((l) => l.includes('"ready"'), 10_000);
    }
    responder = inNamespace(DEV_NS, [process.execPath, "--import=tsx", "--input-type=module", "-e", RESPONDER], "responder");
    started.push(responder);
    await responder.waitFor((l) => l.startsWith("READY"), 20_000);
  });

  test.after.always(async () => {
    for (const p of started) await p.stop().catch(() => {});
    deleteNetwork();
    process.removeListener("exit", cleanupSync);
  });

  test.serial("the device joins on its namespace address only and says so", async (t) => {
    const ready = await responder!.waitFor((l) => l.startsWith("READY"), 1000);
    t.is(ready.line, `READY ${DEV_IP}/24`);
    t.true(responder!.lines.some((l) => l === `mDNS: ${ID}._http._tcp.local, ${ID}._shelly._tcp.local → ${ID}.local:80 on ${DEV_IP}/24`));
  });

  test.serial("multicast-dns in another namespace finds it: PTR, SRV, TXT and A in one response's answers", async (t) => {
    // Let the two start-up announcements (0 s, 1 s) and their one-second multicast hold-off
    // pass, so that what arrives after the query is the answer to it.
    await new Promise((resolve) => setTimeout(resolve, 2300));
    const client = inNamespace(LAN_NS, [process.execPath, "-e", MULTICAST_DNS_CLIENT], "multicast-dns");
    started.push(client);
    const queried = await client.waitFor((l) => l === "QUERIED", 5000);
    const { line } = await client.waitFor((l) => l.startsWith("{") && l.includes("_shelly._tcp.local"), 5000, queried.index);
    const response = JSON.parse(line) as { from: string; answers: Array<{ name: string; type: string; ttl: number; flush: boolean; data: unknown }>; additionals: number };
    t.is(response.from, `${DEV_IP}:5353`);
    t.deepEqual(response.answers, [
      { name: "_shelly._tcp.local", type: "PTR", ttl: 4500, flush: false, data: `${ID}._shelly._tcp.local` },
      { name: `${ID}._shelly._tcp.local`, type: "SRV", ttl: 120, flush: true, data: { priority: 0, weight: 0, port: 80, target: `${ID}.local` } },
      { name: `${ID}._shelly._tcp.local`, type: "TXT", ttl: 4500, flush: true, data: ["gen=2", `id=${ID}`, "mac=AABBCCDDEEFF", "app=Pro3EM", "model=SPEM-003CEBEU", "ver=1.4.4", "fw_id=20240213-000000/1.4.4-test", "arch=esp8266"] },
      { name: `${ID}.local`, type: "A", ttl: 120, flush: true, data: DEV_IP },
    ]);
    t.is(response.additionals, 0);
    await client.stop();
  });

  const pythonTest = noPython ? test.skip : test.serial;
  const why = noPython ? ` — skipped: ${noPython}` : "";

  pythonTest(`control: a unicast datagram sent without setTTL arrives with the default TTL 64${why}`, async (t) => {
    // Shows that the probe reads the real TTL, so the 255 below is the responder's doing.
    const { line } = await probe!.waitFor((l) => l.includes('"ready"'), 1000);
    const legacyPort = (JSON.parse(line) as { legacyPort: number }).legacyPort;
    const mark = probe!.lines.length;
    const sender = inNamespace(
      DEV_NS,
      [process.execPath, "-e", `const s = require("node:dgram").createSocket("udp4"); s.send(Buffer.from("000084000000000000000000", "hex"), ${legacyPort}, "${LAN_IP}", () => s.close());`],
      "plain sender",
    );
    started.push(sender);
    const p = await waitForPacket((x) => x.socket === "legacy" && x.message.answers.length === 0, mark);
    t.is(p.dst, LAN_IP);
    t.is(p.ttl, 64);
  });

  pythonTest(`legacy and QU queries get unicast replies with IP TTL 255; multicast replies too${why}`, async (t) => {
    // Legacy: from an ephemeral port; the reply comes back to that port, by unicast.
    let mark = sendProbe({ tag: "legacy", from: "legacy", id: 0x4242, name: "_shelly._tcp.local", type: 12 });
    const legacy = await waitForPacket((p) => p.socket === "legacy", mark);
    t.is(legacy.src, `${DEV_IP}:5353`);
    t.is(legacy.dst, LAN_IP, "unicast");
    t.is(legacy.ttl, 255, "IP TTL of a unicast reply");
    t.is(legacy.message.id, 0x4242);
    t.deepEqual(legacy.message.questions, [{ name: "_shelly._tcp.local", type: 12, qclass: 1, unicastResponse: false }]);
    t.deepEqual(names(legacy.message), [`12 _shelly._tcp.local`, `33 ${ID}._shelly._tcp.local`, `16 ${ID}._shelly._tcp.local`, `1 ${ID}.local`]);
    t.true(legacy.message.answers.every((a) => a.ttl === 10 && !a.cacheFlush));

    // QU from port 5353: unicast to 10.99.0.2:5353.
    mark = sendProbe({ tag: "qu", from: "5353", name: "_http._tcp.local", type: 12, qu: true });
    const qu = await waitForPacket((p) => p.socket === "5353" && p.dst === LAN_IP, mark);
    t.is(qu.src, `${DEV_IP}:5353`);
    t.is(qu.ttl, 255, "IP TTL of a QU reply");
    t.deepEqual(names(qu.message), [`12 _http._tcp.local`, `33 ${ID}._http._tcp.local`, `16 ${ID}._http._tcp.local`, `1 ${ID}.local`]);
    t.deepEqual(qu.message.answers[3].data, { kind: "a", address: DEV_IP });

    // QM: the answer is multicast, also with TTL 255.
    mark = sendProbe({ tag: "qm", from: "5353", name: `${ID}._http._tcp.local`, type: 16 });
    const qm = await waitForPacket((p) => p.socket === "5353" && p.dst === "224.0.0.251" && names(p.message).includes(`16 ${ID}._http._tcp.local`), mark);
    t.is(qm.ttl, 255, "IP TTL of a multicast reply");
    t.deepEqual(names(qm.message), [`16 ${ID}._http._tcp.local`]);

    // AAAA for the host: NSEC saying only A exists.
    mark = sendProbe({ tag: "aaaa", from: "legacy", id: 7, name: `${ID}.local`, type: 28 });
    const aaaa = await waitForPacket((p) => p.socket === "legacy" && p.message.id === 7, mark);
    t.deepEqual(aaaa.message.answers.map((a) => a.data), [{ kind: "nsec", next: `${ID}.local`, types: [1] }]);
    t.deepEqual(aaaa.message.additionals.map((a) => a.data), [{ kind: "a", address: DEV_IP }]);
  });

  pythonTest(`a new address is announced (twice, with both A records); stopping sends a goodbye${why}`, async (t) => {
    const mark = probe!.lines.length;
    run(["ip", "-n", DEV_NS, "addr", "add", `${ADDED_IP}/24`, "dev", "veth0"]);
    const first = await waitForPacket((p) => p.dst === "224.0.0.251" && p.message.answers.filter((a) => a.type === 1).length === 2, mark);
    t.is(first.ttl, 255);
    t.deepEqual(first.message.answers.filter((a) => a.type === 1).map((a) => a.data), [{ kind: "a", address: DEV_IP }, { kind: "a", address: ADDED_IP }]);
    t.is(first.message.answers.length, 8, "PTR, SRV, TXT for both services and two A records");
    const second = await waitForPacket((p) => p.dst === "224.0.0.251" && p.hex === first.hex, first.index + 1, 3000);
    t.truthy(second);
    await responder!.waitFor((l) => l === `mDNS: addresses now ${DEV_IP}/24, ${ADDED_IP}/24; announcing again`, 1000);

    const beforeStop = probe!.lines.length;
    await responder!.stop();
    t.true(responder!.lines.includes("CLOSED"));
    const goodbye = await waitForPacket((p) => p.dst === "224.0.0.251" && p.message.answers.length > 0 && p.message.answers.every((a) => a.ttl === 0), beforeStop);
    t.deepEqual(names(goodbye.message), [
      `12 _http._tcp.local`, `33 ${ID}._http._tcp.local`, `16 ${ID}._http._tcp.local`,
      `12 _shelly._tcp.local`, `33 ${ID}._shelly._tcp.local`, `16 ${ID}._shelly._tcp.local`,
      `1 ${ID}.local`, `1 ${ID}.local`,
    ]);
    t.is(goodbye.ttl, 255);
  });
}
