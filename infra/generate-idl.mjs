// Generates lib/idl/gen/ from the .proto files of the pinned @flyteorg/flyteidl package:
//   flyteidl.js / flyteidl.d.ts  protobufjs 7 static code for the closure of admin/agent.proto
//                                (plus grpc.health.v1), the only codec the project uses;
//   descriptor.js / .d.ts        what the static code does not carry: field names for the proto3
//                                JSON mapping and the services with their google.api.http routes.
// Nothing here is committed; it is rebuilt whenever its inputs change.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

const resolveIn = (dirs, skip = []) => (origin, target) => {
  if (skip.includes(target)) return null;
  for (const dir of dirs) {
    const candidate = join(dir, target);
    if (existsSync(candidate)) return candidate;
  }
  return protobuf.Root.prototype.resolvePath(origin, target);
};

// The messages the project sends and receives; everything they do not reach is left out of the
// generated code (a third of the types agent.proto's imports declare), which keeps bundles small.
const rootMessages = (root) => [
  ...Object.values(servicesOf(root)).flatMap((methods) =>
    Object.values(methods).flatMap((m) => [m.resolvedRequestType, m.resolvedResponseType]),
  ),
  ...root.lookup("grpc.health.v1").nestedArray,
];

function servicesOf(root) {
  const services = {};
  const walk = (ns) => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Service) services[nested.fullName.slice(1)] = nested.methods;
      if (nested.nestedArray) walk(nested);
    }
  };
  walk(root);
  return services;
}

function reachable(starts) {
  const seen = new Set();
  const visit = (type) => {
    if (seen.has(type)) return;
    seen.add(type);
    if (type instanceof protobuf.Type) for (const field of type.fieldsArray) if (field.resolvedType) visit(field.resolvedType);
  };
  starts.forEach(visit);
  return seen;
}

/** Removes what `keep` does not hold from `ns`; a type stays when something nested in it is kept. */
function prune(ns, keep) {
  for (const nested of [...(ns.nestedArray ?? [])]) {
    const inner = nested.nestedArray ? prune(nested, keep) : false;
    const kept = keep.has(nested) || inner;
    if (!kept) ns.remove(nested);
  }
  return keep.has(ns) || (ns.nestedArray ?? []).length > 0;
}

function loadRoot(keepCase) {
  const root = new protobuf.Root();
  root.resolvePath = resolveIn([protoDir, localProtoDir], ["google/api/annotations.proto"]);
  root.loadSync([serviceProto, ...entryProtos], { keepCase });
  root.resolveAll();
  return root;
}

/**
 * The reflection JSON without what decoding and encoding never read: reserved ranges and the
 * options the pruned types carry (go_package, deprecated). Options that change the wire format
 * (packed, default, proto3_optional, features) would stay, but flyteidl declares none.
 */
function leanDescriptor(json) {
  const wireOptions = new Set(["packed", "default", "proto3_optional", "features"]);
  if (Array.isArray(json)) return json.map(leanDescriptor);
  if (json === null || typeof json !== "object") return json;
  const lean = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === "reserved") continue;
    if (key === "options") {
      const kept = Object.fromEntries(Object.entries(value).filter(([name]) => wireOptions.has(name)));
      if (Object.keys(kept).length > 0) lean.options = kept;
      continue;
    }
    lean[key] = leanDescriptor(value);
  }
  return lean;
}

// 1. The codec: protobufjs 7 reflection (protobufjs/light) over a JSON descriptor of the pruned
//    types. Its encoders and decoders are generated at run time by the same codegen the static
//    target writes out ahead of time, so they are as fast, but the bundle carries ~20 KB of
//    JSON instead of ~300 KB of generated functions (see the README's design notes).
//    The static target still runs, only to give pbts the classes to declare types from.
const staticRoot = loadRoot(false);
const keep = reachable(rootMessages(staticRoot));
for (const service of Object.keys(servicesOf(staticRoot))) staticRoot.lookup(service).parent.remove(staticRoot.lookup(service));
prune(staticRoot, keep);
const prunedJson = JSON.stringify(staticRoot.toJSON());
const typingSource = join(outDir, "typing-source.json");
writeFileSync(typingSource, prunedJson);
const staticFile = join(outDir, "static-for-typing.js");
writeFileSync(
  staticFile,
  await run(pbjs.main, ["--target", "static-module", "--es6", "--no-create", "--no-verify", "--no-delimited", "--no-typeurl", "--no-service", typingSource]),
);
const dts = await run(pbts.main, ["--no-comments", staticFile]);
writeFileSync(
  join(outDir, "flyteidl.d.ts"),
  dts
    .replace(
      /^import \* as \$protobuf from "protobufjs";/m,
      'import * as $protobuf from "protobufjs";\nexport default $root;\ndeclare const $root: { flyteidl: typeof flyteidl; google: typeof google; grpc: typeof grpc };',
    )
    // Reflection-backed classes also carry their reflected type, which static code has not.
    .replace(/^( *)constructor\(properties\?: [^)]*\);$/gm, "$&\n$1public static readonly $type: $protobuf.Type;"),
);
rmSync(staticFile);
rmSync(typingSource);

