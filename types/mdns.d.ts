// Multicast DNS: claim a .local host name and advertise services (`import MDNS from "mdns"`).
// Follows Moddable SDK documentation/network/network.md ("class MDNS").
// Fails on the Linux simulator (its UDP socket rejects the multicast address).
declare module "mdns" {
  export interface MDNSService {
    /** Service name without underscore, e.g. "http" or "shelly". */
    name: string;
    /** "tcp" or "udp". */
    protocol: "tcp" | "udp";
    port: number;
    /** TXT record entries; change them and call update() to re-announce. */
    txt?: Record<string, string | number | boolean>;
  }

  export interface MDNSFoundService {
    name: string;
    protocol: string;
    port: number;
    /** "key=value" entries as received. */
    txt: string[];
    target: string;
    address: string;
  }

  /**
   * 1 (MDNS.hostName): probing; value "" while under way, then the claimed name.
   * 2 (MDNS.retry): name taken; return a new candidate, undefined for an automatic one, or
   *   true to give up. Negative: claiming failed.
   */
  export type MDNSCallback = (message: number, value: string) => string | boolean | undefined | void;

  export default class MDNS {
    constructor(options: { hostName?: string }, callback?: MDNSCallback);
    /** Call only after the host name was claimed (message 1 with a non-empty value). */
    add(service: MDNSService): void;
    /** Re-announces the TXT record of a service object previously given to add(). */
    update(service: MDNSService): void;
    /** Withdraws a service, or stops monitoring a service type such as "_http._tcp". */
    remove(serviceOrType: MDNSService | string): void;
    monitor(serviceType: string, callback: (serviceType: string, instance: MDNSFoundService) => void): void;
    close(): void;
    readonly hostName?: string;
    readonly services: MDNSService[];

    static readonly hostName: 1;
    static readonly retry: 2;
    static readonly error: -1;
  }
}
