/**
 * A CommonJS package the Lambda runtime provides (the AWS SDK v3 clients), loaded with require
 * when first needed, never bundled. Not import(): an import() of CommonJS first parses the whole
 * file for its export names (cjs-module-lexer), and an SDK client is one file of most of a MB:
 * 50 ms of a cold start on Node 22, 150 ms on Node 20 (BENCHMARKS.md). require also searches
 * NODE_PATH, where Lambda keeps the runtime's SDK.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** `name`'s exports; throws as require does (code MODULE_NOT_FOUND when it is not installed). */
export function requirePackage<T = Record<string, unknown>>(name: string): T {
  return require(name) as T;
}
