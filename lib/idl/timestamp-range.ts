/**
 * The range google.protobuf.Timestamp allows: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z (as
 * RFC 3339 does). Beyond it proto3 JSON cannot write a Timestamp and a JavaScript Date is invalid
 * or unprintable. Apart from the JSON mapping, so that the service checks it without loading that.
 */
export const MIN_TIMESTAMP_SECONDS = -62_135_596_800;
export const MAX_TIMESTAMP_SECONDS = 253_402_300_799;

/** Whether `seconds` and `nanos` make a Timestamp of that range, nanos within their second. */
export function isTimestampInRange(seconds: number, nanos: number): boolean {
  return seconds >= MIN_TIMESTAMP_SECONDS && seconds <= MAX_TIMESTAMP_SECONDS && nanos >= 0 && nanos < 1e9;
}
