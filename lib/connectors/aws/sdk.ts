/**
 * AWS SDK v3 clients for the connectors. Credentials come from the SDK's default chain (the
 * function's role). The endpoint is AWS's own unless the service's own override is set,
 * `AWS_ENDPOINT_URL_<SERVICE ID>` (docs/CONTRACT.md §8): the SDK would also honour the global
 * AWS_ENDPOINT_URL and the shared config's endpoint_url, which redirect every service at once
 * (Secrets Manager and SSM included), so the clients ignore those and read the service's override
 * themselves. S3 behind an override is addressed path-style, as a local endpoint needs.
 */
import type { CallContext } from "../../connector/connector.js";
import { UnavailableError } from "../../connector/errors.js";
import { awsError } from "./errors.js";
import type { AwsSdkClient, ClientClass } from "./services.js";

/** Time kept back from the caller's deadline to answer UNAVAILABLE rather than be cut off. */
const DEADLINE_RESERVE_MS = 250;
/** The SDK's own retries: its standard strategy, with backoff, on throttling and 5xx. */
const MAX_ATTEMPTS = 3;
const CONNECTION_TIMEOUT_MS = 3_000;
/**
 * An attempt that gets no answer in this time is given up and retried. node-http-handler 4.x only
 * logs a warning at requestTimeout unless told to throw; older ones take it as a socket idle
 * timeout and throw anyway.
 */
const REQUEST_TIMEOUT_MS = 10_000;

/** The environment variable that points a service's client elsewhere: `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`. */
export function endpointEnvName(serviceId: string): string {
  return ["AWS_ENDPOINT_URL", ...serviceId.split(" ").map((word) => word.toUpperCase())].join("_");
}

/** A client of `Client` in `region`; `extra` is the service's own settings (e.g. S3's followRegionRedirects). */
export function createClient<C extends AwsSdkClient>(
  Client: ClientClass,
  region: string,
  extra: Readonly<Record<string, unknown>> = {},
  env: NodeJS.ProcessEnv = process.env,
): C {
  const config = {
    region,
    ignoreConfiguredEndpointUrls: true,
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    ...extra,
  };
  const client = new Client(config);
  // The service id is the client's own (its sdkId), known once it is made.
  const serviceId = client.config.serviceId ?? "";
  const endpoint = env[endpointEnvName(serviceId)];
  if (!endpoint) return client as C;
  client.destroy();
  return new Client({ ...config, endpoint, ...(serviceId === "S3" ? { forcePathStyle: true } : {}) }) as C;
}

/**
 * Sends `command`, bounded by the call's deadline: the SDK's retries stop in time to answer
 * UNAVAILABLE before it. Failures are classified (errors.ts), knowing whether the request left:
 * the SDK refuses some parameters itself (a missing key, a region that is no host name). The
 * caller's own cancellation is rethrown for the service to answer.
 */
export async function send<T = Record<string, unknown>>(
  client: AwsSdkClient,
  command: object,
  context: Pick<CallContext, "signal" | "deadline">,
  what: { readonly service: string; readonly action: string },
): Promise<T> {
  const deadline = context.deadline === undefined ? undefined : AbortSignal.timeout(Math.max(1, context.deadline - DEADLINE_RESERVE_MS - Date.now()));
  const signal = deadline ? AbortSignal.any([context.signal, deadline]) : context.signal;
  const sent = markSending(command);
  try {
    return (await client.send(command, { abortSignal: signal })) as T;
  } catch (error) {
    if (context.signal.aborted) throw context.signal.reason ?? error;
    if (deadline?.aborted) throw new UnavailableError(`${what.service} could not ${what.action}: no answer before the call's deadline`, { cause: error });
    throw awsError(error, what.service, what.action, sent());
  }
}

/**
 * Whether the command's request got past serializing, building and signing: the deserialize step
 * wraps the sending itself, so the request leaves once it is reached.
 */
function markSending(command: object): () => boolean {
  let sent = false;
  const stack = (command as { readonly middlewareStack?: AwsSdkClient["middlewareStack"] }).middlewareStack;
  stack?.add(
    (next) => (args) => {
      sent = true;
      return next(args);
    },
    { step: "deserialize" },
  );
  // Every v3 command has a stack; without one, a failure cannot be placed and counts as sent.
  return () => sent || stack === undefined;
}
