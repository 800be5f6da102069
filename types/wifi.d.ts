// Wi-Fi station and access point control (`import WiFi from "wifi"`).
// Follows Moddable SDK documentation/network/network.md ("class WiFi"). On the Linux
// simulator this is a stand-in that pretends to connect.
declare module "wifi" {
  export interface WiFiConnectOptions {
    ssid?: string;
    /** 6 bytes; may speed up connecting. */
    bssid?: ArrayBuffer;
    password?: string;
  }

  export interface WiFiAccessPointOptions {
    ssid: string;
    /** Omitted: an open access point. */
    password?: string;
    /** Default 1. */
    channel?: number;
    hidden?: boolean;
    /** Beacon interval in ms, default 100. */
    interval?: number;
    /** Maximum simultaneous clients, default 4. */
    max?: number;
    /** Keep station mode running alongside the access point. */
    station?: boolean;
  }

  export interface WiFiScanItem {
    ssid: string;
    /** Not given by the simulator. */
    bssid?: ArrayBuffer;
    rssi: number;
    channel: number;
    hidden: boolean;
    /** "none", "wep", "wpa_psk", "wpa2_psk", "wpa_wpa2_psk", … */
    authentication: string;
  }

  /** Status strings delivered to the instance callback. */
  export type WiFiStatus =
    | "connect"
    | "gotIP"
    | "lostIP"
    | "disconnect"
    | "station_connect"
    | "station_disconnect";

  export default class WiFi {
    /** Starts connecting when `options` is given; `callback` then reports progress. */
    /**
     * With "disconnect" the ESP32 passes a second value: -1 when the password was rejected,
     * 0 otherwise. The Linux simulator allows only one instance.
     */
    constructor(options?: WiFiConnectOptions | null, callback?: (status: WiFiStatus, reason?: number) => void);
    /** Stops the callbacks; does not disconnect. */
    close(): void;

    /** WiFi.Mode.none/station/accessPoint, or station | accessPoint for both; ESP32 also Mode.off (-5, radio off). */
    static mode: number;
    /**
     * Calls back once per access point found, then once with null (undefined on the
     * simulator). Throws if a scan runs or the radio is off. On ESP32 the access point
     * must run with `station: true` to scan.
     */
    static scan(options: { hidden?: boolean; channel?: number }, callback: (item?: WiFiScanItem | null) => void): void;
    /** Starts connecting as a station; watch progress with an instance or Net.get("IP"). */
    static connect(options?: WiFiConnectOptions): void;
    static disconnect(): void;
    static accessPoint(options: WiFiAccessPointOptions): void;

    static readonly Mode: { readonly off?: number; readonly none: number; readonly station: number; readonly accessPoint: number };
    static readonly connected: "connect";
    static readonly gotIP: "gotIP";
    static readonly lostIP: "lostIP";
    static readonly disconnected: "disconnect";
    static readonly station_connect: "station_connect";
    static readonly station_disconnect: "station_disconnect";
  }
}
