import { describe, expect, it } from "vitest";
import { CircuitBreaker, type Outcome } from "../../src/upstream/breaker.js";

function breaker() {
  let now = 0;
  const circuit = new CircuitBreaker(() => now);
  /** Admitted calls while the circuit is closed, recorded one by one. */
  const calls = (...outcomes: Outcome[]) => {
    for (const outcome of outcomes) {
      expect(circuit.admit()).toEqual({ ok: true, probe: false });
      circuit.record(outcome, false);
    }
  };
  return { circuit, calls, advance: (ms: number) => (now += ms) };
}

describe("CircuitBreaker", () => {
  it("opens after five unhealthy calls in a row; a healthy one ends the run", () => {
    const { circuit, calls } = breaker();
    calls("unhealthy", "unhealthy", "unhealthy", "unhealthy", "healthy", "unhealthy", "unhealthy", "unhealthy", "unhealthy");
    expect(circuit.admit()).toEqual({ ok: true, probe: false });
    circuit.record("unhealthy", false);
    expect(circuit.admit()).toEqual({ ok: false, retryAfterSeconds: 30 });
  });

  it("lets an inconclusive call neither open the circuit nor end a run of failures", () => {
    const { circuit, calls } = breaker();
    calls("unhealthy", "unhealthy", "unhealthy", "unhealthy", "inconclusive", "inconclusive");
    expect(circuit.admit()).toEqual({ ok: true, probe: false });
    circuit.record("unhealthy", false);
    expect(circuit.admit()).toEqual({ ok: false, retryAfterSeconds: 30 });
  });

  it("hands the probe on after an inconclusive probe, keeping the circuit open until a probe answers", () => {
    const { circuit, calls, advance } = breaker();
    calls("unhealthy", "unhealthy", "unhealthy", "unhealthy", "unhealthy");
    advance(29_000);
    expect(circuit.admit()).toEqual({ ok: false, retryAfterSeconds: 1 });
    advance(1_000);
    expect(circuit.admit()).toEqual({ ok: true, probe: true });
    expect(circuit.admit()).toEqual({ ok: false, retryAfterSeconds: 30 });
    circuit.record("inconclusive", true);
    expect(circuit.admit()).toEqual({ ok: true, probe: true });
    expect(circuit.admit()).toEqual({ ok: false, retryAfterSeconds: 30 });
    circuit.record("unhealthy", true);
    expect(circuit.admit()).toEqual({ ok: false, retryAfterSeconds: 30 });
    advance(30_000);
    expect(circuit.admit()).toEqual({ ok: true, probe: true });
    circuit.record("healthy", true);
    calls("unhealthy", "unhealthy");
    expect(circuit.admit()).toEqual({ ok: true, probe: false });
  });

  it("lets only the probe free the probe: a slow call admitted before the circuit opened does not let a second one through", () => {
    const { circuit, calls, advance } = breaker();
    expect(circuit.admit()).toEqual({ ok: true, probe: false });
    calls("unhealthy", "unhealthy", "unhealthy", "unhealthy", "unhealthy");
    advance(30_000);
    expect(circuit.admit()).toEqual({ ok: true, probe: true });
    // The slow call, admitted while the circuit was closed, ends now, learning nothing.
    circuit.record("inconclusive", false);
    expect(circuit.admit()).toEqual({ ok: false, retryAfterSeconds: 30 });
    circuit.record("healthy", true);
    expect(circuit.admit()).toEqual({ ok: true, probe: false });
  });
});
