/**
 * Per-operation metrics. Each operation is its own function, so Lambda's own per-function metrics
 * (namespace AWS/Lambda, dimension FunctionName) already are the per-op request count
 * (`Invocations`), latency (`Duration`; init is `Init Duration`) and crash count (`Errors`).
 * What Lambda cannot see is a failure the function answered rather than threw: an envelope
 * `error` or an HTTP status of 400 and above. Each one writes one CloudWatch embedded metric
 * format (EMF) line, `failures` = 1 in namespace FlyteConnectors with dimensions `service` and
 * `operation`, plus the status and the request id; a success writes nothing and costs nothing.
 * Successes per op are `Invocations - failures` (failures has no data points while none happen).
 */
import type { MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import { isInvokeFailure } from "../envelope.js";
import { writeLine } from "./log.js";

export const METRICS_NAMESPACE = "FlyteConnectors";

/** What failed, as the line's properties. */
export type Failure = { readonly status: string } | { readonly http_status: number };

/** What failed in a handler's answer; undefined for a success. */
function failureOf(response: unknown): Failure | undefined {
  if (isInvokeFailure(response)) return { status: response.error.status };
  const status = (response as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" && status >= 400 ? { http_status: status } : undefined;
}

/**
 * The EMF line writer of one function. The fixed members are serialized once: a failure costs a
 * line of string concatenation, not the serialization of a nested document.
 */
function failureMetricLine(service: string, operation: string): (failure: Failure, requestId: string) => string {
  const directive = members({
    CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [["service", "operation"]], Metrics: [{ Name: "failures", Unit: "Count" }] }],
  });
  const fixed = members({ service, operation, failures: 1 });
  return (failure, requestId) =>
    `{"_aws":{"Timestamp":${Date.now()},${directive}},${fixed},${members(failure)},"function_request_id":${JSON.stringify(requestId)}}`;
}

/** `{"a":1,"b":2}` -> `"a":1,"b":2`, to splice into a larger object. */
function members(object: object): string {
  return JSON.stringify(object).slice(1, -1);
}

/** Middleware: one EMF line for each failed answer of the operation, nothing for a success. */
export function failureMetrics(service: string, operation: string): MiddlewareObj<unknown, unknown, Error, Context> {
  const line = failureMetricLine(service, operation);
  return {
    after: ({ response, context }) => {
      const failure = failureOf(response);
      if (failure) writeLine(line(failure, context.awsRequestId));
    },
  };
}
