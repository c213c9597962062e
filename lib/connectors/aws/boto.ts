/**
 * flytekit's BotoConnector (task type `boto`, sync): one AWS API call named by boto3's service and
 * method names (plugins/flytekit-aws-sagemaker/flytekitplugins/awssagemaker_inference/
 * boto3_connector.py), made with the AWS SDK v3 client the Lambda runtime ships. Outputs
 * `result` (the answer as boto3 gives it; create_model and create_endpoint_config only their ARN)
 * and `idempotence_token`. SageMaker's "Cannot create already existing" counts as success, as in
 * flytekit.
 */
import { SyncConnectorBase, type TaskParams } from "../../connector/connector.js";
import { InvalidArgumentError } from "../../connector/errors.js";
import { Phase } from "../../connector/phase.js";
import { Resource } from "../../connector/resource.js";
import { pythonOutputs } from "../../literals/python.js";
import { beforeParameterBuild } from "./botocore-handlers.js";
import { coerceInput } from "./coerce-input.js";
import { readCustom, requiredObject, requiredString } from "./custom.js";
import { AwsApiError } from "./errors.js";
import { prepareCall } from "./format-config.js";
import { botoResult, recordHeaders } from "./response.js";
import { createClient, send } from "./sdk.js";
import { loadService } from "./services.js";

export const BOTO_TASK_TYPE = "boto";

/** The answers boto3_connector.py cuts down to their ARN. */
const ARN_ONLY: Readonly<Record<string, string>> = { create_model: "ModelArn", create_endpoint_config: "EndpointConfigArn" };

/**
 * boto3_connector.py's pattern for the ARN in an "already existing" message, in any partition
 * (`arn:aws-cn:` in China's regions, which the plugin serves; its own pattern takes `arn:aws:` only).
 */
const ARN_PATTERN = /arn:aws[a-z-]*:[a-zA-Z0-9-]+:[a-zA-Z0-9-]+:\d+:[a-zA-Z0-9\-/]+/;

export class BotoConnector extends SyncConnectorBase {
  constructor() {
    super({ taskTypeName: BOTO_TASK_TYPE, name: "Boto Connector" });
  }

  async do(params: TaskParams): Promise<Resource> {
    const custom = readCustom(params.taskTemplate);
    const service = requiredString(custom, "service", "Boto");
    const method = requiredString(custom, "method", "Boto");
    const config = requiredObject(custom, "config", "Boto");
    const call = await prepareCall({ service, config, images: custom["images"], inputs: params.inputs, region: custom["region"] });
    const module = await loadService(service);
    const Command = module.command(method);
    if (!Command) throw new InvalidArgumentError(`Boto task: ${service} has no method ${JSON.stringify(method)} (${module.packageName} has no matching command).`);
    if (typeof call.params !== "object" || call.params === null || Array.isArray(call.params)) {
      throw new InvalidArgumentError("Boto task: the filled config must be a dict of the call's parameters.");
    }

    // aiobotocore follows S3 to a bucket's own region on every S3 client (AioS3RegionRedirectorv2); the SDK only when asked.
    const client = createClient(module.Client, call.region, service === "s3" ? { followRegionRedirects: true } : {});
    const headers = recordHeaders(client);
    const serviceId = client.config.serviceId ?? service;
    let result: Record<string, unknown>;
    try {
      // boto3_mixin.py calls getattr(client, method)(**config): botocore checks the parameters first.
      const what = `${serviceId} could not call ${method}`;
      const built = beforeParameterBuild(module.packageName, Command.name, call.params, what);
      const input = await coerceInput(new Command({}), built, what);
      const output = await send<Record<string, unknown>>(client, new Command(input as Record<string, unknown>), params, { service: serviceId, action: `call ${method}` });
      // Before the client is destroyed: a streamed body (get_object's) is still on its connection.
      result = await botoResult(output, headers());
    } catch (error) {
      if (error instanceof AwsApiError && error.awsCode === "ValidationException" && error.awsMessage.includes("Cannot create already existing")) {
        return succeeded(alreadyExisting(method, error.awsMessage), call.idempotenceToken);
      }
      throw error;
    } finally {
      client.destroy();
    }
    const arnKey = Object.hasOwn(ARN_ONLY, method) ? ARN_ONLY[method]! : undefined;
    return succeeded(arnKey === undefined ? result : { [arnKey]: result[arnKey] ?? null }, call.idempotenceToken);
  }
}

/** boto3_connector.py's answer when the entity already exists: its ARN, or a sentence. */
function alreadyExisting(method: string, message: string): Record<string, unknown> {
  const arn = ARN_PATTERN.exec(message)?.[0];
  // flytekit fails on .group(0) of no match; an entity that exists is still a success.
  if (arn === undefined) return { result: "Entity already exists." };
  const arnKey = Object.hasOwn(ARN_ONLY, method) ? ARN_ONLY[method]! : undefined;
  return arnKey === undefined ? { result: `Entity already exists ${arn}.` } : { [arnKey]: arn };
}

function succeeded(result: Record<string, unknown>, idempotenceToken: string): Resource {
  return new Resource({ phase: Phase.SUCCEEDED, outputs: pythonOutputs({ result, idempotence_token: idempotenceToken }) });
}
