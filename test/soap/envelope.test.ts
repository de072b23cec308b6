import { DOMParser } from "@xmldom/xmldom";
import { describe, expect, it } from "vitest";
import { buildEnvelope } from "../../src/soap/envelope.js";
import { CONTRACTS } from "../../src/soap/namespaces.js";

const query = { associateIds: [-1, 0, 5], state: "Started" } as const;

describe("buildEnvelope", () => {
  it("builds the exact SOAP 1.1 request WCF expects, credentials inside the Header", () => {
    const request = buildEnvelope(
      { ...query, associateIds: [...query.associateIds] },
      { ticket: "7T:abc==", applicationToken: "app-1" },
      CONTRACTS["85"],
    );
    expect(request.headers).toEqual({
      "Content-Type": "text/xml; charset=utf-8",
      SOAPAction: '"http://www.superoffice.net/ws/crm/NetServer/Services85/Batch/GetBatchTaskInfosByAssociatesAndState"',
    });
    expect(request.body).toBe(
      '<?xml version="1.0" encoding="utf-8"?>' +
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>' +
        '<ApplicationToken xmlns="http://www.superoffice.net/ws/crm/NetServer/Services85">app-1</ApplicationToken>' +
        '<Credentials xmlns="http://www.superoffice.net/ws/crm/NetServer/Services85"><Ticket>7T:abc==</Ticket></Credentials>' +
        "</s:Header><s:Body>" +
        '<GetBatchTaskInfosByAssociatesAndState xmlns="http://www.superoffice.net/ws/crm/NetServer/Services85">' +
        '<AssociateIds xmlns:a="http://schemas.microsoft.com/2003/10/Serialization/Arrays"><a:int>-1</a:int><a:int>0</a:int><a:int>5</a:int></AssociateIds>' +
        "<State>Started</State></GetBatchTaskInfosByAssociatesAndState></s:Body></s:Envelope>",
    );
  });

  it("speaks the Services88 contract when asked: namespace and SOAPAction follow the version", () => {
    const request = buildEnvelope(
      { associateIds: [5], state: "SucceededManualCleanup" },
      { ticket: "t", applicationToken: undefined },
      CONTRACTS["88"],
    );
    expect(request.headers.SOAPAction).toBe(
      '"http://www.superoffice.net/ws/crm/NetServer/Services88/Batch/GetBatchTaskInfosByAssociatesAndState"',
    );
    expect(request.body).toContain(
      '<GetBatchTaskInfosByAssociatesAndState xmlns="http://www.superoffice.net/ws/crm/NetServer/Services88">',
    );
    expect(request.body).toContain("<State>SucceededManualCleanup</State>");
    expect(request.body).not.toContain("Services85");
  });

  it("omits ApplicationToken when none is configured", () => {
    const { body } = buildEnvelope(
      { associateIds: [1], state: "All" },
      { ticket: "t", applicationToken: undefined },
      CONTRACTS["85"],
    );
    expect(body).not.toContain("ApplicationToken");
    expect(body).toContain("<State>All</State>");
  });

  it("escapes every credential so no text can change the document's structure", () => {
    const ticket = `7T:a&b<c>"d'</Ticket><Evil/>`;
    const { body } = buildEnvelope({ associateIds: [1], state: "New" }, { ticket, applicationToken: "x&y" }, CONTRACTS["85"]);
    expect(body).toContain("<Ticket>7T:a&amp;b&lt;c&gt;&quot;d&apos;&lt;/Ticket&gt;&lt;Evil/&gt;</Ticket>");
    const document = new DOMParser().parseFromString(body, "text/xml");
    expect(document.getElementsByTagNameNS(CONTRACTS["85"].namespace, "Ticket")[0]?.textContent).toBe(ticket);
    expect(document.getElementsByTagNameNS(CONTRACTS["85"].namespace, "ApplicationToken")[0]?.textContent).toBe("x&y");
    expect(document.getElementsByTagName("Evil")).toHaveLength(0);
  });

  it("refuses text that XML 1.0 cannot carry instead of sending a broken envelope", () => {
    expect(() =>
      buildEnvelope({ associateIds: [1], state: "New" }, { ticket: "a\u0001b", applicationToken: undefined }, CONTRACTS["85"]),
    ).toThrow(RangeError);
  });
});
