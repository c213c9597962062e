/**
 * Bad input over direct invocation (docs/CONTRACT.md §2): the real function handlers
 * (createLambdaHandler, one per operation, with a Lambda context whose deadline bounds every case)
 * get damaged messages, text that is not base64, envelopes of the wrong shape and payloads above
 * Lambda's limit. Every answer is OK or a readable refusal; nothing is logged as a failure of ours.
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Status } from "../../lib/connector/errors.js";
import { MAX_LAMBDA_PAYLOAD_BYTES, MAX_REQUEST_MESSAGES } from "../../lib/limits.js";
import { operationNames, operations, type OperationName } from "../../lib/service/operations.js";
import { isInvokeFailure } from "../../lib/transport/envelope.js";
import { binaryCases, described, flyteidl2OperationNames, seedBytes, type FuzzCase } from "./fuzz/cases.js";
import {
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

interface EventCase extends FuzzCase {
  readonly event: unknown;
}

const callFunction = functionHandlers();
const tally = new Tally();
/** The functions' ERROR lines: a failure of ours writes one. */
let functionLog: ReturnType<typeof captureFunctionErrors>;
let heapBefore = 0;

async function invoke(op: OperationName, event: unknown): Promise<Outcome> {
  const result = await callFunction(op, event);
  if (isInvokeFailure(result)) return { code: result.error.code, message: result.error.message };
  if (!("body" in result || "messages" in result)) throw new Error(`not an envelope answer: ${JSON.stringify(result).slice(0, 200)}`);
  return { code: Status.OK, message: "" };
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const envelope = (op: OperationName, texts: readonly unknown[]) => (operations[op].requestStream ? { messages: texts } : { body: texts[0] });

/** Base64 of one seed message, damaged: refused unless it is still base64 (then it is some other request). */
function textCases(op: OperationName): fc.Arbitrary<EventCase> {
  const texts = seedBytes(op).map(b64);
  const damaged = (kind: string, index: number, change: (text: string) => string): EventCase => {
    const changed = texts.map((text, at) => (at === index % texts.length ? change(text) : text));
    return described({
      op,
      kind,
      detail: `message ${index % texts.length}: ${JSON.stringify(changed[index % texts.length]!.slice(0, 120))}`,
      expect: changed.every(isBase64) ? "either" : "refused",
      event: envelope(op, changed),
    });
  };
  return fc.oneof(
    fc.tuple(fc.nat(), fc.string({ unit: "binary", maxLength: 60 })).map(([index, text]) => damaged("not base64", index, () => text)),
    fc.tuple(fc.nat(), fc.nat()).map(([index, cut]) => damaged("truncated base64", index, (text) => text.slice(0, cut % text.length))),
    fc.nat().map((index) => damaged("URL-safe base64", index, (text) => text.replace(/\+/g, "-").replace(/\//g, "_"))),
    fc.nat().map((index) => damaged("unpadded base64", index, (text) => text.replace(/=+$/, ""))),
    fc
      .tuple(fc.nat(), fc.nat(), fc.constantFrom(" ", "\n", "\t", "=", "%", "*", "é"))
      .map(([index, at, inserted]) => damaged("base64 with a stray character", index, (text) => `${text.slice(0, at % text.length)}${inserted}${text.slice(at % text.length)}`)),
  );
}

/** Envelopes of any shape: only a base64 `body` (a `messages` array for a stream) may be answered. */
function envelopeCases(op: OperationName): fc.Arbitrary<EventCase> {
  const { requestStream } = operations[op];
  const shapes = fc.oneof(
    fc.jsonValue(),
    fc.record({ body: fc.jsonValue() }),
    fc.record({ messages: fc.jsonValue() }),
    fc.record({ messages: fc.array(fc.oneof(fc.jsonValue(), fc.constant(b64(seedBytes(op)[0]!))), { maxLength: 4 }) }),
    fc.constant({ messages: seedBytes(op).map(b64) }),
    fc.constant({ body: b64(seedBytes(op)[0]!) }),
  );
  return shapes.map((event) => {
    const { body, messages } = (typeof event === "object" && event !== null ? event : {}) as { body?: unknown; messages?: unknown };
    const wellFormed = requestStream ? Array.isArray(messages) && messages.every(isBase64) : isBase64(body);
    return described({ op, kind: "envelope", detail: JSON.stringify(event).slice(0, 200), expect: wellFormed ? "either" : "refused", event });
  });
}

/** Longer request streams than any operation takes, refused before their messages are decoded. */
const tooManyMessages = fc.integer({ min: MAX_REQUEST_MESSAGES + 1, max: 5_000 }).map((count) =>
  described({
    op: "executeTaskSync" as const,
    kind: "stream",
    detail: `${count} header messages`,
    expect: "refused" as const,
    code: Status.INVALID_ARGUMENT,
    event: { messages: Array.from({ length: count }, () => b64(seedBytes("executeTaskSync")[0]!)) },
  }),
);

beforeAll(async () => {
  functionLog = captureFunctionErrors();
  await expectServiceStillWorks(answer);
  heapBefore = heapAfterGc();
});

afterAll(() => {
  functionLog?.restore();
  console.log(tally.summary("direct invoke"));
});

test.each(operationNames)("%s: damaged messages, text that is not base64, envelopes of any shape", { timeout: FUZZ_TEST_TIMEOUT_MS }, async (op) => {
  const binary = binaryCases(op).map((fuzzCase): EventCase => ({ ...fuzzCase, event: envelope(op, fuzzCase.bytes.map(b64)) }));
  await fuzz(binary, (fuzzCase) => invoke(op, fuzzCase.event), tally, runs(600));
  await fuzz(textCases(op), (fuzzCase) => invoke(op, fuzzCase.event), tally, runs(200));
  await fuzz(envelopeCases(op), (fuzzCase) => invoke(op, fuzzCase.event), tally, runs(200));
});

test.each(flyteidl2OperationNames)("Flyte 2's %s: damaged messages in an envelope of protocol flyteidl2", { timeout: FUZZ_TEST_TIMEOUT_MS }, async (op) => {
  const binary = binaryCases(op, "flyteidl2").map((fuzzCase): EventCase => ({ ...fuzzCase, event: { protocol: "flyteidl2", body: b64(fuzzCase.bytes[0]!) } }));
  await fuzz(binary, (fuzzCase) => invoke(op, fuzzCase.event), tally, runs(300));
});

test("an envelope's protocol: Flyte 2 has no ExecuteTaskSync (UNIMPLEMENTED), an unknown one is INVALID_ARGUMENT", async () => {
  const [header] = seedBytes("executeTaskSync");
  const cases = [
    described({ op: "executeTaskSync" as const, kind: "protocol", detail: "flyteidl2", expect: "refused" as const, code: Status.UNIMPLEMENTED, event: { protocol: "flyteidl2", messages: [b64(header!)] } }),
    ...[3, "flyteidl3", "", null, { v: 2 }, "x".repeat(100_000)].map((protocol) =>
      described({ op: "getAgent" as const, kind: "protocol", detail: JSON.stringify(protocol).slice(0, 40), expect: "refused" as const, code: Status.INVALID_ARGUMENT, event: { protocol, body: "" } }),
    ),
  ];
  await each(cases, (fuzzCase) => invoke(fuzzCase.op, fuzzCase.event), tally);
});

test("executeTaskSync: streams longer than any operation takes", { timeout: FUZZ_TEST_TIMEOUT_MS }, async () => {
  await fuzz(tooManyMessages, (fuzzCase) => invoke(fuzzCase.op, fuzzCase.event), tally, runs(30));
});

test("a payload above Lambda's limit is RESOURCE_EXHAUSTED, for every operation", async () => {
  // 4 characters over the limit, so still base64.
  const oversized = "A".repeat(MAX_LAMBDA_PAYLOAD_BYTES + 4);
  const cases = operationNames.map((op) =>
    described({
      op,
      kind: "payload above the limit",
      detail: `${oversized.length} characters of base64`,
      expect: "refused" as const,
      code: Status.RESOURCE_EXHAUSTED,
      event: envelope(op, [oversized]),
    }),
  );
  await each(cases, (fuzzCase) => invoke(fuzzCase.op, fuzzCase.event), tally);
});

test("a string cut short at the end of a message is refused, not read short as protobufjs's Buffer reader would", async () => {
  // The seed's last field is output_prefix (field 4): cut, it announces more bytes than follow.
  const [whole] = seedBytes("getTask");
  const cut = described({
    op: "getTask" as const,
    kind: "string cut short",
    detail: "output_prefix 3 bytes short",
    expect: "refused" as const,
    code: Status.INVALID_ARGUMENT,
    event: { body: b64(whole!.subarray(0, whole!.length - 3)) },
  });
  await each([cut], (fuzzCase) => invoke(fuzzCase.op, fuzzCase.event), tally);
});

test("after the barrage: valid requests are answered correctly, nothing failed on our side, the heap came back", async () => {
  await expectServiceStillWorks(answer);
  expect(functionLog.errors).toEqual([]);
  expectHeapBack(heapBefore);
});

/** Valid requests, answered through the same handlers. */
async function answer(op: OperationName, requests: readonly object[]): Promise<object[]> {
  const { requestType, responseType } = operations[op];
  const texts = requests.map((request) => b64(requestType.encode(request).finish()));
  const result = await callFunction(op, envelope(op, texts));
  if (isInvokeFailure(result)) throw Object.assign(new Error(result.error.message), { code: result.error.code });
  const encoded = "messages" in result ? result.messages : [(result as { body: string }).body];
  return encoded.map((text) => responseType.decode(Buffer.from(text, "base64")));
}