// The lazy codecs below stand in for Type#setup, which also applies protobufjs's wrappers
// (google.protobuf.Any's JSON form): none of the pruned types may have one.
const wrapped = Object.keys(protobuf.wrappers).filter((name) => keep.has(staticRoot.lookup(name)));
if (wrapped.length > 0) throw new Error(`generate-idl: lazy codecs do not apply protobufjs's wrappers of ${wrapped.join(", ")}`);

const leanJson = leanDescriptor(staticRoot.toJSON());
const reference = protobuf.Root.fromJSON(leanJson);

// Root.fromJSON resolves protobufjs's editions features for every object, merging its parent's
// set into a copy of its own. Proto3 without feature options resolves to the same two sets
// everywhere, one for plain namespaces and one for the rest: checked here, on a root built as
// fromJSON builds it, so that the generated code can assign them instead.
const isPlainNamespace = (object) => object instanceof protobuf.Namespace && !(object instanceof protobuf.Type) && !(object instanceof protobuf.Service);
const featureSets = { namespace: undefined, other: undefined };
(function checkFeatures(object) {
  const kind = isPlainNamespace(object) ? "namespace" : "other";
  const features = JSON.stringify(object._features);
  featureSets[kind] ??= features;
  if (features !== featureSets[kind]) {
    throw new Error(`generate-idl: ${object.fullName} resolves to features ${features}, not ${featureSets[kind]}`);
  }
  for (const child of [...(object.nestedArray ?? []), ...(object.fieldsArray ?? []), ...(object.oneofsArray ?? [])]) checkFeatures(child);
})(reference);

// Type.generateConstructor's code, as source: a type with map or repeated fields starts each with
// its own empty object or array (each constructor stays monomorphic); any other gets the plain one.
const constructors = [];
(function collectConstructors(namespace) {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) {
      const fresh = nested.fieldsArray
        .filter((field) => field.map || field.repeated)
        .map((field) => `this[${JSON.stringify(field.name)}] = ${field.map ? "{}" : "[]"};`);
      if (fresh.length > 0) constructors.push(`${JSON.stringify(nested.fullName)}: function (p) { ${fresh.join(" ")} if (p) assign(this, p); }`);
    }
    if (nested.nestedArray) collectConstructors(nested);
  }
})(reference);

