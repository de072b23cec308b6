import type { DecodeOptions } from "../../src/soap/decode.js";
import { CONTRACTS } from "../../src/soap/namespaces.js";

/** How the Worker decodes a Services85 answer by default. */
export const DECODE_85: DecodeOptions = { contract: CONTRACTS["85"], maxTasks: 10_000 };

/** How the Worker decodes a Services88 answer by default. */
export const DECODE_88: DecodeOptions = { contract: CONTRACTS["88"], maxTasks: 10_000 };
