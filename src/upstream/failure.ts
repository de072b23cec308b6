/**
 * Why the upstream step gave no usable answer. Every failure of that step, whatever it was, is one of these, so
 * that the cache can apply stale-if-error and the HTTP layer can name a problem type:
 * - `exception`: NetServer answered `Succeeded=false` / `ExceptionInfo`; `fault`: a SOAP Fault;
 * - `bad-response`: not XML, not well-formed, too deep, an unexpected status, or outside the contract;
 * - `too-large`: over `UPSTREAM_MAX_BYTES` or `MAX_TASKS`;
 * - `timeout`, `unreachable`: the network;
 * - `credentials-rejected`: SuperOffice refused the ticket or application token (HTTP 401/403 or an access,
 *   session, security or authentication exception), after one renewal where renewal is possible;
 * - `authentication-failed`: SuperOffice Online sign-in failed;
 * - `busy`: this isolate already runs `UPSTREAM_CONCURRENCY` calls for the tenant and none finished in time;
 * - `circuit-open`: recent calls failed in a row, so calls pause for a cool-down.
 */
export type FailureKind =
  | "exception"
  | "fault"
  | "bad-response"
  | "too-large"
  | "timeout"
  | "unreachable"
  | "credentials-rejected"
  | "authentication-failed"
  | "busy"
  | "circuit-open";

/**
 * `detail` is safe to show callers: short, no URL, path, stack frame or secret. `retryAfter` is in seconds.
 * `refused` marks an `authentication-failed` in which SuperOffice itself refused the credentials (a revoked system
 * user), as opposed to its login service failing.
 */
export type UpstreamFailure = { kind: FailureKind; detail: string; retryAfter?: number; refused?: boolean };
