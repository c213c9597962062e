/**
 * A user's project in a temporary directory, with this repository as its installed
 * flyte-connectors-serverless (a symlink, as `npm link` makes), and the CLI run in it as a user
 * runs it: bin/flyte-connector.js in a child process, whose loader (tsx, the package's
 * "flyte-connectors-serverless-source" export condition) is the real one.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../../support/build.js";

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end; never rejects, so that a failing step shows what it printed. */
export function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `flyte-connector <args>` in `cwd`. */
export function flyteConnector(args: readonly string[], cwd: string): Promise<Ran> {
  return run(process.execPath, [join(REPO_ROOT, "bin/flyte-connector.js"), ...args], cwd);
}

/** A directory holding `files`, whose node_modules links this package and the named packages of the repository's. */
export async function makeProject(files: Readonly<Record<string, string>>, linked: readonly string[] = []): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "flyte-connector-project-"));
  await linkPackages(dir, linked);
  for (const [path, contents] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), contents);
  }
  return dir;
}

/** node_modules/<name> -> this repository (the package) or its node_modules/<name>. */
export async function linkPackages(dir: string, names: readonly string[]): Promise<void> {
  await mkdir(join(dir, "node_modules", "@types"), { recursive: true });
  await symlink(REPO_ROOT, join(dir, "node_modules", "flyte-connectors-serverless"), "dir");
  for (const name of names) await symlink(join(REPO_ROOT, "node_modules", name), join(dir, "node_modules", name), "dir");
}
