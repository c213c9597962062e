// Generates lib/idl/gen/ from the .proto files of the pinned @flyteorg/flyteidl package:
//   flyteidl.js / flyteidl.d.ts  protobufjs 7 static code for the closure of admin/agent.proto
//                                (plus grpc.health.v1), the only codec the project uses;
//   descriptor.js / .d.ts        what the static code does not carry: field names for the proto3
//                                JSON mapping and the services with their google.api.http routes.
// Nothing here is committed; it is rebuilt whenever its inputs change.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outDir = join(root, "lib/idl/gen");
const flyteidlDir = dirname(require.resolve("@flyteorg/flyteidl/package.json"));
const protoDir = join(flyteidlDir, "protos");
const localProtoDir = join(root, "infra/proto");
const entryProtos = ["flyteidl/admin/agent.proto", "grpc/health/v1/health.proto"];
const serviceProto = "flyteidl/service/agent.proto";

const stampInputs = [
  readFileSync(join(flyteidlDir, "package.json")),
  readFileSync(fileURLToPath(import.meta.url)),
  readFileSync(join(root, "infra/idl-wrapper.js")),
  readFileSync(join(localProtoDir, "grpc/health/v1/health.proto")),
  readFileSync(require.resolve("protobufjs/package.json")),
];
const stamp = createHash("sha256").update(Buffer.concat(stampInputs)).digest("hex");
const stampFile = join(outDir, ".stamp");
if (!process.argv.includes("--force") && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) {
  process.exit(0);
}
mkdirSync(outDir, { recursive: true });

const protobuf = require("protobufjs");
const { pbjs, pbts } = require("protobufjs-cli");

const run = (main, args) =>
  new Promise((resolve, reject) => main(args, (err, output) => (err ? reject(err) : resolve(output))));

// 1. Static code. Lean flags: nothing the project calls is dropped (encode, decode,
//    fromObject/toObject for the JSON mapping); create/verify/delimited/typeurl/services are.
const jsFile = join(outDir, "flyteidl.js");
const js = await run(pbjs.main, [
  "--target", "static-module",
  "--wrap", relative(process.cwd(), join(root, "infra/idl-wrapper.js")),
  "--dependency", "protobufjs/minimal.js",
  "--path", protoDir,
  "--path", localProtoDir,
  "--es6",
  "--no-create", "--no-verify", "--no-delimited", "--no-typeurl", "--no-service",
  ...entryProtos.map((p) => (existsSync(join(protoDir, p)) ? join(protoDir, p) : join(localProtoDir, p))),
]);
writeFileSync(jsFile, js);
const dts = await run(pbts.main, ["--no-comments", jsFile]);
writeFileSync(join(outDir, "flyteidl.d.ts"), dts.replace(/^import \* as \$protobuf from "protobufjs";/m, 'import * as $protobuf from "protobufjs";\nexport default $root;\ndeclare const $root: { flyteidl: typeof flyteidl; google: typeof google; grpc: typeof grpc };'));

// 2. Descriptor, read by reflection from the same .proto files. service/agent.proto imports
//    google/api/annotations.proto, which the package does not ship; its options parse without it.
const reflection = new protobuf.Root();
reflection.resolvePath = (origin, target) => {
  if (target === "google/api/annotations.proto") return null;
  for (const dir of [protoDir, localProtoDir]) {
    const candidate = join(dir, target);
    if (existsSync(candidate)) return candidate;
  }
  return protobuf.Root.prototype.resolvePath(origin, target);
};
reflection.loadSync([serviceProto, ...entryProtos], { keepCase: true });
reflection.resolveAll();

const messages = {};
const enums = {};
const services = {};
const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const walk = (ns) => {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) {
      const fields = {};
      for (const field of nested.fieldsArray) {
        const target = field.resolvedType instanceof protobuf.Type ? field.resolvedType.fullName.slice(1) : null;
        const scalar = field.resolvedType instanceof protobuf.Enum ? field.resolvedType.fullName.slice(1) : target ? null : field.type;
        // [json name, message type of the value or null, is a map, scalar type or enum name or null, is repeated]
        fields[field.name] = [camel(field.name), target, field.map, scalar, field.repeated];
      }
      messages[nested.fullName.slice(1)] = fields;
    } else if (nested instanceof protobuf.Enum) {
      enums[nested.fullName.slice(1)] = nested.values;
    } else if (nested instanceof protobuf.Service) {
      const methods = {};
      for (const method of nested.methodsArray) {
        const options = method.parsedOptions?.find((o) => o["(google.api.http)"])?.["(google.api.http)"];
        const verb = options && ["get", "post", "put", "delete", "patch"].find((v) => v in options);
        methods[method.name] = {
          requestType: method.resolvedRequestType.fullName.slice(1),
          responseType: method.resolvedResponseType.fullName.slice(1),
          requestStream: Boolean(method.requestStream),
          responseStream: Boolean(method.responseStream),
          http: verb ? { method: verb.toUpperCase(), path: options[verb], body: options.body ?? null } : null,
        };
      }
      services[nested.fullName.slice(1)] = methods;
    }
    if (nested.nestedArray) walk(nested);
  }
};
walk(reflection);

writeFileSync(
  join(outDir, "descriptor.js"),
  `// Generated by infra/generate-idl.mjs from @flyteorg/flyteidl. Do not edit.\nexport default ${JSON.stringify({ messages, enums, services })};\n`,
);
writeFileSync(
  join(outDir, "descriptor.d.ts"),
  `import type { IdlDescriptor } from "../descriptor-types.js";\ndeclare const descriptor: IdlDescriptor;\nexport default descriptor;\n`,
);
writeFileSync(stampFile, stamp);
console.log(`generated ${relative(root, outDir)} (${Object.keys(messages).length} messages, ${Object.keys(services).length} services)`);
