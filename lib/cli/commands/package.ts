/** `package --registry <module>`: build, then `serverless package` with the project's own serverless. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { serverlessCli } from "../../local/serverless-offline.js";
import { ExitCode, type Command } from "../command.js";
import { buildOptions, buildProject } from "./build.js";

export const packageCommand: Command = {
  synopsis: "--registry <module> [options] [-- <serverless options>]",
  maxPositionals: Number.POSITIVE_INFINITY,
  options: buildOptions,
  unknownOptionHint:
    "serverless's own options go after --: flyte-connector package --registry <module> -- --stage prod (through npm: npm run package -- -- --stage prod).",
  details: `Needs serverless.yml (flyte-connector init writes one) and serverless installed in the
project: osls, the open serverless 4 that init's project depends on (npm install --save-dev
serverless@npm:osls; Serverless Inc.'s own v4 asks for an account login). What follows -- is
passed to serverless package.

Examples:
  flyte-connector package --registry ./src/registry.ts
  flyte-connector package --registry ./src/registry.ts -- --stage prod`,

  async run(flags, positionals, io) {
    if (!existsSync(join(io.cwd, "serverless.yml"))) {
      throw new Error(`No serverless.yml in ${io.cwd}: flyte-connector init writes one for a new project.`);
    }
    // Before building, so that a project without serverless fails at once.
    const cli = serverlessCli(io.cwd);
    await buildProject(flags, io);
    return runServerless(cli, ["package", ...positionals], io);
  },
};

function runServerless(cli: string, args: readonly string[], io: Parameters<Command["run"]>[2]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: io.cwd, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(io.stdout, { end: false });
    child.stderr.pipe(io.stderr, { end: false });
    child.once("error", reject);
    child.once("close", (code) => resolve(code === 0 ? ExitCode.OK : ExitCode.FAILURE));
  });
}
