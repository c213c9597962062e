/**
 * API Gateway events for the adapter tests, built on the real-shaped fixtures in
 * test/fixtures/apigateway: only method, path, query, headers and body change.
 */
import { readFileSync } from "node:fs";
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";

const fixturesDir = new URL("../../fixtures/apigateway/", import.meta.url);

/** A fresh copy of a fixture event. */
export function fixture<T = APIGatewayProxyEventV2 | APIGatewayProxyEvent>(name: string): T {
  return JSON.parse(readFileSync(new URL(`${name}.json`, fixturesDir), "utf8")) as T;
}

export interface RequestSpec {
  readonly method: string;
  /** The path as the gateway delivers it (percent-encoding left as written here). */
  readonly path: string;
  readonly query?: readonly (readonly [string, string])[];
  /** Header names as the client wrote them. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Bytes go base64-encoded with isBase64Encoded, as API Gateway sends binary bodies. */
  readonly body?: string | Uint8Array;
  /** Send a text body base64-encoded too (HTTP APIs do that for types they do not treat as text). */
  readonly base64?: boolean;
}

function encodedBody(spec: RequestSpec): { body: string | undefined; isBase64Encoded: boolean } {
  if (spec.body === undefined) return { body: undefined, isBase64Encoded: false };
  if (typeof spec.body !== "string") return { body: Buffer.from(spec.body).toString("base64"), isBase64Encoded: true };
  if (spec.base64) return { body: Buffer.from(spec.body, "utf8").toString("base64"), isBase64Encoded: true };
  return { body: spec.body, isBase64Encoded: false };
}

/** HTTP API payload 2.0 on the `$default` stage: lower-cased headers, repeats comma-joined in queryStringParameters. */
export function httpApiEvent(spec: RequestSpec): APIGatewayProxyEventV2 {
  const event = fixture<APIGatewayProxyEventV2>("http-api-v2-get-metrics");
  const query = spec.query ?? [];
  const joined = new Map<string, string>();
  for (const [name, value] of query) joined.set(name, joined.has(name) ? `${joined.get(name)},${value}` : value);
  const { body, isBase64Encoded } = encodedBody(spec);
  const headers: Record<string, string> = { ...event.headers } as Record<string, string>;
  delete headers.accept;
  for (const [name, value] of Object.entries(spec.headers ?? {})) headers[name.toLowerCase()] = value;
  const result: APIGatewayProxyEventV2 = {
    ...event,
    routeKey: "$default",
    rawPath: spec.path,
    rawQueryString: new URLSearchParams(query.map(([name, value]): [string, string] => [name, value])).toString(),
    headers,
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: spec.method, path: spec.path } },
    isBase64Encoded,
  };
  if (query.length > 0) result.queryStringParameters = Object.fromEntries(joined);
  else delete result.queryStringParameters;
  if (body !== undefined) result.body = body;
  return result;
}

/** REST API payload 1.0 behind a `/{proxy+}` resource on stage `prod`: headers keep their case. */
export function restApiEvent(spec: RequestSpec): APIGatewayProxyEvent {
  const event = fixture<APIGatewayProxyEvent>("rest-api-v1-get-logs");
  const query = spec.query ?? [];
  const multi = new Map<string, string[]>();
  for (const [name, value] of query) multi.set(name, [...(multi.get(name) ?? []), value]);
  const { body, isBase64Encoded } = encodedBody(spec);
  const headers: Record<string, string> = { ...(event.headers as Record<string, string>) };
  delete headers.Accept;
  Object.assign(headers, spec.headers);
  return {
    ...event,
    resource: "/{proxy+}",
    path: spec.path,
    httpMethod: spec.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: query.length > 0 ? Object.fromEntries([...multi].map(([name, values]) => [name, values.at(-1)!])) : null,
    multiValueQueryStringParameters: query.length > 0 ? Object.fromEntries(multi) : null,
    pathParameters: { proxy: spec.path.slice(1) },
    requestContext: { ...event.requestContext, httpMethod: spec.method, path: `/prod${spec.path}`, resourcePath: "/{proxy+}" },
    body: body ?? null,
    isBase64Encoded,
  };
}

export const payloadVersions = [
  ["payload 2.0", httpApiEvent],
  ["payload 1.0", restApiEvent],
] as const;
