/** The ConnectorError a promise rejects with; fails the test when it resolves or rejects with anything else. */
import { expect } from "vitest";
import { ConnectorError } from "../../lib/connector/errors.js";

export async function rejection(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}
