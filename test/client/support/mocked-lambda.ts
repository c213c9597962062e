/**
 * A LambdaClient whose Invoke runs the real function handlers (lib/transport/lambda/handler.ts)
 * in this process, as Lambda would: the payload bytes go in, the handler's JSON answer comes
 * back as the Payload. Only the AWS call is replaced.
 */
import { InvokeCommand, LambdaClient, type InvokeCommandInput, type InvokeCommandOutput } from "@aws-sdk/client-lambda";
import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import type { ConnectorRegistry } from "../../../lib/connector/registry.js";
import { operationNames } from "../../../lib/service/operations.js";
import { createLambdaHandler } from "../../../lib/transport/lambda/handler.js";

export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;

export interface MockedLambdaOptions {
  readonly prefix?: string;
  /** Each function's timeout, what its context's getRemainingTimeInMillis counts down from (default 10 s). */
  readonly timeoutMs?: number;
}

export function mockedLambda(registry: ConnectorRegistry, { prefix = "flyte-connectors-dev-", timeoutMs }: MockedLambdaOptions = {}) {
  const client = new LambdaClient({ region: "us-east-1", credentials: TEST_CREDENTIALS });
  const mock = mockClient(client);
  const handlers = new Map(operationNames.map((name) => [`${prefix}${name}`, createLambdaHandler(name, registry)]));
  mock.on(InvokeCommand).callsFake(async (input: InvokeCommandInput) => {
    const handler = handlers.get(input.FunctionName ?? "");
    if (!handler) {
      throw Object.assign(new Error(`Function not found: ${input.FunctionName}`), {
        name: "ResourceNotFoundException",
        $fault: "client",
      });
    }
    const event: unknown = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array));
    const answer = await handler(event, lambdaContext(input.FunctionName ?? "", timeoutMs));
    return invokeOutput(JSON.stringify(answer));
  });
  return { client, mock };
}

/** What Invoke answers: status 200 and the payload bytes (plus FunctionError for a crash). */
export function invokeOutput(payload: string, functionError?: string): InvokeCommandOutput {
  return {
    StatusCode: 200,
    Payload: new TextEncoder().encode(payload) as InvokeCommandOutput["Payload"],
    ...(functionError ? { FunctionError: functionError } : {}),
    $metadata: {},
  };
}

export function lambdaContext(functionName: string, timeoutMs = 10_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: "test-request",
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "test",
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
