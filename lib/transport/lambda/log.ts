/**
 * The functions' log: one JSON object per line on stdout, with the keys Powertools Logger writes
 * (`level`, `message`, `timestamp`, `service`, `cold_start`, `function_name`,
 * `function_request_id`, `xray_trace_id`, `error`), so Logs Insights queries keep working.
 * Written straight to stdout: the Lambda runtime's console prefixes each line with its own text,
 * which would break the JSON. Nothing is formatted until something is written, so an invocation
 * that logs nothing pays only for remembering its context.
 *
 * What reaches it is chosen by its callers: an error's name, message, stack and causes, never the
 * event, a request's contents or the environment; every secret read so far is redacted.
 */
import type { MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import { knownSecrets } from "../../connector/redact.js";
import { MAX_ERROR_CAUSES } from "../../limits.js";
import type { ServiceLogger } from "../../service/service.js";

export class FunctionLog implements ServiceLogger {
  readonly #service: string;
  #context: Context | undefined;
  #coldStart = true;

  constructor(service: string) {
    this.#service = service;
  }

  /** Lambda runs one invocation at a time per process: what is written next belongs to this one. */
  startInvocation(context: Context, coldStart: boolean): void {
    this.#context = context;
    this.#coldStart = coldStart;
  }

  error(message: string, ...extra: unknown[]): void {
    const context = this.#context;
    const record = {
      level: "ERROR",
      message: knownSecrets.text(message),
      timestamp: new Date().toISOString(),
      service: this.#service,
      cold_start: this.#coldStart,
      function_name: context?.functionName,
      function_memory_size: context ? Number(context.memoryLimitInMB) : undefined,
      function_arn: context?.invokedFunctionArn,
      function_request_id: context?.awsRequestId,
      xray_trace_id: traceRoot(process.env["_X_AMZN_TRACE_ID"]),
      // Whatever wrote it, no secret read so far reaches the log: an unexpected error may quote one.
      ...(extra.length > 0 ? { error: describeError(knownSecrets.error(extra[0])) } : {}),
    };
    writeLine(JSON.stringify(record));
  }
}

/** Middleware: what the log writes during an invocation carries that invocation's context. */
export function invocationLog(log: FunctionLog): MiddlewareObj<unknown, unknown, Error, Context> {
  let coldStart = true;
  return {
    before: ({ context }) => {
      log.startInvocation(context, coldStart);
      coldStart = false;
    },
  };
}

/** One line of the function's log, JSON already. */
export function writeLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** An error as Powertools writes one: name, message, stack, and its cause chain. */
function describeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return String(error);
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error.cause !== undefined && depth < MAX_ERROR_CAUSES ? { cause: describeError(error.cause, depth + 1) } : {}),
  };
}

/** `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=...;Sampled=1` -> the Root id. */
function traceRoot(header: string | undefined): string | undefined {
  return header?.match(/Root=([^;]+)/)?.[1];
}
