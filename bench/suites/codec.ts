/**
 * Suite 5: the protobuf generation the project ships against the alternatives (DESIGN.md,
 * "Protobuf measurements"), on the same CreateTaskRequest: bundle size with the functions'
 * esbuild settings, load time (fresh process: import and first decode), decodes/s and encodes/s.
 *
 * The alternatives never enter the project's package.json (protobufjs-cli 2 wants protobufjs 8
 * as a peer): they are installed into bench/.deps at bench time, and generated there from the
 * .proto files of the pinned @flyteorg/flyteidl. A variant that cannot be built is reported
 * with the reason instead of failing the suite.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { pinModule } from "../../infra/function-bundle.mjs";
import { bundleLikeAFunction } from "../bundle.js";
import { runChild } from "../child.js";
import { currentRun } from "../machine.js";
import { createTaskRequest } from "../messages.js";
import { CHILDREN_DIR, DEPS_DIR, ROOT } from "../paths.js";
import type { CodecCase, CodecMeasured, CodecResult } from "../results.js";
import { summarize } from "../stats.js";
import { flyteidl } from "../../lib/idl/index.js";

/** Exact versions, so two runs compare the same code. */
export const CODEC_PACKAGES = {
  protobufjs: "8.8.1",
  "protobufjs-cli": "2.7.1",
  "@bufbuild/protobuf": "2.17.0",
  "@bufbuild/protoc-gen-es": "2.13.0",
  "@bufbuild/buf": "1.75.0",
} as const;

const LOAD_RUNS = 11;
const WORK_DIR = join(DEPS_DIR, "codec");
const PROTO_DIR = join(dirname(createRequire(import.meta.url).resolve("@flyteorg/flyteidl/package.json")), "protos");
const ENTRY_PROTO = "flyteidl/admin/agent.proto";
const LEAN_FLAGS = ["--no-create", "--no-verify", "--no-delimited", "--no-typeurl", "--no-service"];
const PBJS_PROTOBUF_MINIMAL = /^protobufjs\/minimal(\.js)?$/;

interface Toolchain {
  /** e.g. `protobufjs 7.6.6, protobufjs-cli 1.3.3`. */
  readonly version: string;
  /** The pbjs script and the protobufjs/minimal.js its code runs on; throws when not installed. */
  readonly resolve: () => { readonly pbjs: string; readonly minimal: string };
}

interface Variant {
  readonly name: string;
  readonly how: string;
  /** Built from the packages installed into bench/.deps. */
  readonly needsInstall?: boolean;
  /** Generates the variant's code and returns the bundle entry's source (exports decode and encode). */
  readonly build: (dir: string) => { readonly contents: string; readonly pinProtobuf?: string };
}

export async function runCodec(): Promise<CodecResult> {
  const run = currentRun();
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  const message = createTaskRequest();
  const messageFile = join(WORK_DIR, "message.bin");
  writeFileSync(messageFile, message);

  let installFailure: string | undefined;
  try {
    ensureCodecPackages();
  } catch (error) {
    installFailure = `the bench-time install into bench/.deps failed: ${firstLine(error)}`;
  }

  const cases: CodecCase[] = [];
  for (const variant of variants()) {
    const dir = join(WORK_DIR, slug(variant.name));
    mkdirSync(dir, { recursive: true });
    try {
      if (variant.needsInstall && installFailure) throw new Error(installFailure);
      const { contents, pinProtobuf } = variant.build(dir);
      const bundle = join(dir, "bundle.mjs");
      const bytes = await bundleLikeAFunction({
        entry: { contents, resolveDir: dir },
        outfile: bundle,
        plugins: pinProtobuf ? [pinModule(PBJS_PROTOBUF_MINIMAL, pinProtobuf)] : [],
      });
      cases.push({ variant: variant.name, how: variant.how, measured: await measure(bundle, bytes, messageFile) });
    } catch (error) {
      cases.push({ variant: variant.name, how: variant.how, measured: { failed: firstLine(error) } });
    }
  }
  return { run, message: "flyteidl.admin.CreateTaskRequest (20 inputs, full TaskTemplate)", messageBytes: message.byteLength, cases };
}

async function measure(bundle: string, bytes: Uint8Array, messageFile: string): Promise<CodecMeasured> {
  const script = join(CHILDREN_DIR, "codec.mjs");
  const loads: number[] = [];
  for (let i = 0; i < LOAD_RUNS; i += 1) {
    const { result } = await runChild<{ loadMs: number }>(script, { args: [bundle, messageFile, "load"] });
    loads.push(result.loadMs);
  }
  const { result } = await runChild<{ reencoded: string; decodePerSec: number; encodePerSec: number }>(script, {
    args: [bundle, messageFile, "throughput"],
  });
  assertSameMessage(readFileSync(messageFile), Buffer.from(result.reencoded, "base64"));
  return {
    minified: bytes.byteLength,
    gzip: gzipSync(bytes, { level: 9 }).byteLength,
    loadMs: summarize(loads).median,
    decodePerSec: result.decodePerSec,
    encodePerSec: result.encodePerSec,
  };
}

