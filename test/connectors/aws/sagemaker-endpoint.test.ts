/**
 * The sagemaker-endpoint connector against the SageMaker fake. Templates as the plugin writes
 * them: SageMakerEndpointTask.get_custom returns {"config", "region"} (flytekitplugins/
 * awssagemaker_inference/task.py:104-105, flytekit v1.16.24 e96c720), and create_sagemaker_deployment
 * names the endpoint `<name>-{idempotence_token}` and its config `...-{inputs.idempotence_token}`
 * (workflow.py:41-45, 95-96), with the previous node's token as input `idempotence_token`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FailedPreconditionError, InvalidArgumentError, TaskFailedError, UnavailableError } from "../../../lib/connector/errors.js";
import { Phase } from "../../../lib/connector/phase.js";
import { TaskCategory } from "../../../lib/connector/task-category.js";
import { SageMakerEndpointMetadata } from "../../../lib/connectors/aws/meta.js";
import { SageMakerEndpointConnector } from "../../../lib/connectors/aws/sagemaker-endpoint.js";
import { literalMapToPlain } from "../../../lib/literals/index.js";
import { runConnector, TaskRunFailedError, taskTemplate } from "../../../lib/testing/index.js";
import { SECRET_ACCESS_KEY, stubAwsEnv } from "./aws-env.js";
import { ACCOUNT, SageMakerFake } from "./fake.js";
import { taskParams } from "../../../lib/connector/task-params.js";
import { useFake } from "../../support/use-fake.js";

const fake = useFake(new SageMakerFake());
const connector = new SageMakerEndpointConnector();

beforeEach(() => {
  fake.endpoints.clear();
  fake.statusesOnCreate = ["Creating", "Creating", "InService"];
  stubAwsEnv({ AWS_ENDPOINT_URL_SAGEMAKER: fake.url });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** The endpoint task of create_sagemaker_deployment("xgboost", ..., region="us-east-2"). */
const template = (config: Record<string, unknown> = { EndpointName: "xgboost-{idempotence_token}", EndpointConfigName: "{inputs.endpoint_config_name}-{inputs.idempotence_token}" }, region: string | null = "us-east-2") =>
  taskTemplate({
    type: "sagemaker-endpoint",
    custom: { config, region } as never,
    inputs: { endpoint_config_name: "string", idempotence_token: "string" },
    outputs: { result: "struct" },
  });
const inputs = { endpoint_config_name: "xgboost-config", idempotence_token: "432aa64034f37edb" };
const context = () => ({ signal: new AbortController().signal, taskCategory: new TaskCategory("sagemaker-endpoint", 0), outputPrefix: "" });

