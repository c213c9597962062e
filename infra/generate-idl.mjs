// Generates lib/idl/gen/ from the pinned IDL packages, one codec per protocol:
//   flyteidl.js / .d.ts      Flyte 1: the closure of @flyteorg/flyteidl's admin/agent.proto (plus
//                            grpc.health.v1), from its .proto files;
//   flyteidl2.js / .d.ts     Flyte 2: the closure of flyteidl2/connector/service.proto, from the
//                            serialized FileDescriptorProtos embedded in @flyteorg/flyteidl2's
//                            protobuf-es .ts files (the package ships no .proto), built on first use;
//   descriptor.js, descriptor2.js (with .d.ts)  what the codecs do not carry: field names for the
//                            proto3 JSON mapping and the services with their google.api.http routes.
// Both codecs are protobufjs 7 reflection over the same runtime. Nothing here is committed; it is
// rebuilt whenever its inputs change.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outDir = join(root, "lib/idl/gen");
const flyteidlDir = dirname(require.resolve("@flyteorg/flyteidl/package.json"));
const flyteidl2Dir = dirname(require.resolve("@flyteorg/flyteidl2/package.json"));
const protoDir = join(flyteidlDir, "protos");
const localProtoDir = join(root, "infra/proto");
const entryProtos = ["flyteidl/admin/agent.proto", "grpc/health/v1/health.proto"];
const serviceProto = "flyteidl/service/agent.proto";
const flyteidl2Service = "flyteidl2/connector/service.proto";

const stampInputs = [
  readFileSync(join(flyteidlDir, "package.json")),
  readFileSync(join(flyteidl2Dir, "package.json")),
  readFileSync(fileURLToPath(import.meta.url)),
  readFileSync(join(localProtoDir, "grpc/health/v1/health.proto")),
  readFileSync(require.resolve("protobufjs/package.json")),
  readFileSync(require.resolve("protobufjs-cli/package.json")),
];
// What a run writes: a stamp that matches does not stand for a file deleted since.
const outputs = ["flyteidl", "flyteidl2", "descriptor", "descriptor2"].flatMap((name) => [`${name}.js`, `${name}.d.ts`]);
const stamp = createHash("sha256").update(Buffer.concat(stampInputs)).digest("hex");
const stampFile = join(outDir, ".stamp");
const upToDate = existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp && outputs.every((file) => existsSync(join(outDir, file)));
if (!process.argv.includes("--force") && upToDate) {
  process.exit(0);
}
mkdirSync(outDir, { recursive: true });
// Two stale runs may overlap (`npm test` beside `npm start` on a fresh clone): each keeps its
// intermediates in a directory of its own, and each output replaces the last whole (a rename),
// so neither reads the other's half-written file.
const workDir = mkdtempSync(join(tmpdir(), "generate-idl-"));
process.on("exit", () => rmSync(workDir, { recursive: true, force: true }));

/** `content` as `file` in lib/idl/gen, written beside it and renamed into place. */
function writeOutput(file, content) {
  const partial = join(outDir, `.${file}.${process.pid}.partial`);
  writeFileSync(partial, content);
  renameSync(partial, join(outDir, file));
}

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

// The messages each protocol's services send and receive; everything they do not reach is left
// out of the generated code (a third of the types agent.proto's imports declare), which keeps
// bundles small.
const serviceMessages = (root) =>
  Object.values(servicesOf(root)).flatMap((methods) =>
    Object.values(methods).flatMap((m) => [m.resolvedRequestType, m.resolvedResponseType]),
  );

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

// ---------------------------------------------------------------------------------------------
// Flyte 1: the .proto files of @flyteorg/flyteidl.

const flyteidl = {
  source: "@flyteorg/flyteidl",
  codec: "flyteidl",
  descriptor: "descriptor",
  load(keepCase) {
    const root = new protobuf.Root();
    root.resolvePath = resolveIn([protoDir, localProtoDir], ["google/api/annotations.proto"]);
    root.loadSync([serviceProto, ...entryProtos], { keepCase });
    root.resolveAll();
    return root;
  },
  rootMessages: (root) => [...serviceMessages(root), ...root.lookup("grpc.health.v1").nestedArray],
  lazy: false,
};

// ---------------------------------------------------------------------------------------------
// Flyte 2: the FileDescriptorProtos embedded in @flyteorg/flyteidl2's protobuf-es files, as
// `fileDesc("<base64>", [<the files it imports>])`. protobuf-es strips the encoded dependency list
// (its second argument names them) and default json_names; the rest is protoc's own descriptor.

const descriptorTypes = require("protobufjs/ext/descriptor");

