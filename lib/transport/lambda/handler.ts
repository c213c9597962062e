/**
 * One Lambda handler per operation: the middy pipeline (structured logs, metrics) around the
 * transport the event's shape asks for — API Gateway (HTTP API 2.0 or REST 1.0) or the direct
 * invocation envelope.
 */
import middy from "@middy/core";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Context } from "aws-lambda";
import type { ConnectorRegistry } from "../../connector/registry.js";
import { operations, type OperationName } from "../../service/operations.js";
import { metaSealerFromEnv } from "../../service/meta-seal.js";
import { ConnectorService } from "../../service/service.js";
import { handleInvocation } from "../envelope.js";
import { handleHttpEvent, isApiGatewayEvent } from "../http/index.js";
import { operationMetrics } from "./operation-metrics.js";

export interface LambdaHandlerOptions {
  /** Kept back before the function's own timeout to answer DEADLINE_EXCEEDED in time. */
  readonly deadlineMarginMs?: number;
}

const SERVICE_NAME = "flyte-connectors";

export function createLambdaHandler(name: OperationName, registry: ConnectorRegistry, options: LambdaHandlerOptions = {}) {
  const logger = new Logger({ serviceName: SERVICE_NAME });
  const metrics = new Metrics({ namespace: "FlyteConnectors", serviceName: SERVICE_NAME });
  const service = new ConnectorService(registry, {
    logger,
    deadlineMarginMs: options.deadlineMarginMs,
    metaSealer: metaSealerFromEnv(),
  });
  const operation = operations[name];
  const logInternal = (error: unknown) => logger.error(`${name} failed`, error as Error);

  return middy<unknown, unknown, Error, Context>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(operationMetrics(metrics, name))
    .handler(async (event, context) => {
      const deadline = Date.now() + context.getRemainingTimeInMillis();
      if (isApiGatewayEvent(event)) return handleHttpEvent(event, service.dispatch, { deadline });
      return handleInvocation(operation, event, service.dispatch, { deadline }, logInternal);
    });
}
