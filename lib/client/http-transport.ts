/**
 * The HTTP transport: flyteidl's google.api.http routes (docs/CONTRACT.md §3) over global fetch, with
 * binary protobuf or proto3 JSON bodies, optionally SigV4-signed for an API Gateway behind IAM (the
 * AWS SDK's signer and credential chain load on the first signed request, not with this module).
 */
import type { SignatureV4 } from "@smithy/signature-v4";
import {
  CancelledError,
  ConnectorError,
  DeadlineExceededError,
  errorMessage,
  InternalError,
  InvalidArgumentError,
  Status,
  UnavailableError,
  type StatusCode,
} from "../connector/errors.js";
import { findField, fromJson, toJson, type FieldInfo } from "../idl/json-mapping.js";
import { operationFor } from "../service/flyteidl2/operations.js";
import type { Dispatch, Operation } from "../service/operations.js";
import { decodeMessage, encodeMessage } from "../transport/codec.js";
import { decodeDelimited, encodeDelimited } from "../transport/http/delimited.js";
import { formatGrpcTimeout, GRPC_TIMEOUT_HEADER } from "../transport/http/grpc-timeout.js";
import { JSON_TYPE } from "../transport/http/media-types.js";
import { routes } from "../transport/http/routes.js";
import { isNetworkError } from "./network-errors.js";
import { requestSignal } from "./request-signal.js";
import { withRetries, type RetryPolicy } from "./retry.js";

export interface HttpSigningOptions {
  readonly region: string;
  /** Default: the standard AWS chain (environment, profile, SSO, instance or task role). */
  readonly credentials?: ConstructorParameters<typeof SignatureV4>[0]["credentials"];
  /** Default `execute-api` (API Gateway). */
  readonly service?: string;
}

export interface HttpDispatchOptions {
  /** Where the routes live, e.g. `https://abc.execute-api.us-east-1.amazonaws.com` or with a stage path. */
  readonly baseUrl: string;
  /** Bodies as binary protobuf (default) or proto3 JSON. */
  readonly format?: "protobuf" | "json";
  /** Sign every request with SigV4, for an API whose routes use IAM authorization. */
  readonly sign?: HttpSigningOptions;
  readonly headers?: Readonly<Record<string, string>>;
  readonly retry?: RetryPolicy;
}

const PROTOBUF = "application/x-protobuf";
// serverless-offline (and API Gateway REST APIs without binaryMediaTypes) base64-encode only
// this type, which the contract reads as binary protobuf too.
const PROTOBUF_REQUEST = "application/octet-stream";

export function createHttpDispatch(options: HttpDispatchOptions): Dispatch {
  const base = new URL(options.baseUrl);
  const format = options.format ?? "protobuf";
  const signer = options.sign ? createSigner(options.sign) : undefined;

  const send: Dispatch = async (name, requests, dispatchOptions = {}) => {
    const operation: Operation = operationFor(name, dispatchOptions.protocol);
    const { method, url, body } = httpRequest(operation, requests, base, format);
    const headers: Record<string, string> = { accept: format === "json" ? JSON_TYPE : PROTOBUF, ...options.headers };
    if (body) headers["content-type"] = format === "json" ? JSON_TYPE : PROTOBUF_REQUEST;
    // The time the caller has left, so that the function stops when the caller stops waiting.
    const { deadline } = dispatchOptions;
    if (deadline !== undefined && Number.isFinite(deadline)) headers[GRPC_TIMEOUT_HEADER] = formatGrpcTimeout(deadline - Date.now());
    let signed = headers;
    if (signer) {
      try {
        signed = await signer(method, url, headers, body);
      } catch (error) {
        // Only the credentials can fail here: a status, and the request it was for, as the Lambda transport gives.
        throw new ConnectorError(Status.UNAUTHENTICATED, `Cannot sign the request to ${url.origin}${url.pathname}: ${errorMessage(error)}`, {
          cause: error,
        });
      }
    }

    const abortSignal = requestSignal(name, dispatchOptions);
    let response: Response;
    let bytes: Uint8Array;
    try {
      response = await fetch(url, {
        method,
        headers: signed,
        body: body ?? null,
        signal: abortSignal ?? null,
      });
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      throw fetchFailure(url, error, dispatchOptions.signal);
    }
    if (!response.ok) throw httpFailure(response, bytes);
    return decodeResponse(operation, response.headers.get("content-type") ?? "", bytes);
  };
  return withRetries(send, options.retry);
}

interface BuiltRequest {
  readonly method: string;
  readonly url: URL;
  readonly body: Uint8Array | undefined;
}

