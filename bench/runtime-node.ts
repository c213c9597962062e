/**
 * A node of the Lambda runtime's major version (serverless.yml's provider.runtime, nodejs22.x),
 * for the cold-start suite to run the functions on as Lambda would: Node's own start-up and
 * builtins differ by major (Node 22 starts in about two thirds of Node 20's time, and its node:http
 * loads undici on an ES import), so this host's node alone would mislead. It is the npm
 * registry's `node-<platform>-<arch>` package of that major (the binary the `node` package
 * installs), unpacked once into bench/.deps.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DEPS_DIR } from "./paths.js";
import { serverlessConfig } from "./serverless-config.js";

export type RuntimeNode =
  | { readonly lambdaRuntime: string; readonly execPath: string; readonly version: string }
  | { readonly lambdaRuntime: string; readonly unavailable: string };

/** The runtime's node; undefined when this host's node is of the same major already. */
export function lambdaRuntimeNode(log: (line: string) => void): RuntimeNode | undefined {
  const lambdaRuntime = serverlessConfig().provider.runtime;
  const major = /^nodejs(\d+)\.x$/.exec(lambdaRuntime)?.[1];
  if (major === undefined) return { lambdaRuntime, unavailable: `serverless.yml's runtime ${lambdaRuntime} names no Node.js major` };
  if (process.versions.node.split(".")[0] === major) return undefined;
  const pkg = `node-${process.platform === "win32" ? "win" : process.platform}-${process.arch}`;
  const dir = join(DEPS_DIR, `${pkg}-${major}`);
  const binary = process.platform === "win32" ? "package/node.exe" : "package/bin/node";
  const execPath = join(dir, binary);
  try {
    if (!existsSync(execPath)) {
      log(`fetching ${pkg}@${major} from the npm registry for ${lambdaRuntime}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      execFileSync("npm", ["pack", `${pkg}@${major}`, "--pack-destination", dir, "--silent"], { stdio: ["ignore", "ignore", "pipe"] });
      const tarball = readdirSync(dir).find((name) => name.endsWith(".tgz"));
      if (tarball === undefined) throw new Error(`npm pack left no tarball in ${dir}`);
      // The binary alone: the package also holds Node's C headers (65 MB).
      execFileSync("tar", ["-xzf", tarball, binary], { cwd: dir });
      rmSync(join(dir, tarball));
    }
    const version = execFileSync(execPath, ["--version"], { encoding: "utf8" }).trim();
    return { lambdaRuntime, execPath, version };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const reason = error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
    return { lambdaRuntime, unavailable: `no ${pkg}@${major}: ${reason}` };
  }
}
