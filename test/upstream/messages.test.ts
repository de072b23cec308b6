import { describe, expect, it } from "vitest";
import { CALLER_MESSAGE_MAX, callerMessage, FIXED_MESSAGES, logText, redactSecrets } from "../../src/upstream/messages.js";

/** The ticket, and an application token. */
const TICKET = "7T:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789==";
const APP_TOKEN = "b7f3c9e2a1d84f6e9c0b5a7d3e2f1c8a";
const SECRETS = [TICKET, APP_TOKEN];

const STACK_FRAME = "at SuperOffice.CRM.Security.SoSession.Authenticate() in C:\\src\\...\\Session.cs:line 42";
const INTERNAL_URL = "https://internal-sql01.corp.local:8443/api?x=1";
const UNC_PATH = "\\\\fileserver01\\so_arc\\logs\\netserver.log";

/** Every form of the ticket the issue saw leak. */
const TICKET_COPIES = {
  exact: TICKET,
  "lower-cased": TICKET.toLowerCase(),
  "upper-cased": TICKET.toUpperCase(),
  "URL-encoded": encodeURIComponent(TICKET),
  "URL-encoded, lower-case hex": encodeURIComponent(TICKET).toLowerCase(),
  "first 20 characters": TICKET.slice(0, 20),
  "last 12 characters": TICKET.slice(-12),
  "a middle part": TICKET.slice(9, 19),
};

/** Runs of 8 characters of any of the ticket's forms: none may survive. */
function leaksTicket(text: string): boolean {
  const folded = text.toLowerCase();
  return [TICKET, encodeURIComponent(TICKET)].some((form) => {
    const lower = form.toLowerCase();
    for (let at = 0; at + 8 <= lower.length; at++) if (folded.includes(lower.slice(at, at + 8))) return true;
    return false;
  });
}

