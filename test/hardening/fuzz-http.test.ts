/**
 * Bad input over HTTP (docs/CONTRACT.md §3), by three ways in: API Gateway events of both payload
 * versions (HTTP API 2.0 and REST API 1.0, on the real-shaped fixtures) through the real function
 * handlers, and the same requests over a socket to the local stack's HTTP server. Damaged
 * protobuf and JSON bodies, malformed JSON and JSON of the wrong shape, bad path and query
 * parameters, content types, methods and routes, and bodies above Lambda's 6 MB limit. Every
 * answer is 200 or a readable refusal with grpc-gateway's status for its code (4xx; 501 for
 * UNIMPLEMENTED); nothing is logged as a failure of ours.
 */
import { request as httpRequestOf } from "node:http";
import fc from "fast-check";
import protobuf from "protobufjs/minimal.js";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createHttpDispatch, httpRequest } from "../../lib/client/http-transport.js";
import { Status } from "../../lib/connector/errors.js";
import { MAX_LAMBDA_PAYLOAD_BYTES } from "../../lib/limits.js";
import { startLocalStack, type LocalStack } from "../../lib/local/local-stack.js";
import { operationFor } from "../../lib/service/flyteidl2/operations.js";
import { operationNames, operations, type OperationName, type Protocol } from "../../lib/service/operations.js";
import { decodeDelimited } from "../../lib/transport/http/delimited.js";
import type { HttpResponse } from "../../lib/transport/http/response.js";
import { httpApiEvent, restApiEvent, type RequestSpec } from "../transport/http/events.js";
import {
  AGENT_NAMES,
  binaryCases,
  concat,
  described,
  flyteidl2OperationNames,
  fuzzRegistry,
  jsonCases,
  seedBytes,
  seeds,
  SLEEP_META,
  type FuzzCase,
} from "./fuzz/cases.js";
import {
  type Answer,
  CALL_TIMEOUT_MS,
  captureFunctionErrors,
  each,
  expectHeapBack,
  expectServiceStillWorks,
  functionHandlers,
  fuzz,
  FUZZ_TEST_TIMEOUT_MS,
  heapAfterGc,
  isBase64,
  type Outcome,
  runs,
  Tally,
} from "./fuzz/harness.js";

/** The local server is Node's: it refuses a request line and headers above 16 KB itself, before our code. */
const MAX_LOCAL_URL_CHARS = 8_000;

interface HttpCase extends FuzzCase {
  readonly spec: RequestSpec;
  /** Only in an event (the local server base64-encodes bodies itself): this body, flagged as base64. */
  readonly eventBase64Body?: string;
}

type Way = (fuzzCase: HttpCase) => Promise<Outcome>;

const callFunction = functionHandlers();
const tallies = { "payload 2.0": new Tally(), "payload 1.0": new Tally(), "local HTTP server": new Tally() };
/** The functions' ERROR lines and the local stack's errors: a failure of ours writes one. */
let functionLog: ReturnType<typeof captureFunctionErrors>;
let stack: LocalStack;
let heapBefore = 0;

// --- The three ways in ----------------------------------------------------------------------------

/** What a response says: 200 is an answer, anything else must carry the contract's error body. */
function outcomeOf(status: number, body: string): Outcome {
  if (status === 200) return { code: Status.OK, message: "", httpStatus: status };
  try {
    const { code, message } = JSON.parse(body) as { code: number; message: string };
    return { code, message, httpStatus: status };
  } catch {
    return { code: Status.UNKNOWN, message: `not the contract's error body: ${JSON.stringify(body.slice(0, 200))}`, httpStatus: status };
  }
}

function viaEvent(build: typeof httpApiEvent | typeof restApiEvent): Way {
  return async ({ op, spec, eventBase64Body }) => {
    const event = build(spec);
    if (eventBase64Body !== undefined) Object.assign(event, { body: eventBase64Body, isBase64Encoded: true });
    const response = (await callFunction(op, event)) as HttpResponse;
    return outcomeOf(response.statusCode, response.body);
  };
}