/**
 * A variant must give back the message it was handed. Compared field by field with defaults
 * filled in, not byte by byte: an encoder may leave out a proto3 zero value that another writes.
 */
export function assertSameMessage(original: Uint8Array, reencoded: Uint8Array): void {
  const type = flyteidl.admin.CreateTaskRequest;
  const options = { defaults: true, longs: String, enums: Number, bytes: String, oneofs: true };
  const expected = JSON.stringify(type.toObject(type.decode(original), options));
  const actual = JSON.stringify(type.toObject(type.decode(reencoded), options));
  if (actual !== expected) throw new Error(`re-encoding the decoded message changed it (${reencoded.byteLength} bytes instead of ${original.byteLength})`);
}

function variants(): Variant[] {
  const project = createRequire(import.meta.url);
  const protobufVersion = packageVersion(project.resolve("protobufjs/package.json"));
  const pbjs7: Toolchain = {
    version: `protobufjs ${protobufVersion}, protobufjs-cli ${packageVersion(project.resolve("protobufjs-cli/package.json"))}`,
    resolve: () => ({
      pbjs: join(dirname(project.resolve("protobufjs-cli/package.json")), "bin/pbjs"),
      minimal: project.resolve("protobufjs/minimal.js"),
    }),
  };
  const pbjs8: Toolchain = {
    version: `protobufjs ${CODEC_PACKAGES.protobufjs}, protobufjs-cli ${CODEC_PACKAGES["protobufjs-cli"]}`,
    resolve: () => {
      const installed = createRequire(join(DEPS_DIR, "package.json"));
      return {
        pbjs: join(dirname(installed.resolve("protobufjs-cli/package.json")), "bin/pbjs"),
        minimal: installed.resolve("protobufjs/minimal.js"),
      };
    },
  };
  const shipped = join(ROOT, "lib/idl/gen/flyteidl.js");
  const noConvert = [...LEAN_FLAGS, "--no-convert"];
  return [
    {
      name: "ours (lib/idl/gen)",
      how: `lib/idl/gen/flyteidl.js as infra/generate-idl.mjs writes it (imports ${importedModules(shipped)}; protobufjs ${protobufVersion})`,
      build: () => ({ contents: pbjsEntry(shipped) }),
    },
    pbjsVariant("pbjs 7 static, lean flags", pbjs7, LEAN_FLAGS),
    pbjsVariant("pbjs 7 static, lean flags + --no-convert", pbjs7, noConvert),
    pbjsVariant("pbjs 7 static of ours' pruned types, lean flags", pbjs7, LEAN_FLAGS, shippedDescriptor),
    pbjsVariant("pbjs 7 static of ours' pruned types, lean flags + --no-convert", pbjs7, noConvert, shippedDescriptor),
    pbjsVariant("pbjs 7 static, full flags", pbjs7, []),
    { ...pbjsVariant("pbjs 8 static", pbjs8, []), needsInstall: true },
    { ...pbjsVariant("pbjs 8 static, lean flags", pbjs8, LEAN_FLAGS), needsInstall: true },
    protobufEsVariant(),
  ];
}

/**
 * Static code from `source` (a .proto file, or a JSON descriptor written into the variant's
 * folder); by default the whole closure of agent.proto.
 */