writeFileSync(
  join(outDir, "flyteidl.js"),
  `// Generated by infra/generate-idl.mjs from @flyteorg/flyteidl. Do not edit.
import $protobuf from "protobufjs/light.js";

// Root.fromJSON is addJSON, then resolveAll. Two of resolveAll's costs, a fifth of a cold start's
// reflection, are paid ahead here instead: editions feature resolution (every object resolves to
// one of two sets, which the generator checked) and a constructor per type generated with
// protobufjs's codegen (here as source, set through Type#ctor as a registered class is).
const constructors = {
  ${constructors.join(",\n  ")}
};
const $root = new $protobuf.Root().addJSON(${JSON.stringify(leanJson.nested)});
presetFeatures($root, Object.freeze(${featureSets.namespace}), Object.freeze(${featureSets.other}));
presetConstructors($root);
$root.resolveAll();

function presetFeatures(object, namespaceFeatures, features) {
  object._features = object instanceof $protobuf.Namespace && !(object instanceof $protobuf.Type) ? namespaceFeatures : features;
  object._featuresResolved = true;
  if (object instanceof $protobuf.Namespace) object._needsRecursiveFeatureResolution = false;
  const children = object instanceof $protobuf.Type ? [...object.nestedArray, ...object.fieldsArray, ...object.oneofsArray] : object.nestedArray;
  for (const child of children ?? []) presetFeatures(child, namespaceFeatures, features);
}

function presetConstructors(namespace) {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof $protobuf.Type) {
      const ctor = constructors[nested.fullName] ?? function (p) { if (p) assign(this, p); };
      Object.defineProperty(ctor, "name", { value: nested.name });
      nested.ctor = ctor;
    }
    if (nested.nestedArray) presetConstructors(nested);
  }
}

/** The properties given, but for null or undefined ones and \`__proto__\`, as generated constructors copy them. */
function assign(message, properties) {
  for (const key of Object.keys(properties)) if (properties[key] != null && key !== "__proto__") message[key] = properties[key];
}

// protobufjs's Type#setup generates a type's encode, decode, verify, fromObject and toObject all
// at once, on first use of any; in a cold process that code generation is most of the first
// request's cost. Here each is generated on its own first use: a function generates the decoders
// of its requests and the encoders of its answers, and nothing else it does not run. (verify is
// not typed nor used; called anyway, it falls back to Type#setup, which generates all five.)
const { Reader, Writer, util } = $protobuf;
const generators = {
  encode: (type, types) => compile($protobuf.encoder(type), { Writer, types, util }),
  decode: (type, types) => withMapValues(type, compile($protobuf.decoder(type), { Reader, types, util })),
  fromObject: (type, types) => $protobuf.converter.fromObject(type)({ types, util }),
  toObject: (type, types) => $protobuf.converter.toObject(type)({ types, util }),
};

// protobufjs's codegen compiles \`return function X$decode(...) {...}\`: V8 pre-parses the inner
// function, then parses it again on its first call. Parenthesized, it is compiled once, at once.
function compile(codegen, scope) {
  return Function(...Object.keys(scope), "return (" + codegen.toString() + ")")(...Object.values(scope));
}

// Proto3 gives a map entry sent without its value the value's default, for a message the empty
// message; protobufjs's decoder leaves null there, which no reader expects (nor its own encoder).
// Types with maps of messages (LiteralMap, Struct, the interface's variables) get a decoder that
// fills such entries as it goes, at the cost of one pass over the keys of their own maps.
function withMapValues(type, decode) {
  const maps = type.fieldsArray.filter((field) => field.map && field.resolvedType instanceof $protobuf.Type);
  if (maps.length === 0) return decode;
  return function (reader, length, end, depth) {
    const message = decode.call(this, reader, length, end, depth);
    for (const { name, resolvedType } of maps) {
      const entries = message[name];
      for (const key of Object.keys(entries)) if (entries[key] === null) entries[key] = resolvedType.create();
    }
    return message;
  };
}

function generateOnFirstUse(type) {
  for (const name of Object.keys(generators)) {
    type[name] = function () {
      const generated = generators[name](type, type.fieldsArray.map((field) => field.resolvedType));
      type[name] = generated;
      return generated.apply(type, arguments);
    };
  }
}

// As in static code, an unset oneof member reads null rather than its type's zero value (code
// tells which member is set by testing for null); fromJSON resolved every field's default already.
(function prepare(namespace) {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof $protobuf.Type) {
      generateOnFirstUse(nested);
      for (const field of nested.fieldsArray) if (field.partOf) nested.ctor.prototype[field.name] = null;
    }
    if (nested.nestedArray) prepare(nested);
  }
})($root);

// The same shape the static target gives: namespaces as objects, message classes (with their
// nested types as statics) and enums as name<->number maps, each built on first use.
function expose(reflected, target) {
  for (const nested of reflected.nestedArray) {
    Object.defineProperty(target, nested.name, {
      configurable: true,
      enumerable: true,
      get() {
        const value = build(nested);
        Object.defineProperty(target, nested.name, { value, enumerable: true });
        return value;
      },
    });
  }
  return target;
}

function build(reflected) {
  if (reflected instanceof $protobuf.Enum) {
    const values = Object.create(reflected.valuesById);
    return Object.assign(values, reflected.values);
  }
  if (reflected instanceof $protobuf.Type) return expose(reflected, reflected.ctor);
  return expose(reflected, {});
}

const exposed = expose($root, {});
export const flyteidl = exposed.flyteidl;
export const google = exposed.google;
export const grpc = exposed.grpc;
export default exposed;
`,
);

// 2. Descriptor of the same types, with proto field names and the services' http rules.
//    service/agent.proto imports google/api/annotations.proto, which the package does not ship;
//    its options parse without it.
const reflection = loadRoot(true);
const keepNamed = new Set([...reachable(rootMessages(reflection))].map((type) => type.fullName));

const messages = {};
const enums = {};
const services = {};
const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const walk = (ns) => {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type && keepNamed.has(nested.fullName)) {
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
  `// Generated by infra/generate-idl.mjs from @flyteorg/flyteidl. Do not edit.
// Fields and enums serve only the JSON mapping (HTTP with application/json): they are parsed on
// first use, so a function that never maps JSON never builds them.
let mapping;
const parsed = () => (mapping ??= JSON.parse(${JSON.stringify(JSON.stringify({ messages, enums }))}));

export default {
  get messages() {
    return parsed().messages;
  },
  get enums() {
    return parsed().enums;
  },
  services: ${JSON.stringify(services)},
};
`,
);
writeFileSync(
  join(outDir, "descriptor.d.ts"),
  `import type { IdlDescriptor } from "../descriptor-types.js";\ndeclare const descriptor: IdlDescriptor;\nexport default descriptor;\n`,
);
writeFileSync(stampFile, stamp);
console.log(`generated ${relative(root, outDir)} (${Object.keys(messages).length} messages, ${Object.keys(services).length} services)`);
