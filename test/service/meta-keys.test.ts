/**
 * Where the sealing keys come from: the environment, Secrets Manager or SSM (mocked with
 * aws-sdk-client-mock), read once on first use, and every way that can fail answered with a
 * status and a message that name the source but never a key.
 */
import { randomBytes } from "node:crypto";
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, InternalServerError, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { CallContext } from "../../lib/connector/connector.js";
import { ConnectorError, Status } from "../../lib/connector/errors.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { SleepConnector } from "../../lib/connectors/sleep.js";
import { flyteidl } from "../../lib/idl/index.js";
import { metaSealerFromEnv } from "../../lib/service/meta-keys.js";
import { MetaSealer, type MetaKey } from "../../lib/service/meta-seal.js";
import { ConnectorService } from "../../lib/service/service.js";
import { fromJson, sleepCreateRequest } from "../support/demo-requests.js";
import { rejection } from "../support/rejection.js";

const ssm = mockClient(SSMClient);
const secrets = mockClient(SecretsManagerClient);

beforeEach(() => {
  ssm.reset();
  secrets.reset();
});
afterEach(() => {
  ssm.reset();
  secrets.reset();
});

const k1: MetaKey = { id: "k1", key: randomBytes(32) };
const k2: MetaKey = { id: "k2", key: randomBytes(32) };
const spec = (...keys: MetaKey[]) => keys.map(({ id, key }) => `${id}:${Buffer.from(key).toString("base64")}`).join(",");
/** Every form a key could leak in. */
const keyForms = (...keys: MetaKey[]) => keys.flatMap(({ key }) => [Buffer.from(key).toString("base64"), Buffer.from(key).toString("hex")]);

const PARAMETER = "/flyte-connectors/meta-keys";
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:flyte-meta-keys-AbCdEf";
const meta = new TextEncoder().encode('{"job_id": "j-1"}');

const secureString = (value: string) => ({ Parameter: { Name: PARAMETER, Type: "SecureString" as const, Value: value } });


function expectNoKey(error: ConnectorError, ...keys: MetaKey[]) {
  const said = JSON.stringify([error.message, error.stack, String(error.cause)]);
  for (const form of keyForms(...keys)) expect(said).not.toContain(form);
}

