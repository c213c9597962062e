/**
 * The `snowflake` connector: flytekit's and flyte-sdk's SnowflakeConnector on Snowflake's SQL API.
 * create submits the task's query asynchronously, get maps the statement's status to a phase (and,
 * when the task declares outputs, answers `results` as the plugin does), delete cancels it.
 */
import { AsyncConnectorBase, type CallContext, type GetParams, type TaskParams } from "../../connector/connector.js";
import { FailedPreconditionError, InvalidArgumentError, TaskFailedError, UnavailableError } from "../../connector/errors.js";
import { executionKey, uuidV5 } from "../../connector/idempotency.js";
import { Phase } from "../../connector/phase.js";
import { type LogLink, Resource } from "../../connector/resource.js";
import { SecretNotFoundError } from "../../connector/secrets.js";
import { flyteidl } from "../../idl/index.js";
import { LiteralConversionError, literalMapToPlain, type PlainValue, StructuredDataset } from "../../literals/index.js";
import { pythonOutputs } from "../../literals/python.js";
import { SnowflakeClient, type StatementAnswer, type StatementRequest } from "./client.js";
import { PRIVATE_KEY_SECRET } from "./jwt.js";
import {
  FlyteSdkSnowflakeMetadata,
  FlytekitSnowflakeMetadata,
  isFlyteSdkMeta,
  SnowflakeJobMetadata,
  type SnowflakeMetadata,
} from "./meta.js";
import { expandBatchQuery } from "./sql/batch.js";
import { type SqlParam, sqlParam } from "./sql/params.js";
import { bindPyformat } from "./sql/pyformat.js";
import { checkStatements, withoutTrailingComments } from "./sql/statements.js";
import {
  apiHost,
  isAccountIdentifier,
  kwargsForMeta,
  otherAuthentication,
  readSnowflakeTask,
  type SnowflakeTask,
  statementContext,
} from "./template.js";

export const SNOWFLAKE_TASK_TYPE = "snowflake";

export class SnowflakeConnector extends AsyncConnectorBase<SnowflakeMetadata> {
  constructor() {
    super({ name: "Snowflake Connector", taskTypeName: SNOWFLAKE_TASK_TYPE, metadataType: SnowflakeJobMetadata });
  }

  async create(params: TaskParams): Promise<SnowflakeMetadata> {
    const task = readSnowflakeTask(params.taskTemplate);
    const body = statementRequest(task, params);
    const host = apiHost(task.account, task.connectionKwargs);
    const client = await SnowflakeClient.connect(task.account, task.user, host, params).catch((error: unknown) => {
      throw keyNeeded(task, error);
    });
    const key = executionKey(params.taskExecutionMetadata);
    const response = await client.submit(body, key === undefined ? undefined : uuidV5(key), params);
    const handle = response.body?.statementHandle;
    if (typeof handle !== "string" || !QUERY_ID.test(handle)) {
      if (response.status === 408 || response.status === 422) throw new TaskFailedError(`Snowflake refused the statement: ${failureMessage(response.body)}`);
      throw new UnavailableError(`Snowflake answered the submit (HTTP ${response.status}) without a statement handle.`);
    }
    return metaFor(task, handle);
  }

  async get(meta: SnowflakeMetadata, params: GetParams): Promise<Resource> {
    const client = await metaClient(meta, params);
    const { status, body } = await client.status(checkedQueryId(meta), params);
    const sdk = isFlyteSdkMeta(meta);
    const logLinks = [queryLink(meta)];
    switch (status) {
      case 200: {
        const outputs = meta.has_output ? pythonOutputs({ results: new StructuredDataset(resultsUri(meta)) }) : null;
        return new Resource({ phase: Phase.SUCCEEDED, message: sdk ? "SUCCESS" : "", logLinks, outputs });
      }
      case 202:
        return new Resource({ phase: Phase.RUNNING, message: sdk ? "RUNNING" : "", logLinks });
      case 408:
        return new Resource({ phase: Phase.FAILED, message: `Snowflake cancelled the statement at its timeout: ${failureMessage(body)}`, logLinks });
      case 422:
        return new Resource({ phase: Phase.FAILED, message: failureMessage(body), logLinks });
      default:
        throw new UnavailableError(`Snowflake answered the statement's status with HTTP ${status}, which the SQL API does not document.`);
    }
  }

  async delete(meta: SnowflakeMetadata, params: CallContext): Promise<void> {
    const client = await metaClient(meta, params);
    await client.cancel(checkedQueryId(meta), params);
  }
}

/** Snowflake query ids are UUIDs; anything else in a meta must not reach a URL path. */
const QUERY_ID = /^[A-Za-z0-9-]{1,100}$/;

function checkedQueryId(meta: SnowflakeMetadata): string {
  if (!QUERY_ID.test(meta.query_id)) throw new InvalidArgumentError("The resource meta's query_id is not a Snowflake query id.");
  return meta.query_id;
}

/**
 * A task that signs in another way (flyte-sdk: "password authentication or other auth methods, pass
 * them via connection_kwargs") and has no key: say why its way is not taken, not only that the key
 * is missing.
 */
function keyNeeded(task: SnowflakeTask, error: unknown): unknown {
  const other = otherAuthentication(task.connectionKwargs);
  if (!(error instanceof SecretNotFoundError) || error.key !== PRIVATE_KEY_SECRET || other === undefined) return error;
  return new FailedPreconditionError(
    `The task's connection_kwargs ask for another sign-in (${other}), which the Snowflake SQL API this connector calls does ` +
      `not take: it signs in with key-pair authentication. Register an RSA public key for user ${task.user} and give its ` +
      `private key as the secret "${PRIVATE_KEY_SECRET}". ${error.message}`,
    { cause: error },
  );
}

