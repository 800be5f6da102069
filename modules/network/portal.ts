// Captive-portal decisions: which HTTP requests the device answers with its setup page and
// its API, which ones send a phone to the setup page, and which go on to the web interface
// (modules/web) and the Shelly emulation. Phones and laptops probe a well-known URL after joining a network;
// anything but the expected answer makes them open a "sign in" window, so while the access
// point is up every probe (and every request for a foreign host name) gets a redirect.

/** Probe paths of Android, ChromeOS, iOS/macOS, Windows, Firefox, Linux desktops and others. */
export const CAPTIVE_PROBE_PATHS: readonly string[] = Object.freeze([
  "/generate_204",
  "/gen_204",
  "/hotspot-detect.html",
  "/library/test/success.html",
  "/connecttest.txt",
  "/ncsi.txt",
  "/redirect",
  "/canonical.html",
  "/success.txt",
  "/check_network_status.txt",
  "/connectivity-check.html",
  "/chat",
  "/mobile/status.php",
]);

export const SETUP_PATH = "/setup";
export const SETUP_API_PREFIX = "/api/setup/";

export interface PortalContext {
  /** The access point (with the captive DNS) is up. */
  apOn: boolean;
  /** The access point's own address, e.g. "192.168.4.1". */
  apAddress: string;
  /** Names and addresses that mean "this device" in a Host header (lower case, no port). */
  ownHosts: readonly string[];
}

export type RequestRoute =
  | { readonly kind: "redirect"; readonly location: string }
  | { readonly kind: "setup-page" }
  | { readonly kind: "setup-api"; readonly name: string }
  | { readonly kind: "other" };

const OTHER: RequestRoute = Object.freeze({ kind: "other" });
const SETUP_PAGE: RequestRoute = Object.freeze({ kind: "setup-page" });

/** The host part of a Host header: lower case, without port or IPv6 brackets. */
export function hostName(hostHeader: string | undefined): string {
  if (hostHeader === undefined) return "";
  let h = hostHeader.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end > 0 ? h.slice(1, end) : h;
  }
  const colon = h.indexOf(":");
  if (colon >= 0) h = h.slice(0, colon);
  if (h.endsWith(".")) h = h.slice(0, -1);
  return h;
}

/** Whether `remote` is on the access point's /24 (unknown counts as yes). */
export function isApClient(remote: string, apAddress: string): boolean {
  if (remote === "") return true;
  const subnet = apAddress.slice(0, apAddress.lastIndexOf(".") + 1);
  return subnet.length > 0 && remote.startsWith(subnet);
}

/**
 * Where a request goes. `path` is without the query; `remote` is the client's address.
 * Only clients of the access point are redirected: a battery on the home network that
 * polls while the access point is up (right after setup) is served as always.
 */
export function routeRequest(path: string, hostHeader: string | undefined, remote: string, ctx: PortalContext): RequestRoute {
  if (ctx.apOn && isApClient(remote, ctx.apAddress)) {
    const host = hostName(hostHeader);
    const foreign = host !== "" && !ctx.ownHosts.includes(host) && host !== ctx.apAddress;
    if (foreign || CAPTIVE_PROBE_PATHS.includes(path)) {
      return { kind: "redirect", location: "http://" + ctx.apAddress + SETUP_PATH };
    }
  }
  if (path === SETUP_PATH) return SETUP_PAGE;
  if (path.startsWith(SETUP_API_PREFIX)) return { kind: "setup-api", name: path.slice(SETUP_API_PREFIX.length) };
  return OTHER;
}
