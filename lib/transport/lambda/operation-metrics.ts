import type { MiddlewareObj } from "@middy/core";
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { isInvokeFailure } from "../envelope.js";

/**
 * Per-operation request count, failure count and latency (the counterpart of flytekit's
 * Prometheus metrics). Failures are answers, not exceptions: an envelope `error` or an HTTP
 * status of 400 and above counts, as does a crash.
 */
export function operationMetrics(metrics: Metrics, operation: string): MiddlewareObj<unknown, unknown, Error, Context> {
  let started = 0;
  const record = (failed: boolean) => {
    metrics.addDimension("operation", operation);
    metrics.addMetric("requests", MetricUnit.Count, 1);
    metrics.addMetric("failures", MetricUnit.Count, failed ? 1 : 0);
    metrics.addMetric("latency", MetricUnit.Milliseconds, performance.now() - started);
  };
  return {
    before: () => {
      started = performance.now();
    },
    after: (request) => {
      record(isFailure(request.response));
    },
    onError: () => {
      record(true);
    },
  };
}

function isFailure(response: unknown): boolean {
  if (isInvokeFailure(response)) return true;
  const status = (response as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" && status >= 400;
}
