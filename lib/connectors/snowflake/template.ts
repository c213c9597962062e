/**
 * The task as either plugin writes it. flytekit's SnowflakeTask puts user, account, database,
 * schema and warehouse in `template.config` (flytekit plugins/flytekit-snowflake/flytekitplugins/
 * snowflake/task.py:84-91; its connector reads them at connector.py:73-81); flyte-sdk's Snowflake
 * puts them in `custom`, with `batch`, `connection_kwargs` and `secrets` (flyte-sdk
 * plugins/snowflake/src/flyteplugins/snowflake/task.py:104-128; its connector reads them at
 * connector.py:209-238, schema defaulting to PUBLIC). Both send the query as `sql.statement`.
 */
import { InvalidArgumentError } from "../../connector/errors.js";
import { type JsonValue, PythonFloat, pythonFloat, toPythonJson } from "../../connector/python-json.js";
import { knownSecrets } from "../../connector/redact.js";
import type { flyteidl } from "../../idl/index.js";
import { structToJson } from "../../literals/index.js";
import { isPlainObject } from "../../literals/struct.js";

export type Plugin = "flytekit" | "flyte-sdk";

export interface SnowflakeTask {
  /** Which plugin wrote the template: it decides the meta's shape, the results URI and the log link. */
  readonly plugin: Plugin;
  readonly account: string;
  readonly user: string;
  readonly database: string;
  readonly schema: string;
  readonly warehouse: string;
  /** flyte-sdk's extra driver arguments, numbers as the floats MessageToDict made them ({} for flytekit). */
  readonly connectionKwargs: { readonly [key: string]: JsonValue };
  readonly batch: boolean;
  readonly statement: string;
  /** The interface declares outputs (both connectors: `has_output`). */
  readonly hasOutput: boolean;
}

const FIELDS = ["user", "account", "database", "schema", "warehouse"] as const;

export function readSnowflakeTask(template: flyteidl.core.ITaskTemplate): SnowflakeTask {
  const custom = template.custom ? structToJson(template.custom) : {};
  const statement = template.sql?.statement;
  if (!statement) throw new InvalidArgumentError("The task template has no sql.statement: a Snowflake task is a SQL query.");
  const hasOutput = Object.keys(template.interface?.outputs?.variables ?? {}).length > 0;
  const common = { statement, hasOutput };
  if (Object.keys(custom).length > 0) return { ...fromCustom(custom), ...common };
  const config = template.config ?? {};
  if (Object.keys(config).length > 0) return { ...fromConfig(config), ...common };
  throw new InvalidArgumentError(
    "The task template has no Snowflake settings: flytekit's SnowflakeTask writes them in template.config, flyte-sdk's Snowflake in template.custom.",
  );
}

/** flytekit: `config["user"]`, … — each one required (a KeyError in the Python connector). */
function fromConfig(config: { readonly [key: string]: string }): Omit<SnowflakeTask, "statement" | "hasOutput"> {
  const missing = FIELDS.filter((name) => !config[name]);
  if (missing.length > 0) {
    throw new InvalidArgumentError(`The task's config has no ${missing.map((name) => `"${name}"`).join(", ")}: flytekit's SnowflakeConfig sets them all.`);
  }
  const [user, account, database, schema, warehouse] = FIELDS.map((name) => config[name]!);
  return { plugin: "flytekit", user: user!, account: checkedAccount(account!), database: database!, schema: schema!, warehouse: warehouse!, connectionKwargs: {}, batch: false };
}

/** flyte-sdk: its checks and messages (connector.py:211-221). */
function fromCustom(custom: { readonly [key: string]: unknown }): Omit<SnowflakeTask, "statement" | "hasOutput"> {
  const text = (name: string, fallback?: string): string | undefined => {
    const value = Object.hasOwn(custom, name) ? custom[name] : fallback;
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") throw new InvalidArgumentError(`The task's custom.${name} must be a string.`);
    return value;
  };
  const account = text("account");
  if (!account) throw new InvalidArgumentError("Missing Snowflake account. Set it through task configuration.");
  const [user, database, warehouse] = [text("user"), text("database"), text("warehouse")];
  if (!user || !database || !warehouse) {
    throw new InvalidArgumentError("User, database and warehouse must be specified in the task configuration.");
  }
  const kwargs = custom["connection_kwargs"] ?? {};
  if (typeof kwargs !== "object" || Array.isArray(kwargs)) throw new InvalidArgumentError("The task's custom.connection_kwargs must be an object.");
  return {
    plugin: "flyte-sdk",
    account: checkedAccount(account),
    user,
    database,
    schema: text("schema", "PUBLIC") ?? "PUBLIC",
    warehouse,
    connectionKwargs: asPythonDict(kwargs as Record<string, unknown>) as Record<string, JsonValue>,
    batch: Boolean(custom["batch"]),
  };
}

/** The account is part of the API's host name (`<account>.snowflakecomputing.com`): nothing else may reach it. */
export function isAccountIdentifier(account: string): boolean {
  // Dot-separated parts (a locator's region and cloud), none empty: a host name's labels.
  return /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/.test(account);
}

function checkedAccount(account: string): string {
  if (!isAccountIdentifier(account)) {
    throw new InvalidArgumentError("The Snowflake account must be an account identifier (letters, digits, '-', '_' and '.'), e.g. myorg-myaccount.");
  }
  return account;
}

