/**
 * A stand-in for the Lambda Invoke API on a local port (`POST /2015-03-31/functions/<name>/invocations`)
 * that runs the real function handlers, so the AWS SDK's own HTTP path is exercised end to end.
 * Only what Invoke does for RequestResponse calls: the payload in, the handler's answer out.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { ConnectorRegistry } from "../../../lib/connector/registry.js";
import { operationNames } from "../../../lib/service/operations.js";
import { createLambdaHandler } from "../../../lib/transport/lambda/handler.js";
import { lambdaContext } from "./mocked-lambda.js";

export interface LambdaEndpoint {
  /** `endpoint` for LambdaClient / `--endpoint` for the CLI. */
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startLambdaEndpoint(registry: ConnectorRegistry, prefix = "flyte-connectors-dev-"): Promise<LambdaEndpoint> {
  const handlers = new Map(operationNames.map((name) => [`${prefix}${name}`, createLambdaHandler(name, registry)]));
  const server = createServer(async (request, response) => {
    const name = decodeURIComponent(/^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(request.url ?? "")?.[1] ?? "");
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const handler = handlers.get(name);
    if (!handler) {
      response.writeHead(404, { "content-type": "application/json", "x-amzn-errortype": "ResourceNotFoundException" });
      response.end(JSON.stringify({ Type: "User", message: `Function not found: ${name}` }));
      return;
    }
    const answer = await handler(JSON.parse(Buffer.concat(chunks).toString() || "null"), lambdaContext(name));
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(answer));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
