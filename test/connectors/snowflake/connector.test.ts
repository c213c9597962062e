/**
 * The `snowflake` connector through the real service against the fake SQL API: each plugin's
 * template, every statement state, every fault, idempotent creates.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { Status } from "../../../lib/connector/errors.js";
import { executionKey, uuidV5 } from "../../../lib/connector/idempotency.js";
import { Phase } from "../../../lib/connector/phase.js";
import { flyteidl } from "../../../lib/idl/index.js";
import { literalMapToPlain, StructuredDataset, toLiteralMap } from "../../../lib/literals/index.js";
import { flyteidl2 } from "../../../lib/idl/flyteidl2.js";
import { toFlyteidl2Request } from "../../../lib/service/flyteidl2/messages.js";
import { rejection } from "../../support/rejection.js";
import { apiHost } from "../../../lib/connectors/snowflake/template.js";
import { FakeSnowflake } from "./fake.js";
import {
  ACCOUNT,
  CATEGORY,
  STRUCTURED_DATASET,
  SUBJECT,
  USER,
  executionMetadata,
  flyte2Connection,
  flyteSdkTemplate,
  flytekitTemplate,
  makeKeys,
  makeService,
} from "./support.js";
import { useFake } from "../../support/use-fake.js";

const keys = makeKeys();
const fake = useFake(new FakeSnowflake());
const { service } = makeService();
const decoder = new TextDecoder();

beforeEach(() => {
  fake.trust(SUBJECT, keys.publicKey);
  vi.stubEnv("FLYTE_SNOWFLAKE_ENDPOINT", fake.url);
  vi.stubEnv("_FSEC_SNOWFLAKE_PRIVATE_KEY", keys.pem);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function inputs(template: flyteidl.core.ITaskTemplate, values: Record<string, unknown>): flyteidl.core.LiteralMap {
  return toLiteralMap(values, template.interface?.inputs?.variables ?? null, "input");
}

async function create(template: flyteidl.core.ITaskTemplate, options: { values?: Record<string, unknown>; attempt?: number; connection?: ReturnType<typeof flyte2Connection>; metadata?: boolean } = {}) {
  const response = await service.createTask(
    {
      template,
      outputPrefix: "s3://bucket/out",
      inputs: options.values ? inputs(template, options.values) : null,
      taskExecutionMetadata: options.metadata === false ? null : executionMetadata({ execution: "f1a2b3", retryAttempt: options.attempt ?? 0 }),
    },
    options.connection ? { connection: options.connection } : {},
  );
  return response.resourceMeta;
}

async function get(meta: Uint8Array, connection?: ReturnType<typeof flyte2Connection>) {
  const response = await service.getTask({ taskCategory: CATEGORY, resourceMeta: meta, outputPrefix: "s3://bucket/out" }, connection ? { connection } : {});
  return response.resource!;
}

const only = () => [...fake.statements.values()][0]!;

describe("flytekit's SnowflakeTask", () => {
  // flytekit plugins/flytekit-snowflake/tests/test_snowflake.py:19-33: an input ds, a structured dataset output.
  const template = flytekitTemplate({
    sql: "select *\n from my_table\n where ds = %(ds)s and n > %(n)s",
    inputs: { ds: "string", n: "integer" },
    outputs: { results: STRUCTURED_DATASET },
  });

  test("create submits the statement with bindings, asynchronously, idempotently, as the configured user", async () => {
    const meta = await create(template, { values: { ds: "2024-01-01", n: 3 } });
    const [call] = fake.callsTo("POST /api/v2/statements");
    const key = executionKey(executionMetadata({ execution: "f1a2b3" }))!;
    expect(Object.fromEntries(call!.query)).toEqual({ async: "true", requestId: uuidV5(key), retry: "true" });
    expect(call!.json).toEqual({
      statement: "select * from my_table where ds = ? and n > ?",
      database: "ANALYTICS",
      schema: "PUBLIC",
      warehouse: "COMPUTE_WH",
      bindings: { "1": { type: "TEXT", value: "2024-01-01" }, "2": { type: "FIXED", value: "3" } },
    });
    expect(only().subject).toBe(SUBJECT);
    // flytekit connector.py:19-27 and 86-94: the dataclass, in its field order, as json.dumps writes it.
    expect(decoder.decode(meta!)).toBe(
      `{"user": "flyte_user", "account": "myorg-myaccount", "database": "analytics", "schema": "public", "warehouse": "compute_wh", "query_id": "${only().handle}", "has_output": true}`,
    );
  });

  test("get: RUNNING, then SUCCEEDED with results as flytekit's structured dataset URI and its log link", async () => {
    const meta = (await create(template, { values: { ds: "2024-01-01", n: 3 } }))!;
    const handle = only().handle;
    const running = await get(meta);
    expect(running.phase).toBe(Phase.RUNNING);
    // flytekit connector.py:138-148: region and account from account.split("-").
    expect(running.logLinks).toEqual([
      expect.objectContaining({ name: "Snowflake Query Details", uri: `https://app.snowflake.com/myaccount/myorg/#/compute/history/queries/${handle}/detail` }),
    ]);
    const done = await get(meta);
    expect(done.phase).toBe(Phase.SUCCEEDED);
    expect(done.message).toBe("");
    // connector.py:113-123: snowflake://{user}:{account}/{warehouse}/{database}/{schema}/{query_id}, format "".
    const results = done.outputs!.literals!["results"]!;
    expect(results.scalar?.structuredDataset).toEqual(
      expect.objectContaining({ uri: `snowflake://flyte_user:myorg-myaccount/compute_wh/analytics/public/${handle}` }),
    );
    expect(literalMapToPlain(done.outputs!)).toEqual({ results: new StructuredDataset(`snowflake://flyte_user:myorg-myaccount/compute_wh/analytics/public/${handle}`) });
    expect(fake.callsTo(`GET /api/v2/statements/${handle}`)).toHaveLength(2);
    // One JWT for the three calls: signed once, reused while it has more than a few minutes left.
    expect(fake.tokens).toHaveLength(3);
    expect(new Set(fake.tokens).size).toBe(1);
  });

  test("a task with no outputs succeeds with none; no inputs send the statement as written", async () => {
    const bare = flytekitTemplate({ sql: "SELECT 1 WHERE 'a%%' LIKE 'a%'" });
    const meta = (await create(bare))!;
    expect(only().body).toEqual(expect.objectContaining({ statement: "SELECT 1 WHERE 'a%%' LIKE 'a%'" }));
    expect(only().body).not.toHaveProperty("bindings");
    fake.statements.get(only().handle)!.script.splice(0, 1);
    const done = await get(meta);
    expect(done.phase).toBe(Phase.SUCCEEDED);
    expect(done.outputs).toBeNull();
  });

  test("delete cancels the statement, and cancelling again succeeds", async () => {
    const meta = (await create(template, { values: { ds: "x", n: 1 } }))!;
    await service.deleteTask({ taskCategory: CATEGORY, resourceMeta: meta });
    await service.deleteTask({ taskCategory: CATEGORY, resourceMeta: meta });
    expect(fake.callsTo(`POST /api/v2/statements/${only().handle}/cancel`)).toHaveLength(2);
    const after = await get(meta);
    expect(after.phase).toBe(Phase.FAILED);
    expect(after.message).toBe("SQL execution canceled (SQL state 57014)");
  });

  test.each(["myorg..myaccount", "myorg-myaccount.", "xy12345..aws"])("an account with an empty part (%s) is INVALID_ARGUMENT and reaches no platform", async (account) => {
    const template = flytekitTemplate({ sql: "SELECT 1", config: { account, user: USER, database: "d", schema: "s", warehouse: "w" } });
    const error = await rejection(create(template));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toContain("account identifier");
    expect(fake.calls).toHaveLength(0);
  });

  test("a config without a field, or without sql, is INVALID_ARGUMENT and reaches no platform", async () => {
    const partial = flytekitTemplate({ sql: "SELECT 1", config: { account: ACCOUNT, user: USER, database: "d", schema: "s" } });
    const error = await rejection(create(partial));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toContain('"warehouse"');
    const noSql = new flyteidl.core.TaskTemplate({ ...flytekitTemplate({ sql: "x" }), sql: null });
    expect((await rejection(create(noSql))).code).toBe(Status.INVALID_ARGUMENT);
    expect(fake.calls).toHaveLength(0);
  });

  test("a meta the Python connector wrote is read (its field order)", async () => {
    await create(template, { values: { ds: "x", n: 1 } });
    const python = `{"user": "flyte_user", "account": "myorg-myaccount", "database": "analytics", "schema": "public", "warehouse": "compute_wh", "query_id": "${only().handle}", "has_output": false}`;
    const resource = await get(new TextEncoder().encode(python));
    expect(resource.phase).toBe(Phase.RUNNING);
  });
});

describe("flyte-sdk's Snowflake", () => {
  test("custom settings, encrypted key from Flyte 2's connection, connection_kwargs in the body and the meta (without credentials)", async () => {
    const template = flyteSdkTemplate({
      sql: "SELECT * FROM events WHERE day = %(day)s AND score >= %(score)s",
      inputs: { day: "datetime", score: "float" },
      outputs: { results: STRUCTURED_DATASET },
      connectionKwargs: { role: "analyst", session_parameters: { QUERY_TAG: "flyte", ROWS_PER_RESULTSET: 10 }, timezone: "UTC", login_timeout: 30, password: "hunter2" },
    });
    const connection = flyte2Connection(keys);
    vi.stubEnv("_FSEC_SNOWFLAKE_PRIVATE_KEY", undefined);
    const meta = (await create(template, { values: { day: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), score: 2 }, connection }))!;
    expect(only().body).toEqual({
      statement: "SELECT * FROM events WHERE day = ? AND score >= ?",
      database: "ANALYTICS",
      schema: "PUBLIC",
      warehouse: "COMPUTE_WH",
      role: "ANALYST",
      bindings: { "1": { type: "TEXT", value: "2024-01-02 03:04:05+00:00" }, "2": { type: "REAL", value: "2" } },
      parameters: { QUERY_TAG: "flyte", ROWS_PER_RESULTSET: "10", TIMEZONE: "UTC" },
    });
    // flyte-sdk connector.py:23-46 and 259-269: account first, connection_kwargs last, numbers as MessageToDict's floats.
    expect(decoder.decode(meta)).toBe(
      `{"account": "myorg-myaccount", "user": "flyte_user", "database": "ANALYTICS", "schema": "PUBLIC", "warehouse": "COMPUTE_WH", "query_id": "${only().handle}", "has_output": true, "connection_kwargs": {"role": "analyst", "session_parameters": {"QUERY_TAG": "flyte", "ROWS_PER_RESULTSET": 10.0}, "timezone": "UTC", "login_timeout": 30.0}}`,
    );
    const running = await get(meta, connection);
    expect(running.phase).toBe(Phase.RUNNING);
    expect(running.message).toBe("RUNNING");
    const done = await get(meta, connection);
    expect(done.phase).toBe(Phase.SUCCEEDED);
    expect(done.message).toBe("SUCCESS");
    // connector.py:328-332: snowflake://{user}/{account}/…; connector.py:102-123: app.snowflake.com/{org}/{account}.
    expect(done.outputs!.literals!["results"]!.scalar?.structuredDataset?.uri).toBe(
      `snowflake://flyte_user/myorg-myaccount/COMPUTE_WH/ANALYTICS/PUBLIC/${only().handle}`,
    );
    expect(done.logLinks).toEqual([
      expect.objectContaining({ name: "Snowflake Dashboard", uri: `https://app.snowflake.com/myorg/myaccount/#/compute/history/queries/${only().handle}/detail` }),
    ]);
  });

  test("over Flyte 2's own protocol (flyteidl2), the executor's connection carries the key to create, get and delete", async () => {
    vi.stubEnv("_FSEC_SNOWFLAKE_PRIVATE_KEY", undefined);
    const template = flyteSdkTemplate({ sql: "SELECT %(n)s", inputs: { n: "integer" }, outputs: { results: STRUCTURED_DATASET } });
    const connection = flyte2Connection(keys);
    const v1 = { template, inputs: inputs(template, { n: 4 }), outputPrefix: "s3://b/o", taskExecutionMetadata: executionMetadata() };
    const options = { connection, protocol: "flyteidl2" as const };
    const [created] = (await service.dispatch("createTask", [toFlyteidl2Request("createTask", v1, { connection })], options)) as { resourceMeta: Uint8Array }[];
    expect(decoder.decode(created!.resourceMeta)).toMatch(/^\{"account": "myorg-myaccount", "user": "flyte_user"/);
    expect(only().body["bindings"]).toEqual({ "1": { type: "FIXED", value: "4" } });
    const getRequest = toFlyteidl2Request("getTask", { taskCategory: CATEGORY, resourceMeta: created!.resourceMeta }, { connection });
    const [got] = (await service.dispatch("getTask", [getRequest], options)) as flyteidl2.connector.GetTaskResponse[];
    // The query link as flyte-sdk's connector makes it (connector.py:300-305): a ready dashboard.
    expect(got!.resource?.logLinks?.map(({ name, ready, linkType }) => ({ name, ready, linkType }))).toEqual([
      { name: "Snowflake Dashboard", ready: true, linkType: flyteidl2.core.TaskLog.LinkType.DASHBOARD },
    ]);
    const deleteRequest = toFlyteidl2Request("deleteTask", { taskCategory: CATEGORY, resourceMeta: created!.resourceMeta }, { connection });
    await service.dispatch("deleteTask", [deleteRequest], options);
    expect(fake.calls.map((call) => `${call.method} ${call.status}`)).toEqual(["POST 202", "GET 202", "POST 200"]);
  });

  test("schema defaults to PUBLIC; the JWT names the locator of a locator.region account, and the link is flyte-sdk's split at its first '-'", async () => {
    const template = flyteSdkTemplate({ sql: "SELECT 1", schema: null, secrets: false });
    const custom = template.custom!;
    custom.fields!["account"] = { stringValue: "xy12345.us-east-2.aws" };
    fake.trust("XY12345.FLYTE_USER", keys.publicKey);
    const meta = (await create(template))!;
    expect(only().body["schema"]).toBe("PUBLIC");
    expect(only().subject).toBe("XY12345.FLYTE_USER");
    expect(decoder.decode(meta)).toContain('"schema": "PUBLIC"');
    expect((await get(meta)).logLinks?.[0]?.uri).toBe(`https://app.snowflake.com/xy12345.us/east-2.aws/#/compute/history/queries/${only().handle}/detail`);
  });

  test("the JWT of a global account (<account>-<external id>.global) names the account alone, as the driver's parse_account does", async () => {
    const template = flyteSdkTemplate({ sql: "SELECT 1", schema: null, secrets: false });
    template.custom!.fields!["account"] = { stringValue: "xy12345-ext1.global" };
    fake.trust("XY12345.FLYTE_USER", keys.publicKey);
    await create(template);
    expect(only().subject).toBe("XY12345.FLYTE_USER");
  });

  test("batch: list inputs expand into one VALUES row each (connector.py:126-181)", async () => {
    const list = (simple: flyteidl.core.SimpleType): flyteidl.core.ILiteralType => ({ collectionType: { simple } });
    const template = flyteSdkTemplate({
      sql: "INSERT INTO t (a, b, c) VALUES (%(a)s, %(b)s, 'k')",
      inputs: { a: list(flyteidl.core.SimpleType.INTEGER), b: list(flyteidl.core.SimpleType.STRING) },
      batch: true,
    });
    await create(template, { values: { a: [1, 2], b: ["x", "y"] }, connection: flyte2Connection(keys) });
    expect(only().body["statement"]).toBe("INSERT INTO t (a, b, c) VALUES (?, ?, 'k'), (?, ?, 'k')");
    expect(only().body["bindings"]).toEqual({
      "1": { type: "FIXED", value: "1" },
      "2": { type: "TEXT", value: "x" },
      "3": { type: "FIXED", value: "2" },
      "4": { type: "TEXT", value: "y" },
    });
  });

  test("batch lists of different lengths are INVALID_ARGUMENT", async () => {
    const list = { collectionType: { simple: flyteidl.core.SimpleType.INTEGER } };
    const template = flyteSdkTemplate({ sql: "INSERT INTO t VALUES (%(a)s, %(b)s)", inputs: { a: list, b: list }, batch: true });
    const error = await rejection(create(template, { values: { a: [1, 2], b: [1] }, connection: flyte2Connection(keys) }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toBe("All batch input lists must have the same length.");
  });

  test("a list input outside batch mode is an IN list", async () => {
    const template = flyteSdkTemplate({ sql: "SELECT * FROM t WHERE id IN (%(ids)s)", inputs: { ids: { collectionType: { simple: flyteidl.core.SimpleType.INTEGER } } } });
    await create(template, { values: { ids: [3, 4, 5] }, connection: flyte2Connection(keys) });
    expect(only().body["statement"]).toBe("SELECT * FROM t WHERE id IN (?,?,?)");
  });

  test("flyte-sdk's own checks and messages (connector.py:211-221)", async () => {
    const template = flyteSdkTemplate({ sql: "SELECT 1" });
    delete template.custom!.fields!["warehouse"];
    const error = await rejection(create(template, { connection: flyte2Connection(keys) }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toBe("User, database and warehouse must be specified in the task configuration.");
    const noAccount = flyteSdkTemplate({ sql: "SELECT 1" });
    delete noAccount.custom!.fields!["account"];
    expect((await rejection(create(noAccount))).message).toBe("Missing Snowflake account. Set it through task configuration.");
  });

  test("a meta flyte-sdk wrote (its order, connection_kwargs null) is read; an unknown shape is INVALID_ARGUMENT", async () => {
    await create(flyteSdkTemplate({ sql: "SELECT 1" }), { connection: flyte2Connection(keys) });
    const python = `{"account": "myorg-myaccount", "user": "flyte_user", "database": "ANALYTICS", "schema": "PUBLIC", "warehouse": "COMPUTE_WH", "query_id": "${only().handle}", "has_output": false, "connection_kwargs": null}`;
    expect((await get(new TextEncoder().encode(python), flyte2Connection(keys))).message).toBe("RUNNING");
    const error = await rejection(get(new TextEncoder().encode(`{"query_id": "${only().handle}"}`)));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    const traversal = python.replace(only().handle, "../../x");
    expect((await rejection(get(new TextEncoder().encode(traversal), flyte2Connection(keys)))).code).toBe(Status.INVALID_ARGUMENT);
  });

  // The account is the API's host (`https://<account>.snowflakecomputing.com`): a meta naming
  // `myorg-myaccount.attacker.example#` would send the JWT to attacker.example.
  test("a meta whose account is no account identifier is INVALID_ARGUMENT on get and delete, and nothing is sent", async () => {
    await create(flyteSdkTemplate({ sql: "SELECT 1" }), { connection: flyte2Connection(keys) });
    fake.calls.length = 0;
    const python = `{"account": "myorg-myaccount.attacker.example#", "user": "flyte_user", "database": "ANALYTICS", "schema": "PUBLIC", "warehouse": "COMPUTE_WH", "query_id": "${only().handle}", "has_output": false, "connection_kwargs": null}`;
    const meta = new TextEncoder().encode(python);
    expect((await rejection(get(meta, flyte2Connection(keys)))).code).toBe(Status.INVALID_ARGUMENT);
    const deleted = service.deleteTask({ taskCategory: CATEGORY, resourceMeta: meta }, { connection: flyte2Connection(keys) });
    expect((await rejection(deleted)).code).toBe(Status.INVALID_ARGUMENT);
    expect(fake.calls).toHaveLength(0);
  });
});

describe("the API's host: connection_kwargs host and region, as snowflake-connector-python picks it", () => {
  test.each([
    ["no kwargs", "myorg-myaccount", undefined, "myorg-myaccount.snowflakecomputing.com"],
    ["a legacy locator with its region in the account", "xy12345.us-east-2.aws", {}, "xy12345.us-east-2.aws.snowflakecomputing.com"],
    // util_text.py construct_hostname: the account up to its first dot, then the region; us-west-2 is the default region.
    ["region", "xy12345", { region: "eu-central-1" }, "xy12345.eu-central-1.snowflakecomputing.com"],
    ["region, the account holding one already", "xy12345.us-east-1", { region: "eu-central-1" }, "xy12345.eu-central-1.snowflakecomputing.com"],
    ["region us-west-2", "xy12345", { region: "us-west-2" }, "xy12345.snowflakecomputing.com"],
    // connection.py: a given host is used as it is (PrivateLink, China).
    ["a PrivateLink host", "myorg-myaccount", { host: "myorg-myaccount.privatelink.snowflakecomputing.com", region: "x" }, "myorg-myaccount.privatelink.snowflakecomputing.com"],
    ["a China host", "xy12345", { host: "XY12345.cn-north-1.snowflakecomputing.cn" }, "xy12345.cn-north-1.snowflakecomputing.cn"],
    ["an account name with an underscore", "myorg-my_account", { host: "myorg-my_account.privatelink.snowflakecomputing.com" }, "myorg-my_account.privatelink.snowflakecomputing.com"],
    ["a null host", "myorg-myaccount", { host: null }, "myorg-myaccount.snowflakecomputing.com"],
  ])("%s", (_, account, kwargs, host) => {
    expect(apiHost(account, kwargs)).toBe(host);
  });

  test.each([
    ["another domain", { host: "evil.example" }],
    ["a Snowflake-looking prefix", { host: "acct.snowflakecomputing.com.evil.example" }],
    ["a port or a path", { host: "acct.snowflakecomputing.com:8443" }],
    ["userinfo", { host: "x@acct.snowflakecomputing.com" }],
    ["a number", { host: 1 }],
    ["a region with a slash", { region: "us-east-1/x" }],
  ])("the JWT's destination is refused when it is %s: INVALID_ARGUMENT on create, and nothing is sent", async (_, kwargs) => {
    expect(() => apiHost("myorg-myaccount", kwargs as Record<string, string>)).toThrow(/is not a Snowflake (host|region) name/);
    const error = await rejection(create(flyteSdkTemplate({ sql: "SELECT 1", connectionKwargs: kwargs as Record<string, string> }), { connection: flyte2Connection(keys) }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(fake.calls).toHaveLength(0);
  });

  test("get and delete go to the host the flyte-sdk meta's connection_kwargs name, checked as create checks it", async () => {
    await create(flyteSdkTemplate({ sql: "SELECT 1" }), { connection: flyte2Connection(keys) });
    fake.calls.length = 0;
    const python = `{"account": "myorg-myaccount", "user": "flyte_user", "database": "ANALYTICS", "schema": "PUBLIC", "warehouse": "COMPUTE_WH", "query_id": "${only().handle}", "has_output": false, "connection_kwargs": {"host": "attacker.example"}}`;
    const meta = new TextEncoder().encode(python);
    expect((await rejection(get(meta, flyte2Connection(keys)))).message).toContain('connection_kwargs host "attacker.example" is not a Snowflake host name');
    const deleted = service.deleteTask({ taskCategory: CATEGORY, resourceMeta: meta }, { connection: flyte2Connection(keys) });
    expect((await rejection(deleted)).code).toBe(Status.INVALID_ARGUMENT);
    expect(fake.calls).toHaveLength(0);
    const kept = python.replace("attacker.example", "myorg-myaccount.privatelink.snowflakecomputing.com");
    expect((await get(new TextEncoder().encode(kept), flyte2Connection(keys))).message).toBe("RUNNING");
  });
});

describe("statement states", () => {
  const template = flytekitTemplate({ sql: "SELECT 1", outputs: { results: STRUCTURED_DATASET } });

  test("422 is FAILED with Snowflake's message and SQL state", async () => {
    fake.script = ["running", { failed: { message: "SQL compilation error:\nObject 'T' does not exist or not authorized.", sqlState: "42S02" } }];
    const meta = (await create(template))!;
    expect((await get(meta)).phase).toBe(Phase.RUNNING);
    const failed = await get(meta);
    expect(failed.phase).toBe(Phase.FAILED);
    expect(failed.message).toBe("SQL compilation error:\nObject 'T' does not exist or not authorized. (SQL state 42S02)");
    expect(failed.outputs).toBeNull();
  });

  test("200's result set is not read: a first partition larger than any answer read is SUCCEEDED with the results", async () => {
    // Over http-exchange's 32 MB limit, which a read would refuse (UNAVAILABLE) on every poll.
    fake.script = ["running", { succeeded: { firstPartitionBytes: 40 * 1024 * 1024 } }];
    const meta = (await create(template))!;
    expect((await get(meta)).phase).toBe(Phase.RUNNING);
    const done = await get(meta);
    expect(done.phase).toBe(Phase.SUCCEEDED);
    expect(literalMapToPlain(done.outputs!)).toEqual({ results: new StructuredDataset(`snowflake://flyte_user:myorg-myaccount/compute_wh/analytics/public/${only().handle}`) });
    expect(fake.callsTo("GET /api/v2/statements").map((call) => call.status)).toEqual([202, 200]);
  });

  test("408 (the statement's timeout) is FAILED", async () => {
    fake.script = ["timeout"];
    const failed = await get((await create(template))!);
    expect(failed.phase).toBe(Phase.FAILED);
    expect(failed.message).toContain("timeout of 10 second(s)");
  });

  test("an unknown statement (404) is FAILED", async () => {
    const meta = (await create(template))!;
    fake.statements.clear();
    const failed = await get(meta);
    expect(failed.phase).toBe(Phase.FAILED);
    expect(failed.message).toContain("HTTP 404");
  });

  test("an undocumented 2xx is UNAVAILABLE, never a guessed phase", async () => {
    fake.script = [{ odd: 203 }];
    const error = await rejection(get((await create(template))!));
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.message).toContain("HTTP 203");
  });

  test("a statement that fails at submit (422 with a handle) gets a meta, and get reports the failure", async () => {
    fake.script = [{ failed: { message: "SQL compilation error: syntax error line 1", sqlState: "42000" } }];
    const meta = (await create(template))!;
    expect((await get(meta)).phase).toBe(Phase.FAILED);
  });

  test("a 422 at submit without a handle is INVALID_ARGUMENT with Snowflake's message", async () => {
    fake.fault({ route: "POST /api/v2/statements", status: 422, body: { code: "002040", message: "unsupported statement type", sqlState: "0A000" } });
    const error = await rejection(create(template));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toBe("Snowflake refused the statement: unsupported statement type (SQL state 0A000)");
  });
});

describe("faults", () => {
  const template = flytekitTemplate({ sql: "SELECT 1" });

  test("429 and 5xx on get are retried, then answered", async () => {
    const meta = (await create(template))!;
    fake.fault({ route: "GET /api/v2/statements", status: 429, retryAfter: 0 });
    fake.fault({ route: "GET /api/v2/statements", status: 503 });
    expect((await get(meta)).phase).toBe(Phase.RUNNING);
    expect(fake.callsTo("GET /api/v2/statements").map((call) => call.status)).toEqual([429, 503, 202]);
  });

  test("a platform that stays down is UNAVAILABLE", async () => {
    const meta = (await create(template))!;
    fake.fault({ route: "GET /api/v2/statements", status: 500, times: Infinity });
    const error = await rejection(get(meta));
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.message).toContain("Snowflake could not read the statement's status: HTTP 500");
  });

  test("malformed JSON is retried, and UNAVAILABLE if it lasts; get's 200 is done by its status alone", async () => {
    fake.fault({ route: "POST /api/v2/statements", malformed: true });
    const meta = (await create(template))!;
    expect(fake.callsTo("POST /api/v2/statements").map((call) => call.status)).toEqual([200, 202]);
    fake.fault({ route: "POST /api/v2/statements", malformed: true, times: Infinity });
    expect((await rejection(create(template, { attempt: 1 }))).code).toBe(Status.UNAVAILABLE);
    // The result set a 200 carries is never read, so a garbled one is no different.
    fake.fault({ route: "GET /api/v2/statements", malformed: true });
    expect((await get(meta)).phase).toBe(Phase.SUCCEEDED);
  });

  test("a dropped connection is retried", async () => {
    const meta = (await create(template))!;
    fake.fault({ route: "GET /api/v2/statements", reset: true });
    expect((await get(meta)).phase).toBe(Phase.RUNNING);
  });

  test("a slow answer is waited for; one slower than the caller's deadline is not", async () => {
    const meta = (await create(template))!;
    fake.fault({ route: "GET /api/v2/statements", delayMs: 150 });
    expect((await get(meta)).phase).toBe(Phase.RUNNING);
    fake.fault({ route: "GET /api/v2/statements", delayMs: 3000, times: Infinity });
    const late = service.getTask({ taskCategory: CATEGORY, resourceMeta: meta }, { deadline: Date.now() + 600 });
    expect([Status.DEADLINE_EXCEEDED, Status.UNAVAILABLE]).toContain((await rejection(late)).code);
  });

  test("a submit without an execution id is not retried (it could run twice); with one it is", async () => {
    fake.fault({ route: "POST /api/v2/statements", status: 503 });
    expect((await rejection(create(template, { metadata: false }))).code).toBe(Status.UNAVAILABLE);
    expect(fake.calls[0]!.query.has("requestId")).toBe(false);
    expect(fake.statements.size).toBe(0);
    fake.reset();
    fake.trust(SUBJECT, keys.publicKey);
    fake.fault({ route: "POST /api/v2/statements", status: 503 });
    await create(template);
    expect(fake.callsTo("POST /api/v2/statements").map((call) => call.status)).toEqual([503, 202]);
    expect(fake.statements.size).toBe(1);
  });

  test("a key Snowflake does not know is FAILED_PRECONDITION, on create and on get", async () => {
    const meta = (await create(template))!;
    fake.reset();
    vi.stubEnv("FLYTE_SNOWFLAKE_ENDPOINT", fake.url);
    const error = await rejection(get(meta));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.message).toContain("HTTP 401");
    expect((await rejection(create(template))).code).toBe(Status.FAILED_PRECONDITION);
  });
});

describe("idempotency", () => {
  const template = flytekitTemplate({ sql: "INSERT INTO t VALUES (1)" });

  test("the same attempt created twice is one statement; a new attempt is a new one", async () => {
    const first = decoder.decode((await create(template))!);
    fake.fault({ route: "POST /api/v2/statements", status: 500 });
    const again = decoder.decode((await create(template))!);
    expect(again).toBe(first);
    expect(fake.statements.size).toBe(1);
    const retry = decoder.decode((await create(template, { attempt: 1 }))!);
    expect(retry).not.toBe(first);
    expect(fake.statements.size).toBe(2);
    const ids = [...fake.statements.values()].map((statement) => statement.requestId);
    expect(new Set(ids).size).toBe(2);
  });

  test("a resubmitted attempt whose statement finished answers that statement, not a new run", async () => {
    fake.script = ["succeeded"];
    const first = decoder.decode((await create(template))!);
    expect(decoder.decode((await create(template))!)).toBe(first);
    expect(fake.statements.size).toBe(1);
  });
});
