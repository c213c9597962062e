// INTERFACE STUB — to be implemented (see helper task).
export interface ResourceMetaInstance {
  encode(): Uint8Array;
}
export interface ResourceMetaClass<M extends ResourceMetaInstance> {
  readonly name: string;
  decode(data: Uint8Array): M;
}
