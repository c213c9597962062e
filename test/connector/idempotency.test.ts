import { describe, expect, test } from "vitest";
import { clientToken, executionKey, uuidV5 } from "../../lib/connector/idempotency.js";

const metadata = (retryAttempt: number) => ({
  taskExecutionId: {
    taskId: { project: "flytesnacks", domain: "development", name: "wf.spark_task", version: "v1" },
    nodeExecutionId: { nodeId: "n0", executionId: { project: "flytesnacks", domain: "development", name: "abc123", org: "" } },
    retryAttempt,
  },
});

describe("executionKey", () => {
  test("is the task execution id with its retry attempt", () => {
    expect(executionKey(metadata(0))).toBe("/flytesnacks/development/abc123/n0/wf.spark_task/0");
    expect(executionKey(metadata(2))).not.toBe(executionKey(metadata(0)));
  });
  test("is undefined without an execution id", () => {
    expect(executionKey(null)).toBeUndefined();
    expect(executionKey({})).toBeUndefined();
    expect(executionKey({ taskExecutionId: { nodeExecutionId: { nodeId: "n0" } } })).toBeUndefined();
  });
});

describe("clientToken", () => {
  test("fits the platform's length and alphabet, stays readable and differs per key", () => {
    const key = executionKey(metadata(0))!;
    const databricks = clientToken(key, { maxLength: 64 });
    expect(databricks.length).toBeLessThanOrEqual(64);
    expect(databricks).toMatch(/^flyte-[A-Za-z0-9_-]+$/);
    expect(databricks.startsWith("flyte--flytesnacks-development")).toBe(true);
    expect(clientToken(key, { maxLength: 64 })).toBe(databricks);
    expect(clientToken(executionKey(metadata(1))!, { maxLength: 64 })).not.toBe(databricks);
  });
  test("keys that read the same once cut or cleaned still differ", () => {
    const long = "x".repeat(200);
    expect(clientToken(`${long}a`, { maxLength: 64 })).not.toBe(clientToken(`${long}b`, { maxLength: 64 }));
    expect(clientToken("a/b", { maxLength: 64 })).not.toBe(clientToken("a:b", { maxLength: 64 }));
  });
  test("refuses a shape too short for its hash", () => {
    expect(() => clientToken("k", { maxLength: 20 })).toThrow(RangeError);
  });
  test("says the shortest maxLength that holds the prefix, the separators and the hash", () => {
    expect(() => clientToken("k", { maxLength: 36 })).toThrow(
      'a maxLength of 36 is too short: a token holds the prefix "flyte", two "-" and a 32-character hash, so maxLength must be at least 39',
    );
    expect(() => clientToken("k", { maxLength: 34, prefix: "f" })).toThrow("so maxLength must be at least 35");
    expect(() => clientToken("k", { maxLength: 35, prefix: "f" })).not.toThrow();
    expect(() => clientToken("k", { maxLength: 38 })).toThrow("at least 39");
    expect(clientToken("k", { maxLength: 39 })).toMatch(/^flyte-[0-9a-f]{32}$/);
  });
});

describe("uuidV5", () => {
  test("matches RFC 9562's version 5 (Python's uuid.uuid5)", () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") == UUID('886313e1-3b8a-5372-9b90-0c9aee199e5d')
    expect(uuidV5("python.org", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe("886313e1-3b8a-5372-9b90-0c9aee199e5d");
  });
  test("is deterministic per name, version 5, variant RFC", () => {
    const id = uuidV5("/flytesnacks/development/abc123/n0/t/0");
    expect(id).toBe(uuidV5("/flytesnacks/development/abc123/n0/t/0"));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV5("other")).not.toBe(id);
  });
});
