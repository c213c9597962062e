/** Shape of lib/idl/gen/descriptor.js, written by infra/generate-idl.mjs. */

/**
 * `[json name, message type of the value (or null for scalars and enums), is a map, scalar type
 * (`int64`, `bytes`, ...) or full enum name of the value (or null for messages), is repeated]`
 * by proto field name.
 */
export type FieldDescriptor = readonly [
  jsonName: string,
  messageType: string | null,
  isMap: boolean,
  scalarType: string | null,
  isRepeated: boolean,
];

export interface HttpRule {
  readonly method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  readonly path: string;
  readonly body: string | null;
}

export interface MethodDescriptor {
  readonly requestType: string;
  readonly responseType: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly http: HttpRule | null;
}

export interface IdlDescriptor {
  /** Fields of every message type, by full name (no leading dot). */
  readonly messages: Readonly<Record<string, Readonly<Record<string, FieldDescriptor>>>>;
  /** Values of every enum type, number by name, by full name. */
  readonly enums: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Methods of every service, by full service name. */
  readonly services: Readonly<Record<string, Readonly<Record<string, MethodDescriptor>>>>;
}
