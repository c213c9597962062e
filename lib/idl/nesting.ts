/**
 * A decoded message made fit for the code that reads it, walking the reflected types the generated
 * code already holds (no descriptor parse); instances and their plain-object forms alike.
 */
import protobuf from "protobufjs/light.js";

/** The reflected type of a generated message class. */
export function reflectedType(generated: object): protobuf.Type {
  return (generated as { readonly $type: protobuf.Type }).$type;
}

/**
 * Gives every map entry decoded without its value the empty message proto3 says it holds
 * (protobufjs leaves it null, which no reader expects), and measures how deeply `message` nests,
 * counted as protobufjs counts against its recursion limit: the message is level 0, each message
 * field, repeated element and map value one level below its parent. Anything deeper than `limit`
 * is `limit + 1`: the walk goes no further.
 */
export function settleNesting(type: protobuf.Type, message: object, limit: number): number {
  let deepest = 0;
  for (const { name, child, kind } of messageFields(type)) {
    const value: unknown = (message as Record<string, unknown>)[name];
    if (typeof value !== "object" || value === null) continue;
    if (kind === "map") {
      const entries = value as Record<string, object | null>;
      for (const key of Object.keys(entries)) {
        deepest = Math.max(deepest, levelsBelow(child, (entries[key] ??= child.create()), limit));
        if (deepest > limit) return deepest;
      }
    } else if (kind === "repeated") {
      for (const item of value as readonly (object | null)[]) {
        if (item !== null) deepest = Math.max(deepest, levelsBelow(child, item, limit));
        if (deepest > limit) return deepest;
      }
    } else {
      deepest = Math.max(deepest, levelsBelow(child, value, limit));
      if (deepest > limit) return deepest;
    }
  }
  return deepest;
}

/** How deep a field's message goes, counted from its parent; the walk stops past the limit. */
function levelsBelow(child: protobuf.Type, item: object, limit: number): number {
  return limit === 0 ? 1 : 1 + settleNesting(child, item, limit - 1);
}

/**
 * The map-entry half of settleNesting alone, for a message whose depth the decoder already bounds
 * (a template): it skips every field whose types can hold no map of messages, which is most of a
 * template, so it costs a fraction of the full walk.
 */
export function fillMapValues(type: protobuf.Type, message: object): void {
  for (const { name, child, kind } of messageFields(type)) {
    const descend = holdsMapsOfMessages(child);
    if (kind !== "map" && !descend) continue;
    const value: unknown = (message as Record<string, unknown>)[name];
    if (typeof value !== "object" || value === null) continue;
    if (kind === "map") {
      const entries = value as Record<string, object | null>;
      for (const key of Object.keys(entries)) {
        const entry = (entries[key] ??= child.create());
        if (descend) fillMapValues(child, entry);
      }
    } else if (kind === "repeated") {
      for (const item of value as readonly (object | null)[]) if (item !== null) fillMapValues(child, item);
    } else fillMapValues(child, value);
  }
}

/** Whether a message of this type can hold, at any depth, a map whose values are messages. */
const holdsMapsOf = new WeakMap<protobuf.Type, boolean>();

function holdsMapsOfMessages(type: protobuf.Type): boolean {
  let holds = holdsMapsOf.get(type);
  if (holds === undefined) {
    // Every type reachable from this one (types recurse, so a set rather than a recursion).
    const reachable = new Set([type]);
    for (const each of reachable) for (const { child } of messageFields(each)) reachable.add(child);
    holds = [...reachable].some((each) => messageFields(each).some(({ kind }) => kind === "map"));
    holdsMapsOf.set(type, holds);
  }
  return holds;
}

interface MessageField {
  readonly name: string;
  readonly child: protobuf.Type;
  readonly kind: "map" | "repeated" | "single";
}

/** Per type, only its message-typed fields: the walk skips scalars without looking at them. */
const messageFieldsOf = new WeakMap<protobuf.Type, readonly MessageField[]>();

function messageFields(type: protobuf.Type): readonly MessageField[] {
  let fields = messageFieldsOf.get(type);
  if (!fields) {
    fields = type.fieldsArray.flatMap((field) => {
      const child = field.resolvedType;
      if (!(child instanceof protobuf.Type)) return [];
      return [{ name: field.name, child, kind: field.map ? "map" : field.repeated ? "repeated" : "single" } as const];
    });
    messageFieldsOf.set(type, fields);
  }
  return fields;
}
