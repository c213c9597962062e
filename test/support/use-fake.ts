/** A platform fake for a whole test file: listening for its tests, with its calls and faults cleared before each. */
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { PlatformFake } from "../../lib/testing/platform-fake.js";

/** Registers the hooks, so the file's own beforeEach (registered after) sees a fresh fake. */
export function useFake<T extends PlatformFake>(fake: T): T {
  beforeAll(async () => {
    await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    fake.reset();
  });
  return fake;
}