/** Files imported for options only (validation rules, the http annotation itself): no message reaches them. */
const OPTION_ONLY_FILES = new Set(["buf/validate/validate.proto", "google/api/annotations.proto"]);
const HTTP_RULE_FIELD = 72295728; // google.api.http, an extension of google.protobuf.MethodOptions
const WKT_PREFIX = "file_google_protobuf_";

/** Every file the service file imports, transitively, by proto file name: its descriptor, or "wkt" for google/protobuf. */
function embeddedFiles(tsPath, files = new Map()) {
  const name = relative(flyteidl2Dir, tsPath).replace(/_pb\.ts$/, ".proto");
  if (files.has(name)) return files;
  const source = readFileSync(tsPath, "utf8");
  const importedFrom = new Map();
  for (const [, names, from] of source.matchAll(/^import \{([^}]+)\} from "([^"]+)";$/gm)) {
    for (const id of names.split(",")) importedFrom.set(id.trim(), from);
  }
  const match = /fileDesc\("([A-Za-z0-9+/=]*)"(?:, \[([^\]]*)\])?\)/.exec(source);
  if (!match) throw new Error(`generate-idl: no embedded descriptor in ${tsPath}`);
  files.set(name, { bytes: Buffer.from(match[1], "base64"), imports: [] });
  for (const id of (match[2] ?? "").split(",").map((part) => part.trim()).filter(Boolean)) {
    const from = importedFrom.get(id);
    if (from === undefined) throw new Error(`generate-idl: ${tsPath} imports ${id} from nowhere`);
    if (from === "@bufbuild/protobuf/wkt" && id.startsWith(WKT_PREFIX)) {
      files.get(name).imports.push(`google/protobuf/${id.slice(WKT_PREFIX.length)}.proto`);
    } else {
      const dependency = resolve(dirname(tsPath), from);
      files.get(name).imports.push(relative(flyteidl2Dir, dependency).replace(/_pb\.ts$/, ".proto"));
      embeddedFiles(dependency, files);
    }
  }
  return files;
}

const SCALAR_TYPES = {
  1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 6: "fixed64", 7: "fixed32", 8: "bool",
  9: "string", 12: "bytes", 13: "uint32", 15: "sfixed32", 16: "sfixed64", 17: "sint32", 18: "sint64",
};
const TYPE_MESSAGE = 11;
const TYPE_ENUM = 14;
const LABEL_REPEATED = 3;

/**
 * protobufjs's JSON of a FileDescriptorProto, as its parser writes a .proto file's (so the same
 * pipeline and checks as Flyte 1's follow): field and oneof names camelCased unless `keepCase`,
 * map entries as map fields, the google.api.http option of each method as `parsedOptions`.
 * (protobufjs's own Root.fromDescriptor leaves maps as repeated entry messages.)
 */
function fileJson(file, keepCase, into) {
  const name = keepCase ? (text) => text : protobuf.util.camelCase;
  const own = (message, key) => Object.hasOwn(message, key);
  const fieldType = (field) => {
    const type = field.type === TYPE_MESSAGE || field.type === TYPE_ENUM ? field.typeName : SCALAR_TYPES[field.type];
    if (!type) throw new Error(`generate-idl: ${file.name}: field ${field.name} has unsupported type ${field.type}`);
    return type;
  };
  const enumJson = (enumType) => ({ values: Object.fromEntries(enumType.value.map((value) => [value.name, value.number])) });
  const messageJson = (message, fullName) => {
    const entries = new Map(message.nestedType.filter((nested) => nested.options?.mapEntry).map((nested) => [`${fullName}.${nested.name}`, nested]));
    const json = {};
    if (message.oneofDecl.length > 0) {
      json.oneofs = Object.fromEntries(
        message.oneofDecl.map((oneof, index) => [
          name(oneof.name),
          { oneof: message.field.filter((field) => own(field, "oneofIndex") && field.oneofIndex === index).map((field) => name(field.name)) },
        ]),
      );
    }
    json.fields = {};
    for (const field of message.field) {
      if (own(field, "jsonName")) throw new Error(`generate-idl: ${fullName}.${field.name} has a json_name of its own, which descriptor.js does not carry`);
      const entry = field.label === LABEL_REPEATED ? entries.get(field.typeName) : undefined;
      if (entry) {
        json.fields[name(field.name)] = { keyType: fieldType(entry.field[0]), type: fieldType(entry.field[1]), id: field.number };
        continue;
      }
      const options = {};
      if (field.proto3Optional) options.proto3_optional = true;
      if (field.options && own(field.options, "packed")) options.packed = field.options.packed;
      json.fields[name(field.name)] = {
        ...(field.label === LABEL_REPEATED ? { rule: "repeated" } : {}),
        type: fieldType(field),
        id: field.number,
        ...(Object.keys(options).length > 0 ? { options } : {}),
      };
    }
    const nested = {};
    for (const inner of message.nestedType) if (!entries.has(`${fullName}.${inner.name}`)) nested[inner.name] = messageJson(inner, `${fullName}.${inner.name}`);
    for (const inner of message.enumType) nested[inner.name] = enumJson(inner);
    if (Object.keys(nested).length > 0) json.nested = nested;
    return json;
  };
  let ns = into;
  for (const part of file.package.split(".")) ns = (ns.nested ??= {})[part] ??= {};
  ns.nested ??= {};
  for (const message of file.messageType) ns.nested[message.name] = messageJson(message, `.${file.package}.${message.name}`);
  for (const enumType of file.enumType) ns.nested[enumType.name] = enumJson(enumType);
  for (const service of file.service) {
    const methods = {};
    for (const method of service.method) {
      const rule = method.options?.googleApiHttp;
      methods[method.name] = {
        requestType: method.inputType,
        responseType: method.outputType,
        ...(method.clientStreaming ? { requestStream: true } : {}),
        ...(method.serverStreaming ? { responseStream: true } : {}),
        ...(rule ? { parsedOptions: [{ "(google.api.http)": descriptorTypes.root.lookupType("google.api.HttpRule").toObject(rule) }] } : {}),
      };
    }
    ns.nested[service.name] = { methods };
  }
  return into;
}