/**
 * The SQL API's host, as snowflake-connector-python picks it for flyte-sdk's connection_kwargs:
 * their `host` when given (PrivateLink: `<account>.privatelink.snowflakecomputing.com`), else
 * `construct_hostname(region, account)` (util_text.py): `<account>.<region>.snowflakecomputing.com`
 * for a `region` other than us-west-2, `<account>.snowflakecomputing.com` without one. The user's
 * JWT goes to it, so a `host` must be a Snowflake host name. (`port` and `protocol` do not apply:
 * the SQL API is HTTPS on 443.)
 */
export function apiHost(account: string, kwargs: JsonValue | undefined): string {
  const kwarg = (name: string) => (isPlainObject(kwargs) && Object.hasOwn(kwargs, name) ? (kwargs[name] as JsonValue) : undefined);
  const host = kwarg("host");
  if (host !== undefined && host !== null) {
    if (typeof host !== "string" || !SNOWFLAKE_HOST.test(host)) {
      throw new InvalidArgumentError(
        `connection_kwargs host ${JSON.stringify(host)} is not a Snowflake host name (<name>.snowflakecomputing.com, or .cn): ` +
          "the connector sends the user's key-pair JWT to it.",
      );
    }
    return host.toLowerCase();
  }
  const region = kwarg("region");
  if (region === undefined || region === null || region === "" || region === "us-west-2") return `${account}.snowflakecomputing.com`;
  if (typeof region !== "string" || !REGION.test(region)) {
    throw new InvalidArgumentError(`connection_kwargs region ${JSON.stringify(region)} is not a Snowflake region name, e.g. us-east-1.`);
  }
  return `${account.split(".")[0]}.${region}.snowflakecomputing.com`;
}

// Underscores too: an account name may hold them, and Snowflake's URLs keep them.
const LABEL = "[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?";
const SNOWFLAKE_HOST = new RegExp(`^(?:${LABEL}\\.)+snowflakecomputing\\.(?:com|cn)$`, "i");
const REGION = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, "i");

/** A Struct's JSON as Python's MessageToDict gives it: every number a float. */
function asPythonDict(value: unknown): JsonValue {
  if (typeof value === "number") return pythonFloat(value);
  if (Array.isArray(value)) return value.map(asPythonDict);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asPythonDict(item)]));
  }
  return value as JsonValue;
}

/** Driver arguments that hold a credential: never kept in a resource meta. */
const CREDENTIAL_KWARG = /pass|pwd|token|secret|private_key|credential/i;

/**
 * connection_kwargs fit for a resource meta: without the credentials a task may have put there
 * (flyte-sdk would store them in the meta, in etcd). Their values are redacted from messages.
 */
export function kwargsForMeta(kwargs: { readonly [key: string]: JsonValue }): { [key: string]: JsonValue } {
  return Object.fromEntries(
    Object.entries(kwargs).filter(([key, value]) => {
      if (!CREDENTIAL_KWARG.test(key)) return true;
      if (typeof value === "string") knownSecrets.addPassing(value);
      return false;
    }),
  );
}

/**
 * The sign-in a task's connection_kwargs ask the driver for, when it is not key-pair
 * authentication (flyte-sdk passes them to snowflake.connector.connect), described for a message;
 * undefined when they ask for none. The SQL API takes a key-pair JWT here, whatever they say.
 */
export function otherAuthentication(kwargs: { readonly [key: string]: JsonValue }): string | undefined {
  const authenticator = kwargs["authenticator"];
  if (typeof authenticator === "string" && authenticator.toUpperCase() !== "SNOWFLAKE_JWT") return `authenticator "${authenticator}"`;
  const given = ["password", "passcode", "token", "private_key_file"].filter((name) => kwargs[name] !== undefined && kwargs[name] !== null);
  return given.length > 0 ? given.map((name) => `"${name}"`).join(" and ") : undefined;
}

/** What the SQL API request sets besides the statement. */
export interface StatementContext {
  readonly database: string;
  readonly schema: string;
  readonly warehouse: string;
  readonly role?: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * The request's database, schema and warehouse, and from connection_kwargs its role and session
 * parameters (`session_parameters`, `timezone`): the driver's arguments the SQL API has a field
 * for. Transport settings such as timeouts do not apply to it; database, schema and warehouse in
 * connection_kwargs would be a TypeError in flyte-sdk (they are also named arguments there).
 */
export function statementContext(task: Pick<SnowflakeTask, "database" | "schema" | "warehouse" | "connectionKwargs">): StatementContext {
  const kwargs = task.connectionKwargs;
  const parameters: Record<string, string> = {};
  const session = kwargs["session_parameters"];
  if (isPlainObject(session)) {
    for (const [name, value] of Object.entries(session)) parameters[name.toUpperCase()] = parameterText(value as JsonValue);
  }
  if (typeof kwargs["timezone"] === "string") parameters["TIMEZONE"] = kwargs["timezone"];
  const role = typeof kwargs["role"] === "string" ? identifier(kwargs["role"]) : undefined;
  return {
    database: identifier(task.database),
    schema: identifier(task.schema),
    warehouse: identifier(task.warehouse),
    ...(role === undefined ? {} : { role }),
    parameters,
  };
}

function parameterText(value: JsonValue): string {
  if (value instanceof PythonFloat) return String(value.value);
  return typeof value === "string" ? value : toPythonJson(value);
}

/**
 * An identifier as the SQL API's case-sensitive fields want it: the driver's session resolves
 * `compute_wh` as SQL does, to COMPUTE_WH, and `"My WH"` to My WH
 * (https://docs.snowflake.com/en/sql-reference/identifiers-syntax).
 */
function identifier(name: string): string {
  const quoted = /^"(.*)"$/s.exec(name);
  return quoted ? quoted[1]!.replace(/""/g, '"') : name.toUpperCase();
}
