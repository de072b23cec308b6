import { describe, expect, it } from "vitest";
import { CircuitBreaker, type Outcome } from "../../src/upstream/breaker.js";

function breaker() {
  let now = 0;
  const circuit = new CircuitBreaker(() => now);
  const calls = (...outcomes: Outcome[]) => {
    for (const outcome of outcomes) {
      expect(circuit.admit()).toEqual({ ok: true });
      circuit.record(outcome);
    }
  };
  return { circuit, calls, advance: (ms: number) => (now += ms) };
}

describe("CircuitBreaker", () => {
  it("opens after five unhealthy calls in a row; a healthy one ends the run", () => {
    const { circuit, calls } = breaker();
    calls("unhealthy", "unhealthy", "unhealthy", "unhealthy", "healthy", "unhealthy", "unhealthy", "unhealthy", "unhealthy");
    expect(circuit.admit()).toEqual({ ok: true });
    circuit.record("unhealthy");
    expect(circuit.admit()).toEqual({ ok: false, retryAfterSeconds: 30 });
  });

  it("lets an inconclusive call neither open the circuit nor end a run of failures", () => {
    const { circuit, calls } = breaker();
    calls("unhealthy", "unhealthy", "unhealthy", "unhealthy", "inconclusive", "inconclusive");
    expect(circuit.admit()).toEqual({ ok: true });
    circuit.record("unhealthy");
    expect(circuit.admit()).toEqual({ ok: false, retryAfterSeconds: 30 });
  });

  it("hands the probe on after an inconclusive probe, keeping the circuit open until a probe answers", () => {
    const { circuit, calls, advance } = breaker();
    calls("unhealthy", "unhealthy", "unhealthy", "unhealthy", "unhealthy");
    advance(29_000);
    expect(circuit.admit()).toEqual({ ok: false, retryAfterSeconds: 1 });
    advance(1_000);
    expect(circuit.admit()).toEqual({ ok: true });
    expect(circuit.admit()).toEqual({ ok: false, retryAfterSeconds: 30 });
    circuit.record("inconclusive");
    expect(circuit.admit()).toEqual({ ok: true });
    expect(circuit.admit()).toEqual({ ok: false, retryAfterSeconds: 30 });
    circuit.record("unhealthy");
    expect(circuit.admit()).toEqual({ ok: false, retryAfterSeconds: 30 });
    advance(30_000);
    calls("healthy", "unhealthy", "unhealthy");
    expect(circuit.admit()).toEqual({ ok: true });
  });
});
