import { describe, expect, it } from "vitest";
import { readBoundedText } from "../../src/upstream/body.js";

/**
 * A body that hands out one chunk per pull and records what the reader did to it. `highWaterMark: 0` makes the
 * stream pull only when the reader asks, so `pulls` is the number of chunks the code under test asked for.
 *
 * These are plain streams: in production `fetch` has already undone gzip or brotli before the body stream, so the
 * function sees (and counts) decoded bytes. A Response built in-process with a CompressionStream would not be
 * decoded, so it would not test that path.
 */
function source(chunks: readonly (Uint8Array | string)[], options: { failAt?: number } = {}) {
  const queue = chunks.map((chunk) => (typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk));
  const seen = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        seen.pulls += 1;
        if (seen.pulls === options.failAt) {
          controller.error(new TypeError("Network connection lost."));
          return;
        }
        const next = queue.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, seen };
}

const bytes = (length: number, fill = 0x61) => new Uint8Array(length).fill(fill);

function answer(body: ReadableStream<Uint8Array> | null, headers: Record<string, string> = {}): Response {
  return new Response(body, { headers: { "Content-Type": "text/xml; charset=utf-8", ...headers } });
}

describe("readBoundedText: size", () => {
  it("refuses a Content-Length over the cap without pulling a byte, and releases the body", async () => {
    const { stream, seen } = source(["<never read/>"]);
    const result = await readBoundedText(answer(stream, { "Content-Length": "1025" }), 1024);
    expect(result).toEqual({ ok: false, reason: "too-large", detail: "SuperOffice's answer is larger than 1024 bytes" });
    expect(seen).toEqual({ pulls: 0, cancelled: true });
  });

  it("stops at the chunk that crosses the cap, cancels the stream and pulls nothing after it", async () => {
    const { stream, seen } = source([bytes(400), bytes(400), bytes(400), bytes(400), bytes(400)]);
    const result = await readBoundedText(answer(stream), 1000);
    expect(result).toEqual({ ok: false, reason: "too-large", detail: "SuperOffice's answer is larger than 1000 bytes" });
    expect(seen).toEqual({ pulls: 3, cancelled: true });
  });

  it("counts the bytes delivered, not a Content-Length that understates them", async () => {
    const { stream, seen } = source([bytes(600), bytes(600)]);
    const result = await readBoundedText(answer(stream, { "Content-Length": "10" }), 1000);
    expect(result.ok ? "read" : result.reason).toBe("too-large");
    expect(seen.cancelled).toBe(true);
  });

  it("accepts a body of exactly the cap, in one chunk or several", async () => {
    const whole = await readBoundedText(answer(source([bytes(1000)]).stream, { "Content-Length": "1000" }), 1000);
    expect(whole).toEqual({ ok: true, text: "a".repeat(1000), bytes: 1000 });
    const { stream, seen } = source([bytes(250), bytes(250), bytes(250), bytes(250)]);
    expect(await readBoundedText(answer(stream), 1000)).toEqual({ ok: true, text: "a".repeat(1000), bytes: 1000 });
    expect(seen).toEqual({ pulls: 5, cancelled: false });
  });

  it("reads a null body as the empty string and an empty stream likewise", async () => {
    expect(await readBoundedText(answer(null), 10)).toEqual({ ok: true, text: "", bytes: 0 });
    expect(await readBoundedText(answer(source([]).stream), 10)).toEqual({ ok: true, text: "", bytes: 0 });
  });

  it("ignores a malformed Content-Length and relies on counting", async () => {
    const result = await readBoundedText(answer(source(["<ok/>"]).stream, { "Content-Length": "5, 5" }), 10);
    expect(result).toEqual({ ok: true, text: "<ok/>", bytes: 5 });
  });
});

