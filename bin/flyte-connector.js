#!/usr/bin/env node
// Installed, the CLI is the package's compiled dist/lib/cli/main.js, and tsx is registered only
// when a command loads a user's module (lib/cli/user-modules.ts). In the repository its TypeScript
// sources sit beside this file, and tsx runs them with no build step (dist, which only `npm pack`
// writes, is never read there: it could be stale).
import { existsSync } from "node:fs";
import { register } from "node:module";

const sources = new URL("../lib/cli/main.ts", import.meta.url);
const inRepository = existsSync(sources);

if (inRepository) {
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
  // A connector module in the repository importing the package by name gets its sources too
  // (package.json's "flyte-connectors-serverless-source" export condition, named for this package alone: the
  // installed package has no sources, and a tool resolving a generic "source" condition must not
  // look for them), as the CLI itself does.
  const addSourceCondition =
    "export const resolve = (specifier, context, next) => next(specifier, { ...context, conditions: [...context.conditions, 'flyte-connectors-serverless-source'] });";
  register(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`);
}
const { main } = await import(inRepository ? sources.href : "../dist/lib/cli/main.js");
// Exit explicitly: the AWS SDK's keep-alive sockets must not hold a finished command open.
// (stdout and stderr are synchronous on Linux pipes and terminals, so nothing is cut off.)
process.exit(await main(process.argv.slice(2)));
