/**
 * Every real connector, given spoiled tasks: the first call the cold-start suite makes of each
 * (bench/connector-cold-starts.ts: the plugin's own template, against the platform's fake), with
 * one value of the template's `custom` replaced by an arbitrary JSON value or removed, with inputs
 * of any type, with a Flyte 2 connection of any secrets, over Flyte 2's own protocol (a sync
 * connector's result in the meta), and GetTask/DeleteTask with arbitrary resource metas. A
 * caller's mistake is answered with its own status: never INTERNAL or UNKNOWN (the service's "our
 * fault"), never a crash or a hang.
 */
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { CONNECTOR_COLD_STARTS } from "../../bench/connector-cold-starts.js";
import { registry } from "../../functions/registry.js";
import { ConnectorError, Status } from "../../lib/connector/errors.js";
import { flyteidl } from "../../lib/idl/index.js";
import { structFromJson, structToJson, toLiteralMap, type JsonValue } from "../../lib/literals/index.js";
import type { PlatformFake } from "../../lib/testing/platform-fake.js";
import { toFlyteidl2Request } from "../../lib/service/flyteidl2/messages.js";
import { operations } from "../../lib/service/operations.js";
import { ConnectorService } from "../../lib/service/service.js";

const REAL = CONNECTOR_COLD_STARTS.filter(({ connector }) => !["sleep", "echo"].includes(connector));
/** Each call's deadline: a spoiled task that reaches a platform gets its answer, or UNAVAILABLE, well within it. */
const DEADLINE_MS = 3_000;
const SCALE = Math.max(1, Number(process.env["FLYTE_FUZZ_SCALE"] ?? 1));
const RUNS = 40 * SCALE;
// A run against a fake takes a few milliseconds, an AWS SDK call tens of them.
vi.setConfig({ testTimeout: 20_000 * SCALE });

/** The service's own failures: whatever else a spoiled task is answered, it is not these. */
const OURS = new Set<number>([Status.INTERNAL, Status.UNKNOWN]);

const internalErrors: unknown[][] = [];
const service = new ConnectorService(registry, { logger: { error: (...logged: unknown[]) => internalErrors.push(logged) } });
const fakes: PlatformFake[] = [];
const seeds = new Map<string, object[]>();

beforeAll(async () => {
  for (const seed of REAL) {
    const fake = seed.fake?.();
    if (fake) {
      await fake.start();
      fakes.push(fake);
      for (const [name, value] of Object.entries(seed.env?.(fake) ?? {})) vi.stubEnv(name, value);
    }
    seeds.set(seed.connector, seed.requests(fake).map((bytes) => operations[seed.op].requestType.decode(bytes) as object));
  }
});

beforeEach(() => {
  internalErrors.length = 0;
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all(fakes.map((fake) => fake.stop()));
});

/** Every place in a JSON value: the path of keys and indexes to it. */
function pathsOf(value: JsonValue, path: (string | number)[] = []): (string | number)[][] {
  const here = path.length > 0 ? [path] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, index) => pathsOf(item, [...path, index]))];
  if (value !== null && typeof value === "object") {
    return [...here, ...Object.entries(value).flatMap(([key, item]) => pathsOf(item as JsonValue, [...path, key]))];
  }
  return here;
}