describe("readBoundedText: decoding", () => {
  it("decodes UTF-8 split anywhere, including inside a character", async () => {
    const encoded = new TextEncoder().encode("Åsgårdstrand 🚀 done");
    const chunks = [encoded.subarray(0, 1), encoded.subarray(1, 5), encoded.subarray(5, 15), encoded.subarray(15)];
    expect(await readBoundedText(answer(source(chunks).stream), 100)).toEqual({
      ok: true,
      text: "Åsgårdstrand 🚀 done",
      bytes: encoded.byteLength,
    });
  });

  it("drops a leading BOM, even split across chunks, and keeps one that is not leading", async () => {
    const chunks = [new Uint8Array([0xef, 0xbb]), new Uint8Array([0xbf, 0x3c, 0x61, 0x2f, 0x3e, 0xef, 0xbb, 0xbf])];
    expect(await readBoundedText(answer(source(chunks).stream), 100)).toEqual({ ok: true, text: "<a/>\uFEFF", bytes: 10 });
  });

  it("refuses invalid UTF-8 instead of replacing it, and stops reading", async () => {
    const { stream, seen } = source(["<a>", new Uint8Array([0xc3, 0x28]), "</a>", "<more/>"]);
    const result = await readBoundedText(answer(stream), 100);
    expect(result).toEqual({ ok: false, reason: "encoding", detail: "SuperOffice's answer is not valid UTF-8" });
    expect(seen).toEqual({ pulls: 2, cancelled: true });
  });

  it("refuses a body that ends inside a character", async () => {
    const result = await readBoundedText(answer(source(["<a/>", new Uint8Array([0xe2, 0x82])]).stream), 100);
    expect(result.ok ? "read" : result.reason).toBe("encoding");
  });

  it("refuses a UTF-16 body declared as UTF-8 (NUL bytes are valid, a lone 0xFF is not)", async () => {
    const result = await readBoundedText(answer(source([new Uint8Array([0xff, 0xfe, 0x3c, 0x00])]).stream), 100);
    expect(result.ok ? "read" : result.reason).toBe("encoding");
  });
});

describe("readBoundedText: charset", () => {
  it.each([
    ["no Content-Type", undefined],
    ["no charset", "text/xml"],
    ["utf-8", "text/xml; charset=utf-8"],
    ["UTF-8 quoted", 'application/soap+xml; charset="UTF-8"; action="urn:a;charset=latin1"'],
    ["utf8", "text/xml;charset=UTF8"],
    ["us-ascii", "text/xml; CHARSET=us-ascii"],
  ])("accepts %s", async (_label, contentType) => {
    const response = new Response(source(["<ok/>"]).stream);
    if (contentType === undefined) response.headers.delete("Content-Type");
    else response.headers.set("Content-Type", contentType);
    expect(await readBoundedText(response, 100)).toEqual({ ok: true, text: "<ok/>", bytes: 5 });
  });

  it.each([
    ["iso-8859-1", "text/xml; charset=iso-8859-1"],
    ["utf-16", 'text/xml; charset="utf-16"'],
    ["windows-1252", "text/xml; charset=windows-1252"],
  ])("refuses %s by name without reading the body", async (name, contentType) => {
    const { stream, seen } = source(["<a/>"]);
    expect(await readBoundedText(answer(stream, { "Content-Type": contentType }), 100)).toEqual({
      ok: false,
      reason: "charset",
      detail: `SuperOffice answered in the character set "${name}"; only UTF-8 is accepted`,
    });
    expect(seen).toEqual({ pulls: 0, cancelled: true });
  });

  it("refuses a second charset that disagrees with the first", async () => {
    const result = await readBoundedText(
      answer(source(["<a/>"]).stream, { "Content-Type": "text/xml; charset=utf-8; charset=koi8-r" }),
      100,
    );
    expect(result.ok ? "read" : result.detail).toBe('SuperOffice answered in the character set "koi8-r"; only UTF-8 is accepted');
  });

  it("does not echo a charset that is not a plain name", async () => {
    const hostile = 'text/xml; charset="<script>alert(1)</script> see https://internal.corp.local/x"';
    const result = await readBoundedText(answer(source(["<a/>"]).stream, { "Content-Type": hostile }), 100);
    expect(result).toEqual({
      ok: false,
      reason: "charset",
      detail: "SuperOffice answered in a character set other than UTF-8; only UTF-8 is accepted",
    });
  });
});