describe("metaSealerFromEnv", () => {
  test("sealing is off when no source is set", () => {
    expect(metaSealerFromEnv({})).toBeUndefined();
    expect(metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS: "" })).toBeUndefined();
  });

  test("keys from the environment: the first seals, all open", async () => {
    const sealer = await metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS: `${spec(k2)}, ${spec(k1)}` })!();
    expect(Buffer.from(sealer.open(new MetaSealer([k1]).seal(meta, "x"), "x"))).toEqual(Buffer.from(meta));
    expect(Buffer.from(new MetaSealer([k2]).open(sealer.seal(meta, "x"), "x"))).toEqual(Buffer.from(meta));
  });

  test("keys from an SSM SecureString, read decrypted, on first use only, once", async () => {
    ssm.on(GetParameterCommand, { Name: PARAMETER, WithDecryption: true }).resolves(secureString(spec(k1)));
    const provider = metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS_PARAMETER: PARAMETER })!;
    expect(ssm.calls()).toHaveLength(0);
    const [first, second] = await Promise.all([provider(), provider()]);
    expect(first).toBe(second);
    expect(await provider()).toBe(first);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(Buffer.from(first.open(new MetaSealer([k1]).seal(meta, "x"), "x"))).toEqual(Buffer.from(meta));
  });

  test("keys from a Secrets Manager secret", async () => {
    secrets.on(GetSecretValueCommand, { SecretId: SECRET }).resolves({ SecretString: spec(k1) });
    const sealer = await metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS_SECRET: SECRET })!();
    expect(Buffer.from(sealer.open(new MetaSealer([k1]).seal(meta, "x"), "x"))).toEqual(Buffer.from(meta));
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  test("rotation: a process started after the rotation opens old metas and seals with the new key", async () => {
    const old = new MetaSealer([k1]).seal(meta, "sleep_v0");
    ssm.on(GetParameterCommand).resolves(secureString(spec(k2, k1)));
    const rotated = await metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS_PARAMETER: `${PARAMETER}:2` })!();
    expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input.Name).toBe(`${PARAMETER}:2`);
    expect(Buffer.from(rotated.open(old, "sleep_v0"))).toEqual(Buffer.from(meta));
    const fresh = rotated.seal(meta, "sleep_v0");
    expect(() => new MetaSealer([k1]).open(fresh, "sleep_v0")).toThrow(/unknown key id "k2"/);
  });

  test("a missing parameter is INTERNAL naming it, and is read again on the next call", async () => {
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(new ParameterNotFound({ $metadata: {}, message: "" }))
      .resolves(secureString(spec(k1)));
    const provider = metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS_PARAMETER: PARAMETER })!;
    const error = await rejection(provider());
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toBe(`Resource meta sealing is misconfigured: cannot read SSM parameter "${PARAMETER}" (ParameterNotFound).`);
    await expect(provider()).resolves.toBeInstanceOf(MetaSealer);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  test("a missing secret is INTERNAL naming it", async () => {
    secrets.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ $metadata: {}, message: "not found" }));
    const error = await rejection(metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS_SECRET: SECRET })!());
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toBe(`Resource meta sealing is misconfigured: cannot read Secrets Manager secret "${SECRET}" (ResourceNotFoundException).`);
  });

  test("AWS's own message (ARNs, account ids) reaches only the cause, for the log", async () => {
    const denied = Object.assign(new Error("User: arn:aws:sts::123456789012:assumed-role/r is not authorized"), {
      name: "AccessDeniedException",
      $fault: "client",
    });
    ssm.on(GetParameterCommand).rejects(denied);
    const error = await rejection(metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS_PARAMETER: PARAMETER })!());
    expect(error.message).toMatch(/\(AccessDeniedException\)\.$/);
    expect(error.message).not.toContain("123456789012");
    expect(error.cause).toBe(denied);
  });

  test.each([
    ["throttled", Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $fault: "client", $retryable: { throttling: true } })],
    ["a fault on AWS's side", new InternalServerError({ $metadata: {}, message: "" })],
    ["AWS unreachable", Object.assign(new Error("connect ETIMEDOUT 10.0.0.1:443"), { code: "ETIMEDOUT", $metadata: {} })],
  ])("%s: UNAVAILABLE, so idempotent calls are retried", async (_, thrown) => {
    ssm.on(GetParameterCommand).rejects(thrown);
    const error = await rejection(metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS_PARAMETER: PARAMETER })!());
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.message).toMatch(/^Resource meta sealing keys are unavailable: cannot read SSM parameter .+; try again\.$/);
  });

  test.each([
    ["a key of the wrong length", `${spec(k1)},k2:${Buffer.from(k2.key).subarray(0, 31).toString("base64")}`, /the keys in SSM parameter .+ are invalid: Meta key 2 of 2: the key must be 32 bytes, got 31\./],
    ["the id and key swapped", `${Buffer.from(k1.key).toString("base64")}:k1`, /are invalid: Meta key 1 of 1: the key must be 32 bytes/],
    ["no key at all", " , ", /are invalid: A meta sealer needs at least one key\./],
    ["a duplicate id", `${spec(k1)},${spec({ id: "k1", key: k2.key })}`, /Meta key ids must be distinct\./],
  ])("keys that do not parse (%s) are INTERNAL and never quoted", async (_, value, message) => {
    ssm.on(GetParameterCommand).resolves(secureString(value));
    const error = await rejection(metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS_PARAMETER: PARAMETER })!());
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toMatch(message);
    expectNoKey(error, k1, k2);
  });

  test("an empty parameter holds no keys", async () => {
    ssm.on(GetParameterCommand).resolves(secureString(""));
    const error = await rejection(metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS_PARAMETER: PARAMETER })!());
    expect(error.message).toBe(`Resource meta sealing is misconfigured: SSM parameter "${PARAMETER}" holds no keys.`);
  });

  test("a plain String parameter is refused: the keys would be stored unencrypted", async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER, Type: "String", Value: spec(k1) } });
    const error = await rejection(metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS_PARAMETER: PARAMETER })!());
    expect(error.message).toBe(`Resource meta sealing is misconfigured: SSM parameter "${PARAMETER}" must be a SecureString, not a String.`);
    expectNoKey(error, k1);
  });

  test("FLYTE_CONNECTOR_PLAIN_METAS chooses what a sealer does with plain metas; anything else is INTERNAL", async () => {
    const plain = new TextEncoder().encode('{"a": 1}');
    const accepting = await metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS: spec(k1), FLYTE_CONNECTOR_PLAIN_METAS: "accept" })!();
    expect(Buffer.from(accepting.open(plain, "x"))).toEqual(Buffer.from(plain));
    const writing = await metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS: spec(k1), FLYTE_CONNECTOR_PLAIN_METAS: "write" })!();
    expect(Buffer.from(writing.seal(plain, "x"))).toEqual(Buffer.from(plain));
    const refusing = await metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS: spec(k1), FLYTE_CONNECTOR_PLAIN_METAS: "" })!();
    expect(() => refusing.open(plain, "x")).toThrow("it is not sealed");
    const error = await rejection(metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS: spec(k1), FLYTE_CONNECTOR_PLAIN_METAS: "yes" })!());
    expect(error.message).toBe(
      'Resource meta sealing is misconfigured: FLYTE_CONNECTOR_PLAIN_METAS must be one of refuse, accept, write, not "yes".',
    );
    expect(error.code).toBe(Status.INTERNAL);
  });

  test("two sources at once are INTERNAL, and neither is read", async () => {
    const provider = metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS: spec(k1), FLYTE_CONNECTOR_META_KEYS_PARAMETER: PARAMETER })!;
    const error = await rejection(provider());
    expect(error.message).toBe(
      `Resource meta sealing is misconfigured: set only one of environment variable FLYTE_CONNECTOR_META_KEYS, SSM parameter "${PARAMETER}".`,
    );
    expectNoKey(error, k1);
    expect(ssm.calls()).toHaveLength(0);
  });
});

