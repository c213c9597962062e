/**
 * The grpc-js handler of each operation: decoded request messages in, the dispatch's answer
 * out, under the caller's deadline. The three shapes of the op table: unary, server streaming
 * (GetTaskLogs) and bidi (ExecuteTaskSync: collect until the client half-closes, then answer).
 */
import type {
  handleBidiStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  ServerUnaryCall,
  UntypedHandleCall,
} from "@grpc/grpc-js";
import { MAX_REQUEST_MESSAGES } from "../../limits.js";
import { tooManyRequestMessages, type Dispatch, type Operation } from "../../service/operations.js";
import type { ServiceLogger } from "../../service/service.js";
import type { Decoded } from "./definitions.js";
import { toGrpcStatus } from "./status.js";

/** What every kind of server call offers (grpc-js does not export its ServerSurfaceCall). */
type ServerCall = Pick<ServerUnaryCall<unknown, unknown>, "getDeadline" | "cancelled"> & {
  once(event: "cancelled", listener: () => void): unknown;
};

export function operationHandler(operation: Operation, dispatch: Dispatch, logger?: ServiceLogger): UntypedHandleCall {
  const answer = async (requests: readonly Decoded<object>[], call: ServerCall, signal: AbortSignal) =>
    dispatch(operation.name, requests.map(unwrap), {
      deadline: deadlineOf(call),
      signal,
      ...(operation.protocol === "flyteidl" ? {} : { protocol: operation.protocol }),
    });
  const failure = (error: unknown) => toGrpcStatus(error, logger, operation.path);

  if (operation.requestStream && operation.responseStream) {
    const bidi: handleBidiStreamingCall<Decoded<object>, object> = (call) => {
      const signal = cancelSignal(call);
      const requests: Decoded<object>[] = [];
      let failed = false;
      call.on("data", (request: Decoded<object>) => {
        if (failed) return;
        // A message that does not decode, or one too many, ends the call at once rather than at
        // half-close: a client that never half-closes cannot make the call hold its messages.
        if ("failure" in request || requests.length === MAX_REQUEST_MESSAGES) {
          failed = true;
          call.emit("error", failure("failure" in request ? request.failure : tooManyRequestMessages(operation)));
          return;
        }
        requests.push(request);
      });
      // grpc-js ends the request stream for a client's RST_STREAM (a cancel) as for a half-close,
      // and only marks the call cancelled in the ticks that follow: a client that went away after
      // the header must not have the connector run without its inputs.
      call.on("end", () =>
        setImmediate(() => {
          if (failed || call.cancelled) return;
          answer(requests, call, signal).then(
            (responses) => {
              for (const response of responses) call.write(response);
              call.end();
            },
            (error) => call.emit("error", failure(error)),
          );
        }),
      );
    };
    return bidi;
  }
  if (operation.requestStream) throw new Error(`${operation.path}: client streaming is not served`);
  if (operation.responseStream) {
    const serverStream: handleServerStreamingCall<Decoded<object>, object> = (call) => {
      answer([call.request], call, cancelSignal(call)).then(
        (responses) => {
          for (const response of responses) call.write(response);
          call.end();
        },
        (error) => call.emit("error", failure(error)),
      );
    };
    return serverStream;
  }
  const unary: handleUnaryCall<Decoded<object>, object> = (call, callback) => {
    answer([call.request], call, cancelSignal(call)).then(
      (responses) => {
        if (responses.length !== 1) {
          callback(failure(new Error(`dispatch answered ${responses.length} messages to a unary call`)));
          return;
        }
        callback(null, responses[0]);
      },
      (error) => callback(failure(error)),
    );
  };
  return unary;
}

export function unwrap<T extends object>(decoded: Decoded<T>): T {
  if ("failure" in decoded) throw decoded.failure;
  return decoded.message;
}

/**
 * Aborted when the client cancels the call (RST_STREAM) or its connection closes, so the work
 * answering it stops. grpc-js also emits "cancelled" when a call that was answered closes, by
 * which time nothing listens.
 */
function cancelSignal(call: ServerCall): AbortSignal {
  const controller = new AbortController();
  if (call.cancelled) controller.abort();
  else call.once("cancelled", () => controller.abort());
  return controller.signal;
}

/** The call's deadline as epoch milliseconds; undefined when the caller set none. */
export function deadlineOf(call: ServerCall): number | undefined {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : undefined;
}
