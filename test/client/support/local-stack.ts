/** The local stack (gRPC front and HTTP routes on free ports) over a test registry, silent. */
import type { ConnectorRegistry } from "../../../lib/connector/registry.js";
import { startLocalStack, type LocalStack } from "../../../lib/local/local-stack.js";

export function startTestStack(registry: ConnectorRegistry): Promise<LocalStack> {
  return startLocalStack({
    registry,
    grpcPort: 0,
    httpPort: 0,
    logger: { info: () => undefined, error: () => undefined },
  });
}