const viaLocalServer: Way = ({ spec }) =>
  new Promise((resolve, reject) => {
    const query = new URLSearchParams(spec.query?.map(([name, value]): [string, string] => [name, value])).toString();
    const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
    // With its length: Node sends a GET's body unframed otherwise.
    const requestHeaders = { ...spec.headers, ...(body && { "Content-Length": String(body.length) }) };
    const request = httpRequestOf(`${stack.httpUrl}${spec.path}${query ? `?${query}` : ""}`, { method: spec.method, headers: requestHeaders }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve(outcomeOf(response.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"))));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(body);
  });

const ways: Readonly<Record<keyof typeof tallies, Way>> = {
  "payload 2.0": viaEvent(httpApiEvent),
  "payload 1.0": viaEvent(restApiEvent),
  "local HTTP server": viaLocalServer,
};

// --- Requests -------------------------------------------------------------------------------------

const PROTOBUF_TYPES = ["application/x-protobuf", "application/octet-stream", "application/x-protobuf; proto=flyteidl"];
const JSON_TYPES = ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON"];
/** Accept headers some contract type satisfies. */
const accept = fc.constantFrom(undefined, "application/json", "application/x-protobuf", "*/*", "application/*;q=0.5, text/*", "text/html, application/json;q=0.1");
/** Accept headers none does: 406. */
const UNACCEPTABLE = ["text/html", "garbage", "application/xml", "application/json;q=0, application/x-protobuf;q=0, application/octet-stream;q=0"];
const headers = (contentType: string | undefined, acceptType: string | undefined) => ({
  ...(contentType === undefined ? {} : { "Content-Type": contentType }),
  ...(acceptType === undefined ? {} : { Accept: acceptType }),
});

/** A stream's messages as HTTP carries them in binary: each after its length as a varint. */
function delimited(messages: readonly Uint8Array[]): Uint8Array {
  const writer = protobuf.Writer.create();
  for (const message of messages) writer.bytes(message);
  return writer.finish();
}

/** Protobuf bodies: every damage binaryCases makes, and a stream's length prefixes broken. */
function protobufBodies(op: OperationName, protocol: Protocol): fc.Arbitrary<HttpCase> {
  const { method, path } = operationFor(op, protocol).http;
  const { requestStream } = operations[op];
  const damaged = fc.tuple(binaryCases(op, protocol), fc.constantFrom(...PROTOBUF_TYPES), accept).map(([fuzzCase, type, acceptType]) =>
    described({
      ...fuzzCase,
      detail: `${fuzzCase.detail}; ${type}, Accept ${acceptType}`,
      spec: { method, path, headers: headers(type, acceptType), body: requestStream ? delimited(fuzzCase.bytes) : fuzzCase.bytes[0]! },
    }),
  );
  const whole = delimited(seedBytes(op));
  const framing = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.nat()).map(([prefix, cut]) =>
    described({
      op,
      kind: "broken framing",
      detail: `${Buffer.from(prefix).toString("hex")} + the stream cut at ${cut % whole.length}`,
      expect: "either" as const,
      spec: { method, path, headers: headers("application/x-protobuf", undefined), body: concat(prefix, whole.subarray(0, cut % whole.length)) },
    }),
  );
  return requestStream ? fc.oneof(damaged, framing) : damaged;
}

/** JSON bodies: every damage jsonCases makes, sent as text or base64-encoded as HTTP APIs may. */
function jsonBodies(op: OperationName): fc.Arbitrary<HttpCase> {
  const { method, path } = operations[op].http;
  return fc.tuple(jsonCases(op), fc.constantFrom(undefined, ...JSON_TYPES), accept, fc.boolean()).map(([fuzzCase, type, acceptType, base64]) =>
    described({ ...fuzzCase, detail: `${fuzzCase.detail}; ${type}, Accept ${acceptType}`, spec: { method, path, headers: headers(type, acceptType), body: fuzzCase.text, base64 } }),
  );
}

/** A valid JSON body under any Content-Type (refused unless it is one of the contract's), or an Accept no type satisfies (406). */
function mediaTypes(op: OperationName): fc.Arbitrary<HttpCase> {
  const { method, path } = operations[op].http;
  const body = JSON.stringify(operations[op].requestStream ? seeds[op] : seeds[op][0]);
  const supported = ["", "application/json", ...PROTOBUF_TYPES.map((type) => type.split(";")[0]!)];
  const types = fc.oneof(fc.constantFrom("text/plain", "application/xml", "multipart/form-data; boundary=x", "application/grpc", ";", "application/json+x"), fc.string({ maxLength: 30 }));
  return fc.oneof(
    types.map((type) =>
      described({
        op,
        kind: "content type",
        detail: JSON.stringify(type),
        expect: supported.includes(type.split(";")[0]!.trim().toLowerCase()) ? "either" : "refused",
        spec: { method, path, headers: { "Content-Type": type }, body },
      }),
    ),
    fc.constantFrom(...UNACCEPTABLE).map((acceptType) =>
      described({ op, kind: "accept", detail: acceptType, expect: "refused", spec: { method, path, headers: headers("application/json", acceptType), body } }),
    ),
  );
}

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** A path segment: encoded text, or percent-encoding that decodes to no UTF-8. */
const segment = (likely: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...likely),
    fc.string({ unit: "grapheme", maxLength: 20 }).map(encodeURIComponent),
    fc.constantFrom("%", "%zz", "%E0%A4%A", "%C0%80", "%ED%A0%80", "%FF"),
    fc.constant("x".repeat(70_000)),
  );

const metaSegments = fc.oneof(
  fc.constantFrom(SLEEP_META.replace(/\+/g, "-").replace(/\//g, "_"), SLEEP_META, SLEEP_META.replace(/=+$/, ""), SLEEP_META.replace(/=/g, "%3D")),
  fc.uint8Array({ maxLength: 64 }).map(base64url),
  fc.jsonValue().map((json) => base64url(Buffer.from(JSON.stringify(json)))),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
);

const queryValues = fc.oneof(
  fc.constantFrom("", "-1", "0", "18446744073709551616", "abc", "true", "1.5s", "-315576000001s", "2024-13-01T00:00:00Z", "2024-05-01T12:00:00Z", "NaN"),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);

/** Query parameters: the route's own fields under either spelling, and names no field has. */
const QUERY_NAMES: Readonly<Partial<Record<OperationName, readonly string[]>>> = {
  getTask: ["output_prefix", "outputPrefix", "task_type"],
  deleteTask: ["task_type", "taskType"],
  getTaskMetrics: ["queries", "start_time", "endTime", "step"],
  getTaskLogs: ["lines", "token"],
};

function queries(op: OperationName) {
  const name = fc.oneof(fc.constantFrom(...(QUERY_NAMES[op] ?? []), "task_category.name", "resource_meta", "name"), fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }));
  return fc.array(fc.tuple(name, queryValues), { maxLength: 3 });
}

const decodes = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
};

