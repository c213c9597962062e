#!/usr/bin/env node
// The CLI is TypeScript (lib/cli/main.ts): tsx's ESM loader runs it with no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../lib/cli/main.ts");
// Exit explicitly: the AWS SDK's keep-alive sockets must not hold a finished command open.
// (stdout and stderr are synchronous on Linux pipes and terminals, so nothing is cut off.)
process.exit(await main(process.argv.slice(2)));
