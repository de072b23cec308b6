import { readFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import { ourBody, saxesBody, soapDecoder, xmldomBody } from "./contestants.js";

/**
 * One contestant decodes one response once in a fresh process (`node --expose-gc`); prints the growth of V8's
 * committed heap and of the process's peak RSS during that decode, in bytes, as JSON. Argv: contestant, XML file.
 */
async function main(): Promise<void> {
  const [name = "", file = ""] = process.argv.slice(2);
  const soapDecode = await soapDecoder();
  const decoders: Record<string, (xml: string) => unknown> = {
    ours: ourBody,
    saxes: saxesBody,
    xmldom: xmldomBody,
    "node-soap": soapDecode,
  };
  const decode = decoders[name];
  if (decode === undefined) throw new Error(`unknown contestant ${name}`);
  const xml = readFileSync(file, "utf8");
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error("run with --expose-gc");
  collect();
  const heapBefore = getHeapStatistics().total_heap_size;
  const usedBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.resourceUsage().maxRSS * 1024;
  const output = decode(xml);
  const heapAfter = getHeapStatistics().total_heap_size;
  const rssAfter = process.resourceUsage().maxRSS * 1024;
  const usedAfter = process.memoryUsage().heapUsed;
  console.log(
    JSON.stringify({
      heapGrowth: heapAfter - heapBefore,
      heapUsedGrowth: usedAfter - usedBefore,
      peakRssGrowth: rssAfter - rssBefore,
      kept: typeof output,
    }),
  );
}

await main();
