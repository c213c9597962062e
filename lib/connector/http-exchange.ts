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
        decodedText(Buffer.concat(chunks), response.headers, limit).then(answer, reject);
      });
    });
    // An aborted signal errors the request with an AbortError; the caller wants the signal's reason.
    outgoing.on("error", (error) => reject(request.signal.aborted ? request.signal.reason : error));
    outgoing.end(request.body);
  });
}

/**
 * The body as text, as httpx reads it: undone of a Content-Encoding (gzip, deflate, br; node:zlib
 * loaded only then), in the Content-Type's charset when Node knows it, else UTF-8.
 */
async function decodedText(body: Buffer, headers: IncomingHttpHeaders, limit: number): Promise<string> {
  const encoding = headers["content-encoding"]?.trim().toLowerCase();
  if (encoding === "gzip" || encoding === "deflate" || encoding === "br") {
    const zlib = await import("node:zlib");
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