describe("sagemaker-endpoint", () => {
  it("creates the endpoint, polls it to InService and answers its ARN", async () => {
    const result = await runConnector(connector, { template: template(), inputs });
    const name = [...fake.endpoints.keys()][0]!;
    expect(name).toMatch(/^xgboost-[0-9a-f]{16}$/);
    expect(result.outputs).toEqual({ result: { EndpointArn: `arn:aws:sagemaker:us-east-2:${ACCOUNT}:endpoint/${name}` } });
    expect(fake.operations).toEqual(["CreateEndpoint", "DescribeEndpoint", "DescribeEndpoint", "DescribeEndpoint"]);
    const create = fake.callsTo("POST /")[0]!;
    expect(create.json).toEqual({ EndpointName: name, EndpointConfigName: "xgboost-config-432aa64034f37edb" });
    expect(create.headers["authorization"]).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-2\/sagemaker\/aws4_request/);
  });

  it("writes a JSON meta with the endpoint's filled name (flytekit's is pickled, so not shared)", async () => {
    const meta = await connector.create(taskParams({ ...context(), taskTemplate: template(), inputs: (await import("../../../lib/literals/index.js")).toLiteralMap(inputs, template().interface!.inputs!.variables, "input"), outputPrefix: "" }));
    const name = [...fake.endpoints.keys()][0]!;
    expect(new TextDecoder().decode(meta.encode())).toBe(`{"endpoint_name": "${name}", "region": "us-east-2"}`);
  });

  it("treats an endpoint that already exists as the one it created (a retried CreateTask)", async () => {
    const meta1 = await connector.create(taskParams({ ...context(), taskTemplate: template({ EndpointName: "fixed", EndpointConfigName: "cfg" }), outputPrefix: "" }));
    const meta2 = await connector.create(taskParams({ ...context(), taskTemplate: template({ EndpointName: "fixed", EndpointConfigName: "cfg" }), outputPrefix: "" }));
    expect(meta2.endpoint_name).toBe(meta1.endpoint_name);
    expect(fake.calls.map((call) => call.status)).toEqual([200, 400]);
    expect(fake.endpoints.size).toBe(1);
  });

  // connector.py's create_endpoint goes through boto3_mixin: botocore's ParamValidator refuses
  // the config before any request (botocore/validate.py _validate_structure, botocore 1.43.11).
  it("refuses, with INVALID_ARGUMENT and no request, a config botocore would refuse", async () => {
    const error = await connector
      .create(taskParams({ ...context(), taskTemplate: template({ EndpointName: "fixed", EndpointConfigName: "cfg", Tagz: [], Tags: [{ Key: "k" }] }), outputPrefix: "" }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(
      'SageMaker could not create the endpoint: Parameter validation failed:\nUnknown parameter in input: "Tagz", must be one of: EndpointName, EndpointConfigName, DeploymentConfig, Tags\nMissing required parameter in Tags[0]: "Value"',
    );
    expect(fake.calls).toEqual([]);
  });

  const phases: ReadonlyArray<readonly [string, Phase]> = [
    ["OutOfService", Phase.FAILED],
    ["Creating", Phase.RUNNING],
    ["Updating", Phase.RUNNING],
    ["SystemUpdating", Phase.RUNNING],
    ["RollingBack", Phase.RUNNING],
    ["InService", Phase.SUCCEEDED],
    ["Deleting", Phase.FAILED],
    ["Failed", Phase.FAILED],
    ["UpdateRollbackFailed", Phase.FAILED],
  ];
  it.each(phases)("maps EndpointStatus %s to %s", async (status, phase) => {
    fake.statusesOnCreate = [status];
    const meta = await connector.create(taskParams({ ...context(), taskTemplate: template({ EndpointName: "ep", EndpointConfigName: "cfg" }), outputPrefix: "" }));
    fake.endpoints.get("ep")!.failureReason = "Image not found";
    const resource = await connector.get(meta, context());
    expect(resource.phase).toBe(phase);
    expect(resource.message).toContain(`Endpoint ep is ${status}`);
    if (status === "Failed") expect(resource.message).toBe("Endpoint ep is Failed: Image not found");
    if (phase === Phase.SUCCEEDED) expect(resource.outputs).not.toBeNull();
    else expect(resource.outputs).toBeNull();
  });

  it("keeps waiting on a status it does not know, saying so, as the other connectors do", async () => {
    fake.statusesOnCreate = ["Hibernating", "InService"];
    const meta = await connector.create(taskParams({ ...context(), taskTemplate: template({ EndpointName: "ep", EndpointConfigName: "cfg" }), outputPrefix: "" }));
    const waiting = await connector.get(meta, context());
    expect(waiting.phase).toBe(Phase.RUNNING);
    expect(waiting.message).toBe('Endpoint ep is "Hibernating", a status this connector does not know; still waiting.');
    expect((await connector.get(meta, context())).phase).toBe(Phase.SUCCEEDED);
  });

  it("answers a DescribeEndpoint without a status as UNAVAILABLE, never a phase", async () => {
    fake.statusesOnCreate = [""];
    const meta = await connector.create(taskParams({ ...context(), taskTemplate: template({ EndpointName: "ep", EndpointConfigName: "cfg" }), outputPrefix: "" }));
    await expect(connector.get(meta, context())).rejects.toThrow(UnavailableError);
  });

  it("fails the task when the endpoint is gone, as connector.py does", async () => {
    const meta = new SageMakerEndpointMetadata({ endpoint_name: "gone", region: "us-east-1" });
    await expect(connector.get(meta, context())).rejects.toThrow(TaskFailedError);
    await expect(connector.get(meta, context())).rejects.toThrow(/no endpoint "gone".*resource limit/);
  });

  it("deletes the endpoint, idempotently", async () => {
    const meta = await connector.create(taskParams({ ...context(), taskTemplate: template({ EndpointName: "ep", EndpointConfigName: "cfg" }), outputPrefix: "" }));
    await connector.delete(meta, context());
    await connector.delete(meta, context());
    expect(fake.operations).toEqual(["CreateEndpoint", "DeleteEndpoint", "DeleteEndpoint"]);
    expect(fake.endpoints.size).toBe(0);
  });

  it("refuses a config SageMaker refuses, at create", async () => {
    await expect(connector.create(taskParams({ ...context(), taskTemplate: template({ EndpointName: "bad_name!", EndpointConfigName: "cfg" }), outputPrefix: "" }))).rejects.toThrow(
      /SageMaker could not create the endpoint: ValidationException: 1 validation error/,
    );
  });

  it("needs a region and an endpoint name", async () => {
    await expect(connector.create(taskParams({ ...context(), taskTemplate: template({ EndpointName: "ep", EndpointConfigName: "c" }, null), outputPrefix: "" }))).rejects.toThrow(/Region parameter is required/);
    await expect(connector.create(taskParams({ ...context(), taskTemplate: template({ EndpointConfigName: "c" }), outputPrefix: "" }))).rejects.toThrow(/EndpointName/);
    // A region the SDK will not make a host name of is the template's fault, not SageMaker's.
    await expect(connector.create(taskParams({ ...context(), taskTemplate: template({ EndpointName: "ep", EndpointConfigName: "c" }, "us_east_2!"), outputPrefix: "" }))).rejects.toThrow(InvalidArgumentError);
    expect(fake.calls).toEqual([]);
  });

  describe("faults", () => {
    const meta = () => connector.create(taskParams({ ...context(), taskTemplate: template({ EndpointName: "ep", EndpointConfigName: "cfg" }), outputPrefix: "" }));

    it("retries throttling (400 ThrottlingException) and 5xx, then succeeds", async () => {
      const created = await meta();
      fake.fault({ status: 429, times: 1 }).fault({ status: 503, times: 1 });
      const resource = await connector.get(created, context());
      expect(resource.phase).toBe(Phase.RUNNING);
      expect(fake.calls.slice(1).map((call) => call.status)).toEqual([400, 503, 200]);
    });

    it("answers UNAVAILABLE when throttling outlasts the retries", async () => {
      const created = await meta();
      fake.fault({ status: 429, times: Infinity });
      await expect(connector.get(created, context())).rejects.toThrow(/SageMaker could not describe the endpoint: ThrottlingException: Rate exceeded/);
      await expect(connector.get(created, context())).rejects.toThrow(UnavailableError);
    });

    it("answers UNAVAILABLE for a malformed answer", async () => {
      const created = await meta();
      fake.fault({ malformed: true, times: Infinity });
      await expect(connector.get(created, context())).rejects.toThrow(UnavailableError);
    });

    it("answers UNAVAILABLE before the call's deadline when SageMaker does not answer", async () => {
      const created = await meta();
      fake.fault({ delayMs: 3_000, times: Infinity });
      const deadline = Date.now() + 800;
      const error = await connector.get(created, { ...context(), deadline }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as Error).message).toMatch(/no answer before the call's deadline/);
    });

    // A stuck attempt is given up after the clients' 10 s requestTimeout and sent again, rather
    // than held until the deadline (node-http-handler 4.x only warns unless throwOnRequestTimeout).
    it("gives up an attempt that gets no answer in 10 s and sends it again", { timeout: 30_000 }, async () => {
      const created = await meta();
      const before = fake.calls.length;
      fake.fault({ delayMs: 60_000, times: 1 });
      const resource = await connector.get(created, { ...context(), deadline: Date.now() + 20_000 });
      expect(resource.phase).toBe(Phase.RUNNING);
      expect(fake.calls.length - before).toBe(2);
    });

    it("answers FAILED_PRECONDITION when AWS refuses the credentials, quoting no secret", async () => {
      const created = await meta();
      fake.fault({ status: 403, body: { __type: "UnrecognizedClientException", message: "The security token included in the request is invalid." } });
      const error = await connector.get(created, context()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FailedPreconditionError);
      expect((error as Error).message).toMatch(/UnrecognizedClientException.*permissions of the function's role/);
      expect((error as Error).message).not.toContain(SECRET_ACCESS_KEY);
    });
  });

  it("a failed endpoint ends the run FAILED with SageMaker's reason", async () => {
    fake.statusesOnCreate = ["Creating", "Failed"];
    const run = runConnector(connector, {
      template: template({ EndpointName: "ep", EndpointConfigName: "cfg" }),
      beforePoll: () => {
        const endpoint = fake.endpoints.get("ep");
        if (endpoint) endpoint.failureReason = "Insufficient capacity";
      },
    });
    const error = await run.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TaskRunFailedError);
    expect((error as Error).message).toContain("Insufficient capacity");
  });

  it("answers the result as flytekit's dict output: msgpack", async () => {
    fake.statusesOnCreate = ["InService"];
    const meta = await connector.create(taskParams({ ...context(), taskTemplate: template({ EndpointName: "ep", EndpointConfigName: "cfg" }), outputPrefix: "" }));
    const resource = await connector.get(meta, context());
    const literal = (resource.outputs as { literals: Record<string, { scalar?: { binary?: { tag?: string } } }> }).literals["result"]!;
    expect(literal.scalar?.binary?.tag).toBe("msgpack");
    expect(literalMapToPlain(resource.outputs as never)).toEqual({ result: { EndpointArn: `arn:aws:sagemaker:us-east-2:${ACCOUNT}:endpoint/ep` } });
  });
});
