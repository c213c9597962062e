import { describe, expect, test } from "vitest";
import { AsyncConnectorBase, SyncConnectorBase, type GetParams, type TaskParams } from "../../lib/connector/connector.js";
import { Phase } from "../../lib/connector/phase.js";
import { PlatformClient } from "../../lib/connector/platform-client.js";
import { Resource } from "../../lib/connector/resource.js";
import { defineResourceMeta, field } from "../../lib/connector/resource-meta.js";
import { getSecret } from "../../lib/connector/secrets.js";
import { EchoConnector } from "../../lib/connectors/echo.js";
import { structToJson } from "../../lib/literals/index.js";
import {
  PlatformFake,
  TaskRunFailedError,
  executionMetadata,
  runConnector,
  taskTemplate,
} from "../../lib/testing/index.js";

/** A platform whose jobs finish after a number of polls, driven by the test. */
class CountingPlatform extends PlatformFake {
  readonly jobs = new Map<string, { polls: number; token: string | undefined }>();
  constructor() {
    super();
    this.route("POST", "/jobs", ({ json, headers }) => {
      const id = `job-${this.jobs.size + 1}`;
      this.jobs.set(id, { polls: 0, token: headers.authorization });
      return { json: { id, echo: json } };
    });
    this.route("GET", "/jobs/{id}", ({ params }) => {
      const job = this.jobs.get(params["id"]!);
      return job ? { json: { id: params["id"], done: job.polls >= 2 } } : this.error(404, "no such job");
    });
    this.route("POST", "/jobs/{id}/cancel", () => ({ json: {} }));
  }
}

const JobMeta = defineResourceMeta("JobMeta", { job_id: field.string(), base_url: field.string() });
type JobMeta = InstanceType<typeof JobMeta>;

class CountingConnector extends AsyncConnectorBase<JobMeta> {
  constructor() {
    super({ name: "Counting Connector", taskTypeName: "counting", metadataType: JobMeta });
  }
  client(baseUrl: string, token: string) {
    return new PlatformClient({ platform: "Counting", baseUrl, auth: () => ({ authorization: `Bearer ${token}` }) });
  }
  async create(params: TaskParams) {
    const custom = structToJson(params.taskTemplate.custom ?? {});
    const token = await getSecret("counting_token", params);
    const { body } = await this.client(String(custom["url"]), token).request<{ id: string }>(
      { method: "POST", path: "/jobs", json: custom, action: "submit" },
      params,
    );
    return new JobMeta({ job_id: body.id, base_url: String(custom["url"]) });
  }
  async get(meta: JobMeta, params: GetParams) {
    const token = await getSecret("counting_token", params);
    const { body } = await this.client(meta.base_url, token).request<{ done: boolean }>({ path: `/jobs/${meta.job_id}`, action: "read" }, params);
    return new Resource({ phase: body.done ? Phase.SUCCEEDED : Phase.RUNNING, outputs: body.done ? { job: meta.job_id } : null });
  }
  delete() {}
}

describe("the test kit", () => {
  test("runs a sync connector's do with plain inputs and reads plain outputs", async () => {
    const template = taskTemplate({ type: "echo", inputs: { n: "integer", s: "string" }, outputs: { n: "integer", s: "string" } });
    const result = await runConnector(new EchoConnector(), { template, inputs: { n: 3, s: "x" } });
    expect(result.phase).toBe(Phase.SUCCEEDED);
    expect(result.outputs).toEqual({ n: 3, s: "x" });
  });

  test("without outputs, a template leaves them undeclared: plain outputs take their values' types, as with run --type", async () => {
    class Greeter extends SyncConnectorBase {
      constructor() {
        super({ name: "Greeter", taskTypeName: "greet" });
      }
      do() {
        return new Resource({ phase: Phase.SUCCEEDED, outputs: { greeting: "hello", count: 2 } });
      }
    }
    const template = taskTemplate({ type: "greet" });
    expect(template.interface?.outputs).toBeUndefined();
    const result = await runConnector(new Greeter(), { template });
    expect(result.outputs).toEqual({ greeting: "hello", count: 2 });
    expect(result.outputLiterals?.literals?.["count"]?.scalar?.primitive?.integer).toBe(2);
    // `{}` still declares that there are none.
    await expect(runConnector(new Greeter(), { template: taskTemplate({ type: "greet", outputs: {} }) })).rejects.toThrow(
      'output "greeting" is not declared in the task\'s interface (declared: none)',
    );
  });

  test("runs create → get… against a platform fake, driving each poll, with Flyte 2's connection", async () => {
    const platform = await new CountingPlatform().start();
    try {
      const template = taskTemplate({ type: "counting", custom: { url: platform.url, size: 4 }, outputs: { job: "string" } });
      const seen: number[] = [];
      const result = await runConnector(new CountingConnector(), {
        template,
        taskExecutionMetadata: executionMetadata({ retryAttempt: 1 }),
        connection: { secrets: { counting_token: "kit-token" }, configs: {} },
        beforePoll: (poll) => {
          seen.push(poll);
          for (const job of platform.jobs.values()) job.polls += 1;
        },
      });
      expect(result.outputs).toEqual({ job: "job-1" });
      expect(seen).toEqual([1, 2]);
      expect(platform.callsTo("GET /jobs/job-1")).toHaveLength(3);
      expect(platform.jobs.get("job-1")?.token).toBe("Bearer kit-token");
      expect(platform.callsTo("POST /jobs")[0]?.json).toEqual({ url: platform.url, size: 4 });
    } finally {
      await platform.stop();
    }
  });

  test("a task that ends FAILED rejects with its phase and message", async () => {
    const platform = await new CountingPlatform().start();
    try {
      platform.fault({ route: "GET /jobs", status: 404, body: { message: "job vanished" } });
      const run = runConnector(new CountingConnector(), {
        template: taskTemplate({ type: "counting", custom: { url: platform.url } }),
        connection: { secrets: { counting_token: "kit-token" }, configs: {} },
      });
      await expect(run).rejects.toBeInstanceOf(TaskRunFailedError);
      await expect(run).rejects.toMatchObject({ phase: Phase.FAILED, taskMessage: "Counting could not read: HTTP 404: job vanished" });
    } finally {
      await platform.stop();
    }
  });
});
