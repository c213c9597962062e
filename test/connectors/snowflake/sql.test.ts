/**
 * The SQL the plugins write, made into SQL API requests: pyformat placeholders to `?` bindings
 * (as the driver's client-side `%` would fill them), flyte-sdk's batch expansion, and the
 * statements the SQL API refuses. Through the service: what reaches the fake, or the error.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { Status } from "../../../lib/connector/errors.js";
import { expandBatchQuery } from "../../../lib/connectors/snowflake/sql/batch.js";
import { sqlParam } from "../../../lib/connectors/snowflake/sql/params.js";
import { bindPyformat } from "../../../lib/connectors/snowflake/sql/pyformat.js";
import { statementsOf, withoutTrailingComments } from "../../../lib/connectors/snowflake/sql/statements.js";
import { flyteidl } from "../../../lib/idl/index.js";
import { Duration, toLiteralMap } from "../../../lib/literals/index.js";
import { rejection } from "../../support/rejection.js";
import { FakeSnowflake } from "./fake.js";
import { SUBJECT, executionMetadata, flytekitTemplate, makeKeys, makeService } from "./support.js";
import { useFake } from "../../support/use-fake.js";

const params = (values: Record<string, unknown>) =>
  new Map(Object.entries(values).map(([name, value]) => [name, sqlParam(value as never, name, false)]));

describe("bindPyformat", () => {
  test("%(name)s outside quotes becomes ? bound in order; %% becomes % everywhere, as Python's % does", () => {
    const bound = bindPyformat("SELECT '100%%', a FROM t WHERE b = %(b)s AND c LIKE 'x%%' AND d = %(b)s -- 5%% of %(b)s", params({ b: "v" }));
    expect(bound.statement).toBe("SELECT '100%', a FROM t WHERE b = ? AND c LIKE 'x%' AND d = ? -- 5% of %(b)s");
    expect(bound.bindings).toEqual({ "1": { type: "TEXT", value: "v" }, "2": { type: "TEXT", value: "v" } });
  });

  test("without parameters the statement is sent as written (the driver skips % when the dict is empty)", () => {
    expect(bindPyformat("SELECT '100%%' LIKE '1%'", undefined)).toEqual({ statement: "SELECT '100%%' LIKE '1%'", bindings: {} });
    expect(bindPyformat("SELECT '%(x)s'", new Map())).toEqual({ statement: "SELECT '%(x)s'", bindings: {} });
  });

  test("a `?` of the statement's own goes as written when nothing is bound: MATCH_RECOGNIZE's zero-or-one quantifier", () => {
    // https://docs.snowflake.com/en/sql-reference/constructs/match_recognize (PATTERN quantifiers); the plugins send it as written (connector.py:84).
    const sql = "SELECT * FROM prices MATCH_RECOGNIZE (ORDER BY d MEASURES MATCH_NUMBER() AS n PATTERN (A B+ C?) DEFINE B AS price < LAG(price)) WHERE d > '%(d)s'";
    expect(bindPyformat(sql, undefined)).toEqual({ statement: sql, bindings: {} });
    expect(() => bindPyformat(sql.replace("'%(d)s'", "%(d)s"), params({ d: "2024-01-01" }))).toThrow("in a MATCH_RECOGNIZE pattern, {0,1} for ?");
  });

  test("None is written NULL, a list as one ? per item", () => {
    const bound = bindPyformat("SELECT %(a)s, %(b)s WHERE id IN (%(ids)s)", params({ a: null, b: true, ids: [1, null, 2] }));
    expect(bound.statement).toBe("SELECT NULL, ? WHERE id IN (?,NULL,?)");
    expect(Object.values(bound.bindings)).toEqual([
      { type: "BOOLEAN", value: "true" },
      { type: "FIXED", value: "1" },
      { type: "FIXED", value: "2" },
    ]);
  });

  test("quotes, dollar strings, identifiers and comments are told apart", () => {
    const sql = `SELECT 'it''s \\' %(a)s' x, $$ ? $$, "we""ird ?", /* ? */ %(a)s // ?\n, %(a)s`;
    expect(() => bindPyformat(sql, params({ a: 1 }))).toThrow("inside quotes");
    const fine = `SELECT 'it''s \\' ?' x, $$ ? $$, "we""ird ?", /* ? */ %(a)s // ?\n, %(a)s`;
    expect(bindPyformat(fine, params({ a: 1 })).statement).toBe(`SELECT 'it''s \\' ?' x, $$ ? $$, "we""ird ?", /* ? */ ? // ?\n, ?`);
  });

  test.each([
    ["SELECT %(missing)s", 'no input "missing"'],
    ["SELECT * FROM t WHERE a LIKE 'x%'", "a literal % is written %%"],
    ["SELECT %s", "a literal % is written %%"],
    ["SELECT %(a)d", "a literal % is written %%"],
    ["SELECT ?, %(a)s", "could take that `?` for a bind variable"],
    ["SELECT '%(a)s'", "inside quotes"],
    ["SELECT * FROM t WHERE id IN (%(empty)s)", "empty list"],
  ])("%s is refused", (sql, message) => {
    expect(() => bindPyformat(sql, params({ a: 1, empty: [] }))).toThrow(message);
  });
});