/** The route's path with its variables filled from the request; the other fields as query parameters. */
export function httpRequest(
  operation: Operation,
  requests: readonly object[],
  base: URL,
  format: "protobuf" | "json",
): BuiltRequest {
  const route = routes.find((candidate) => candidate.operation === operation)!;
  // A URL is logged everywhere it passes, and grpc-gateway's query parameters cannot carry maps. CreateTask's
  // body could, but the task it starts could then be neither followed nor deleted: refused before it starts.
  if (requests.some((request) => (request as { connection?: unknown }).connection)) {
    throw new InvalidArgumentError(
      `${route.method} ${route.template}: HTTP cannot carry a connection (GetTask and DeleteTask would put its secrets in the URL): use gRPC or Lambda.`,
    );
  }
  const url = new URL(base);
  const basePath = withoutRoutePrefix(url.pathname.replace(/\/+$/, ""));
  if (route.hasBody) {
    const messages = operation.requestStream ? requests : [single(operation, requests)];
    url.pathname = basePath + route.template;
    return { method: route.method, url, body: encodeBody(operation, messages, format) };
  }
  // Normalised through the wire form, so unset fields read as their proto3 defaults (version 0, empty bytes).
  const request = operation.requestType.decode(encodeMessage(operation.requestType, single(operation, requests)));
  const inPath = new Set<string>();
  const segments = route.segments.map((segment) => {
    if ("literal" in segment) return segment.literal;
    inPath.add(segment.field);
    return encodeURIComponent(pathValue(operation.requestTypeName, request, segment.field));
  });
  url.pathname = `${basePath}/${segments.join("/")}`;
  const json = toJson(operation.requestTypeName, request) as Record<string, unknown>;
  for (const [name, value] of queryParameters(operation.requestTypeName, json, "")) {
    if (!inPath.has(name)) url.searchParams.append(name, value);
  }
  return { method: route.method, url, body: undefined };
}

function single(operation: Operation, requests: readonly object[]): object {
  const [request] = requests;
  if (requests.length !== 1 || !request) {
    throw new InvalidArgumentError(`${operation.name} takes exactly one request message, got ${requests.length}.`);
  }
  return request;
}

/** The literal segments every route starts with (`/api/v1`). */
const ROUTE_PREFIX = ((templates: string[]) => {
  let prefix = templates[0]!;
  for (const template of templates) while (!`${template}/`.startsWith(`${prefix}/`)) prefix = prefix.slice(0, prefix.lastIndexOf("/"));
  return prefix;
})(routes.map((route) => route.template));

/** A base URL pasted with the routes' own prefix (`…/prod/api/v1`) would otherwise have it twice, which API Gateway answers 404. */
function withoutRoutePrefix(basePath: string): string {
  return basePath.endsWith(ROUTE_PREFIX) ? basePath.slice(0, -ROUTE_PREFIX.length) : basePath;
}

/** A path variable's value: bytes (the resource meta) as padded base64url, anything else as text. */
function pathValue(typeName: string, message: object, fieldPath: string): string {
  let value: unknown = message;
  let type: string | null = typeName;
  for (const name of fieldPath.split(".")) {
    // The route table checked at load that every variable names a field.
    const field: FieldInfo = findField(type!, name)!;
    value = (value as Record<string, unknown> | undefined)?.[field.jsonName];
    type = field.messageType;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64url").padEnd(Math.ceil(value.length / 3) * 4, "=");
  return String(value ?? "");
}

/** Proto3 JSON flattened to `proto_name=value` pairs (grpc-gateway's query parameters): nested names dotted, lists repeated. */
function queryParameters(typeName: string, json: Record<string, unknown>, prefix: string): [string, string][] {
  return Object.entries(json).flatMap(([key, value]): [string, string][] => {
    const field: FieldInfo | undefined = findField(typeName, key);
    const name = `${prefix}${field?.name ?? key}`;
    if (Array.isArray(value)) return value.map((item) => [name, String(item)]);
    if (typeof value === "object" && value !== null && field?.messageType) {
      return queryParameters(field.messageType, value as Record<string, unknown>, `${name}.`);
    }
    return [[name, String(value)]];
  });
}

/** A stream travels as a JSON array, or as varint-length-delimited protobuf messages. */
function encodeBody(operation: Operation, messages: readonly object[], format: "protobuf" | "json"): Uint8Array {
  if (format === "json") {
    const json = messages.map((message) => toJson(operation.requestTypeName, message));
    return new TextEncoder().encode(JSON.stringify(operation.requestStream ? json : json[0]));
  }
  return operation.requestStream
    ? encodeDelimited(operation.requestType, messages)
    : encodeMessage(operation.requestType, messages[0]!);
}

/** The body as the server labelled it: JSON or binary protobuf, whichever was asked for. */
function decodeResponse(operation: Operation, contentType: string, bytes: Uint8Array): object[] {
  const fail = (why: string) => new InternalError(`Unreadable ${operation.responseTypeName} answer: ${why}.`);
  if (contentType.toLowerCase().startsWith(JSON_TYPE)) {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw fail("not JSON");
    }
    if (operation.responseStream && !Array.isArray(json)) throw fail("expected an array of messages");
    const messages = operation.responseStream ? (json as unknown[]) : [json];
    try {
      // A service on a newer flyteidl may answer fields this one lacks: skipped, as in binary.
      return messages.map((message) => fromJson(operation.responseTypeName, message, { discardUnknown: true }));
    } catch (error) {
      throw fail(errorMessage(error));
    }
  }
  try {
    return operation.responseStream
      ? decodeDelimited(operation.responseType, operation.responseTypeName, bytes)
      : [decodeMessage(operation.responseType, operation.responseTypeName, bytes)];
  } catch (error) {
    throw fail(errorMessage(error));
  }
}

