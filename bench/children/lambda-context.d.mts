import type { Context } from "aws-lambda";

export function lambdaContext(functionName: string, timeoutMs?: number): Context;
export function lambdaEnvironment(functionName: string): Record<string, string>;
