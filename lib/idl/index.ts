/**
 * Flyte's IDL as the project uses it: protobufjs static code generated at build time from the
 * pinned @flyteorg/flyteidl (lib/idl/gen, never committed or edited), plus its descriptor.
 */
export { flyteidl, google, grpc } from "./gen/flyteidl.js";
export { default as descriptor } from "./gen/descriptor.js";
export type * from "./descriptor-types.js";
