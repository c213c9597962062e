/**
 * What a command line loads: each transport's library (grpc-js, the AWS SDK) only when that
 * transport is used, and no command's module for the program's help or version. The CLI runs as
 * a person runs it (bin/flyte-connector.js in a child); a preload reports which CommonJS modules,
 * which these libraries are, the process had loaded when it exited.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { REPO_ROOT } from "../support/build.js";

const BIN = join(REPO_ROOT, "bin/flyte-connector.js");
const LIBRARIES = { grpc: "/node_modules/@grpc/grpc-js/", aws: "/node_modules/@aws-sdk/", smithy: "/node_modules/@smithy/" } as const;
type Library = keyof typeof LIBRARIES;

let preload: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-start-up-"));
  preload = join(dir, "report-loaded.cjs");
  await writeFile(
    preload,
    `process.on("exit", () => require("node:fs").writeFileSync(process.env.LOADED_REPORT, JSON.stringify(Object.keys(require.cache))));\n`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Credentials in the environment: the AWS SDK's chain stops there (no profile named), and never asks an instance's metadata service. */
const AWS_ENV = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

function withoutProfile(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { AWS_PROFILE: _profile, ...rest } = env;
  return rest;
}

/** The libraries `args` loaded, whatever the command's exit status. */
async function librariesLoaded(args: readonly string[]): Promise<Library[]> {
  const report = join(dir, `loaded-${Math.random().toString(36).slice(2)}.json`);
  await promisify(execFile)(process.execPath, ["--require", preload, BIN, ...args], {
    cwd: dir,
    env: { ...withoutProfile(process.env), LOADED_REPORT: report, ...AWS_ENV },
    timeout: 60_000,
  }).catch((error: { code?: unknown }) => {
    if (typeof error.code !== "number") throw error;
  });
  const loaded = JSON.parse(await readFile(report, "utf8")) as string[];
  return (Object.keys(LIBRARIES) as Library[]).filter((library) => loaded.some((path) => path.includes(LIBRARIES[library])));
}

describe("a command line loads the libraries of what it uses, and no others", () => {
  test.each([[["--version"]], [["--help"]], [["run", "--help"]], [["call", "--help"]]])("%j: none", async (args) => {
    expect(await librariesLoaded(args)).toEqual([]);
  });

  test("over gRPC: grpc-js alone", async () => {
    expect(await librariesLoaded(["list", "--transport", "grpc", "--address", "127.0.0.1:1", "--timeout", "1"])).toEqual(["grpc"]);
  });

  test("over HTTP: neither, until requests are signed", async () => {
    const url = ["--url", "http://127.0.0.1:1", "--timeout", "1"];
    expect(await librariesLoaded(["list", "--transport", "http", ...url])).toEqual([]);
    expect(await librariesLoaded(["list", "--transport", "http", ...url, "--sign"])).toEqual(["aws", "smithy"]);
  });

  test("over Lambda: the AWS SDK alone", async () => {
    expect(await librariesLoaded(["list", "--transport", "lambda", "--endpoint", "http://127.0.0.1:1", "--timeout", "1"])).toEqual([
      "aws",
      "smithy",
    ]);
  });
});
