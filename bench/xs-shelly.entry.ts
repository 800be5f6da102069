// XS bench entry (bench/sections/30-xs-shelly.js): the cost of answering a battery on the
// device — App with a meter fed by the virtual meter, answering EM.GetStatus over HTTP (the
// MaxxiCharge/evcc path), over a UDP frame (Marstek), Shelly.GetStatus and
// Shelly.GetComponents (the largest answer, ~3 KB: Home Assistant asks for it), and the
// page script as the device sends it (gzip bytes pulled a TCP segment at a time). Exports
// become the global `bench` inside xsnap.

import { App } from "../modules/app/app";
import { defaultValues } from "../modules/config/schema";
import type { ShellyHost } from "../modules/shelly/host";
import { VirtualMeter } from "../modules/simulator/virtual-meter";
import { assetResponse, findAsset, type WebAsset } from "../modules/web/assets";
import { stillHost } from "../test/support/still-host";

const now = 0;
const host: ShellyHost = stillHost({
  nowMs: () => now,
  unixTime: () => 1_795_000_000 + now / 1000,
  utcOffsetS: () => 3600,
  uptimeS: () => Math.floor(now / 1000),
});

let app: App;
const request = { method: "GET", path: "/rpc/EM.GetStatus", query: "id=0", headers: {}, body: "", remote: "192.168.1.20" };
const statusRequest = { method: "GET", path: "/rpc/Shelly.GetStatus", query: "", headers: {}, body: "", remote: "192.168.1.20" };
const componentsRequest = { method: "GET", path: "/rpc/Shelly.GetComponents", query: "", headers: {}, body: "", remote: "192.168.1.20" };
const udpFrame = '{"id":1,"method":"EM.GetStatus","params":{"id":0}}';

/** Sizes of the answers in characters (all ASCII here, so bytes too). */
export function setup(): { em: number; status: number; components: number } {
  const settings = defaultValues();
  settings["emulation.mac"] = "AABBCCDDEEFF";
  app = new App({ settings, shellySettings: null, host });
  const meter = new VirtualMeter({ seed: 7 });
  app.meterBytes(meter.frame(0, 12));
  const length = (r: typeof request): number => {
    const answer = app.handleHttp(r);
    if (answer.status !== 200) throw new Error(`${r.path} answered ${answer.status}: ${answer.body}`);
    return answer.body.length;
  };
  return { em: length(request), status: length(statusRequest), components: length(componentsRequest) };
}

export function emStatusHttp(): void {
  app.handleHttp(request);
}

export function emStatusUdp(): void {
  app.handleFrameText(udpFrame, "udp", "192.168.1.30");
}

export function shellyStatusHttp(): void {
  app.handleHttp(statusRequest);
}

export function shellyComponentsHttp(): void {
  app.handleHttp(componentsRequest);
}

const script = findAsset("/app.js") as WebAsset;
const scriptRequest = { method: "GET", path: "/app.js", query: "", headers: { "accept-encoding": "gzip, deflate" }, body: "" };
const segment = new Uint8Array(1460);

/** The page script's gzip body, read as TcpLink reads it; returns the byte count. */
export function scriptGzip(): number {
  const source = assetResponse(script, scriptRequest).source;
  if (source === undefined) throw new Error("/app.js: no body source");
  let total = 0;
  for (let n = source.read(segment); n > 0; n = source.read(segment)) total += n;
  return total;
}
