// Shelly RPC error codes and messages (api.md §1.3), and how they map to HTTP statuses.

export interface RpcFailure {
  code: number;
  message: string;
}

/** A method's outcome: the result as JSON text, or a failure. */
export type RpcOutcome = string | RpcFailure;

export const INVALID_ARGUMENT = -103;
export const NOT_FOUND = -105;
export const RESOURCE_EXHAUSTED = -108;
export const UNAVAILABLE = -114;
export const UNAUTHENTICATED = 401;
export const NO_HANDLER = 404;

export function isFailure(o: RpcOutcome): o is RpcFailure {
  return typeof o !== "string";
}

export function failure(code: number, message: string): RpcFailure {
  return { code, message };
}

export function missingArgument(name: string): RpcFailure {
  return failure(INVALID_ARGUMENT, "Missing required '" + name + "'");
}

export function invalidArgument(message: string): RpcFailure {
  return failure(INVALID_ARGUMENT, message);
}

/** -105 with the documented wording ("Bad id=7"). */
export function badId(id: unknown): RpcFailure {
  return failure(NOT_FOUND, "Bad id=" + String(id));
}

export function noHandler(method: string): RpcFailure {
  return failure(NO_HANDLER, "No handler for " + method);
}

/**
 * HTTP status of a REST (`/rpc/<Method>`) error: 404 and 403 pass through, 401 is the
 * digest challenge, -114 (meter data unavailable) is 503 so that pollers that only look
 * at the status see a service outage; everything else is 500 as in Mongoose.
 */
export function httpStatusFor(code: number): number {
  switch (code) {
    case 401:
    case 403:
    case 404:
      return code;
    case UNAVAILABLE:
      return 503;
    default:
      return 500;
  }
}
