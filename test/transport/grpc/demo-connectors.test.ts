/**
 * The demo connectors of the static registry (functions/registry.ts) through the gRPC front, as
 * FlytePropeller drives them, with both backends: the service in this process, and the Lambda
 * backend invoking the real function handlers behind a local Invoke endpoint (the AWS SDK's own
 * HTTP path). test/e2e/serverless-offline.test.ts runs the same scenarios against the built
 * functions under serverless offline.
 */
import { registry } from "../../../functions/registry.js";
import { ConnectorService } from "../../../lib/service/service.js";
import { startLambdaEndpoint } from "../../client/support/lambda-endpoint.js";
import { describeGrpcFront, startFront, startLambdaFront } from "./front-scenarios.js";

describeGrpcFront("in-process", () => startFront(new ConnectorService(registry).dispatch));

describeGrpcFront("Lambda (function handlers behind a local Invoke endpoint)", async () => {
  const endpoint = await startLambdaEndpoint(registry);
  const front = await startLambdaFront(endpoint.endpoint);
  return {
    address: front.address,
    close: async () => {
      await front.close();
      await endpoint.close();
    },
  };
});
