// Reading what peers send: JSON with a nesting limit (XS's JSON.parse recurses on the C
// stack, so a body of 10 000 '[' must be refused before it is parsed) and GET query strings.

/** Deepest nesting of arrays/objects accepted in a request. */
export const MAX_JSON_DEPTH = 16;

export type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Greatest nesting depth of `[`/`{` outside strings; stops counting past `limit`
 * (returns limit + 1). Does not validate the text: JSON.parse does that afterwards.
 */
export function jsonDepth(text: string, limit: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** JSON.parse with a depth limit; never throws. */
export function parseJsonBounded(text: string, maxDepth: number = MAX_JSON_DEPTH): JsonParse {
  if (jsonDepth(text, maxDepth) > maxDepth) {
    return { ok: false, message: "JSON nested deeper than " + maxDepth + " levels" };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, message: "Invalid JSON" };
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** %XX-decoding; malformed escapes or bytes leave the text as it was. '+' stays '+'. */
export function percentDecode(s: string): string {
  if (s.indexOf("%") < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A GET query string (without '?') as RPC params, as Shelly's HTTP channel does: each
 * `k=v` is URL-decoded and v is read as JSON (`?id=0` → {id:0}, `?ident=true`,
 * `?config={"enable":true}`); a v that is not JSON is kept as a plain string
 * (`?key=foo` → {key:"foo"}). A bare `k` (Growatt's `?esp`) becomes `true`. '+' is not
 * a space here: time zones like `Etc/GMT+1` must survive. Later duplicates win.
 */
export function parseQueryParams(query: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (query.length === 0) return params;
  const pairs = query.split("&");
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i];
    if (pair.length === 0) continue;
    const eq = pair.indexOf("=");
    const key = percentDecode(eq < 0 ? pair : pair.slice(0, eq));
    if (key.length === 0 || key === "__proto__") continue;
    if (eq < 0) {
      params[key] = true;
      continue;
    }
    const raw = percentDecode(pair.slice(eq + 1));
    const parsed = raw.length > 0 ? parseJsonBounded(raw) : null;
    params[key] = parsed !== null && parsed.ok ? parsed.value : raw;
  }
  return params;
}
