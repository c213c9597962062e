/**
 * One HTTP request and its whole answer, on node:http and node:https: what connectors send to
 * their platforms. Not fetch: Node builds fetch (its bundled undici) on first use, which costs a
 * function's cold start 60-100 ms (BENCHMARKS.md §2, the connectors' createTask rows); node:http
 * is loaded already, and node:https only when a URL needs it.
 *
 * Both come from process.getBuiltinModule, not an ES import: from Node 22 on, node:http exports
 * undici's WebSocket, CloseEvent and MessageEvent as lazy getters, which an ES import reads to
 * build the module's namespace, loading undici after all (about 35 ms of a cold start on Lambda's
 * nodejs22.x; nodejs/node#57649).
 */
import type { IncomingHttpHeaders, IncomingMessage, RequestOptions } from "node:http";
import type { LookupFunction } from "node:net";

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
  /**
   * Whether the body is wanted, at all or by the answer's status (default: yes). An unwanted one is
   * left unread: no size limit, no decoding, and `text` is "". For a check that needs the status
   * only, or a success whose body is a payload the caller has no use for.
   */
  readonly readBody?: boolean | ((status: number) => boolean);
  /** Resolves the URL's host name (default: dns.lookup); its error fails the exchange as it is. */
  readonly lookup?: LookupFunction;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: ResponseHeaders;
  /** The body as text; "" also when it was left unread (`readBody`), whatever it held. */
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
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`not an http(s) URL: ${url.protocol}`);
  const send = url.protocol === "https:" ? process.getBuiltinModule("node:https").request : process.getBuiltinModule("node:http").request;
  request.signal.throwIfAborted();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  if (request.body !== undefined) headers["content-length"] = String(Buffer.byteLength(request.body));
  const options: RequestOptions = { method: request.method, headers, signal: request.signal, ...(request.lookup && { lookup: request.lookup }) };
  const limit = request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const outgoing = send(url, options, (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      const answer = (text: string) => resolve({ status, headers: new ResponseHeaders(response.headers), text });
      const read = request.readBody;
      if (read === false || (typeof read === "function" && !read(status))) {
        // Destroyed (the socket closed), not drained with resume(): draining would keep the socket
        // for reuse but read the whole body, tens of MB maybe, for nothing; a new connection costs less.
        response.destroy();
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
        decodedText(Buffer.concat(chunks), response.headers, limit).then(answer, reject);
      });
    });
    // An aborted signal errors the request with an AbortError; the caller wants the signal's reason.
    outgoing.on("error", (error) => reject(request.signal.aborted ? request.signal.reason : error));
    outgoing.end(request.body);
  });
}

/**
 * The body as text, as httpx reads it: undone of its Content-Encodings (gzip, deflate, br, the
 * last applied undone first, others left; node:zlib loaded only then), in the Content-Type's
 * charset when Node knows it, else UTF-8. An empty body is "" whatever its encoding (a HEAD's
 * answer, a 204), as httpx's decoders make of no data.
 */
async function decodedText(body: Buffer, headers: IncomingHttpHeaders, limit: number): Promise<string> {
  const encodings = (headers["content-encoding"] ?? "")
    .split(",")
    .map((encoding) => encoding.trim().toLowerCase())
    .filter((encoding) => encoding === "gzip" || encoding === "deflate" || encoding === "br");
  if (encodings.length > 0 && body.length > 0) {
    const zlib = await import("node:zlib");
    for (const encoding of encodings.reverse()) {
      // deflate is zlib-wrapped by the RFC (a header whose method is 8 and whose two bytes are a
      // multiple of 31), and raw from some servers: httpx takes both.
      const zlibWrapped = body.length >= 2 && (body[0]! & 0x0f) === 8 && ((body[0]! << 8) | body[1]!) % 31 === 0;
      const inflate = encoding === "gzip" ? zlib.gunzipSync : encoding === "br" ? zlib.brotliDecompressSync : zlibWrapped ? zlib.inflateSync : zlib.inflateRawSync;
      try {
        body = inflate(body, { maxOutputLength: limit });
      } catch (error) {
        if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") throw new ResponseTooLargeError(limit);
        throw error;
      }
    }
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(headers["content-type"] ?? "")?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    try {
      return new TextDecoder(charset).decode(body);
    } catch {
      // A charset Node does not know: UTF-8, as for none.
    }
  }
  return body.toString("utf8");
}