describe("sqlParam: the driver's literals as typed bindings", () => {
  test.each([
    ["text", "a'b", false, { type: "TEXT", value: "a'b" }],
    ["int", 7, false, { type: "FIXED", value: "7" }],
    ["big int", 2n ** 70n, false, { type: "FIXED", value: "1180591620717411303424" }],
    ["declared float", 2, true, { type: "REAL", value: "2" }],
    ["fraction", 2.5, false, { type: "REAL", value: "2.5" }],
    ["NaN", Number.NaN, true, { type: "REAL", value: "NaN" }],
    ["bool", false, false, { type: "BOOLEAN", value: "false" }],
    ["datetime", new Date(Date.UTC(2024, 1, 3, 4, 5, 6, 7)), false, { type: "TEXT", value: "2024-02-03 04:05:06.007000+00:00" }],
    ["duration", new Duration(90061, 500_000_000), false, { type: "TEXT", value: "25:01:01.500000" }],
    ["negative duration", new Duration(-1), false, { type: "TEXT", value: "-1:59:59" }],
    ["bytes", new Uint8Array([0xab, 1]), false, { type: "BINARY", value: "AB01" }],
  ])("%s", (_, value, asFloat, expected) => {
    expect(sqlParam(value as never, "x", asFloat)).toEqual(expected);
  });

  test("a dict, a file or a list of lists is refused", () => {
    expect(() => sqlParam({ a: 1 }, 'input "d"', false)).toThrow('input "d" cannot be a SQL parameter');
    expect(() => sqlParam([[1]], 'input "l"', false)).toThrow("list in a list");
  });
});

describe("expandBatchQuery (flyte-sdk connector.py:126-181)", () => {
  test("the docstring's example", () => {
    const { query, params: flat } = expandBatchQuery("INSERT INTO t (a, b) VALUES (%(a)s, %(b)s)", { a: [1, 2], b: ["x", "y"] });
    expect(query).toBe("INSERT INTO t (a, b) VALUES (%(a_0)s, %(b_0)s), (%(a_1)s, %(b_1)s)");
    expect([...flat].map(([name, { value }]) => [name, value])).toEqual([["a_0", 1], ["b_0", "x"], ["a_1", 2], ["b_1", "y"]]);
  });

  test("a function call in the clause, and text after it, are kept", () => {
    const { query } = expandBatchQuery("insert into t values (%(a)s, upper(%(b)s)) returning *", { a: [1], b: ["x"] });
    expect(query).toBe("insert into t VALUES (%(a_0)s, upper(%(b_0)s)) returning *");
  });

  test.each([
    [{ a: [] }, "at least one row"],
    [{ a: [1], b: [1, 2] }, "same length"],
    [{ a: "xy" }, "must be lists"],
  ])("refuses %j", (inputs, message) => {
    expect(() => expandBatchQuery("INSERT INTO t VALUES (%(a)s)", inputs as never)).toThrow(message);
  });

  test("no VALUES clause, or two", () => {
    expect(() => expandBatchQuery("SELECT %(a)s", { a: [1] })).toThrow("VALUES (...) clause");
    expect(() => expandBatchQuery("INSERT INTO t VALUES (%(a)s); INSERT INTO u VALUES (%(a)s)", { a: [1] })).toThrow("exactly one");
  });

  test("an unclosed clause fails fast (no exponential backtracking)", () => {
    expect(() => expandBatchQuery(`INSERT INTO t VALUES (${"a ".repeat(5000)}`, { a: [1] })).toThrow("VALUES (...) clause");
  });
});

