/** serverless.yml as the bench reads it: what the functions deploy to. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { ROOT } from "./paths.js";

export interface ServerlessConfig {
  readonly provider: { readonly runtime: string; readonly memorySize: number };
  readonly functions: Readonly<Record<string, { readonly memorySize?: number }>>;
}

export function serverlessConfig(): ServerlessConfig {
  return parseDocument(readFileSync(join(ROOT, "serverless.yml"), "utf8")).toJS() as ServerlessConfig;
}
