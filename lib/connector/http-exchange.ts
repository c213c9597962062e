/**
 * One HTTP request and its whole answer, on node:http and node:https: what connectors send to
 * their platforms. Not fetch: Node builds fetch (its bundled undici) on first use, which costs a
 * function's cold start 60-100 ms (BENCHMARKS.md §2, the connectors' createTask rows); node:http
 * is loaded already, and node:https only when a URL needs it.
 */
import { type IncomingHttpHeaders, type IncomingMessage, type RequestOptions, request as plainRequest } from "node:http";

export interface HttpExchange {
  readonly method: string;
  readonly url: URL;
  /** Header names in any case; a later duplicate in another case replaces the earlier. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Ends the exchange: the promise rejects with the signal's reason. */
  readonly signal: AbortSignal;
  /** The largest answer read; a larger one rejects with ResponseTooLargeError. */
  readonly maxBodyBytes?: number;
  /** False: the body is drained unread and `text` is "" (a check that needs the status only). */
  readonly readBody?: boolean;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: ResponseHeaders;
  readonly text: string;
}

/** The answer's headers, read as fetch's Headers reads them (`get`, any case, repeats joined). */
export class ResponseHeaders {
  readonly #raw: IncomingHttpHeaders;

  constructor(raw: IncomingHttpHeaders) {
    this.#raw = raw;
  }

  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }
}

export class ResponseTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the answer is larger than ${limitBytes} bytes`);
    this.name = "ResponseTooLargeError";
  }
}

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Sends the request and reads the answer. A redirect is answered as it is, never followed. */
export async function exchange(request: HttpExchange): Promise<HttpAnswer> {
  const url = request.url;
  const send = url.protocol === "https:" ? (await import("node:https")).request : url.protocol === "http:" ? plainRequest : undefined;
  if (!send) throw new TypeError(`not an http(s) URL: ${url.protocol}`);
  request.signal.throwIfAborted();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  if (request.body !== undefined) headers["content-length"] = String(Buffer.byteLength(request.body));
  const options: RequestOptions = { method: request.method, headers, signal: request.signal };
  const limit = request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const outgoing = send(url, options, (response: IncomingMessage) => {
      const answer = (text: string) => resolve({ status: response.statusCode ?? 0, headers: new ResponseHeaders(response.headers), text });
      if (request.readBody === false) {
        response.resume();
        answer("");
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          response.destroy(new ResponseTooLargeError(limit));
          return;
        }
        chunks.push(chunk);
      });
      response.on("error", (error) => reject(request.signal.aborted ? request.signal.reason : error));
      response.on("end", () => {
        answer(Buffer.concat(chunks).toString("utf8"));
      });
    });
    // An aborted signal errors the request with an AbortError; the caller wants the signal's reason.
    outgoing.on("error", (error) => reject(request.signal.aborted ? request.signal.reason : error));
    outgoing.end(request.body);
  });
}
