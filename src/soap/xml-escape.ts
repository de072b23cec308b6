const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML 1.0 cannot carry.
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Whether XML 1.0 can carry this text at all (no C0 controls but tab/CR/LF, no lone surrogates, no U+FFFE/U+FFFF). */
export function isXmlText(text: string): boolean {
  return text.isWellFormed() && !NOT_XML_CHAR.test(text);
}

/** Escapes text for XML element content or attribute values; refuses text that no escape can represent. */
export function escapeXml(text: string): string {
  if (!isXmlText(text)) throw new RangeError("text contains characters that XML 1.0 cannot represent");
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char] ?? char);
}