test("statementsOf splits at ; outside quotes and comments", () => {
  expect(statementsOf("select ';'; -- x;\n select 2;  ;")).toEqual(["select ';'", "select 2"]);
});

test("withoutTrailingComments drops the comments and empty statements after the last statement, nothing else", () => {
  expect(withoutTrailingComments("SELECT 1; -- note")).toBe("SELECT 1;");
  expect(withoutTrailingComments("SELECT 1 -- note\n; ;\n/* end */ // x")).toBe("SELECT 1");
  expect(withoutTrailingComments("SELECT '--;' /* kept */ FROM t")).toBe("SELECT '--;' /* kept */ FROM t");
  expect(withoutTrailingComments('SELECT 1 AS "a;" -- x')).toBe('SELECT 1 AS "a;"');
  expect(withoutTrailingComments("SELECT 1; -- a\nSELECT 2; -- b")).toBe("SELECT 1; -- a\nSELECT 2;");
  expect(withoutTrailingComments("SELECT $$x$$;\n\t")).toBe("SELECT $$x$$;");
});

describe("through the service", () => {
  const keys = makeKeys();
  const fake = useFake(new FakeSnowflake());
  const { service } = makeService();
  beforeEach(() => {
    fake.trust(SUBJECT, keys.publicKey);
    vi.stubEnv("FLYTE_SNOWFLAKE_ENDPOINT", fake.url);
    vi.stubEnv("_FSEC_SNOWFLAKE_PRIVATE_KEY", keys.pem);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const create = (sql: string, values?: Record<string, unknown>) => {
    const template = flytekitTemplate({ sql, inputs: { a: "integer" } });
    const inputs = values ? toLiteralMap(values, template.interface!.inputs!.variables!, "input") : null;
    return service.createTask({ template, inputs, taskExecutionMetadata: executionMetadata() });
  };

  test.each([
    ["PUT file:///tmp/data.csv @stage", "does not run PUT"],
    ["get @stage/x file:///tmp", "does not run GET"],
    ["SELECT 1; PUT file:///x @s", "does not run PUT"],
    ["USE WAREHOUSE other", "runs USE only in a request of several statements"],
    ["ALTER SESSION SET QUERY_TAG = 'x'", "ALTER SESSION"],
    ["BEGIN", "BEGIN"],
    ["commit", "COMMIT and ROLLBACK"],
    ["SET v = 1", "SET and UNSET"],
    ["CREATE OR REPLACE TEMPORARY TABLE t (a int)", "temporary tables and stages"],
    ["  -- only a comment", "empty"],
  ])("%s is INVALID_ARGUMENT before any request", async (sql, message) => {
    const error = await rejection(create(sql));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toContain(message);
    expect(fake.calls).toHaveLength(0);
  });

  test("several statements are one request with MULTI_STATEMENT_COUNT, but never with bindings", async () => {
    await create("BEGIN; INSERT INTO t VALUES (1); COMMIT;");
    expect([...fake.statements.values()][0]!.body["parameters"]).toEqual({ MULTI_STATEMENT_COUNT: "0" });
    const error = await rejection(create("INSERT INTO t VALUES (%(a)s); COMMIT", { a: 1 }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toContain("does not bind variables in a multi-statement request");
  });

  // Both plugins put the task's query on one line, so a trailing `-- comment` ends the request.
  test("a statement with a trailing comment is one statement: sent without it, no MULTI_STATEMENT_COUNT", async () => {
    const meta = await create("SELECT 1; -- the daily check");
    expect(meta.resourceMeta).toBeTruthy();
    const body = [...fake.statements.values()][0]!.body;
    expect(body["statement"]).toBe("SELECT 1;");
    expect(body["parameters"]).toBeUndefined();
  });

  test("a Snowflake Scripting block is not a transaction", async () => {
    await create("BEGIN RETURN 1; END");
    expect(fake.statements.size).toBe(1);
  });

  const { SimpleType } = flyteidl.core;
  const bindingsOf = () => [...fake.statements.values()][0]!.body["bindings"];

  // flytekit connector.py:71 reads a datetime literal to a datetime with its microseconds, and the
  // driver writes all six digits (converter.py, _datetime_to_snowflake: "%Y-%m-%d %H:%M:%S.%f").
  test("a datetime, alone or listed, binds to the microsecond, as the driver writes it", async () => {
    const template = flytekitTemplate({ sql: "SELECT %(t)s, %(ts)s", inputs: { t: "datetime", ts: { collectionType: { simple: SimpleType.DATETIME } } } });
    const datetime = (seconds: number, nanos: number) => ({ scalar: { primitive: { datetime: { seconds, nanos } } } });
    const inputs = new flyteidl.core.LiteralMap({
      literals: { t: datetime(1_704_164_645, 123_456_789), ts: { collection: { literals: [datetime(-1, 5_000), datetime(0, 0)] } } },
    });
    await service.createTask({ template, inputs, taskExecutionMetadata: executionMetadata() });
    expect(bindingsOf()).toEqual({
      "1": { type: "TEXT", value: "2024-01-02 03:04:05.123456+00:00" },
      "2": { type: "TEXT", value: "1969-12-31 23:59:59.000005+00:00" },
      "3": { type: "TEXT", value: "1970-01-01 00:00:00+00:00" },
    });
  });

  // An Optional[float] input (flytekit's union of float and none) is a Python float: REAL, as 2.0 is.
  test("an optional float binds as REAL even when integral", async () => {
    const float = { simple: SimpleType.FLOAT, structure: { tag: "float" } };
    const template = flytekitTemplate({ sql: "SELECT %(f)s", inputs: { f: { unionType: { variants: [float, { simple: SimpleType.NONE, structure: { tag: "none" } }] } } } });
    const inputs = new flyteidl.core.LiteralMap({ literals: { f: { scalar: { union: { value: { scalar: { primitive: { floatValue: 2 } } }, type: float } } } } });
    await service.createTask({ template, inputs, taskExecutionMetadata: executionMetadata() });
    expect(bindingsOf()).toEqual({ "1": { type: "REAL", value: "2" } });
  });

  test("a ? in a comment or a dollar-quoted string is no bind variable", async () => {
    await create("SELECT %(a)s, $$why?$$ /* and? */ -- who?", { a: 1 });
    expect(bindingsOf()).toEqual({ "1": { type: "FIXED", value: "1" } });
  });

  test("an input that is no SQL value is INVALID_ARGUMENT naming it", async () => {
    const template = flytekitTemplate({ sql: "SELECT %(s)s", inputs: { s: { simple: flyteidl.core.SimpleType.STRUCT } } });
    const inputs = new flyteidl.core.LiteralMap({ literals: { s: { scalar: { generic: { fields: { a: { numberValue: 1 } } } } } } });
    const error = await rejection(service.createTask({ template, inputs }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toContain('input "s" cannot be a SQL parameter');
  });
});
