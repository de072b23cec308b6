import * as v from "valibot";
import { describe, expect, expectTypeOf, it } from "vitest";
import { COMPONENT_SCHEMAS, type ComponentName, type RestBatchTaskInfoSchema } from "../../scripts/openapi-schemas.js";
import { createApp } from "../../src/http/app.js";
import { parseBodyInput, parseQueryInput } from "../../src/http/input.js";
import document from "../../src/http/openapi.generated.json";
import { isProblemType, PROBLEMS, type ProblemType } from "../../src/http/problem.js";
import { parseRestBody, type RestBatchTaskInfo } from "../../src/http/routes/rest.js";
import wcf from "../fixtures/wcf-default-namespace.xml?raw";
import { authorized, fakeUpstream, send, testEnv, xmlResponse } from "../helpers.js";

type Node = { [key: string]: unknown };

const doc = document as unknown as Node;
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
const ADMIN_KEY = "openapi-admin-key";

const isNode = (value: unknown): value is Node => typeof value === "object" && value !== null && !Array.isArray(value);

function node(value: unknown, at: string): Node {
  if (!isNode(value)) throw new Error(`${at} is not an object`);
  return value;
}

/** Follows a local `$ref` (`#/components/…`) until the object it names. */
function resolve(value: unknown): Node {
  let current = node(value, "reference");
  while (typeof current.$ref === "string") {
    const pointer = current.$ref;
    current = pointer
      .replace(/^#\//, "")
      .split("/")
      .reduce<Node>((parent, key) => node(parent[key], pointer), doc);
  }
  return current;
}

const paths = node(doc.paths, "paths");

/**
 * The pages Workers static assets serve from public/ (wrangler.toml `[assets]`), before the Worker and without it:
 * the document lists them, the app has no route for them. Exactly these; any other documented path must be a route.
 */
const STATIC_PAGES = ["GET /", "GET /docs"];
const STATIC_PAGE_PATHS = new Set(STATIC_PAGES.map((page) => page.replace(/^GET /, "")));

/** Every operation of the document: path, method, operation. */
const operations = Object.entries(paths).flatMap(([path, item]) =>
  METHODS.filter((method) => method in node(item, path)).map((method) => ({
    path,
    method,
    op: node(node(item, path)[method], path),
  })),
);

/** Every response of every operation, by status, resolved. */
const responses = operations.flatMap(({ path, method, op }) =>
  Object.entries(node(op.responses, `${method} ${path}`)).map(([status, response]) => ({
    where: `${method.toUpperCase()} ${path} ${status}`,
    status,
    response: resolve(response),
  })),
);

/** The shared responses, some of which (404 for unknown paths, 405) no operation names. */
const componentResponses = Object.entries(node(node(doc.components, "components").responses, "responses")).map(
  ([name, response]) => ({ where: `components.responses.${name}`, status: undefined, response: resolve(response) }),
);

/** The named examples of a media type object, resolved to their values. */
const examplesOf = (media: Node): [string, unknown][] =>
  Object.entries(isNode(media.examples) ? media.examples : {}).map(([name, example]) => [name, resolve(example).value]);

/**
 * The valibot schema a media type's JSON Schema names: a component (`$ref`), or an array of one. Every schema of the
 * document that carries examples has one of these two forms; anything else fails the test.
 */
function valibotSchemaOf(schema: Node, where: string): v.GenericSchema {
  const name = (ref: unknown) => String(ref).replace("#/components/schemas/", "") as ComponentName;
  if (typeof schema.$ref === "string") return COMPONENT_SCHEMAS[name(schema.$ref)];
  if (schema.type === "array" && isNode(schema.items)) return v.array(COMPONENT_SCHEMAS[name(schema.items.$ref)]);
  throw new Error(`${where}: a schema with examples names no component`);
}

/**
 * A JSON Schema 2020-12 validator for the keywords this document uses, enough to hold real answers against it
 * without a new dependency. A keyword it does not know fails the test rather than passing silently.
 */
function violations(schema: unknown, value: unknown, at = "#"): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at}: nothing is allowed here`];
  const s = node(schema, at);
  const errors: string[] = [];
  const fail = (message: string) => errors.push(`${at}: ${message}`);
  for (const [keyword, argument] of Object.entries(s)) {
    switch (keyword) {
      case "$ref":
        errors.push(...violations(resolve(s), value, at));
        break;
      case "type": {
        const matches = (type: unknown) =>
          type === "null"
            ? value === null
            : type === "integer"
              ? Number.isInteger(value)
              : type === "array"
                ? Array.isArray(value)
                : type === "object"
                  ? isNode(value)
                  : typeof value === type;
        if (!(Array.isArray(argument) ? argument.some(matches) : matches(argument))) fail(`is not ${String(argument)}`);
        break;
      }
      case "enum":
        if (!(argument as unknown[]).includes(value)) fail(`${JSON.stringify(value)} is not in the enum`);
        break;
      case "const":
        if (value !== argument) fail(`is not ${JSON.stringify(argument)}`);
        break;
      case "properties":
        if (isNode(value))
          for (const [key, property] of Object.entries(node(argument, at)))
            if (key in value) errors.push(...violations(property, value[key], `${at}/${key}`));
        break;
      case "required":
        if (isNode(value)) for (const key of argument as string[]) if (!(key in value)) fail(`lacks ${key}`);
        break;
      case "additionalProperties":
        if (isNode(value))
          for (const key of Object.keys(value).filter((key) => !(key in (isNode(s.properties) ? s.properties : {}))))
            errors.push(...violations(argument, value[key], `${at}/${key}`));
        break;
      case "items":
        if (Array.isArray(value)) errors.push(...value.flatMap((item, index) => violations(argument, item, `${at}/${index}`)));
        break;
      case "anyOf":
        if (!(argument as unknown[]).some((option) => violations(option, value, at).length === 0))
          fail("matches no anyOf option");
        break;
      case "minimum":
        if (typeof value === "number" && value < (argument as number)) fail(`is below ${argument}`);
        break;
      case "maximum":
        if (typeof value === "number" && value > (argument as number)) fail(`is above ${argument}`);
        break;
      case "minItems":
        if (Array.isArray(value) && value.length < (argument as number)) fail(`has fewer than ${argument} items`);
        break;
      case "maxLength":
        if (typeof value === "string" && [...value].length > (argument as number)) fail(`is longer than ${argument}`);
        break;
      case "pattern":
        if (typeof value === "string" && !new RegExp(String(argument), "u").test(value)) fail(`does not match ${argument}`);
        break;
      case "format":
        // An annotation in 2020-12; `date-time` is the only one used, checked as what the schema's valibot action checks.
        if (argument === "date-time" && typeof value === "string" && Number.isNaN(Date.parse(value))) fail("is not a date-time");
        break;
      case "description":
      case "title":
        break;
      default:
        throw new Error(`${at}: the test's validator does not know "${keyword}"`);
    }
  }
  return errors;
}

