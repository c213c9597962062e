/** Recognises the failures that mean "the other side could not be reached" (UNAVAILABLE). */

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/**
 * True for socket-level failures, found on the error or its causes: fetch wraps them in a
 * TypeError("fetch failed"), Node's happy-eyeballs in an AggregateError, the AWS SDK passes them as is.
 */
export function isNetworkError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== "object") return false;
    const { code, errors, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    if (Array.isArray(errors) && errors.some(isNetworkError)) return true;
    current = cause;
  }
  return false;
}