/** grpc-gateway's mapping read backwards, for answers that carry no gRPC code of their own (API Gateway's). */
const CODE_BY_HTTP_STATUS: Readonly<Record<number, StatusCode>> = {
  400: Status.INVALID_ARGUMENT,
  401: Status.UNAUTHENTICATED,
  403: Status.PERMISSION_DENIED,
  404: Status.NOT_FOUND,
  405: Status.UNIMPLEMENTED,
  409: Status.ABORTED,
  413: Status.INVALID_ARGUMENT,
  429: Status.RESOURCE_EXHAUSTED,
  499: Status.CANCELLED,
  500: Status.INTERNAL,
  501: Status.UNIMPLEMENTED,
  502: Status.UNAVAILABLE,
  503: Status.UNAVAILABLE,
  504: Status.DEADLINE_EXCEEDED,
};

/** `{code, message}` from our routes; `{message}` (or anything) from API Gateway itself. */
function httpFailure(response: Response, bytes: Uint8Array): ConnectorError {
  let code: StatusCode = CODE_BY_HTTP_STATUS[response.status] ?? Status.UNKNOWN;
  let message = `HTTP ${response.status} ${response.statusText}`.trim();
  try {
    const body = JSON.parse(new TextDecoder().decode(bytes)) as { code?: unknown; message?: unknown };
    if (typeof body.code === "number" && Number.isInteger(body.code) && body.code > 0 && body.code <= 16) {
      code = body.code as StatusCode;
    }
    if (typeof body.message === "string" && body.message) {
      message = typeof body.code === "number" ? body.message : `${message}: ${body.message}`;
    }
  } catch {
    // Not JSON (a proxy's HTML page): the status says all we know.
  }
  return new ConnectorError(code, message);
}

/** `signal` is the caller's: whatever its abort made fetch throw is CANCELLED. */
function fetchFailure(url: URL, error: unknown, signal: AbortSignal | undefined): ConnectorError {
  const where = `${url.origin}${url.pathname}`;
  if (signal?.aborted) return new CancelledError(`The caller cancelled the call before ${where} answered.`, { cause: error });
  if ((error as { name?: unknown })?.name === "TimeoutError") {
    return new DeadlineExceededError(`${where} did not answer before the deadline.`, { cause: error });
  }
  const cause = (error as { cause?: unknown })?.cause;
  const detail = cause instanceof Error ? cause.message : errorMessage(error);
  if (isNetworkError(error)) return new UnavailableError(`Cannot reach ${where}: ${detail}`, { cause: error });
  return new InternalError(`Request to ${where} failed: ${detail}`, { cause: error });
}

type Signer = (method: string, url: URL, headers: Record<string, string>, body: Uint8Array | undefined) => Promise<Record<string, string>>;

function createSigner(options: HttpSigningOptions): Signer {
  let signer: SignatureV4 | undefined;
  return async (method, url, headers, body) => {
    signer ??= await newSignatureV4(options);
    const query: Record<string, string | string[]> = {};
    for (const name of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(name);
      query[name] = values.length === 1 ? values[0]! : values;
    }
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers: { ...headers, host: url.host },
      body,
    });
    // fetch sets Host itself (to the same value); it may not be given.
    const { host: _host, ...rest } = signed.headers;
    return rest;
  };
}

async function newSignatureV4(options: HttpSigningOptions): Promise<SignatureV4> {
  const [{ SignatureV4 }, { Hash }, credentials] = await Promise.all([
    import("@smithy/signature-v4"),
    import("@smithy/hash-node"),
    options.credentials ?? import("@aws-sdk/credential-provider-node").then(({ defaultProvider }) => defaultProvider()),
  ]);
  return new SignatureV4({ service: options.service ?? "execute-api", region: options.region, credentials, sha256: Hash.bind(null, "sha256") });
}
