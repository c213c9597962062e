/** The abort signal a client transport gives each request it sends. */
import { setTimeout as sleep } from "node:timers/promises";
import { expect, test } from "vitest";
import { requestSignal } from "../../lib/client/request-signal.js";

test("aborts at the deadline", async () => {
  const signal = requestSignal("getTask", { deadline: Date.now() + 20 });
  expect(signal?.aborted).toBe(false);
  await sleep(60);
  expect(signal?.aborted).toBe(true);
});

test("a deadline beyond the longest delay Node's timers hold (2^31 - 1 ms) does not abort at once", async () => {
  const signal = requestSignal("getTask", { deadline: Date.now() + 3e9 });
  await sleep(30);
  expect(signal?.aborted ?? false).toBe(false);
});
