/**
 * The BigQuery connector (`bigquery_query_job_task`): serves the templates and metas of flytekit's
 * and flyte-sdk's BigQuery connectors (plugins/flytekit-bigquery/flytekitplugins/bigquery/connector.py;
 * plugins/bigquery/src/flyteplugins/bigquery/connector.py). create inserts a query job whose id is
 * derived from the task execution id and attempt, so the same attempt's create never starts a
 * second job; get reads the job; delete cancels it.
 */
import { randomUUID } from "node:crypto";
import { AsyncConnectorBase, type CallContext, type DeleteParams, type GetParams, type TaskParams } from "../../connector/connector.js";
import { clientToken, executionKey } from "../../connector/idempotency.js";
import type { Resource } from "../../connector/resource.js";
import { BigQueryClient, type JobReference } from "./client.js";
import { jobResource } from "./job-resource.js";
import { BigQueryMeta, BigQueryMetadata, BigQueryMetadataV2 } from "./meta.js";
import { queryParameters } from "./query-parameters.js";
import { readQueryTask } from "./query-task.js";

export const BIGQUERY_TASK_TYPE = "bigquery_query_job_task";
/** The Python connectors' name. */
export const BIGQUERY_CONNECTOR_NAME = "Bigquery Connector";

/** BigQuery job ids: letters, digits, `_` and `-`, at most 1024 characters. */
const JOB_ID_SHAPE = { maxLength: 1024, allowed: /[A-Za-z0-9_-]/ } as const;

export class BigQueryConnector extends AsyncConnectorBase<BigQueryMeta> {
  constructor() {
    super({ name: BIGQUERY_CONNECTOR_NAME, taskTypeName: BIGQUERY_TASK_TYPE, metadataType: BigQueryMeta });
  }

  async create(params: TaskParams): Promise<BigQueryMeta> {
    const task = readQueryTask(params.taskTemplate);
    const parameters = queryParameters(params.inputs, params.taskTemplate.interface?.inputs?.variables);
    // A Flyte 2 call (only it carries a connection or an action context) or a flyte-sdk template
    // (only it names secrets) gets flyte-sdk's meta and user agent, a Flyte 1 call flytekit's
    // (connector.py:72 and :87), so that the meta reads in the Python connector of its Flyte.
    const flyte2 = params.connection !== undefined || params.actionContext !== undefined || task.namesSecrets;
    const userAgent = `${flyte2 ? "Flyte" : "Flytekit"}/${task.sdkVersion} (GPN:Union;${task.domain})`;
    const key = executionKey(params.taskExecutionMetadata);
    // Without an execution id (a run by hand) each create is a new job; a random id still makes
    // this call's own retries safe.
    const jobId = key === undefined ? `flyte-${randomUUID()}` : clientToken(key, JOB_ID_SHAPE);
    const reference: JobReference = { projectId: task.project, jobId, location: task.location };
    const job = await new BigQueryClient(params, userAgent).insertQueryJob({ reference, query: task.query, parameters }, params);
    // The job's own reference names the location BigQuery chose when the task set none.
    const location = job.jobReference?.location ?? task.location;
    const fields = { job_id: jobId, project: task.project, location };
    return flyte2 ? new BigQueryMetadataV2({ ...fields, user_agent: userAgent }) : new BigQueryMetadata(fields);
  }

  async get(meta: BigQueryMeta, params: GetParams): Promise<Resource> {
    return jobResource(await client(meta, params).getJob(reference(meta), params), meta);
  }

  async delete(meta: BigQueryMeta, params: DeleteParams): Promise<void> {
    await client(meta, params).cancelJob(reference(meta), params);
  }
}

function client(meta: BigQueryMeta, context: CallContext): BigQueryClient {
  return new BigQueryClient(context, "user_agent" in meta ? meta.user_agent : undefined);
}

function reference(meta: BigQueryMeta): JobReference {
  return { projectId: meta.project, jobId: meta.job_id, location: meta.location };
}
