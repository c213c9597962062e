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
  const deeperThanLimit = (child: protobuf.Type, item: object) => {
    deepest = Math.max(deepest, limit === 0 ? 1 : 1 + settleNesting(child, item, limit - 1));
    return deepest > limit;
  };
  for (const field of type.fieldsArray) {
    const child = field.resolvedType;
    const value: unknown = (message as Record<string, unknown>)[field.name];
    if (!(child instanceof protobuf.Type) || typeof value !== "object" || value === null) continue;
    if (field.map) {
      const entries = value as Record<string, object | null>;
      for (const key of Object.keys(entries)) if (deeperThanLimit(child, (entries[key] ??= child.create()))) return deepest;
    } else if (field.repeated) {
      for (const item of value as readonly (object | null)[]) if (item !== null && deeperThanLimit(child, item)) return deepest;
    } else if (deeperThanLimit(child, value)) return deepest;
  }
  return deepest;
}
