// Static assets of the pages, built by scripts/build-web.js into assets.generated.ts: each
// as text and as gzip bytes (base64), compressed at build time so that the device needs no
// zlib. Served gzip-compressed when the client accepts it, with an ETag; the page's
// scripts and styles carry their hash in the URL and may be cached for a year.

import { base64Source, textSource } from "../net/byte-source";
import { WEB_ASSETS } from "./assets.generated";
import type { WebRequest, WebResponse } from "./web-http";

export interface WebAsset {
  /** URL path, e.g. "/" or "/app.js". */
  path: string;
  /** Content-Type. */
  type: string;
  /** Hash of the text (hex); the ETag. */
  etag: string;
  /** Cache-Control. */
  cache: string;
  /** The asset as text (for clients that do not accept gzip). */
  text: string;
  /** UTF-8 length of `text`. */
  textBytes: number;
  /** The gzip-compressed bytes, base64. */
  gzip: string;
  /** Count of gzip bytes. */
  gzipBytes: number;
}

export function findAsset(path: string): WebAsset | null {
  const p = path === "/index.html" ? "/" : path;
  for (let i = 0; i < WEB_ASSETS.length; i++) if (WEB_ASSETS[i].path === p) return WEB_ASSETS[i];
  return null;
}

/** The gzip bytes of all assets together (the size budget). */
export function totalGzipBytes(): number {
  let n = 0;
  for (const a of WEB_ASSETS) n += a.gzipBytes;
  return n;
}

/** Whether an Accept-Encoding header allows gzip (and does not give it q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  const parts = header.toLowerCase().split(",");
  for (let i = 0; i < parts.length; i++) {
    const [coding, ...params] = parts[i].trim().split(";");
    if (coding.trim() !== "gzip" && coding.trim() !== "*") continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m !== null) q = Number(m[1]);
    }
    if (q > 0) return true;
  }
  return false;
}

/** True when If-None-Match names this ETag (or is "*"). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const parts = header.split(",");
  for (let i = 0; i < parts.length; i++) {
    let t = parts[i].trim();
    if (t === "*") return true;
    if (t.startsWith("W/")) t = t.slice(2);
    if (t === etag) return true;
  }
  return false;
}

/**
 * The asset for this request, its body made on demand (a ByteSource: shells send it a piece
 * at a time, so the device never holds a page in RAM); gzip when the client accepts it and
 * `binaryBodies` (the shell can send bytes).
 */
export function assetResponse(asset: WebAsset, req: WebRequest, binaryBodies = true): WebResponse {
  const method = req.method.toUpperCase();
  const headers: Record<string, string> = {
    "Content-Type": asset.type,
    "Cache-Control": asset.cache,
    Vary: "Accept-Encoding",
    "X-Content-Type-Options": "nosniff",
  };
  if (asset.type.startsWith("text/html")) {
    headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    headers["X-Frame-Options"] = "DENY";
    headers["Referrer-Policy"] = "no-referrer";
  }
  if (method !== "GET" && method !== "HEAD") {
    return { status: 405, headers: { Allow: "GET, HEAD", "Content-Type": "text/plain" }, body: "Method Not Allowed" };
  }
  const gzip = binaryBodies && acceptsGzip(req.headers["accept-encoding"]);
  // One ETag per representation: the gzip bytes and the text are different entities.
  const etag = '"' + asset.etag + (gzip ? "-gz" : "") + '"';
  headers.ETag = etag;
  if (matchesEtag(req.headers["if-none-match"], etag)) return { status: 304, headers, body: "" };
  if (!gzip) return { status: 200, headers, body: "", source: textSource(asset.text, asset.textBytes) };
  headers["Content-Encoding"] = "gzip";
  return { status: 200, headers, body: "", source: base64Source(asset.gzip, asset.gzipBytes) };
}

