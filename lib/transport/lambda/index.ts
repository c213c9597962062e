/**
 * What a deployment's function modules need (the package's "./lambda" export): the handler
 * factory, given an operation and the registry of the connectors the function serves.
 */
export { createLambdaHandler, type LambdaAnswer, type LambdaHandler, type LambdaHandlerOptions } from "./handler.js";
export { operations, type OperationName } from "../../service/operations.js";
