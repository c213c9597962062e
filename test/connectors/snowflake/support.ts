/**
 * Shared by the Snowflake tests: keys, the fake, templates made as the two plugins make them, and
 * calls through the real service.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import type { Connection } from "../../../lib/connector/connector.js";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";
import { SnowflakeConnector } from "../../../lib/connectors/snowflake/connector.js";
import { flyteidl } from "../../../lib/idl/index.js";
import type { JsonObject } from "../../../lib/literals/index.js";
import { type ServiceLogger, ConnectorService } from "../../../lib/service/service.js";
import { executionMetadata, taskTemplate, type TypeSpec } from "../../../lib/testing/index.js";

export interface TestKeys {
  readonly publicKey: KeyObject;
  /** PKCS#8 PEM, as `openssl genrsa … | openssl pkcs8 -topk8 -nocrypt` writes it (Snowflake's set-up). */
  readonly pem: string;
  /** PKCS#8 PEM encrypted with `passphrase` (`openssl pkcs8 -topk8 -v2 aes256`). */
  readonly encryptedPem: string;
  readonly passphrase: string;
  /** PKCS#1 PEM (BEGIN RSA PRIVATE KEY). */
  readonly pkcs1Pem: string;
}

export function makeKeys(): TestKeys {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const passphrase = "correct horse battery staple";
  return {
    publicKey,
    pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    encryptedPem: privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase }).toString(),
    passphrase,
    pkcs1Pem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
  };
}

/** The PEM's base64 body (no armour), the part a leak would show. */
export function pemBody(pem: string): string {
  return pem.split("\n").filter((line) => line !== "" && !line.startsWith("-----")).join("");
}

export const ACCOUNT = "myorg-myaccount";
export const USER = "flyte_user";
/** The JWT subject: ACCOUNT.USER, upper-cased. */
export const SUBJECT = "MYORG-MYACCOUNT.FLYTE_USER";

/** flytekit's StructuredDataset output type (flytekit SnowflakeTask, task.py:67-71: outputs = {"results": output_schema_type}). */
export const STRUCTURED_DATASET: flyteidl.core.ILiteralType = { structuredDatasetType: { format: "" } };

/**
 * flytekit's SnowflakeTask template: `get_config` fills template.config with user, account,
 * database, schema and warehouse (plugins/flytekit-snowflake/flytekitplugins/snowflake/task.py:84-91),
 * `get_sql` the statement with dialect ANSI (task.py:93-95), the query collapsed to single spaces
 * by SQLTask (flytekit/core/base_sql_task.py:44); custom stays empty.
 */
export function flytekitTemplate(options: { sql: string; inputs?: Record<string, TypeSpec>; outputs?: Record<string, TypeSpec>; config?: Record<string, string> }): flyteidl.core.TaskTemplate {
  return taskTemplate({
    type: "snowflake",
    sql: collapse(options.sql),
    config: options.config ?? { user: USER, account: ACCOUNT, database: "analytics", schema: "public", warehouse: "compute_wh" },
    ...(options.inputs ? { inputs: options.inputs } : {}),
    ...(options.outputs ? { outputs: options.outputs } : {}),
  });
}

/**
 * flyte-sdk's Snowflake template: `custom_config` writes account, database, schema, warehouse and
 * user, then `batch: True` when set, `connection_kwargs` when any, and `secrets` naming the env
 * variable of each secret key (plugins/snowflake/src/flyteplugins/snowflake/task.py:104-128); `sql`
 * the statement (task.py:130-132), collapsed to single spaces (task.py:93).
 */
export function flyteSdkTemplate(options: {
  sql: string;
  inputs?: Record<string, TypeSpec>;
  outputs?: Record<string, TypeSpec>;
  batch?: boolean;
  connectionKwargs?: JsonObject;
  schema?: string | null;
  secrets?: boolean;
}): flyteidl.core.TaskTemplate {
  const custom: JsonObject = {
    account: ACCOUNT,
    database: "ANALYTICS",
    ...(options.schema === null ? {} : { schema: options.schema ?? "PUBLIC" }),
    warehouse: "COMPUTE_WH",
    user: USER,
    ...(options.batch ? { batch: true } : {}),
    ...(options.connectionKwargs ? { connection_kwargs: options.connectionKwargs } : {}),
    // task.py:99-102: `_to_env_var` of the secret key given to Snowflake(snowflake_private_key=…).
    ...(options.secrets === false ? {} : { secrets: { snowflake_private_key: "SNOWFLAKE_PRIVATE_KEY", snowflake_private_key_passphrase: "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE" } }),
  };
  return taskTemplate({
    type: "snowflake",
    sql: collapse(options.sql),
    custom,
    ...(options.inputs ? { inputs: options.inputs } : {}),
    ...(options.outputs ? { outputs: options.outputs } : {}),
  });
}

function collapse(sql: string): string {
  return sql.replace(/\n/g, " ").replace(/\t/g, " ").replace(/\s+/g, " ").trim();
}

/**
 * Flyte 2's connection as its executor fills it: `custom.secrets` maps each keyword to a secret
 * name, and the executor sends the secrets' values under the keywords (CONNECTORS.md, conventions).
 */
export function flyte2Connection(keys: TestKeys, encrypted = true): Connection {
  return {
    secrets: encrypted
      ? { snowflake_private_key: keys.encryptedPem, snowflake_private_key_passphrase: keys.passphrase }
      : { snowflake_private_key: keys.pem },
    configs: {},
  };
}

export interface Service {
  readonly service: ConnectorService;
  readonly logged: unknown[][];
}

export function makeService(): Service {
  const logged: unknown[][] = [];
  const logger: ServiceLogger = { error: (...args) => logged.push(args) };
  return { service: new ConnectorService(new ConnectorRegistry().register(new SnowflakeConnector()), { logger }), logged };
}

export const CATEGORY = { name: "snowflake", version: 0 };

export { executionMetadata };