/** Path and query parameters of the routes without a body: a name other than a connector's is refused. */
function parameters(op: OperationName, protocol: Protocol): fc.Arbitrary<HttpCase> {
  const { method, path: template } = operationFor(op, protocol).http;
  const known = op === "getAgent" ? AGENT_NAMES.map(encodeURIComponent) : ["sleep"];
  return fc
    .record({ name: segment([...known, "echo"]), version: segment(["0", "-1", "2147483648", "abc", "1.5", "00", "%30"]), meta: metaSegments, query: queries(op) })
    .map(({ name, version, meta, query }) => {
      const values: Record<string, string> = { "task_category.name": name, "task_category.version": version, resource_meta: meta, name };
      const path = template.replace(/\{([^}]+)\}/g, (_, field: string) => values[field]!);
      const decodedName = decodes(name);
      const knownName = op === "getAgent" ? AGENT_NAMES.includes(decodedName ?? "") : decodedName === "sleep";
      // Over Flyte 2, echo (sync) is served through GetTask and DeleteTask too.
      const syncOverFlyte2 = protocol === "flyteidl2" && op !== "getAgent" && decodedName === "echo";
      const refused = op === "getTaskMetrics" || (op !== "listAgents" && !knownName && !syncOverFlyte2);
      const expect = refused ? "refused" : op === "listAgents" && query.length === 0 ? "answered" : "either";
      return described({ op, kind: "parameters", detail: `${path.slice(0, 200)} ${JSON.stringify(query)}`, expect, spec: { method, path, query } });
    });
}

