/** Small connectors that record what they were asked, for driving the adapter through the real service. */
import {
  AsyncConnectorBase,
  SyncConnectorBase,
  type GetParams,
  type LogsParams,
  type MetricsParams,
  type TaskParams,
} from "../../../lib/connector/connector.js";
import { ConnectorError, type StatusCode } from "../../../lib/connector/errors.js";
import { Phase } from "../../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../../lib/connector/registry.js";
import { Resource } from "../../../lib/connector/resource.js";
import { defineResourceMeta, field } from "../../../lib/connector/resource-meta.js";
import { ConnectorService } from "../../../lib/service/service.js";

export const JobMeta = defineResourceMeta("JobMeta", { job_id: field.string() });
export type JobMeta = InstanceType<typeof JobMeta>;

/** Its standard base64 holds both `+` and `/`, so every resource_meta encoding differs from the others. */
export const JOB_ID = "ja?aa>";
export const jobMetaBytes = (jobId = JOB_ID) => new JobMeta({ job_id: jobId }).encode();

/** An async connector with metrics and logs; `seen` holds the arguments of its last calls. */
export class JobConnector extends AsyncConnectorBase<JobMeta> {
  readonly seen: {
    create?: TaskParams;
    get?: { meta: JobMeta; params: GetParams };
    deleted: string[];
    metrics?: MetricsParams;
    logs?: LogsParams;
  } = { deleted: [] };

  constructor(version = 0) {
    super({ name: "Job Connector", taskTypeName: "job", taskTypeVersion: version, metadataType: JobMeta });
  }
  create(params: TaskParams) {
    this.seen.create = params;
    return new JobMeta({ job_id: JOB_ID });
  }
  get(meta: JobMeta, params: GetParams) {
    this.seen.get = { meta, params };
    return new Resource({ phase: Phase.RUNNING, message: `job ${meta.job_id}`, customInfo: { job: meta.job_id, attempt: 1 } });
  }
  delete(meta: JobMeta) {
    this.seen.deleted.push(meta.job_id);
  }
  override getMetrics(_meta: JobMeta, params: MetricsParams) {
    this.seen.metrics = params;
    return { results: [{ metric: "cpu", data: { fields: { peak: { numberValue: 0.5 } } } }] };
  }
  override getLogs(_meta: JobMeta, params: LogsParams) {
    this.seen.logs = params;
    return { token: "page-2", results: ["line 1", "line 2"] };
  }
}

/** Answers its inputs as outputs, like the demo `echo`. */
export class EchoConnector extends SyncConnectorBase {
  constructor() {
    super({ name: "Echo Connector", taskTypeName: "echo" });
  }
  do({ inputs }: TaskParams) {
    return new Resource({ phase: Phase.SUCCEEDED, outputs: inputs ?? {} });
  }
}

export const FailMeta = defineResourceMeta("FailMeta", { code: field.integer() });

/** `get` fails with the gRPC code its meta holds (0: a plain Error, which the service makes INTERNAL). */
export class FailingConnector extends AsyncConnectorBase<InstanceType<typeof FailMeta>> {
  constructor() {
    super({ name: "Failing Connector", taskTypeName: "failing", metadataType: FailMeta });
  }
  create() {
    return new FailMeta({ code: 0 });
  }
  get({ code }: InstanceType<typeof FailMeta>): Resource {
    if (code === 0) throw new Error("boom");
    throw new ConnectorError(Number(code) as StatusCode, `failed on purpose with code ${code}`);
  }
  delete() {}
}

/** Never answers `get` until its deadline signal aborts. */
export class HangingConnector extends AsyncConnectorBase<JobMeta> {
  constructor() {
    super({ name: "Hanging Connector", taskTypeName: "hanging", metadataType: JobMeta });
  }
  create() {
    return new JobMeta({ job_id: JOB_ID });
  }
  get(_meta: JobMeta, { signal }: GetParams) {
    return new Promise<Resource>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  }
  delete() {}
}

/** A fresh service over fresh connectors, so each test reads only its own calls. */
export function testService() {
  const job = new JobConnector();
  const jobV3 = new JobConnector(3);
  const registry = new ConnectorRegistry()
    .register(job)
    .register(jobV3)
    .register(new EchoConnector())
    .register(new FailingConnector())
    .register(new HangingConnector());
  return { service: new ConnectorService(registry, { deadlineMarginMs: 20 }), job, jobV3 };
}