/** `custom` with the value at `path` replaced by `replacement`, or removed when it is undefined. */
function spoiled(custom: JsonValue, path: readonly (string | number)[], replacement: JsonValue | undefined): JsonValue {
  const copy = structuredClone(custom);
  let parent = copy as Record<string | number, JsonValue>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, JsonValue>;
  const last = path.at(-1)!;
  if (replacement !== undefined) parent[last] = replacement;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

interface Outcome {
  /** 0 for an answer, the failure's status otherwise (codeOf). */
  readonly code: number;
  /** The answer's resource phase, for a sync task's answer or a GetTask. */
  readonly phase?: number;
}

async function outcomeOf(call: Promise<object[]>): Promise<Outcome> {
  try {
    const [first] = await call;
    const { resource, header } = (first ?? {}) as { resource?: { phase?: number }; header?: { resource?: { phase?: number } } };
    return { code: Status.OK, phase: (resource ?? header?.resource)?.phase };
  } catch (error) {
    return { code: codeOf(error) };
  }
}

/** A failure's status; a non-ConnectorError is the service's own failure. */
function codeOf(error: unknown): number {
  return error instanceof ConnectorError ? error.code : Status.UNKNOWN;
}

/** The template of a CreateTaskRequest, or of ExecuteTaskSyncRequest's header. */
function templateOf(request: object): flyteidl.core.ITaskTemplate {
  const { template, header } = request as { template?: flyteidl.core.ITaskTemplate; header?: { template?: flyteidl.core.ITaskTemplate } };
  return (template ?? header?.template)!;
}

function withTemplate(request: object, template: flyteidl.core.ITaskTemplate): object {
  const { header } = request as { header?: object };
  return header ? { ...request, header: { ...header, template } } : { ...request, template };
}

/** The secrets the real connectors read (docs/CONTRACT.md §9), which a Flyte 2 connection may carry, whatever their values. */
const CONNECTION_SECRETS = [
  "databricks_token",
  "databricks_client_id",
  "databricks_client_secret",
  "google_application_credentials",
  "snowflake_private_key",
  "snowflake_private_key_passphrase",
  "FLYTE_OPENAI_API_KEY",
];

const mutation = fc.record({
  at: fc.nat(),
  replacement: fc.option(fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>, { nil: undefined, freq: 4 }),
});

/**
 * `template` with one value of what its plugin wrote the task in (custom, or flytekit Snowflake's
 * string map config) replaced by an arbitrary JSON value, or removed.
 */
function spoiledTemplates(template: flyteidl.core.ITaskTemplate): fc.Arbitrary<flyteidl.core.ITaskTemplate> {
  const inConfig = !template.custom;
  const written: JsonValue = inConfig ? { ...template.config } : structToJson(template.custom!);
  const paths = pathsOf(written);
  return mutation.map(({ at, replacement }) => {
    const stringly = inConfig && replacement !== undefined ? JSON.stringify(replacement) : replacement;
    const changed = spoiled(written, paths[at % paths.length]!, stringly);
    if (inConfig) return { ...template, config: changed as Record<string, string> };
    return { ...template, custom: changed !== null && typeof changed === "object" && !Array.isArray(changed) ? structFromJson(changed) : null };
  });
}

describe.each(REAL.map((seed) => [seed.connector, seed] as const))("%s", (connector, seed) => {
  test(`a spoiled template's ${seed.op} is answered with the caller's status`, async () => {
    const [first, ...rest] = seeds.get(connector)!;
    // The seed itself is served; first, as the spoiled tasks share its execution id (a platform
    // may then hold them as that task's job: BigQuery's job id, Snowflake's request id).
    const served = await outcomeOf(service.dispatch(seed.op, [first!, ...rest], { deadline: Date.now() + DEADLINE_MS }));
    expect(served.code).toBe(Status.OK);
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(spoiledTemplates(templateOf(first!)), async (template) => {
        const outcome = await outcomeOf(service.dispatch(seed.op, [withTemplate(first!, template), ...rest], { deadline: Date.now() + DEADLINE_MS }));
        seen.add(JSON.stringify(outcome));
        expect(OURS.has(outcome.code), `status ${outcome.code}`).toBe(false);
      }),
      { numRuns: RUNS },
    );
    expect(internalErrors).toEqual([]);
    // Some spoiled tasks were answered otherwise than the seed: they reached the connector's own checks.
    expect([...seen].some((outcome) => outcome !== JSON.stringify(served))).toBe(true);
  });

  test("over Flyte 2, a spoiled template's CreateTask and the GetTask of its meta are answered with the caller's status", async () => {
    const [first, ...rest] = seeds.get(connector)!;
    const { header, inputs } = { ...(first as { header?: object; inputs?: object }), ...(rest[0] as { inputs?: object } | undefined) };
    const taskExecutionMetadata = ((header ?? first) as { taskExecutionMetadata?: object }).taskExecutionMetadata;
    const options = { protocol: "flyteidl2" as const };
    await fc.assert(
      fc.asyncProperty(spoiledTemplates(templateOf(first!)), async (template) => {
        const request = toFlyteidl2Request("createTask", { template, inputs, taskExecutionMetadata, outputPrefix: "s3://bucket/outputs" });
        const created = await service.dispatch("createTask", [request], { ...options, deadline: Date.now() + DEADLINE_MS }).then(
          ([answer]) => answer as { resourceMeta: Uint8Array },
          (error: unknown) => {
            expect(OURS.has(codeOf(error)), String(error)).toBe(false);
            return undefined;
          },
        );
        if (!created) return;
        const get = toFlyteidl2Request("getTask", { taskCategory: { name: template.type!, version: 0 }, resourceMeta: created.resourceMeta });
        const { code } = await outcomeOf(service.dispatch("getTask", [get], { ...options, deadline: Date.now() + DEADLINE_MS }));
        expect(OURS.has(code), `status ${code}`).toBe(false);
      }),
      { numRuns: RUNS },
    );
    expect(internalErrors).toEqual([]);
  });

  test(`${seed.op} with inputs of any type is answered with the caller's status`, async () => {
    const [first, ...rest] = seeds.get(connector)!;
    const declared = Object.keys(templateOf(first!).interface?.inputs?.variables ?? {});
    // Each declared input given, or not, as a value of whatever type (a nested value is a Struct, a list a collection).
    const inputs = fc.record(Object.fromEntries(declared.map((name) => [name, fc.jsonValue({ maxDepth: 2 })])), { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(inputs, async (values) => {
        const literals = toLiteralMap(values as Record<string, unknown>);
        const requests = seed.op === "createTask" ? [{ ...first, inputs: literals }] : [first!, { inputs: literals }];
        const { code } = await outcomeOf(service.dispatch(seed.op, requests, { deadline: Date.now() + DEADLINE_MS }));
        expect(OURS.has(code), `status ${code}`).toBe(false);
      }),
      { numRuns: declared.length > 0 ? RUNS : 1 },
    );
    expect(rest.length).toBeLessThanOrEqual(1);
    expect(internalErrors).toEqual([]);
  });

  test(`${seed.op} with a Flyte 2 connection of any secrets is answered with the caller's status`, async () => {
    const requests = seeds.get(connector)!;
    const secrets = fc.dictionary(fc.constantFrom(...CONNECTION_SECRETS), fc.oneof(fc.string(), fc.json(), fc.constant("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")), { minKeys: 1 });
    await fc.assert(
      fc.asyncProperty(secrets, async (given) => {
        const connection = { secrets: given, configs: {} };
        const { code } = await outcomeOf(service.dispatch(seed.op, requests, { deadline: Date.now() + DEADLINE_MS, connection }));
        expect(OURS.has(code), `status ${code}`).toBe(false);
      }),
      { numRuns: RUNS },
    );
    expect(internalErrors).toEqual([]);
  });

  if (seed.op !== "createTask") return;
  test.each(["getTask", "deleteTask"] as const)("%s of an arbitrary meta is answered with the caller's status", async (op) => {
    const taskCategory = { name: templateOf(seeds.get(connector)![0]!).type!, version: 0 };
    const meta = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.json({ maxDepth: 2 }).map((text) => new TextEncoder().encode(text)),
      fc.dictionary(fc.constantFrom("job_id", "run_id", "query_id", "statement_handle", "id", "endpoint_name", "region", "project", "location"), fc.jsonValue({ maxDepth: 1 })).map((record) => new TextEncoder().encode(JSON.stringify(record))),
    );
    await fc.assert(
      fc.asyncProperty(meta, async (resourceMeta) => {
        const { code } = await outcomeOf(service.dispatch(op, [{ taskCategory, resourceMeta }], { deadline: Date.now() + DEADLINE_MS }));
        expect(OURS.has(code), `status ${code}`).toBe(false);
      }),
      { numRuns: RUNS },
    );
    expect(internalErrors).toEqual([]);
  });
});
