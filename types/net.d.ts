// Network status (`import Net from "net"`).
// Follows Moddable SDK documentation/network/network.md ("class Net").
declare module "net" {
  /** "station", "ap" or (ESP32) "ethernet"; needed for IP/MAC when both station and AP run. */
  export type NetInterface = "station" | "ap" | "ethernet";

  const Net: {
    /** Dotted address, or undefined when not connected. */
    get(property: "IP", netInterface?: NetInterface): string | undefined;
    /** "A4:D1:8C:DB:C0:20" style. */
    get(property: "MAC", netInterface?: NetInterface): string | undefined;
    get(property: "SSID" | "BSSID"): string | undefined;
    get(property: "RSSI" | "CHANNEL"): number | undefined;
    get(property: "DNS"): string[] | undefined;
    /** Asynchronous lookup; `address` is undefined when it fails. */
    resolve(host: string, callback: (name: string, address?: string) => void): void;
  };
  export default Net;
}