function pbjsVariant(name: string, tools: Toolchain, flags: readonly string[], source?: ProtoSource): Variant {
  return {
    name,
    how: `${tools.version}, static-module --es6${flags.length ? ` ${flags.join(" ")}` : ""}${source ? `, from ${source.describe}` : ""}`,
    build: (dir) => {
      const out = join(dir, "flyteidl.js");
      let input = join(PROTO_DIR, ENTRY_PROTO);
      if (source) {
        input = join(dir, "descriptor.json");
        writeFileSync(input, JSON.stringify(source.descriptor()));
      }
      const { pbjs, minimal } = tools.resolve();
      const args = ["--target", "static-module", "--wrap", esmWrapper(dir), "--dependency", "protobufjs/minimal.js", "--es6", "--path", PROTO_DIR, ...flags, "--out", out, input];
      execFileSync(process.execPath, [pbjs, ...args], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
      return { contents: pbjsEntry(out), pinProtobuf: minimal };
    },
  };
}

interface ProtoSource {
  readonly describe: string;
  readonly descriptor: () => unknown;
}

/**
 * The types the shipped code carries, as protobufjs JSON, when it is reflection over a descriptor
 * (static code keeps none): what static code of exactly the same types would weigh and cost.
 */
const shippedDescriptor: ProtoSource = {
  describe: "the descriptor lib/idl/gen carries (its pruned types)",
  descriptor: () => {
    const reflected = (flyteidl.admin.CreateTaskRequest as unknown as { $type?: { root: { toJSON(): unknown } } }).$type;
    if (!reflected) throw new Error("lib/idl/gen carries no descriptor (it is static code): nothing to generate from");
    return reflected.root.toJSON();
  },
};

/** pbjs 7 has no ES module wrapper: this one exports the root as the default, for both versions alike. */
function esmWrapper(dir: string): string {
  const path = join(dir, "esm-wrapper.js");
  writeFileSync(path, "import $protobuf from $DEPENDENCY;\n\n$OUTPUT;\n\nexport { $root as default };\n");
  return path;
}

/** The bare modules a generated file imports, e.g. `"protobufjs/minimal.js"`. */
function importedModules(file: string): string {
  const specifiers = [...readFileSync(file, "utf8").matchAll(/^import\s[^"']*["']([^"'./][^"']*)["']/gm)].map((m) => JSON.stringify(m[1]));
  return specifiers.join(", ") || "nothing";
}

function pbjsEntry(generated: string): string {
  return [
    `import root from ${JSON.stringify(generated)};`,
    "const T = root.flyteidl.admin.CreateTaskRequest;",
    "export const decode = (bytes) => T.decode(bytes);",
    "export const encode = (message) => T.encode(message).finish();",
  ].join("\n");
}

function protobufEsVariant(): Variant {
  const bin = (name: string) => join(DEPS_DIR, "node_modules/.bin", name);
  return {
    name: "protobuf-es 2",
    needsInstall: true,
    how: `@bufbuild/protobuf ${CODEC_PACKAGES["@bufbuild/protobuf"]}, protoc-gen-es ${CODEC_PACKAGES["@bufbuild/protoc-gen-es"]} target=js, via buf ${CODEC_PACKAGES["@bufbuild/buf"]}`,
    build: (dir) => {
      // The package's buf.yaml names remote dependencies (unreachable here): generate from a copy
      // of just the closure of the entry file, which needs none.
      const protos = join(dir, "protos");
      for (const file of protoClosure(ENTRY_PROTO)) {
        mkdirSync(dirname(join(protos, file)), { recursive: true });
        copyFileSync(join(PROTO_DIR, file), join(protos, file));
      }
      const template = JSON.stringify({
        version: "v2",
        plugins: [{ local: bin("protoc-gen-es"), out: join(dir, "gen"), opt: ["target=js", "import_extension=js"] }],
      });
      execFileSync(bin("buf"), ["generate", protos, "--template", template], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
      return {
        contents: [
          'import { fromBinary, toBinary } from "@bufbuild/protobuf";',
          `import { CreateTaskRequestSchema } from ${JSON.stringify(join(dir, "gen", ENTRY_PROTO.replace(/\.proto$/, "_pb.js")))};`,
          "export const decode = (bytes) => fromBinary(CreateTaskRequestSchema, bytes);",
          "export const encode = (message) => toBinary(CreateTaskRequestSchema, message);",
        ].join("\n"),
      };
    },
  };
}

/** `file` and every .proto it imports, transitively, except the well-known types buf ships. */
export function protoClosure(file: string, read = (path: string) => readFileSync(join(PROTO_DIR, path), "utf8")): string[] {
  const seen = new Set<string>();
  const pending = [file];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (seen.has(next) || next.startsWith("google/protobuf/")) continue;
    seen.add(next);
    for (const match of read(next).matchAll(/^import\s+(?:public\s+|weak\s+)?"([^"]+)";/gm)) pending.push(match[1]!);
  }
  return [...seen].sort();
}

/** Installs the pinned alternatives into bench/.deps unless they are there already. */
function ensureCodecPackages(): void {
  const installed = Object.entries(CODEC_PACKAGES).every(([name, version]) => {
    const manifest = join(DEPS_DIR, "node_modules", name, "package.json");
    return existsSync(manifest) && packageVersion(manifest) === version;
  });
  if (installed) return;
  mkdirSync(DEPS_DIR, { recursive: true });
  writeFileSync(join(DEPS_DIR, "package.json"), `${JSON.stringify({ private: true, description: "codec alternatives for npm run bench (gitignored)" })}\n`);
  const specs = Object.entries(CODEC_PACKAGES).map(([name, version]) => `${name}@${version}`);
  process.stderr.write(`codec: installing ${specs.join(" ")} into bench/.deps\n`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  execFileSync(npm, ["install", "--prefix", DEPS_DIR, "--no-audit", "--no-fund", "--no-package-lock", ...specs], {
    cwd: DEPS_DIR,
    stdio: ["ignore", "ignore", "pipe"],
  });
}

function packageVersion(manifest: string): string {
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/** The first line of an error, plus the first line of a child's stderr when it carries one. */
function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: Buffer | string } | null)?.stderr?.toString().trim().split("\n")[0];
  const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  return stderr ? `${message}: ${stderr}` : message;
}