/** A client for the meta's account and host, checked as create checks the task's: the JWT goes there. */
function metaClient(meta: SnowflakeMetadata, params: CallContext): Promise<SnowflakeClient> {
  if (!isAccountIdentifier(meta.account)) throw new InvalidArgumentError("The resource meta's account is not a Snowflake account identifier.");
  const host = apiHost(meta.account, isFlyteSdkMeta(meta) ? meta.connection_kwargs : undefined);
  return SnowflakeClient.connect(meta.account, meta.user, host, params);
}

/** The SQL API request for the task: its statement with the inputs bound, and its context. */
function statementRequest(task: SnowflakeTask, params: TaskParams): StatementRequest {
  const variables = params.taskTemplate.interface?.inputs?.variables ?? {};
  const values = inputValues(params.inputs, variables);
  let query = task.statement;
  let sqlParams: Map<string, SqlParam> | undefined;
  const isFloat = (input: string) => declaresFloat(variables[input]?.type);
  if (values && task.batch) {
    // flyte-sdk: `if batch and inputs: _expand_batch_query(query, inputs)` (connector.py:243-245).
    const expanded = expandBatchQuery(query, values);
    query = expanded.query;
    sqlParams = new Map([...expanded.params].map(([name, { input, value }]) => [name, sqlParam(value, `input "${input}"`, isFloat(input))]));
  } else if (values) {
    sqlParams = new Map(Object.entries(values).map(([name, value]) => [name, sqlParam(value, `input "${name}"`, isFloat(name))]));
  }
  const { statement, bindings } = bindPyformat(query, sqlParams);
  const bound = Object.keys(bindings).length > 0;
  const statements = checkStatements(statement, bound);
  const { parameters, ...context } = statementContext(task);
  // A request of several statements must say so; 0 lets Snowflake count them.
  const allParameters = statements.length > 1 && !("MULTI_STATEMENT_COUNT" in parameters) ? { ...parameters, MULTI_STATEMENT_COUNT: "0" } : parameters;
  return {
    statement: withoutTrailingComments(statement),
    ...context,
    ...(bound ? { bindings } : {}),
    ...(Object.keys(allParameters).length > 0 ? { parameters: allParameters } : {}),
  };
}

/** The inputs as the SDKs hand them to the driver, or undefined when there are none (flytekit: `if inputs.literals else None`). */
function inputValues(
  inputs: flyteidl.core.ILiteralMap | null | undefined,
  variables: Readonly<Record<string, flyteidl.core.IVariable>>,
): Record<string, PlainValue> | undefined {
  if (!inputs?.literals || Object.keys(inputs.literals).length === 0) return undefined;
  try {
    return literalMapToPlain(inputs, variables);
  } catch (error) {
    if (error instanceof LiteralConversionError) throw new InvalidArgumentError(error.message, { cause: error });
    throw error;
  }
}

/**
 * A float input (or list of floats, either optional): its integral values still bind as REAL, as
 * Python's floats do.
 */
function declaresFloat(type: flyteidl.core.ILiteralType | null | undefined): boolean {
  const value = withoutNone(type);
  const element = withoutNone(value?.collectionType) ?? value;
  return element?.simple === flyteidl.core.SimpleType.FLOAT;
}

/** Optional[T] (a union of T and none) as T; any other type as it is. */
function withoutNone(type: flyteidl.core.ILiteralType | null | undefined): flyteidl.core.ILiteralType | null | undefined {
  const others = type?.unionType?.variants?.filter((variant) => variant.simple !== flyteidl.core.SimpleType.NONE);
  return others?.length === 1 ? others[0] : type;
}

function metaFor(task: SnowflakeTask, queryId: string): SnowflakeMetadata {
  const { account, user, database, schema, warehouse, hasOutput } = task;
  const common = { account, user, database, schema, warehouse, query_id: queryId, has_output: hasOutput };
  return task.plugin === "flyte-sdk"
    ? new FlyteSdkSnowflakeMetadata({ ...common, connection_kwargs: kwargsForMeta(task.connectionKwargs) })
    : new FlytekitSnowflakeMetadata(common);
}

/** Snowflake's message and SQL state of a failure answer. */
function failureMessage(body: StatementAnswer | undefined): string {
  const message = typeof body?.message === "string" && body.message !== "" ? body.message : "no message";
  return typeof body?.sqlState === "string" && body.sqlState !== "" ? `${message} (SQL state ${body.sqlState})` : message;
}

/** The results' structured dataset URI, as each plugin writes it (flytekit connector.py:115, flyte-sdk connector.py:328-331). */
function resultsUri(meta: SnowflakeMetadata): string {
  const { user, account, warehouse, database, schema, query_id } = meta;
  const separator = isFlyteSdkMeta(meta) ? "/" : ":";
  return `snowflake://${user}${separator}${account}/${warehouse}/${database}/${schema}/${query_id}`;
}

/** The query's page in Snowsight, as each plugin links it (flytekit connector.py:138-148, flyte-sdk connector.py:102-123). */
function queryLink(meta: SnowflakeMetadata): LogLink {
  const path = `/#/compute/history/queries/${meta.query_id}/detail`;
  if (isFlyteSdkMeta(meta)) {
    const dash = meta.account.indexOf("-");
    const base = dash === -1 ? meta.account : `${meta.account.slice(0, dash)}/${meta.account.slice(dash + 1)}`;
    // A dashboard for Flyte 2, as flyte-sdk's connector marks it (connector.py:300-305).
    return { name: "Snowflake Dashboard", uri: `https://app.snowflake.com/${base}${path}`, linkType: "dashboard" };
  }
  const [account, region = ""] = meta.account.split("-");
  return { name: "Snowflake Query Details", uri: `https://app.snowflake.com/${region}/${account}${path}` };
}
