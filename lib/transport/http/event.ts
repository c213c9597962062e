/**
 * The two API Gateway payloads read as one request: HTTP API payload 2.0
 * (`APIGatewayProxyEventV2`) and REST API payload 1.0 (`APIGatewayProxyEvent`).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";

export type ApiGatewayEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

/** What the adapter reads from an event, whichever its payload version. */
export interface HttpRequest {
  /** Upper case. */
  readonly method: string;
  /** As API Gateway gives it: it may start with a stage or a custom domain's base path. */
  readonly path: string;
  /** Query parameters in order, decoded, repeats kept. */
  readonly query: readonly (readonly [name: string, value: string])[];
  readonly body: string;
  readonly isBase64Encoded: boolean;
  /** A header by name in any case; repeated headers are joined with ", ". */
  header(name: string): string | undefined;
}

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === "object" && value !== null;
}

/** Payload 2.0: `version` "2.0" with `requestContext.http`; 1.0: `httpMethod` with `requestContext`. */
export function isApiGatewayEvent(event: unknown): event is ApiGatewayEvent {
  if (!isObject(event) || !isObject(event.requestContext)) return false;
  if (event.version === "2.0") return isObject(event.requestContext.http);
  return typeof event.httpMethod === "string";
}

/** Reads either payload; fields API Gateway always sets are still not trusted to be there. */
export function readEvent(event: ApiGatewayEvent): HttpRequest {
  const loose = event as unknown as Loose;
  return "httpMethod" in event ? readV1(loose) : readV2(loose);
}

function readV2(event: Loose): HttpRequest {
  const http = (event.requestContext as Loose).http as Loose;
  // Payload 2.0 joins repeated parameters with commas in queryStringParameters; only the raw
  // query string keeps `queries=a&queries=b` apart.
  const query =
    typeof event.rawQueryString === "string"
      ? [...new URLSearchParams(event.rawQueryString)]
      : stringEntries(event.queryStringParameters);
  return request({
    method: http.method,
    path: typeof event.rawPath === "string" ? event.rawPath : http.path,
    query,
    headers: stringEntries(event.headers),
    body: event.body,
    isBase64Encoded: event.isBase64Encoded,
  });
}

function readV1(event: Loose): HttpRequest {
  const multiQuery = listEntries(event.multiValueQueryStringParameters);
  const multiHeaders = listEntries(event.multiValueHeaders);
  return request({
    method: event.httpMethod,
    path: event.path,
    query: multiQuery.length > 0 ? multiQuery : stringEntries(event.queryStringParameters),
    headers: multiHeaders.length > 0 ? multiHeaders : stringEntries(event.headers),
    body: event.body,
    isBase64Encoded: event.isBase64Encoded,
  });
}

function request(parts: {
  method: unknown;
  path: unknown;
  query: (readonly [string, string])[];
  headers: (readonly [string, string])[];
  body: unknown;
  isBase64Encoded: unknown;
}): HttpRequest {
  const headers = new Map<string, string>();
  for (const [name, value] of parts.headers) {
    const key = name.toLowerCase();
    const earlier = headers.get(key);
    headers.set(key, earlier === undefined ? value : `${earlier}, ${value}`);
  }
  return {
    method: typeof parts.method === "string" ? parts.method.toUpperCase() : "",
    path: typeof parts.path === "string" ? parts.path : "",
    query: parts.query,
    body: typeof parts.body === "string" ? parts.body : "",
    isBase64Encoded: parts.isBase64Encoded === true,
    header: (name) => headers.get(name.toLowerCase()),
  };
}

/** `{name: "value"}` maps as pairs, values that are not strings left out. */
function stringEntries(map: unknown): (readonly [string, string])[] {
  if (!isObject(map)) return [];
  return Object.entries(map).filter((entry): entry is [string, string] => typeof entry[1] === "string");
}

/** `{name: ["a", "b"]}` maps as pairs, one per value. */
function listEntries(map: unknown): (readonly [string, string])[] {
  if (!isObject(map)) return [];
  return Object.entries(map).flatMap(([name, values]) =>
    Array.isArray(values) ? values.filter((value) => typeof value === "string").map((value) => [name, value] as const) : [],
  );
}
