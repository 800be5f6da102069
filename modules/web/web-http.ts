// Requests and responses of the web interface: the core's HttpRequest/HttpResponse, plus
// binary bodies for pre-compressed assets.

import type { ByteSource } from "../net/byte-source";
import type { HttpRequest, HttpResponse } from "../shelly/http-router";

export interface WebRequest extends HttpRequest {
  /** Client address ("" when unknown). */
  remote?: string;
}

/**
 * A response. When `bytes` or `source` is present it is the body (sent as is,
 * Content-Length = its length) and `body` is ignored: shells must support both (the pages
 * come as sources, see modules/net/byte-source).
 */
export interface WebResponse extends HttpResponse {
  bytes?: Uint8Array;
  source?: ByteSource;
}

/**
 * A request body taken chunk by chunk (the firmware upload); the same shape as the device's
 * HttpBodySink in modules/net/http-connection.
 */
export interface WebBodySink {
  /** Body bytes as they arrive; the array is only valid during the call. */
  data(bytes: Uint8Array): void;
  /** The body is complete: answer the request. */
  end(): WebResponse;
  /** The connection ended before the body was complete. */
  abort?(): void;
}

export function jsonResponse(status: number, value: unknown, extraHeaders?: Record<string, string>): WebResponse {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  };
  if (extraHeaders !== undefined) for (const k of Object.keys(extraHeaders)) headers[k] = extraHeaders[k];
  return { status, headers, body: JSON.stringify(value) };
}

/** A number rounded to `decimals`, or null for NaN/±Infinity (JSON has no NaN). */
export function rounded(x: number, decimals: number): number | null {
  if (x !== x || x === Infinity || x === -Infinity) return null;
  const f = Math.pow(10, decimals);
  return Math.round(x * f) / f;
}