describe("a service whose keys cannot be read", () => {
  const created: string[] = [];
  class CountingSleep extends SleepConnector {
    override create(params: Parameters<SleepConnector["create"]>[0] & CallContext) {
      created.push("create");
      return super.create(params);
    }
  }
  const logged: unknown[][] = [];
  const service = () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ $metadata: {}, message: "" }));
    return new ConnectorService(new ConnectorRegistry().register(new CountingSleep()), {
      logger: { error: (...line: unknown[]) => logged.push(line) },
      metaSealer: metaSealerFromEnv({ FLYTE_CONNECTOR_META_KEYS_PARAMETER: PARAMETER }),
    });
  };

  test("still lists its connectors, without asking AWS", async () => {
    const [listed] = await service().dispatch("listAgents", [new flyteidl.admin.ListAgentsRequest()]);
    expect((listed as flyteidl.admin.ListAgentsResponse).agents).toHaveLength(1);
    expect(ssm.calls()).toHaveLength(0);
  });

  test("answers createTask INTERNAL before the connector creates anything, and logs why", async () => {
    const error = await rejection(service().createTask({ template: { type: "sleep" } }));
    expect(error.code).toBe(Status.INTERNAL);
    expect(created).toEqual([]);
    expect(logged.at(-1)?.[0]).toBe("resource meta sealing keys unavailable");
  });

  test("answers getTask INTERNAL", async () => {
    const request = { taskCategory: { name: "sleep" }, resourceMeta: new Uint8Array([1, 2, 3]) };
    expect((await rejection(service().getTask(request))).code).toBe(Status.INTERNAL);
  });
});

describe("a service whose keys are slow to come", () => {
  test("answers DEADLINE_EXCEEDED at the call's deadline, before the connector runs; the keys, once read, serve the next call", async () => {
    let arrive!: (sealer: MetaSealer) => void;
    const keys = new Promise<MetaSealer>((resolve) => (arrive = resolve));
    const provider = () => keys;
    const service = new ConnectorService(new ConnectorRegistry().register(new SleepConnector()), { logger: { error() {} }, metaSealer: provider, deadlineMarginMs: 0 });
    const late = await rejection(service.createTask({ template: { type: "sleep" } }, { deadline: Date.now() + 50 }));
    expect({ code: late.code, message: late.message }).toEqual({
      code: Status.DEADLINE_EXCEEDED,
      message: "loading the resource meta sealing keys: no answer before the deadline",
    });
    arrive(new MetaSealer([k1]));
    const { resourceMeta } = await service.createTask(fromJson(flyteidl.admin.CreateTaskRequest, sleepCreateRequest(0)), { deadline: Date.now() + 5_000 });
    expect(Buffer.from(resourceMeta.subarray(0, 4)).toString("latin1")).toBe("FCSM");
  });
});