/** Any method on the route, and paths near it or nowhere. */
function routing(op: OperationName, protocol: Protocol): fc.Arbitrary<HttpCase> {
  const route = operationFor(op, protocol).http.path.replace(/\{[^}]+\}/g, "x");
  const paths = fc.oneof(
    fc.constantFrom(route, `${route}/`, `/prod${route}`, "/", "/api/v1", "/api/v1/agent", "/api/v2/agents", "//api/v1/agents"),
    fc.array(fc.string({ unit: "grapheme", maxLength: 8 }).map(encodeURIComponent), { maxLength: 6 }).map((parts) => `/${parts.join("/")}`),
  );
  const methods = fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "get", "Delete");
  return fc.tuple(methods, paths).map(([method, path]) => described({ op, kind: "routing", detail: `${method} ${path}`, expect: "either", spec: { method, path } }));
}

/** Bodies flagged base64 that are not (only an event can say so). */
function notBase64(op: OperationName): fc.Arbitrary<HttpCase> {
  const { method, path } = operations[op].http;
  return fc.tuple(fc.string({ unit: "binary", minLength: 1, maxLength: 40 }), fc.constantFrom(...PROTOBUF_TYPES, ...JSON_TYPES)).map(([text, type]) =>
    described({
      op,
      kind: "base64 body that is not",
      detail: `${JSON.stringify(text)}; ${type}`,
      expect: isBase64(text) ? "either" : "refused",
      spec: { method, path, headers: { "Content-Type": type } },
      eventBase64Body: text,
    }),
  );
}

/** Every kind of bad request for `op`'s route, for one way in. */
function requests(op: OperationName, way: keyof typeof tallies, protocol: Protocol = "flyteidl"): fc.Arbitrary<HttpCase> {
  // Flyte 2's JSON bodies differ from Flyte 1's (named inputs): its body is fuzzed as protobuf.
  const arbitraries =
    operations[op].http.body === null
      ? [parameters(op, protocol), routing(op, protocol)]
      : protocol === "flyteidl2"
        ? [protobufBodies(op, protocol), routing(op, protocol)]
        : [protobufBodies(op, protocol), jsonBodies(op), mediaTypes(op), routing(op, protocol), ...(way === "local HTTP server" ? [] : [notBase64(op)])];
  const all = fc.oneof(...arbitraries);
  return way === "local HTTP server" ? all.filter(({ spec }) => spec.path.length + JSON.stringify(spec.query ?? []).length < MAX_LOCAL_URL_CHARS) : all;
}

