/**
 * Bad input over gRPC (docs/CONTRACT.md §4): a plain grpc-js client sends raw bytes to the real front
 * (startGrpcServer on a free loopback port, over the in-process service): damaged messages, the
 * wrong number of messages for each method's shape, unknown methods, and messages above the
 * 4 MB limit. Every call carries a deadline, as FlytePropeller's do; every answer is OK or a
 * readable refusal, and nothing is logged as a failure of ours.
 */
import type { ServiceError } from "@grpc/grpc-js";
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Status } from "../../lib/connector/errors.js";
import { MAX_GRPC_MESSAGE_BYTES, MAX_REQUEST_MESSAGES } from "../../lib/limits.js";
import { operationNames, operations, type OperationName } from "../../lib/service/operations.js";
import { ConnectorService } from "../../lib/service/service.js";
import { startGrpcServer, type GrpcServer } from "../../lib/transport/grpc/index.js";
import { RawClient } from "../transport/grpc/raw-client.js";
import { flyteidl2Operations } from "../../lib/service/flyteidl2/operations.js";
import { binaryCases, described, flyteidl2OperationNames, fuzzRegistry, seedBytes, type BinaryCase } from "./fuzz/cases.js";
import {
  CALL_TIMEOUT_MS,
  each,
  expectHeapBack,
  expectServiceStillWorks,
  fuzz,
  FUZZ_TEST_TIMEOUT_MS,
  heapAfterGc,
  type Outcome,
  runs,
  Tally,
} from "./fuzz/harness.js";

interface CallCase extends BinaryCase {
  /** The method called, when it is not the operation's own. */
  readonly path?: string;
}

const tally = new Tally();
/** What the service and the front log: only failures of ours (INTERNAL) are logged. */
const logged: unknown[][] = [];
const logger = { error: (...args: unknown[]) => logged.push(args) };
let server: GrpcServer;
let client: RawClient;
let heapBefore = 0;

/** Sends each message as given: one on a unary or server-streaming call, else a bidi call on the path (any count). */
async function call(op: OperationName, messages: readonly Uint8Array[], path = operations[op].path): Promise<Outcome> {
  const { responseType, requestStream, responseStream } = operations[op];
  const options = { deadline: Date.now() + CALL_TIMEOUT_MS };
  try {
    if (requestStream || messages.length !== 1) await client.bidiBytes(path, messages, responseType, options);
    else if (responseStream) await client.serverStreamBytes(path, messages[0]!, responseType, options);
    else await client.unaryBytes(path, messages[0]!, responseType, options);
    return { code: Status.OK, message: "" };
  } catch (error) {
    const { code, details } = error as ServiceError;
    return { code, message: details };
  }
}

/** Another number of messages than the method takes: grpc-js refuses a unary call's, the front a stream's. */
function countCases(op: OperationName): fc.Arbitrary<CallCase> {
  const [seed] = seedBytes(op);
  const counts = operations[op].requestStream
    ? fc.integer({ min: MAX_REQUEST_MESSAGES + 1, max: 50 })
    : fc.constantFrom(0, 2, 3);
  return counts.map((count) =>
    described({
      op,
      kind: "message count",
      detail: `${count} messages`,
      expect: "refused" as const,
      code: operations[op].requestStream ? Status.INVALID_ARGUMENT : Status.UNIMPLEMENTED,
      bytes: Array.from({ length: count }, () => seed!),
    }),
  );
}

/** Methods the operation's service does not have. */
function unknownMethods(op: OperationName): fc.Arbitrary<CallCase> {
  const known = new Set(operationNames.map((name) => operations[name].path));
  return fc
    .stringMatching(/^[A-Za-z][A-Za-z0-9]{0,20}$/)
    .map((method) => `/${operations[op].service}/${method}`)
    .filter((path) => !known.has(path))
    .map((path) => described({ op, kind: "unknown method", detail: path, expect: "refused" as const, code: Status.UNIMPLEMENTED, bytes: seedBytes(op), path }));
}

beforeAll(async () => {
  const service = new ConnectorService(fuzzRegistry(), { logger });
  server = await startGrpcServer({ dispatch: service.dispatch, host: "127.0.0.1", port: 0, logger });
  client = new RawClient(server.address);
  await expectServiceStillWorks(answer);
  heapBefore = heapAfterGc();
});

afterAll(async () => {
  client?.close();
  await server?.close();
  console.log(tally.summary("gRPC"));
});

test.each(operationNames)("%s: damaged messages, wrong message counts, unknown methods", { timeout: FUZZ_TEST_TIMEOUT_MS }, async (op) => {
  await fuzz(binaryCases(op), (fuzzCase) => call(op, fuzzCase.bytes), tally, runs(500));
  await fuzz(countCases(op), (fuzzCase) => call(op, fuzzCase.bytes), tally, runs(20));
  await fuzz(unknownMethods(op), (fuzzCase) => call(op, fuzzCase.bytes, fuzzCase.path), tally, runs(20));
});

// Flyte 2's answers decode as Flyte 1's (the same field numbers), which is all `call` needs of them.
test.each(flyteidl2OperationNames)("Flyte 2's %s: damaged messages on the same port", { timeout: FUZZ_TEST_TIMEOUT_MS }, async (op) => {
  await fuzz(binaryCases(op, "flyteidl2"), (fuzzCase) => call(op, fuzzCase.bytes, flyteidl2Operations[op].path), tally, runs(300));
});

test("a message above the gRPC limit is RESOURCE_EXHAUSTED, for every operation", async () => {
  const oversized = new Uint8Array(MAX_GRPC_MESSAGE_BYTES + 1);
  const cases = operationNames.map((op) =>
    described({
      op,
      kind: "message above the limit",
      detail: `${oversized.length} bytes`,
      expect: "refused" as const,
      code: Status.RESOURCE_EXHAUSTED,
      bytes: [oversized],
    }),
  );
  await each(cases, (fuzzCase) => call(fuzzCase.op, fuzzCase.bytes), tally);
});

test("a stream longer than ExecuteTaskSync takes is refused before the client half-closes", async () => {
  const { path, responseType } = operations.executeTaskSync;
  const call = client.client.makeBidiStreamRequest(path, (bytes: Uint8Array) => Buffer.from(bytes), (bytes: Buffer) => responseType.decode(bytes), {
    deadline: Date.now() + CALL_TIMEOUT_MS,
  });
  const refused = new Promise<ServiceError>((resolve) => call.on("error", resolve));
  for (let sent = 0; sent <= MAX_REQUEST_MESSAGES; sent++) call.write(seedBytes("executeTaskSync")[0]!);
  expect(await refused).toMatchObject({ code: Status.INVALID_ARGUMENT });
  call.end();
});

test("after the barrage: valid requests are answered correctly, nothing failed on our side, the heap came back", async () => {
  await expectServiceStillWorks(answer);
  expect(logged).toEqual([]);
  expectHeapBack(heapBefore);
});

/** Valid requests, answered through the front with the generated codecs. */
async function answer(op: OperationName, requests: readonly object[]): Promise<object[]> {
  const operation = operations[op];
  const options = { deadline: Date.now() + CALL_TIMEOUT_MS };
  if (operation.requestStream) return client.bidi(operation, [...requests], options);
  if (operation.responseStream) return client.serverStream(operation, requests[0]!, options);
  return [await client.unary(operation, requests[0]!, options)];
}