describe("readBoundedText: failures of the stream", () => {
  it("turns a stream that errors midway into read-failed", async () => {
    const result = await readBoundedText(answer(source(["<a>", "<b>", "</b></a>"], { failAt: 2 }).stream), 100);
    expect(result).toEqual({
      ok: false,
      reason: "read-failed",
      detail: "The connection to SuperOffice failed while its answer was being read",
    });
  });

  it("turns an aborted body into read-failed", async () => {
    const controller = new AbortController();
    const stream = new ReadableStream<Uint8Array>({
      start(streamController) {
        controller.signal.addEventListener("abort", () => streamController.error(controller.signal.reason));
      },
    });
    const reading = readBoundedText(answer(stream), 100);
    controller.abort(new DOMException("The operation timed out.", "TimeoutError"));
    expect(await reading).toMatchObject({ ok: false, reason: "read-failed" });
  });

  it("turns a body already read into read-failed rather than throwing", async () => {
    const response = answer(source(["<a/>"]).stream);
    await response.text();
    expect(await readBoundedText(response, 100)).toEqual({
      ok: false,
      reason: "read-failed",
      detail: "SuperOffice's answer could not be read",
    });
  });
});

/** A budget that records each `take` and refuses one that would pass `capacity`, as `ByteBudget` does. */
function budget(capacity = Number.POSITIVE_INFINITY) {
  const takes: number[] = [];
  let used = 0;
  const take = (bytes: number) => {
    takes.push(bytes);
    if (used + bytes > capacity) return false;
    used += bytes;
    return true;
  };
  return { take, takes };
}

describe("readBoundedText: the isolate's byte budget", () => {
  it("takes a declared length whole before reading, and nothing more while reading it", async () => {
    const { take, takes } = budget();
    const { stream } = source([bytes(250), bytes(250), bytes(250), bytes(250)]);
    expect(await readBoundedText(answer(stream, { "Content-Length": "1000" }), 1000, take)).toEqual({
      ok: true,
      text: "a".repeat(1000),
      bytes: 1000,
    });
    expect(takes).toEqual([1000]);
  });

  it("refuses a declared length that does not fit without reading a byte, and releases the body", async () => {
    const { take, takes } = budget(999);
    const { stream, seen } = source([bytes(250), bytes(250), bytes(250), bytes(250)]);
    const result = await readBoundedText(answer(stream, { "Content-Length": "1000" }), 1000, take);
    expect(result.ok ? "read" : result.reason).toBe("over-budget");
    expect(takes).toEqual([1000]);
    expect(seen).toEqual({ pulls: 0, cancelled: true });
  });

  it("takes each growth of the buffer before making it when the body overruns its declared length", async () => {
    const { take, takes } = budget();
    const { stream } = source([bytes(100), bytes(100), bytes(300)]);
    const result = await readBoundedText(answer(stream, { "Content-Length": "100" }), 1000, take);
    expect(result).toEqual({ ok: true, text: "a".repeat(500), bytes: 500 });
    expect(takes).toEqual([100, 100, 300]);
  });

  it("stops an overrunning body whose growth does not fit, and releases it", async () => {
    const { take } = budget(150);
    const { stream, seen } = source([bytes(100), bytes(100), bytes(100)]);
    const result = await readBoundedText(answer(stream, { "Content-Length": "100" }), 1000, take);
    expect(result.ok ? "read" : result.reason).toBe("over-budget");
    expect(seen).toEqual({ pulls: 2, cancelled: true });
  });

  it("takes a streamed body chunk by chunk, and stops at the chunk that does not fit", async () => {
    const { take, takes } = budget(600);
    const { stream, seen } = source([bytes(250), bytes(250), bytes(250), bytes(250)]);
    const result = await readBoundedText(answer(stream), 1000, take);
    expect(result.ok ? "read" : result.reason).toBe("over-budget");
    expect(takes).toEqual([250, 250, 250]);
    expect(seen).toEqual({ pulls: 3, cancelled: true });
  });
});
