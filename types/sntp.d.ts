// SNTP client (`import SNTP from "sntp"`).
// Follows Moddable SDK documentation/network/network.md ("class SNTP").
declare module "sntp" {
  /**
   * 1: time retrieved, value = seconds since 1970 (pass to Time.set) · 2: retrying ·
   * -1: failed, value = reason; return another host name to try it, else the client closes.
   */
  export type SNTPCallback = (message: 1 | 2 | -1, value?: number | string) => string | undefined | void;

  export default class SNTP {
    constructor(options: { host: string }, callback: SNTPCallback);
    close(): void;
    static readonly time: 1;
    static readonly retry: 2;
    static readonly error: -1;
  }
}
