/** XML namespaces and the SOAP action of NetServer Services85 Batch.GetBatchTaskInfosByAssociatesAndState. */
export const NS = {
  soap11: "http://schemas.xmlsoap.org/soap/envelope/",
  soap12: "http://www.w3.org/2003/05/soap-envelope",
  netserver: "http://www.superoffice.net/ws/crm/NetServer/Services85",
  arrays: "http://schemas.microsoft.com/2003/10/Serialization/Arrays",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
} as const;

export const OPERATION = "GetBatchTaskInfosByAssociatesAndState";

export const SOAP_ACTION = `${NS.netserver}/Batch/${OPERATION}`;
