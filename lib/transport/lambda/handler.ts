/**
 * One Lambda handler per operation: the middy pipeline (the invocation's log context, a metric
 * per failed answer) around the transport the event's shape asks for — API Gateway (HTTP API 2.0
 * or REST 1.0) or the direct invocation envelope — with the deadline the Lambda context gives.
 *
 * The middlewares are ours rather than Powertools': Logger and Metrics cost about 17 µs per
 * invocation (an EMF document serialized and written on every call) and 7 ms of cold start, for
 * what log.ts and failure-metric.ts do (BENCHMARKS.md, Findings). middy's own early-timeout timer
 * is off: the service's deadline guard answers DEADLINE_EXCEEDED itself, with the right status.
 */
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { ConnectorError, Status } from "../../connector/errors.js";
import type { ConnectorRegistry } from "../../connector/registry.js";
import { metaSealerFromEnv } from "../../service/meta-keys.js";
import { operations, type Dispatch, type OperationName } from "../../service/operations.js";
import { ConnectorService } from "../../service/service.js";
import { handleInvocation, type InvokeResult } from "../envelope.js";
import { isApiGatewayEvent } from "../http/event.js";
import type { HttpResponse } from "../http/response.js";
import { failureMetrics } from "./failure-metric.js";
import { FunctionLog, invocationLog } from "./log.js";

export interface LambdaHandlerOptions {
  /** Kept back before the function's own timeout to answer DEADLINE_EXCEEDED in time. */
  readonly deadlineMarginMs?: number;
  /**
   * The `service` of log lines and of the failure metric's dimension; default the environment's
   * POWERTOOLS_SERVICE_NAME (Powertools' convention, which a project's serverless.yml sets to its
   * service), else "flyte-connectors". Two deployments in one account keep their metrics apart.
   */
  readonly serviceName?: string;
}

export type LambdaAnswer = InvokeResult | HttpResponse;
export type LambdaHandler = (event: unknown, context: Context) => Promise<LambdaAnswer>;

const DEFAULT_SERVICE_NAME = "flyte-connectors";

/**
 * The API Gateway adapter, loaded by the first HTTP event: its routes and the JSON mapping's
 * tables are built at load, which a function invoked directly (the gRPC front) never needs.
 * The bundle still holds it (esbuild inlines the import), so nothing is read from disk.
 */
const httpAdapter = () => import("../http/handler.js");

export function createLambdaHandler(name: OperationName, registry: ConnectorRegistry, options: LambdaHandlerOptions = {}): LambdaHandler {
  const serviceName = options.serviceName ?? (process.env["POWERTOOLS_SERVICE_NAME"] || DEFAULT_SERVICE_NAME);
  const log = new FunctionLog(serviceName);
  const service = new ConnectorService(registry, {
    logger: log,
    deadlineMarginMs: options.deadlineMarginMs,
    metaSealer: metaSealerFromEnv(),
  });
  const operation = operations[name];
  const logInternal = (error: unknown) => log.error(`${name} failed`, error);
  // API Gateway sends a function its own routes, and listAgents the catch-all: a path there that
  // the adapter matches to another operation's route (by its suffix, under a prefix no route has)
  // is not this function's to run, with its role and its timeout.
  const ownDispatch: Dispatch = (requested, requests, dispatchOptions) =>
    requested === name
      ? service.dispatch(requested, requests, dispatchOptions)
      : Promise.reject(new ConnectorError(Status.NOT_FOUND, `No such route: ${requested} is not served at this path.`));

  return middy<unknown, LambdaAnswer, Error, Context>({ timeoutEarlyInMillis: 0 })
    .use(invocationLog(log))
    .use(failureMetrics(serviceName, name))
    .handler(async (event, context) => {
      const dispatchOptions = { deadline: Date.now() + context.getRemainingTimeInMillis() };
      return isApiGatewayEvent(event)
        ? (await httpAdapter()).handleHttpEvent(event, ownDispatch, dispatchOptions, logInternal)
        : handleInvocation(operation, event, service.dispatch, dispatchOptions, logInternal);
    });
}
