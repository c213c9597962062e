/** Shape of lib/idl/gen/descriptor.js, written by infra/generate-idl.mjs. */

/** `[json name, message type of the value (or null for scalars and enums), is a map]` by proto field name. */
export type FieldDescriptor = readonly [jsonName: string, messageType: string | null, isMap: boolean];

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
  /** Methods of every service, by full service name. */
  readonly services: Readonly<Record<string, Readonly<Record<string, MethodDescriptor>>>>;
}
