/**
 * Flyte 2's IDL as the project uses it: the `flyteidl2.connector` messages and what they reach,
 * generated at build time from the descriptors embedded in the pinned @flyteorg/flyteidl2
 * (lib/idl/gen, never committed or edited). Its reflection is built on first use of a type, so a
 * process serving only Flyte 1 never builds it.
 */
export { flyteidl2 } from "./gen/flyteidl2.js";
export { default as descriptor2 } from "./gen/descriptor2.js";