describe("redactSecrets", () => {
  it.each(Object.entries(TICKET_COPIES))("hides the ticket %s", (_label, copy) => {
    const clean = redactSecrets(`Ticket ${copy} is not valid.`, SECRETS);
    expect(clean).toBe("Ticket [redacted] is not valid.");
  });

  it("hides a ticket in a query string, form-encoded, and the application token in any case", () => {
    const text = `GET /x?ticket=${encodeURIComponent(TICKET)}&token=${APP_TOKEN.toUpperCase()} body=${new URLSearchParams({ t: TICKET })}`;
    const clean = redactSecrets(text, SECRETS);
    expect(clean).toBe("GET /x?ticket=[redacted]&token=[redacted] body=t=[redacted]");
  });

  it("hides a secret with spaces and punctuation in each URL encoding: component (%20), form (+) and encodeURI's", () => {
    const secret = "it's~a (secret) key: 42";
    for (const copy of [encodeURIComponent(secret), new URLSearchParams({ p: secret }).toString().slice(2), encodeURI(secret)]) {
      expect(redactSecrets(`password=${copy}`, [secret]), copy).toBe("password=[redacted]");
    }
  });

  it("merges overlapping and adjacent copies into one marker, and keeps what is around them", () => {
    expect(redactSecrets(`<${TICKET}${TICKET.slice(3, 15)}>`, SECRETS)).toBe("<[redacted]>");
  });

  it("matches a secret shorter than the window whole, and ignores one shorter than 4 characters", () => {
    expect(redactSecrets("key dev-key and DEV-KEY, key", ["dev-key", "key"])).toBe("key [redacted] and [redacted], key");
  });

  it("leaves ordinary words alone, including one the development ticket contains", () => {
    const text = "Your session has expired or the ticket is not valid. Please log in again.";
    expect(redactSecrets(text, ["7T:dev-ticket", "dev-app-token"])).toBe(text);
  });

  it("keeps text without secrets as it is, and works with no secrets", () => {
    expect(redactSecrets("Åsgårdstrand 🚀", SECRETS)).toBe("Åsgårdstrand 🚀");
    expect(redactSecrets(TICKET, [])).toBe(TICKET);
  });

  it("stays linear on text that nearly matches everywhere (200 KB, far more than it is ever given)", () => {
    const text = TICKET.slice(0, 7).repeat(30_000);
    const started = performance.now();
    expect(redactSecrets(text, SECRETS)).toBe(text);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe("callerMessage: SuperOffice's text when it is clean prose", () => {
  it("keeps a normal FriendlyText as it is", () => {
    const friendly = "Your session has expired. Please log in again.";
    expect(callerMessage("exception", friendly, SECRETS)).toBe(friendly);
  });

  it("keeps a fault's plain faultstring, quotes and non-English letters included", () => {
    const text = "The message with Action 'urn-wrong' cannot be processed – «Åsgårdstrand» (45% done).";
    expect(callerMessage("fault", text, SECRETS)).toBe(text);
  });

  it("drops the stack frame and keeps the sentence before it", () => {
    const text = `Object reference not set to an instance of an object. ${STACK_FRAME}`;
    expect(callerMessage("fault", text, SECRETS)).toBe("Object reference not set to an instance of an object.");
  });

  it("drops a URL inside a FriendlyText and keeps the prose around it", () => {
    const text = `Your session has expired. See ${INTERNAL_URL} for help.`;
    expect(callerMessage("exception", text, SECRETS)).toBe("Your session has expired. See for help.");
  });

  it("drops a UNC path, a Windows path, a Unix path and a host name, keeping the sentence", () => {
    const text = `Could not write the archive to ${UNC_PATH} or C:\\Program Files\\SuperOffice or /var/lib/so/archive on sql01.corp.local now.`;
    expect(callerMessage("exception", text, SECRETS)).toBe("Could not write the archive to or or on now.");
  });

  it("redacts the ticket in every form inside a kept sentence", () => {
    for (const copy of Object.values(TICKET_COPIES)) {
      expect(callerMessage("exception", `The ticket ${copy} has expired.`, SECRETS)).toBe("The ticket [redacted] has expired.");
    }
  });

  it("cuts a long sentence to 300 characters at a word, with an ellipsis", () => {
    const text = `${"The batch service could not complete the request because ".repeat(8)}the end.`;
    const message = callerMessage("exception", text, SECRETS);
    expect(message.length).toBeLessThanOrEqual(CALLER_MESSAGE_MAX);
    expect(message.length).toBeGreaterThan(CALLER_MESSAGE_MAX - 20);
    expect(message).toMatch(/^The batch service could not complete .* [a-z]+…$/);
    expect(text.startsWith(message.slice(0, -1))).toBe(true);
  });
});

describe("callerMessage: the fixed sentence otherwise", () => {
  it("uses the fixed sentence for a faultstring that is only a stack frame", () => {
    expect(callerMessage("fault", STACK_FRAME, SECRETS)).toBe("SuperOffice answered with a SOAP fault.");
  });

  it("uses the fixed sentence when little prose is left around a URL", () => {
    expect(callerMessage("exception", `Error at ${INTERNAL_URL}`, SECRETS)).toBe("SuperOffice reported an error.");
    expect(callerMessage("fault", `${INTERNAL_URL} ${UNC_PATH}`, SECRETS)).toBe("SuperOffice answered with a SOAP fault.");
  });

  it("uses the fixed sentence for a multi-line text (a stack trace)", () => {
    const text = `Invalid ticket\r\n   ${STACK_FRAME}\n   at SuperOffice.Services85.BatchAgent.Get()`;
    const message = callerMessage("exception", text, SECRETS);
    expect(message).toBe("SuperOffice reported an error.");
  });

  it("uses the fixed sentence for text on several lines, even clean ones", () => {
    expect(callerMessage("exception", "Your session has expired.\nPlease log in again.", SECRETS)).toBe(
      "SuperOffice reported an error.",
    );
  });

  it("uses the fixed sentence for markup, control or invisible characters", () => {
    for (const text of [
      "<html><body>Internal Server Error</body></html>",
      "Value cannot be null. Parameter name: ticket_id",
      "Access denied \u001b[31m now",
      "Access denied for user \u202eresu\u202c now",
      '{ "error": "access denied" }',
    ]) {
      expect(callerMessage("exception", text, SECRETS)).toBe("SuperOffice reported an error.");
    }
  });

  it("cuts a 5 MB faultstring to a short detail, quickly", () => {
    const huge = `Something failed in the batch agent. ${INTERNAL_URL} ${STACK_FRAME} ${TICKET} `.repeat(40_000);
    expect(huge.length).toBeGreaterThan(5_000_000);
    const started = performance.now();
    const message = callerMessage("fault", huge, SECRETS);
    expect(performance.now() - started).toBeLessThan(250);
    expect(message.length).toBeLessThanOrEqual(CALLER_MESSAGE_MAX);
    expect(message).toMatch(
      /^Something failed in the batch agent. \[redacted\] Something failed in the batch agent. \[redacted\] /,
    );
    expect(message).not.toMatch(/internal|corp\.local|Session\.cs|C:\\|line 42|SuperOffice\.CRM/);
    expect(leaksTicket(message)).toBe(false);
  });

  it("uses the fixed sentence for a missing or empty text", () => {
    expect(callerMessage("timeout", undefined, SECRETS)).toBe("SuperOffice did not answer in time.");
    expect(callerMessage("unreachable", undefined, SECRETS)).toBe("SuperOffice could not be reached.");
    expect(callerMessage("exception", "   ", SECRETS)).toBe("SuperOffice reported an error.");
    expect(callerMessage("fault", "Error", SECRETS)).toBe("SuperOffice answered with a SOAP fault.");
  });

  it("always uses the fixed sentence for credentials, whatever SuperOffice said", () => {
    const friendly = "Your session has expired or the ticket is not valid. Please log in again.";
    expect(callerMessage("credentials-rejected", friendly, SECRETS)).toBe(
      "SuperOffice rejected the configured credentials (ticket or application token).",
    );
    expect(callerMessage("authentication-failed", friendly, SECRETS)).toBe(FIXED_MESSAGES["authentication-failed"]);
  });

  it("gives every kind a fixed sentence that is itself clean", () => {
    for (const [kind, sentence] of Object.entries(FIXED_MESSAGES)) {
      expect(sentence, kind).toMatch(/^SuperOffice|^Signing in/);
      expect(sentence.length).toBeLessThan(CALLER_MESSAGE_MAX);
    }
  });
});

describe("callerMessage: nothing from the issue's examples leaks", () => {
  const hostile = [
    `Authentication failed. ${STACK_FRAME}`,
    `Could not connect to ${INTERNAL_URL} for the archive.`,
    `The archive at ${UNC_PATH} is not reachable right now.`,
    ...Object.values(TICKET_COPIES).map((copy) => `Ticket ${copy} is expired or invalid.`),
    `Ticket ${encodeURIComponent(TICKET).slice(0, 25)}`,
    `See ${INTERNAL_URL.replace("https://", "")} for the log of user admin@corp.local with key ${APP_TOKEN.slice(4)}.`,
    "Fails in SuperOffice.CRM.Security.SoSession.Authenticate(String ticket) at 10.0.12.7 or fe80::1 today.",
    `Denied for 3f2504e04f8911d39a0c0305e82c3301 by SoSession.Authenticate(String ticket, Int32 id) just now.`,
  ];
  it.each(hostile)("%s", (text) => {
    for (const kind of ["exception", "fault", "bad-response"] as const) {
      const message = callerMessage(kind, text, SECRETS);
      expect(message).not.toMatch(
        /internal|corp\.local|8443|Session\.cs|C:\\|fileserver|so_arc|line 42|SoSession|10\.0\.12|fe80|admin@|3f2504e0|String ticket/,
      );
      expect(leaksTicket(message)).toBe(false);
      expect(message).not.toContain(APP_TOKEN.slice(4, 12));
    }
  });
});

describe("logText", () => {
  it("keeps SuperOffice's text whole, line breaks and tabs included, with secrets redacted", () => {
    const text = `Ticket ${TICKET.toLowerCase()} is invalid\r\n\t${STACK_FRAME}\n\tat ${INTERNAL_URL}`;
    expect(logText(text, SECRETS)).toBe(`Ticket [redacted] is invalid\uFFFD\n\t${STACK_FRAME}\n\tat ${INTERNAL_URL}`);
  });

  it("cuts a 5 MB faultstring to the limit before anything else, and says how long it was", () => {
    const huge = `${TICKET} `.repeat(130_000);
    const started = performance.now();
    const text = logText(huge, SECRETS, 2000);
    expect(performance.now() - started).toBeLessThan(250);
    expect(text).toMatch(/^\[redacted\] \[redacted\] /);
    expect(text.endsWith(`… [cut: ${huge.length} characters in all]`)).toBe(true);
    expect(text.length).toBeLessThan(2000 + 50);
    expect(leaksTicket(text)).toBe(false);
  });

  it("does not split a surrogate pair at the cut", () => {
    expect(logText(`ab🚀cd`, [], 3)).toBe("ab… [cut: 6 characters in all]");
  });

  it("replaces control characters and bidirectional overrides but keeps printable Unicode", () => {
    expect(logText("a\u0000b\u001b[31mc\u007fd\u0085e\u202ef Åsgårdstrand 🚀", [])).toBe(
      "a\uFFFDb\uFFFD[31mc\uFFFDd\uFFFDe\uFFFDf Åsgårdstrand 🚀",
    );
  });
});

describe("callerMessage: prose that only looks technical is kept", () => {
  it("keeps dates, versions, abbreviations and a single slash", () => {
    const text = "Task 12 expired at 2026-11-20T09:01:02Z, e.g. in U.S.A. version 8.5.1 (beta) and/or later.";
    expect(callerMessage("exception", text, SECRETS)).toBe(text);
  });
});
