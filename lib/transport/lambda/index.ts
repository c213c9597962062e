/**
 * What a deployment's function modules need (the package's "./lambda" export): the handler
 * factory, given an operation and the registry of the connectors the function serves, and the
 * types of what the handler answers.
 */
export { createLambdaHandler, type LambdaAnswer, type LambdaHandler, type LambdaHandlerOptions } from "./handler.js";
export type { InvokeRequest, InvokeResult } from "../envelope.js";
export type { HttpResponse } from "../http/response.js";
export type { OperationName } from "../../service/operations.js";
