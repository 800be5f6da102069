// The HTTP face of the emulated device as a pure function, so that both shells (Node's
// http module and Moddable's HTTP server) only copy a request in and a response out.
//
// Routes:
//   GET  /shelly                  Gen2 device info, never authenticated
//   GET  /rpc/<Method>?k=v        query → params; bare result / error object
//   POST /rpc/<Method>            JSON body → params (evcc sends a whole frame there:
//                                 its `id` serves as the component id, the rest is ignored)
//   POST /rpc                     full frame → full frame, always HTTP 200
//   OPTIONS *                     CORS preflight, 200
//   GET  /status, /emeter/<0-2>,  Gen1 Shelly 3EM API (Indielux, MaxxiCharge "Shelly 3EM")
//        /settings, /settings/emeter/<0-2>
//   anything else                 404 "Not Found"
//
// Bodies: larger than maxBodyChars → 413 with a -108 error object; not JSON, or nested
// deeper than 16 levels → -103 (HTTP 500 on /rpc/<Method>, like every -103 there; an error
// frame with id null on POST /rpc).

import { isPlainObject, parseJsonBounded, parseQueryParams, percentDecode } from "./json-input";
import { INVALID_ARGUMENT, RESOURCE_EXHAUSTED, failure, httpStatusFor, isFailure, type RpcOutcome } from "./rpc-errors";
import { errorBody, type ShellyDevice } from "./shelly-device";

export interface HttpRequest {
  method: string;
  /** Path without the query, e.g. "/rpc/EM.GetStatus" (a "?query" tail is split off if present). */
  path: string;
  /** Raw query string without '?', still URL-encoded ("" when none). */
  query: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpRouterOptions {
  /** Largest body accepted, in characters. Shells should stop reading beyond it. */
  maxBodyChars: number;
}

export const DEFAULT_MAX_BODY_CHARS = 4096;

const JSON_TYPE = "application/json";

function response(status: number, body: string, contentType: string | null = JSON_TYPE): HttpResponse {
  const headers: Record<string, string> = {
    Server: "ShellyHTTP/1.0.0",
    "Access-Control-Allow-Origin": "*",
  };
  if (contentType !== null && body.length > 0) headers["Content-Type"] = contentType;
  return { status, headers, body };
}

function unauthorized(device: ShellyDevice): HttpResponse {
  const r = response(401, "");
  r.headers["WWW-Authenticate"] = device.httpChallenge();
  return r;
}

function notFound(): HttpResponse {
  return response(404, "Not Found", "text/plain");
}

function outcomeResponse(outcome: RpcOutcome): HttpResponse {
  if (isFailure(outcome)) return response(httpStatusFor(outcome.code), errorBody(outcome));
  return response(200, outcome);
}

/** Routes one HTTP request through the device. Never throws on peer input. */
export function routeHttp(device: ShellyDevice, req: HttpRequest, options?: Partial<HttpRouterOptions>): HttpResponse {
  const maxBody = options?.maxBodyChars ?? DEFAULT_MAX_BODY_CHARS;
  const method = req.method.toUpperCase();
  let path = req.path;
  let query = req.query;
  const q = path.indexOf("?");
  if (q >= 0) {
    if (query.length === 0) query = path.slice(q + 1);
    path = path.slice(0, q);
  }

  if (method === "OPTIONS") {
    const r = response(200, "");
    r.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS";
    r.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type";
    r.headers["Access-Control-Max-Age"] = "86400";
    return r;
  }
  if (req.body.length > maxBody) {
    return response(413, errorBody(failure(RESOURCE_EXHAUSTED, "Request body too large (limit " + maxBody + " characters)")));
  }
  const authorization = req.headers["authorization"];

  if (path === "/shelly") return response(200, device.deviceInfoJson());

  if (path === "/rpc") {
    if (method !== "POST") return notFound();
    // An HTTP Digest header authenticates the frame as well as an `auth` member does.
    const preAuthorized = authorization !== undefined && device.checkHttpAuth(authorization, method);
    const { reply } = device.handleFrameText(req.body, "http", preAuthorized);
    return response(200, reply ?? "");
  }

  if (path.startsWith("/rpc/")) {
    if (method !== "GET" && method !== "POST") return notFound();
    const rpcMethod = percentDecode(path.slice(5));
    let params: Record<string, unknown>;
    if (req.body.trim().length > 0) {
      const parsed = parseJsonBounded(req.body);
      if (!parsed.ok) return outcomeResponse(failure(INVALID_ARGUMENT, parsed.message));
      if (!isPlainObject(parsed.value)) return outcomeResponse(failure(INVALID_ARGUMENT, "Invalid argument: params must be an object"));
      params = parsed.value;
    } else {
      params = parseQueryParams(query);
    }
    const authorized = device.checkHttpAuth(authorization, method);
    const rest = device.handleRest(rpcMethod, params, authorized);
    if (rest.status === 401) return unauthorized(device);
    return response(rest.status, rest.body);
  }

  // ---- Gen1 ----
  if (method !== "GET" && method !== "POST") return notFound();
  const gen1 = gen1Route(device, path);
  if (gen1 === null) return notFound();
  if (!device.checkHttpAuth(authorization, method, true)) return unauthorized(device);
  return outcomeResponse(gen1());
}

function gen1Route(device: ShellyDevice, path: string): (() => RpcOutcome) | null {
  if (path === "/status") return () => device.gen1Status();
  if (path === "/settings") return () => device.gen1Settings();
  const emeter = /^\/emeter\/([0-2])$/.exec(path);
  if (emeter !== null) {
    const index = Number(emeter[1]);
    return () => device.gen1Emeter(index);
  }
  if (/^\/settings\/emeter\/[0-2]$/.test(path)) return () => device.gen1EmeterSettings();
  return null;
}