/** The documented JSON Schema of an operation's answer with this status and media type. */
function documentedSchema(path: string, method: string, status: number, media: string): Node {
  const op = operations.find((candidate) => candidate.path === path && candidate.method === method)?.op;
  const response = resolve(node(op?.responses, `${method} ${path}`)[String(status)]);
  return node(node(node(response.content, path)[media], media).schema, media);
}

/** The headers an answer with this status must carry, by the document. */
function documentedHeaders(path: string, method: string, status: number): string[] {
  const op = operations.find((candidate) => candidate.path === path && candidate.method === method)?.op;
  const response = resolve(node(op?.responses, `${method} ${path}`)[String(status)]);
  return Object.keys(isNode(response.headers) ? response.headers : {});
}

describe("GET /openapi.json", () => {
  it("answers the committed document, with no key", async () => {
    const response = await send("/openapi.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    for (const header of documentedHeaders("/openapi.json", "get", 200)) expect(response.headers.has(header)).toBe(true);
    expect(await response.json()).toEqual(document);
    expect(doc.openapi).toBe("3.1.0");
  });

  it("lists every route the app registers, with its method, and no other", () => {
    const routes = createApp().routes;
    const template = (path: string) => path.replace(/:(\w+)/g, "{$1}");
    const registered = new Set(routes.filter((route) => route.method !== "ALL").map((r) => `${r.method} ${template(r.path)}`));
    const documented = new Set(operations.map(({ path, method }) => `${method.toUpperCase()} ${path}`));
    for (const page of STATIC_PAGES) expect(registered.has(page), `${page} is a static page, not a route`).toBe(false);
    expect([...documented].sort()).toEqual([...registered, ...STATIC_PAGES].sort());
    expect(documented.size).toBe(12);
    // `ALL` entries are middleware (`use`, on a prefix or on a listed path) and the 405 catch-alls of listed paths; a
    // route added with `app.all` on a new path would be neither.
    for (const route of routes.filter((entry) => entry.method === "ALL")) {
      expect(route.path.endsWith("*") || template(route.path) in paths, route.path).toBe(true);
    }
  });

  it("answers another method on each API path with the 405 and Allow the document gives", async () => {
    const env = testEnv({ ADMIN_KEYS: ADMIN_KEY });
    // The static pages' other methods never reach the Worker (the asset router answers them): not checked here.
    const defaultPaths = Object.keys(paths).filter((path) => !path.startsWith("/v1/tenants/") && !STATIC_PAGE_PATHS.has(path));
    expect(defaultPaths).toHaveLength(6);
    for (const path of defaultPaths) {
      const methods = operations.filter((entry) => entry.path === path).map(({ method }) => method.toUpperCase());
      const admin = methods.includes("DELETE");
      const response = await send(path, {
        method: "PUT",
        env,
        headers: authorized(admin ? { Authorization: `Bearer ${ADMIN_KEY}` } : {}),
      });
      const description = String(node(paths[path], path).description);
      if (path === "/healthz" || path === "/openapi.json") {
        expect(response.status, path).toBe(404);
        expect(description).toContain("404");
        continue;
      }
      const allow = methods.flatMap((method) => (method === "GET" ? ["GET", "HEAD"] : [method])).join(", ");
      expect(response.status, path).toBe(405);
      expect(response.headers.get("Allow"), path).toBe(allow);
      expect(description).toContain(`Allow: ${allow}`);
    }
  });
});

describe("the static pages", () => {
  it("are listed as HTML for GET, with no key, and the Worker itself does not answer them", async () => {
    const pages = operations.filter(({ path, method }) => STATIC_PAGES.includes(`${method.toUpperCase()} ${path}`));
    expect(pages.map(({ path }) => path)).toEqual([...STATIC_PAGE_PATHS]);
    for (const { path, op } of pages) {
      expect(op.security, path).toEqual([]);
      const answers = node(op.responses, path);
      expect(Object.keys(answers), path).toEqual(["200"]);
      expect(Object.keys(node(resolve(answers["200"]).content, path)), path).toEqual(["text/html"]);
      expect(String(op.description), path).toMatch(/Static: `public\/[\w.]+\.html`/);
      // Only the asset router serves it: a request that reaches the Worker finds no route.
      expect((await send(path)).status, path).toBe(404);
    }
  });
});

describe("the document's examples", () => {
  it("validate against the valibot schema their JSON Schema names, and against that JSON Schema", () => {
    const used = new Set<string>();
    const media = [
      ...operations.flatMap(({ path, method, op }) =>
        isNode(op.requestBody)
          ? Object.entries(node(resolve(op.requestBody).content, path)).map(([type, content]) => ({
              where: `${method} ${path} request ${type}`,
              content: node(content, path),
            }))
          : [],
      ),
      ...[...responses, ...componentResponses].flatMap(({ where, response }) =>
        Object.entries(isNode(response.content) ? response.content : {}).map(([type, content]) => ({
          where: `${where} ${type}`,
          content: node(content, where),
        })),
      ),
    ];
    let checked = 0;
    for (const { where, content } of media) {
      const named = isNode(content.examples) ? Object.values(content.examples) : [];
      for (const example of named) used.add(String(node(example, where).$ref));
      if (named.length === 0) continue;
      const schema = valibotSchemaOf(node(content.schema, where), where);
      for (const [name, value] of examplesOf(content)) {
        const result = v.safeParse(schema, value);
        expect(result.issues?.map((issue) => issue.message) ?? [], `${where} example ${name}`).toEqual([]);
        expect(violations(content.schema, value), `${where} example ${name}`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
    // No example is left unused (and so unchecked).
    const defined = Object.keys(node(node(doc.components, "components").examples, "examples"));
    expect(defined.map((name) => `#/components/examples/${name}`).filter((ref) => !used.has(ref))).toEqual([]);
  });

  it("are accepted by the routes' own input parsers, as the same question", () => {
    const examples = node(node(doc.components, "components").examples, "examples");
    const value = (name: string) => resolve(examples[name]).value;
    const question = { ok: true, query: { associateIds: [5, 7], state: "Started" } };
    expect(parseBodyInput(value("BatchQuery"))).toEqual(question);
    expect(parseBodyInput(value("BatchQueryUnnormalized"))).toEqual(question);
    expect(parseRestBody(value("RestBatchQuery"))).toEqual(question);
    expect(parseRestBody(value("RestBatchQueryCamelCase"))).toEqual(question);
    const parameters = node(node(doc.components, "components").parameters, "parameters");
    const example = (name: string) => node(parameters[name], name).example;
    const ids = (example("associateIds") as number[]).join(",");
    expect(parseQueryInput({ associateIds: [ids], state: [String(example("state"))] })).toEqual(question);
    expect(parseQueryInput({ associateIds: [ids], state: [String(example("purgeState"))] })).toEqual(question);
    const select = node(node(parameters.select, "select").schema, "select");
    expect(violations(select, example("select"))).toEqual([]);
    expect(violations(node(node(parameters.tenant, "tenant").schema, "tenant"), example("tenant"))).toEqual([]);
  });

  it("give every problem type under its own status, with its title", () => {
    const seen = new Set<ProblemType>();
    for (const { where, status, response } of [...responses, ...componentResponses]) {
      const media = isNode(response.content) ? response.content["application/problem+json"] : undefined;
      if (media === undefined) continue;
      const problems = examplesOf(node(media, where));
      expect(problems.length, where).toBeGreaterThan(0);
      for (const [name, value] of problems) {
        const problem = node(value, name);
        const type = String(problem.type).replace("urn:superoffice-batch-edge:problem:", "");
        expect(isProblemType(type), `${where} ${name}`).toBe(true);
        if (!isProblemType(type)) continue;
        seen.add(type);
        expect(problem.status, `${where} ${name}`).toBe(PROBLEMS[type].status);
        expect(problem.title, `${where} ${name}`).toBe(PROBLEMS[type].title);
        if (status !== undefined) expect(String(problem.status), `${where} ${name}`).toBe(status);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(PROBLEMS).sort());
  });
});

describe("real answers", () => {
  it("have the REST shape the document derives from BatchTask, key for key", async () => {
    expectTypeOf<v.InferOutput<typeof RestBatchTaskInfoSchema>>().toEqualTypeOf<RestBatchTaskInfo>();
    fakeUpstream(() => xmlResponse(wcf));
    const path = "/api/v1/Agents/Batch/GetBatchTaskInfosByAssociatesAndState";
    const response = await send(path, {
      method: "POST",
      headers: authorized({ "Content-Type": "application/json" }),
      body: JSON.stringify({ AssociateIds: [-1], State: "All" }),
    });
    expect(response.status).toBe(200);
    const tasks = (await response.json()) as Node[];
    expect(tasks).toHaveLength(3);
    expect(violations(documentedSchema(path, "post", 200, "application/json"), tasks)).toEqual([]);
    const documentedKeys = Object.keys(node(resolve({ $ref: "#/components/schemas/RestBatchTaskInfo" }).properties, "REST"));
    for (const task of tasks) expect(Object.keys(task)).toEqual(documentedKeys);
  });

  it("match the documented schemas and carry the documented headers", async () => {
    fakeUpstream(() => xmlResponse(wcf));
    const path = "/v1/batch-tasks";
    const ok = await send(`${path}?associateIds=-1&state=All`, { headers: authorized() });
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(violations(documentedSchema(path, "get", 200, "application/json"), body)).toEqual([]);
    for (const header of documentedHeaders(path, "get", 200)) expect(ok.headers.has(header), header).toBe(true);

    const etag = ok.headers.get("ETag") ?? "";
    const notModified = await send(`${path}?associateIds=-1&state=All`, { headers: authorized({ "If-None-Match": etag }) });
    expect(notModified.status).toBe(304);
    for (const header of documentedHeaders(path, "get", 304)) expect(notModified.headers.has(header), header).toBe(true);

    for (const [status, init, query] of [
      [400, { headers: authorized() }, "associateIds=1,x&state=Nope"],
      [401, { headers: { Authorization: "Bearer wrong" } }, "associateIds=1&state=New"],
    ] as const) {
      const problem = await send(`${path}?${query}`, init);
      expect(problem.status).toBe(status);
      expect(violations(documentedSchema(path, "get", status, "application/problem+json"), await problem.json())).toEqual([]);
      for (const header of documentedHeaders(path, "get", status)) expect(problem.headers.has(header), header).toBe(true);
    }
  });

  it("would be caught breaking the documented schema", () => {
    const schema = documentedSchema("/v1/batch-tasks", "get", 200, "application/json");
    const body = resolve({ $ref: "#/components/examples/BatchTasks" }).value as { tasks: Node[]; fetchedAt: string };
    expect(violations(schema, body)).toEqual([]);
    const task = body.tasks[0] ?? {};
    expect(violations(schema, { ...body, tasks: [{ ...task, state: "Acquired" }] })).not.toEqual([]);
    expect(violations(schema, { ...body, tasks: [{ ...task, extra: 1 }] })).not.toEqual([]);
    expect(violations(schema, { ...body, tasks: [{ ...task, created: "2026-11-20T09:00:59.12345678Z" }] })).not.toEqual([]);
    expect(violations(schema, { tasks: body.tasks })).not.toEqual([]);
  });
});
