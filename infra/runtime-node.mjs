// A node of the Lambda runtime's major version (serverless.yml's provider.runtime, nodejs22.x):
// the functions run there, while a machine here may have another. Node's own start-up and
// builtins differ by major (Node 22 starts in about two thirds of Node 20's time, and an ES import
// of its node:http loads undici), so CI tests on it too and the bench times cold starts on it.
// It is the npm registry's `node-<platform>-<arch>` package of that major (the binary the `node`
// package installs), unpacked once into node_modules/.cache.
//
//   node infra/runtime-node.mjs   prints its path; nothing when this node is of that major already
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** The runtime's node, or why there is none; undefined when this node is of the same major. */
export function lambdaRuntimeNode(log = () => {}) {
  const lambdaRuntime = String(parseDocument(readFileSync(join(root, "serverless.yml"), "utf8")).getIn(["provider", "runtime"]));
  const major = /^nodejs(\d+)\.x$/.exec(lambdaRuntime)?.[1];
  if (major === undefined) return { lambdaRuntime, unavailable: `serverless.yml's runtime ${lambdaRuntime} names no Node.js major` };
  if (process.versions.node.split(".")[0] === major) return undefined;
  const pkg = `node-${process.platform === "win32" ? "win" : process.platform}-${process.arch}`;
  const dir = join(root, "node_modules", ".cache", `${pkg}-${major}`);
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const node = lambdaRuntimeNode((line) => process.stderr.write(`runtime-node: ${line}\n`));
  if (node && "unavailable" in node) {
    process.stderr.write(`runtime-node: ${node.unavailable}\n`);
    process.exit(1);
  }
  if (node) process.stdout.write(`${node.execPath}\n`);
}