/** Bodies above Lambda's payload limit: refused by the function (or the local server) before any route is looked up. */
function oversized(way: keyof typeof tallies): HttpCase[] {
  const text = `{"outputPrefix": "${"x".repeat(MAX_LAMBDA_PAYLOAD_BYTES)}"}`;
  const cases = operationNames.map((op) =>
    described({
      op,
      kind: "body above the limit",
      detail: `${text.length} bytes of JSON`,
      expect: "refused" as const,
      code: Status.RESOURCE_EXHAUSTED,
      spec: { method: operations[op].http.method, path: operations[op].http.path, headers: { "Content-Type": "application/json" }, body: text },
    }),
  );
  if (way !== "local HTTP server") return cases;
  // Within the server's limit, but base64 in the event (as API Gateway sends binary) it is above Lambda's.
  const binary = new Uint8Array(MAX_LAMBDA_PAYLOAD_BYTES - 1024);
  const binaryCases = (["createTask", "executeTaskSync"] as const).map((op) =>
    described({
      op,
      kind: "body above the limit once base64",
      detail: `${binary.length} bytes of protobuf`,
      expect: "refused" as const,
      code: Status.RESOURCE_EXHAUSTED,
      spec: { method: "POST", path: operations[op].http.path, headers: { "Content-Type": "application/x-protobuf" }, body: binary },
    }),
  );
  return [...cases, ...binaryCases];
}

// --- The suite ------------------------------------------------------------------------------------

beforeAll(async () => {
  functionLog = captureFunctionErrors();
  stack = await startLocalStack({
    registry: fuzzRegistry(),
    grpcPort: 0,
    httpPort: 0,
    httpTimeoutMs: CALL_TIMEOUT_MS,
    logger: { info: () => undefined, error: (message) => functionLog.errors.push(message) },
  });
  for (const answer of answers()) await expectServiceStillWorks(answer);
  heapBefore = heapAfterGc();
});

afterAll(async () => {
  functionLog?.restore();
  await stack?.close();
  for (const [way, tally] of Object.entries(tallies)) console.log(tally.summary(`HTTP, ${way}`));
});

/** Runs per operation: a socket round trip costs more than an event. */
const RUNS = { "payload 2.0": 600, "payload 1.0": 600, "local HTTP server": 200 } as const;

for (const way of Object.keys(ways) as (keyof typeof ways)[]) {
  test.each(operationNames)(`${way}: %s`, { timeout: FUZZ_TEST_TIMEOUT_MS }, async (op) => {
    await fuzz(requests(op, way), ways[way], tallies[way], runs(RUNS[way]));
  });

  test.each(flyteidl2OperationNames)(`${way}: Flyte 2's %s`, { timeout: FUZZ_TEST_TIMEOUT_MS }, async (op) => {
    await fuzz(requests(op, way, "flyteidl2"), ways[way], tallies[way], runs(RUNS[way] / 2));
  });

  test(`${way}: bodies above Lambda's payload limit are 413 RESOURCE_EXHAUSTED`, async () => {
    await each(oversized(way), ways[way], tallies[way]);
  });
}

test("after the barrage: valid requests are answered correctly every way in, nothing failed on our side, the heap came back", async () => {
  for (const answer of answers()) await expectServiceStillWorks(answer);
  expect(functionLog.errors).toEqual([]);
  expectHeapBack(heapBefore);
});

/** Valid requests in binary protobuf, as the project's HTTP client writes them: by each event version, and over the local server. */
function answers(): Answer[] {
  const byEvent = (build: typeof httpApiEvent | typeof restApiEvent): Answer => async (op, messages) => {
    const operation = operations[op];
    const { method, url, body } = httpRequest(operation, messages, new URL("https://api.example.com"), "protobuf");
    const spec: RequestSpec = { method, path: url.pathname, query: [...url.searchParams], headers: headers(body && "application/x-protobuf", "application/x-protobuf"), body };
    const response = (await callFunction(op, build(spec))) as HttpResponse;
    if (response.statusCode !== 200) throw Object.assign(new Error(response.body), outcomeOf(response.statusCode, response.body));
    const bytes = Buffer.from(response.body, "base64");
    const { responseType, responseTypeName } = operation;
    return operation.responseStream ? decodeDelimited(responseType, responseTypeName, bytes) : [responseType.decode(bytes)];
  };
  const local = createHttpDispatch({ baseUrl: stack.httpUrl!, retry: { attempts: 1 } });
  return [byEvent(httpApiEvent), byEvent(restApiEvent), (op, messages) => local(op, messages)];
}
