/**
 * The fuzz suite's half that every transport shares: the functions called as Lambda calls them,
 * what each answer may be, the count of cases each transport prints, and the checks after the
 * barrage (the service still answers valid requests correctly, and the heap came back).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { expect } from "vitest";
import { Status } from "../../../lib/connector/errors.js";
import { SleepMetadata } from "../../../lib/connectors/sleep.js";
import { flyteidl } from "../../../lib/idl/index.js";
import { MAX_ERROR_MESSAGE_CHARS } from "../../../lib/limits.js";
import { operationNames, type OperationName } from "../../../lib/service/operations.js";
import { INTERNAL_MESSAGE, type InvokeResult } from "../../../lib/transport/envelope.js";
import { httpStatusOf } from "../../../lib/transport/http/errors.js";
import type { HttpResponse } from "../../../lib/transport/http/response.js";
import { createLambdaHandler } from "../../../lib/transport/lambda/handler.js";
import { lambdaContext } from "../../client/support/mocked-lambda.js";
import { echoSyncRequests, SLEEP_CATEGORY, sleepCreateRequest } from "../../support/demo-requests.js";
import { AGENT_NAMES, fuzzRegistry, type FuzzCase } from "./cases.js";

const { admin, core } = flyteidl;

/** Each call's time (a function's timeout, a gRPC deadline): the service answers DEADLINE_EXCEEDED, a failure here, before it. */
export const CALL_TIMEOUT_MS = 10_000;

/** The real function handlers, one per operation, each called as Lambda calls it: with a context and its deadline. */
export function functionHandlers(): (op: OperationName, event: unknown) => Promise<InvokeResult | HttpResponse> {
  const handlers = new Map(operationNames.map((name) => [name, createLambdaHandler(name, fuzzRegistry())]));
  return (op, event) => handlers.get(op)!(event, lambdaContext(`flyte-connectors-fuzz-${op}`, CALL_TIMEOUT_MS));
}

/** Padded standard base64, as docs/CONTRACT.md §2 asks: the oracle, written apart from the code under test. */
export const isBase64 = (text: unknown) => typeof text === "string" && /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text);

/** How a transport answered one case. */
export interface Outcome {
  /** The gRPC status code; 0 for an answer. */
  readonly code: number;
  readonly message: string;
  /** Over HTTP, the response's status. */
  readonly httpStatus?: number;
}

/** The statuses of a caller's mistake: docs/CONTRACT.md §5's, and those of sizes, preconditions and ranges. */
const REFUSALS: ReadonlySet<number> = new Set([
  Status.INVALID_ARGUMENT,
  Status.NOT_FOUND,
  Status.RESOURCE_EXHAUSTED,
  Status.FAILED_PRECONDITION,
  Status.UNIMPLEMENTED,
  Status.OUT_OF_RANGE,
]);

/** HTTP's own refusals, whose status is not grpc-gateway's for the body's code (docs/CONTRACT.md §3). */
const HTTP_ONLY_STATUSES: ReadonlySet<number> = new Set([404, 405, 406, 413, 415]);

/** Multiplies every property's runs (FLYTE_FUZZ_SCALE, default 1): CI runs the default, a deeper search more. */
export function runs(count: number): number {
  const scale = Number(process.env.FLYTE_FUZZ_SCALE ?? 1);
  if (!(scale > 0)) throw new Error(`FLYTE_FUZZ_SCALE must be a positive number, got ${process.env.FLYTE_FUZZ_SCALE}`);
  return Math.max(1, Math.round(count * scale));
}

/** Each fuzz test's bound (scaled with its runs): a hang fails the test rather than the suite. */
export const FUZZ_TEST_TIMEOUT_MS = runs(60_000);

/**
 * Keeps the functions' log off the test output until `restore`, collecting its ERROR lines: a
 * failure of ours (an INTERNAL answer, a connector's crash) writes one, a refusal only a metric
 * line. Not a vi.spyOn, which would keep every line written.
 */
export function captureFunctionErrors(): { readonly errors: string[]; restore(): void } {
  const errors: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    const line = String(chunk);
    if (line.includes('"level":"ERROR"')) errors.push(line);
    return true;
  }) as typeof process.stdout.write;
  return { errors, restore: () => void (process.stdout.write = write) };
}

/** Fails unless `outcome` is what `fuzzCase` may get: an answer where one may come, else a readable refusal. */
export function judge(fuzzCase: FuzzCase, outcome: Outcome): void {
  const check = (condition: boolean, rule: string) => {
    if (condition) return;
    const status = outcome.httpStatus === undefined ? "" : `, HTTP ${outcome.httpStatus}`;
    const got = `got code ${outcome.code}${status}: ${JSON.stringify(outcome.message.slice(0, 300))}`;
    throw new Error(`${rule}; ${fuzzCase.op} ${fuzzCase.kind} (${fuzzCase.detail.slice(0, 200)}) ${got}`);
  };
  if (outcome.code === Status.OK) {
    check(fuzzCase.expect !== "refused", "expected a refusal");
    check(outcome.httpStatus === undefined || outcome.httpStatus === 200, "an answer must be HTTP 200");
    return;
  }
  check(fuzzCase.expect !== "answered", "expected an answer");
  check(REFUSALS.has(outcome.code), "expected a refusal of the INVALID_ARGUMENT family");
  check(fuzzCase.code === undefined || outcome.code === fuzzCase.code, `expected code ${fuzzCase.code}`);
  const { message } = outcome;
  check(message.trim() !== "" && message !== INTERNAL_MESSAGE, "expected a message saying what is wrong");
  check(message.length <= MAX_ERROR_MESSAGE_CHARS && !/\n\s+at /.test(message), "expected a short message without a stack trace");
  if (outcome.httpStatus !== undefined) {
    const { httpStatus } = outcome;
    // 4xx for all but UNIMPLEMENTED, which grpc-gateway answers 501.
    check(httpStatus === httpStatusOf(outcome.code) || HTTP_ONLY_STATUSES.has(httpStatus), "expected grpc-gateway's HTTP status for the code");
  }
}