/** Adds `source`'s namespaces into `target`'s, as protobufjs merges namespaces declared by several files. */
function mergeNested(target, source) {
  for (const [key, value] of Object.entries(source.nested ?? {})) {
    const existing = (target.nested ??= {})[key];
    if (existing && !existing.fields && !existing.values && !existing.methods) mergeNested(existing, value);
    else if (existing) throw new Error(`generate-idl: ${key} is declared twice`);
    else target.nested[key] = value;
  }
  return target;
}

let flyteidl2Files;
const flyteidl2 = {
  source: "@flyteorg/flyteidl2",
  codec: "flyteidl2",
  descriptor: "descriptor2",
  load(keepCase) {
    flyteidl2Files ??= decodeEmbeddedFiles();
    const json = {};
    for (const [name, file] of flyteidl2Files) {
      if (file === "wkt") mergeNested(json, structuredClone(protobuf.common.get(name) ?? fail(`protobufjs has no ${name}`)));
      else fileJson(file, keepCase, json);
    }
    const root = protobuf.Root.fromJSON(json);
    root.resolveAll();
    return root;
  },
  rootMessages: serviceMessages,
  lazy: true,
};

function fail(message) {
  throw new Error(`generate-idl: ${message}`);
}

/** The descriptors the service file needs, decoded, with google.api.http read from method options. */
function decodeEmbeddedFiles() {
  const embedded = embeddedFiles(join(flyteidl2Dir, flyteidl2Service.replace(/\.proto$/, "_pb.ts")));
  const decode = (name) => descriptorTypes.FileDescriptorProto.decode(embedded.get(name)?.bytes ?? fail(`${name} is not imported`));
  // MethodOptions knows no extension: the http rule's type and field are added to it first.
  descriptorTypes.root.addJSON(fileJson(decode("google/api/http.proto"), true, {}).nested);
  descriptorTypes.MethodOptions.add(new protobuf.Field("googleApiHttp", HTTP_RULE_FIELD, "google.api.HttpRule"));
  descriptorTypes.root.resolveAll();
  const files = new Map();
  const wanted = [flyteidl2Service];
  while (wanted.length > 0) {
    const name = wanted.pop();
    if (files.has(name) || OPTION_ONLY_FILES.has(name)) continue;
    if (name.startsWith("google/protobuf/")) {
      files.set(name, "wkt");
      continue;
    }
    const file = decode(name);
    if (file.syntax !== "proto3") fail(`${name} is ${file.syntax || "proto2"}, not proto3`);
    files.set(name, file);
    wanted.push(...embedded.get(name).imports);
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// What each protocol gets.

for (const protocol of [flyteidl, flyteidl2]) {
  await writeCodec(protocol);
  writeDescriptor(protocol);
}
writeOutput(".stamp", stamp);

// 1. The codec: protobufjs 7 reflection (protobufjs/light) over a JSON descriptor of the pruned
//    types. Its encoders and decoders are generated at run time by the same codegen the static
//    target writes out ahead of time, so they are as fast, but the bundle carries ~20 KB of
//    JSON instead of ~300 KB of generated functions (see the README's design notes).
//    The static target still runs, only to give pbts the classes to declare types from.
async function writeCodec({ source, codec, load, rootMessages, lazy }) {
  const staticRoot = load(false);
  const keep = reachable(rootMessages(staticRoot));
  for (const service of Object.keys(servicesOf(staticRoot))) staticRoot.lookup(service).parent.remove(staticRoot.lookup(service));
  prune(staticRoot, keep);
  const topLevel = staticRoot.nestedArray.map((namespace) => [namespace.name, namespace.nestedArray.map((nested) => nested.name)]);
  const prunedJson = JSON.stringify(staticRoot.toJSON());
  const typingSource = join(workDir, `${codec}-typing-source.json`);
  writeFileSync(typingSource, prunedJson);
  const staticFile = join(workDir, `${codec}-static-for-typing.js`);
  writeFileSync(
    staticFile,
    await run(pbjs.main, ["--target", "static-module", "--es6", "--no-create", "--no-verify", "--no-delimited", "--no-typeurl", "--no-service", typingSource]),
  );
  const dts = await run(pbts.main, ["--no-comments", staticFile]);
  const rootType = topLevel.map(([name]) => `${name}: typeof ${name}`).join("; ");
  writeOutput(
    `${codec}.d.ts`,
    dts
      .replace(/^import \* as \$protobuf from "protobufjs";/m, `import * as $protobuf from "protobufjs";\nexport default $root;\ndeclare const $root: { ${rootType} };`)
      // Reflection-backed classes also carry their reflected type, which static code has not.
      .replace(/^( *)constructor\(properties\?: [^)]*\);$/gm, "$&\n$1public static readonly $type: $protobuf.Type;"),
  );

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

  writeOutput(
    `${codec}.js`,
    `// Generated by infra/generate-idl.mjs from ${source}. Do not edit.
import $protobuf from "protobufjs/light.js";

// Root.fromJSON is addJSON, then resolveAll. Two of resolveAll's costs, a fifth of a cold start's
// reflection, are paid ahead here instead: editions feature resolution (every object resolves to
// one of two sets, which the generator checked) and a constructor per type generated with
// protobufjs's codegen (here as source, set through Type#ctor as a registered class is).
const constructors = {
  ${constructors.join(",\n  ")}
};
let $root;

/** The reflection, built ${lazy ? "on first use of a type (a function serving only the other protocol never builds it)" : "as the module loads (below)"}. */
function root() {
  if ($root) return $root;
  $root = new $protobuf.Root().addJSON(${JSON.stringify(leanJson.nested)});
  presetFeatures($root, Object.freeze(${featureSets.namespace}), Object.freeze(${featureSets.other}));
  presetConstructors($root);
  $root.resolveAll();
  prepare($root);
  return $root;
}

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
function prepare(namespace) {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof $protobuf.Type) {
      generateOnFirstUse(nested);
      for (const field of nested.fieldsArray) if (field.partOf) nested.ctor.prototype[field.name] = null;
    }
    if (nested.nestedArray) prepare(nested);
  }
}

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

// Each top-level namespace is an object from the start; what is below it is built on first use.
function namespaceOf(name, children) {
  const target = {};
  for (const child of children) {
    Object.defineProperty(target, child, {
      configurable: true,
      enumerable: true,
      get() {
        const value = build(root().lookup(name + "." + child));
        Object.defineProperty(target, child, { value, enumerable: true });
        return value;
      },
    });
  }
  return target;
}
${lazy ? "" : "\nroot();\n"}
${topLevel.map(([name, children]) => `export const ${name} = namespaceOf(${JSON.stringify(name)}, ${JSON.stringify(children)});`).join("\n")}
export default { ${topLevel.map(([name]) => name).join(", ")} };
`,
  );
}

// 2. Descriptor of the same types, with proto field names and the services' http rules.
//    service/agent.proto imports google/api/annotations.proto, which the package does not ship;
//    its options parse without it.
function writeDescriptor({ source, descriptor, load, rootMessages }) {
  const reflection = load(true);
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

  writeOutput(
    `${descriptor}.js`,
    `// Generated by infra/generate-idl.mjs from ${source}. Do not edit.
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
  writeOutput(
    `${descriptor}.d.ts`,
    `import type { IdlDescriptor } from "../descriptor-types.js";\ndeclare const descriptor: IdlDescriptor;\nexport default descriptor;\n`,
  );
  console.log(`generated ${relative(root, outDir)}/${descriptor}.js (${Object.keys(messages).length} messages, ${Object.keys(services).length} services)`);
}
