/**
 * flytekit's SageMakerEndpointConnector (task type `sagemaker-endpoint`, async): creates a SageMaker
 * endpoint and polls it until it is in service
 * (plugins/flytekit-aws-sagemaker/flytekitplugins/awssagemaker_inference/connector.py). The config
 * is filled as boto3_mixin fills it, so `{idempotence_token}` names the endpoint as flytekit would:
 * a CreateTask that reaches AWS again (a retried call) finds the endpoint it created ("Cannot
 * create already existing") and carries on with it, as flytekit does.
 */
import { AsyncConnectorBase, type CallContext, type GetParams, type TaskParams } from "../../connector/connector.js";
import { InvalidArgumentError, TaskFailedError, UnavailableError } from "../../connector/errors.js";
import { Phase } from "../../connector/phase.js";
import { requirePackage } from "../../connector/require-package.js";
import { Resource } from "../../connector/resource.js";
import { pythonOutputs } from "../../literals/python.js";
import { coerceInput } from "./coerce-input.js";
import { numbersAsFloats, readCustom, requiredObject } from "./custom.js";
import { AwsApiError } from "./errors.js";
import { prepareCall } from "./format-config.js";
import { SageMakerEndpointMetadata } from "./meta.js";
import { createClient, send } from "./sdk.js";
import type { AwsSdkClient, ClientClass } from "./services.js";

export const SAGEMAKER_ENDPOINT_TASK_TYPE = "sagemaker-endpoint";
const SERVICE = "SageMaker";

/**
 * Every EndpointStatus SageMaker documents (DescribeEndpoint), as a phase. Those still moving
 * toward InService run; those that leave the endpoint unusable until someone acts fail.
 */
const PHASES: Readonly<Record<string, Phase>> = {
  Creating: Phase.RUNNING,
  Updating: Phase.RUNNING,
  SystemUpdating: Phase.RUNNING,
  RollingBack: Phase.RUNNING,
  InService: Phase.SUCCEEDED,
  OutOfService: Phase.FAILED,
  Deleting: Phase.FAILED,
  Failed: Phase.FAILED,
  UpdateRollbackFailed: Phase.FAILED,
};

interface Endpoint {
  readonly EndpointArn?: string;
  readonly EndpointStatus?: string;
  readonly FailureReason?: string;
}

export class SageMakerEndpointConnector extends AsyncConnectorBase<SageMakerEndpointMetadata> {
  constructor() {
    super({ taskTypeName: SAGEMAKER_ENDPOINT_TASK_TYPE, name: "SageMaker Endpoint Connector", metadataType: SageMakerEndpointMetadata });
  }

  async create(params: TaskParams): Promise<SageMakerEndpointMetadata> {
    const custom = readCustom(params.taskTemplate);
    // connector.py passes the config as MessageToDict gives it: every number a float.
    const config = numbersAsFloats(requiredObject(custom, "config", "SageMaker endpoint"));
    const call = await prepareCall({ service: "sagemaker", config, inputs: params.inputs, region: custom["region"] });
    // connector.py calls create_endpoint through boto3_mixin: botocore checks the parameters first.
    const input = await coerceInput(new (sageMaker().CreateEndpointCommand)({} as never), call.params, `${SERVICE} could not create the endpoint`);
    const endpointName = (call.params as Record<string, unknown>)["EndpointName"];
    if (typeof endpointName !== "string" || endpointName === "") {
      throw new InvalidArgumentError("SageMaker endpoint task: config.EndpointName must name the endpoint.");
    }
    await withSageMaker(call.region, async (client, sagemaker) => {
      try {
        await send(client, new sagemaker.CreateEndpointCommand(input as never), params, { service: SERVICE, action: "create the endpoint" });
      } catch (error) {
        if (!(error instanceof AwsApiError && error.awsCode === "ValidationException" && error.awsMessage.includes("Cannot create already existing"))) throw error;
      }
    });
    return new SageMakerEndpointMetadata({ endpoint_name: endpointName, region: call.region });
  }

  async get(meta: SageMakerEndpointMetadata, params: GetParams): Promise<Resource> {
    const endpoint = await withSageMaker(meta.region, async (client, sagemaker) => {
      try {
        return await send<Endpoint>(client, new sagemaker.DescribeEndpointCommand({ EndpointName: meta.endpoint_name }), params, {
          service: SERVICE,
          action: "describe the endpoint",
        });
      } catch (error) {
        if (notFound(error)) {
          // connector.py's reading: a create refused for a resource limit leaves no endpoint.
          throw new TaskFailedError(
            `SageMaker has no endpoint ${JSON.stringify(meta.endpoint_name)}: it may have been deleted, or never created because a resource limit was exceeded. Check your resource usage and limits.`,
          );
        }
        throw error;
      }
    });
    const status: unknown = endpoint.EndpointStatus;
    if (typeof status !== "string" || status === "") {
      throw new UnavailableError(`SageMaker answered DescribeEndpoint for ${meta.endpoint_name} without the endpoint's status; try again.`);
    }
    const phase = Object.hasOwn(PHASES, status) ? PHASES[status]! : undefined;
    if (phase === undefined) {
      // As for the other connectors' unknown states: a status added to the API is more likely a new stage than an end.
      return new Resource({ phase: Phase.RUNNING, message: `Endpoint ${meta.endpoint_name} is ${JSON.stringify(status)}, a status this connector does not know; still waiting.` });
    }
    if (phase === Phase.SUCCEEDED) {
      return new Resource({ phase, message: `Endpoint ${meta.endpoint_name} is InService.`, outputs: pythonOutputs({ result: { EndpointArn: endpoint.EndpointArn ?? null } }) });
    }
    const reason = endpoint.FailureReason ? `: ${endpoint.FailureReason}` : ".";
    return new Resource({ phase, message: `Endpoint ${meta.endpoint_name} is ${status}${phase === Phase.FAILED ? reason : "."}` });
  }

  async delete(meta: SageMakerEndpointMetadata, params: CallContext): Promise<void> {
    await withSageMaker(meta.region, async (client, sagemaker) => {
      try {
        await send(client, new sagemaker.DeleteEndpointCommand({ EndpointName: meta.endpoint_name }), params, { service: SERVICE, action: "delete the endpoint" });
      } catch (error) {
        if (!notFound(error)) throw error;
      }
    });
  }
}

type SageMakerModule = typeof import("@aws-sdk/client-sagemaker");

/** The SageMaker client package, loaded on first use. */
function sageMaker(): SageMakerModule {
  return requirePackage<SageMakerModule>("@aws-sdk/client-sagemaker");
}

/** Runs `work` with a SageMaker client of `region`, closed after. */
async function withSageMaker<T>(region: string, work: (client: AwsSdkClient, sagemaker: SageMakerModule) => Promise<T>): Promise<T> {
  const sagemaker = sageMaker();
  const client = createClient(sagemaker.SageMakerClient as unknown as ClientClass, region);
  try {
    return await work(client, sagemaker);
  } finally {
    client.destroy();
  }
}

/** SageMaker's answer for an endpoint that does not exist: ValidationException "Could not find endpoint". */
function notFound(error: unknown): boolean {
  return error instanceof AwsApiError && error.awsCode === "ValidationException" && error.awsMessage.includes("Could not find endpoint");
}