/** Cases run per operation and in all, for the line each transport prints. */
export class Tally {
  readonly #byOperation = new Map<OperationName, number>(operationNames.map((name) => [name, 0]));
  total = 0;

  add(fuzzCase: FuzzCase): void {
    this.#byOperation.set(fuzzCase.op, this.#byOperation.get(fuzzCase.op)! + 1);
    this.total += 1;
  }

  summary(transport: string): string {
    const counts = [...this.#byOperation].map(([name, count]) => `${name} ${count}`).join(", ");
    return `fuzz ${transport}: ${this.total} cases (${counts}), none INTERNAL, every refusal readable`;
  }
}

/** Runs `numRuns` cases of `arbitrary` through `send`, judging and counting each. */
export async function fuzz<C extends FuzzCase>(
  arbitrary: fc.Arbitrary<C>,
  send: (fuzzCase: C) => Promise<Outcome>,
  tally: Tally,
  numRuns: number,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (fuzzCase) => {
      tally.add(fuzzCase);
      judge(fuzzCase, await send(fuzzCase));
    }),
    { numRuns },
  );
}

/** Runs fixed cases (such as bodies over a size limit, too costly to draw by the hundred). */
export async function each<C extends FuzzCase>(cases: readonly C[], send: (fuzzCase: C) => Promise<Outcome>, tally: Tally): Promise<void> {
  for (const fuzzCase of cases) {
    tally.add(fuzzCase);
    judge(fuzzCase, await send(fuzzCase));
  }
}

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** The heap in use once garbage is collected. */
export function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Growth allowed over a transport's barrage: what it warms up (generated codecs, JSON mapping
 * tables, grpc-js and socket buffers) is a few MB, flat however many cases run, while keeping a
 * fraction of what the cases send (up to megabytes each) would be hundreds.
 */
const HEAP_GROWTH_TOLERANCE_BYTES = 16 * 1024 * 1024;

/** Fails unless the heap, once garbage is collected, is back near `before` (a heapAfterGc reading). */
export function expectHeapBack(before: number): void {
  expect(heapAfterGc() - before).toBeLessThan(HEAP_GROWTH_TOLERANCE_BYTES);
}

/** A transport's answer to valid requests: response messages, or a rejection carrying the gRPC `code`. */
export type Answer = (op: OperationName, requests: readonly object[]) => Promise<object[]>;

/** After the barrage: every operation still answers a valid request correctly. */
export async function expectServiceStillWorks(answer: Answer): Promise<void> {
  const [listed] = (await answer("listAgents", [new admin.ListAgentsRequest()])) as flyteidl.admin.ListAgentsResponse[];
  expect(listed!.agents.map((agent) => agent.name)).toEqual(AGENT_NAMES);
  const [agent] = (await answer("getAgent", [new admin.GetAgentRequest({ name: "Echo Connector" })])) as flyteidl.admin.GetAgentResponse[];
  expect(agent!.agent?.name).toBe("Echo Connector");

  const create = admin.CreateTaskRequest.fromObject(sleepCreateRequest(0));
  const [created] = (await answer("createTask", [create])) as flyteidl.admin.CreateTaskResponse[];
  expect(SleepMetadata.decode(created!.resourceMeta).duration).toBe(0);
  const task = { taskCategory: SLEEP_CATEGORY, resourceMeta: created!.resourceMeta };
  const [got] = (await answer("getTask", [new admin.GetTaskRequest(task)])) as flyteidl.admin.GetTaskResponse[];
  expect(got!.resource?.phase).toBe(core.TaskExecution.Phase.SUCCEEDED);
  expect(got!.resource?.outputs?.literals?.seconds?.scalar?.primitive?.floatValue).toBe(0);
  const [header] = (await answer("getTaskLogs", [new admin.GetTaskLogsRequest(task)])) as flyteidl.admin.GetTaskLogsResponse[];
  expect(header!.header?.token).toBe("");
  await expect(answer("getTaskMetrics", [new admin.GetTaskMetricsRequest(task)])).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
  expect(await answer("deleteTask", [new admin.DeleteTaskRequest(task)])).toHaveLength(1);

  const requests = echoSyncRequests().map((json) => admin.ExecuteTaskSyncRequest.fromObject(json));
  const [synced] = (await answer("executeTaskSync", requests)) as flyteidl.admin.ExecuteTaskSyncResponse[];
  const plain = (map: flyteidl.core.ILiteralMap | null | undefined) => core.LiteralMap.toObject(core.LiteralMap.fromObject(map ?? {}), { longs: String });
  expect(plain(synced!.header?.resource?.outputs)).toEqual(plain(requests[1]!.inputs));
}
