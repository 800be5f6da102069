// Minimal DNS server for a captive portal (`import DNSServer from "dns/server"`, mapped in the
// manifest as "dns/server": "$(MODULES)/network/dns/dnsserver").
// Follows Moddable SDK documentation/network/network.md ("class DNS Server").
// Answers only type A questions. Does not bind its port on the Linux simulator.
declare module "dns/server" {
  export default class DNSServer {
    /**
     * `callback(1, name)` runs for each A lookup; return the IPv4 address to answer with, or
     * nothing to stay silent. `port` defaults to 53, `ttl` (seconds) to 60.
     */
    constructor(callback: (message: 1, name: string) => string | undefined | void, options?: { port?: number; ttl?: number });
    close(): void;
    static readonly resolve: 1;
  }
}
