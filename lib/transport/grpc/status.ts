/**
 * What a gRPC caller learns of a failure: a ConnectorError keeps its code and message; anything
 * else is a bug on our side, answered INTERNAL with a generic message while the log gets the
 * error and its stack.
 */
import type { StatusObject } from "@grpc/grpc-js";
import { callerMessage, ConnectorError, Status } from "../../connector/errors.js";
import type { ServiceLogger } from "../../service/service.js";
import { INTERNAL_MESSAGE } from "../envelope.js";

export type GrpcStatus = Pick<StatusObject, "code" | "details">;

export function toGrpcStatus(error: unknown, logger: ServiceLogger | undefined, what: string): GrpcStatus {
  if (error instanceof ConnectorError) return { code: error.code, details: callerMessage(error.message) };
  logger?.error(`${what} failed`, error);
  return { code: Status.INTERNAL, details: INTERNAL_MESSAGE };
}
