/**
 * node:http in front of an API Gateway handler: each request becomes the HTTP API payload 2.0
 * event API Gateway would send (route `$default`, so the handler routes by `rawPath`), and the
 * handler's result becomes the response. This is how the local stack serves the HTTP routes of
 * docs/CONTRACT.md §3 with the very code the functions run.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { Status } from "../connector/errors.js";
import { MAX_LAMBDA_PAYLOAD_BYTES } from "../limits.js";
import { INTERNAL_MESSAGE } from "../transport/envelope.js";

/** What an API Gateway Lambda integration may answer (payload 2.0 structured result, or 1.0). */
export interface HttpResult {
  /** API Gateway answers 200 when it is left out. */
  readonly statusCode?: number;
  readonly headers?: Readonly<Record<string, string | number | boolean>>;
  readonly multiValueHeaders?: Readonly<Record<string, readonly (string | number | boolean)[]>>;
  readonly cookies?: readonly string[];
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

/**
 * Answers one event; `deadline` (epoch ms) is when the integration would time out, `signal` aborts
 * when the client goes away before the answer.
 */
export type HttpEventHandler = (event: APIGatewayProxyEventV2, deadline: number, signal: AbortSignal) => Promise<HttpResult>;

export interface HttpBridgeOptions {
  /** Larger request bodies are refused with 413 (default MAX_LAMBDA_PAYLOAD_BYTES, as API Gateway's Lambda integration would). */
  readonly maxBodyBytes?: number;
  /** The deadline each event gets (default 30 s, API Gateway's longest integration timeout). */
  readonly timeoutMs?: number;
  readonly logger?: { error(message: string, ...extra: unknown[]): void };
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function httpBridge(handle: HttpEventHandler, options: HttpBridgeOptions = {}): RequestListener {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_LAMBDA_PAYLOAD_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return (request, response) => {
    const cancel = new AbortController();
    response.once("close", () => {
      if (!response.writableFinished) cancel.abort();
    });
    readBody(request, maxBodyBytes).then(
      async (body) => {
        if (body === undefined) {
          // Stop reading what may be a large upload: answer, then close the connection.
          response.setHeader("connection", "close");
          sendError(response, 413, Status.RESOURCE_EXHAUSTED, `Request body is larger than ${maxBodyBytes} bytes.`);
          return;
        }
        const result = await handle(toHttpApiEvent(request, body), Date.now() + timeoutMs, cancel.signal);
        sendResult(response, result);
      },
    ).catch((error: unknown) => {
      options.logger?.error(`${request.method} ${request.url} failed`, error);
      if (response.headersSent) response.destroy();
      else sendError(response, 500, Status.INTERNAL, INTERNAL_MESSAGE);
    });
  };
}

/** The request body, or undefined when it is larger than `limit`. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(request.headers["content-length"] ?? 0) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners("data");
        request.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/** The payload 2.0 event API Gateway's `$default` route would send for this request. */
export function toHttpApiEvent(request: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = request.url ?? "/";
  const queryAt = url.indexOf("?");
  const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
  const rawQueryString = queryAt < 0 ? "" : url.slice(queryAt + 1);

  // API Gateway joins repeated headers and query parameters with commas, and moves cookies out.
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (!values) continue;
    if (name === "cookie") cookies = values.flatMap((value) => value.split(/;\s*/)).filter(Boolean);
    else headers[name] = values.join(",");
  }
  const query = new URLSearchParams(rawQueryString);
  const queryStringParameters: Record<string, string> = {};
  for (const name of new Set(query.keys())) queryStringParameters[name] = query.getAll(name).join(",");

  const textBody = body.length > 0 && isTextContent(headers["content-type"]) ? utf8(body) : undefined;
  const method = request.method ?? "GET";
  const host = headers.host ?? "localhost";
  const now = new Date();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    ...(cookies && { cookies }),
    headers,
    ...(rawQueryString && { queryStringParameters }),
    requestContext: {
      accountId: "anonymous",
      apiId: "local",
      domainName: host,
      domainPrefix: host.split(".")[0] ?? host,
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? "",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 && { body: textBody ?? body.toString("base64") }),
    isBase64Encoded: body.length > 0 && textBody === undefined,
  };
}

/** Content types API Gateway passes as text; every other body arrives base64-encoded. */
function isTextContent(contentType: string | undefined): boolean {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return (
    type.startsWith("text/") ||
    /^application\/(?:[\w.+-]+\+)?(?:json|xml)$/.test(type) ||
    type === "application/javascript" ||
    type === "application/x-www-form-urlencoded"
  );
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The body as text, or undefined when it is not valid UTF-8 (then it travels base64). */
function utf8(body: Buffer): string | undefined {
  try {
    return strictUtf8.decode(body);
  } catch {
    return undefined;
  }
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's requestContext.time. */
function apiGatewayTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

export function sendResult(response: ServerResponse, result: HttpResult): void {
  response.statusCode = result.statusCode ?? 200;
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, String(value));
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) response.setHeader(name, values.map(String));
  if (result.cookies?.length) response.appendHeader("set-cookie", [...result.cookies]);
  const body = result.body ?? "";
  response.end(result.isBase64Encoded ? Buffer.from(body, "base64") : body);
}

/** An error in docs/CONTRACT.md §3's body shape. */
function sendError(response: ServerResponse, statusCode: number, code: number, message: string): void {
  sendResult(response, {
    statusCode,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code, message, details: [] }),
  });
}
