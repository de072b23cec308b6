// @ts-check
/**
 * The monitor page (`/`): asks `GET /v1/batch-tasks` every few seconds with the key the person pasted and shows the
 * tasks. Every piece of data goes into the page as text nodes, never as HTML.
 */
import {
  describeCacheStatus,
  formatAge,
  formatDateTime,
  parseAssociateIds,
  readProblem,
  STATES,
  tasksUrl,
} from "./monitor-core.js";

const REFRESH_MS = 5000;
/** Session storage only: the key lives as long as this tab, is never in the URL, and is sent only to this origin. */
const KEY_STORAGE = "superoffice-batch-edge:api-key";

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
function byId(id, type) {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`monitor: #${id} is missing`);
  return found;
}

const form = byId("query", HTMLFormElement);
const keyInput = byId("api-key", HTMLInputElement);
const associatesInput = byId("associates", HTMLInputElement);
const stateSelect = byId("state", HTMLSelectElement);
const forgetButton = byId("forget", HTMLButtonElement);
const problemBox = byId("problem", HTMLElement);
const table = byId("tasks", HTMLTableElement);
const tbody = table.tBodies[0] ?? table.createTBody();
const summary = byId("summary", HTMLElement);
const freshness = byId("freshness", HTMLElement);

const tenant = new URLSearchParams(location.search).get("tenant");
const clockFormat = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

/**
 * What is being watched, and what the last answer said (its ETag makes an unchanged list a 304).
 * @type {{ url: string, key: string, label: string, etag: string | null, fetchedAt: string | null } | null}
 */
let watched = null;
/** Bumped whenever `watched` changes, so a late answer to an older question is dropped. */
let generation = 0;
/** @type {AbortController | null} */
let inFlight = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
let dueWhileHidden = false;

/**
 * A DOM element with text (never markup) and attributes.
 * @param {string} tag
 * @param {Record<string, string>} [attributes]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElement}
 */
function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** @param {unknown} value */
const text = (value) => (typeof value === "string" ? value : value === null || value === undefined ? "" : String(value));

/**
 * @param {unknown} value a date-time as the API sends it, or null
 * @returns {HTMLElement}
 */
function timeCell(value) {
  const shown = formatDateTime(typeof value === "string" ? value : null);
  if (shown.dateTime === null) return el("span", { class: "never" }, [shown.text]);
  return el("time", { datetime: shown.dateTime, title: text(value) }, [shown.text]);
}

/**
 * One task as a table row; each cell names its column for the narrow-screen layout.
 * @param {Record<string, unknown>} task
 * @returns {HTMLTableRowElement}
 */
function taskRow(task) {
  const id = text(task.id);
  const state = text(task.state) || "Unknown";
  const percent = Math.min(100, Math.max(0, Number(task.progressPercent) || 0));
  const description = text(task.progressDescription);
  const progressLabelId = `progress-${id}`;
  const cell = (/** @type {string} */ label, /** @type {(Node | string)[]} */ children) =>
    el("td", { "data-label": label }, children);
  const name = [el("span", { class: "task-name" }, [text(task.name) || "(no name)"])];
  if (text(task.description) !== "") name.push(el("small", { class: "task-description" }, [text(task.description)]));
  const row = /** @type {HTMLTableRowElement} */ (
    el("tr", { "data-task-id": id }, [
      cell("Id", [id]),
      cell("Name", [el("div", {}, name)]),
      cell("Associate", [text(task.associateId)]),
      cell("State", [el("span", { class: `badge badge-${state.toLowerCase()}` }, [state])]),
      cell("Progress", [
        el("div", { class: "progress" }, [
          el("progress", { max: "100", value: String(percent), "aria-labelledby": progressLabelId }),
          el("span", { class: "progress-label", id: progressLabelId }, [
            description === "" ? `${percent} %` : `${percent} % · ${description}`,
          ]),
        ]),
      ]),
      cell("Started", [timeCell(task.lastStarted)]),
      cell("Created", [timeCell(task.created)]),
    ])
  );
  return row;
}

/** @param {unknown} tasks */
function showTasks(tasks) {
  const list = Array.isArray(tasks) ? tasks.filter((task) => typeof task === "object" && task !== null) : [];
  tbody.replaceChildren(...list.map((task) => taskRow(task)));
  table.hidden = list.length === 0;
  const count = list.length === 1 ? "1 task" : `${list.length} tasks`;
  summary.textContent = list.length === 0 ? `No tasks ${watched?.label ?? ""}.` : `${count} ${watched?.label ?? ""}.`;
}

/**
 * The cache status and age of what is on screen, from the answer just received (a 200 or a 304).
 * @param {Response} response
 */
function showFreshness(response) {
  const status = response.headers.get("Cache-Status");
  const cacheStatus = byId("cache-status", HTMLElement);
  cacheStatus.textContent = describeCacheStatus(status);
  cacheStatus.title = status ?? "";
  const age = Number(response.headers.get("Age"));
  byId("age", HTMLElement).textContent = Number.isFinite(age) && response.headers.has("Age") ? formatAge(age) : "unknown";
  byId("fetched-at", HTMLElement).replaceChildren(timeCell(watched?.fetchedAt ?? null));
  const checked = clockFormat.format(new Date());
  byId("checked-at", HTMLElement).textContent = response.status === 304 ? `${checked} (unchanged)` : checked;
  freshness.hidden = false;
}

/** @param {{ title: string, detail: string, errors: string[] } | null} problem */
function showProblem(problem) {
  problemBox.hidden = problem === null;
  if (problem === null) return;
  byId("problem-title", HTMLElement).textContent = problem.title;
  byId("problem-detail", HTMLElement).textContent = problem.detail;
  byId("problem-errors", HTMLElement).replaceChildren(...problem.errors.map((error) => el("li", {}, [error])));
}

function stop() {
  generation += 1;
  inFlight?.abort();
  inFlight = null;
  clearTimeout(timer);
  dueWhileHidden = false;
}

/** @param {number} ms */
function schedule(ms) {
  clearTimeout(timer);
  const expected = generation;
  timer = setTimeout(() => {
    if (expected !== generation) return;
    if (document.hidden) dueWhileHidden = true;
    else void refresh();
  }, ms);
}

/** @param {Response} response */
async function problemOf(response) {
  try {
    return readProblem(response.status, await response.json());
  } catch {
    return readProblem(response.status, null);
  }
}

/** One poll: a conditional GET, then the table, the freshness line or the problem, and the next poll. */
async function refresh() {
  if (watched === null) return;
  const asked = watched;
  const expected = generation;
  inFlight = new AbortController();
  /** @type {Record<string, string>} */
  const headers = {
    Authorization: `Bearer ${asked.key}`,
    Accept: "application/json",
    // A conditional fetch() gets `Cache-Control: no-cache` added unless the request has its own Cache-Control (Fetch
    // standard, HTTP-network-or-cache fetch), and no-cache would send every poll on to SuperOffice. `max-stale` says
    // what this page accepts (it shows the age); the edge ignores directives it does not implement.
    "Cache-Control": "max-stale",
  };
  if (asked.etag !== null) headers["If-None-Match"] = asked.etag;
  /** @type {Response} */
  let response;
  try {
    response = await fetch(asked.url, { headers, cache: "no-store", signal: inFlight.signal });
    if (expected !== generation) return;
    if (response.status === 200) {
      const body = /** @type {Record<string, unknown>} */ (await response.json());
      if (expected !== generation) return;
      asked.etag = response.headers.get("ETag");
      asked.fetchedAt = typeof body.fetchedAt === "string" ? body.fetchedAt : null;
      showTasks(body.tasks);
    }
  } catch (error) {
    if (expected !== generation) return;
    showProblem({
      title: "No usable answer from the edge",
      detail: `${error instanceof Error ? error.message : String(error)}; retrying every ${REFRESH_MS / 1000} s.`,
      errors: [],
    });
    schedule(REFRESH_MS);
    return;
  }
  if (response.status === 200 || response.status === 304) {
    showProblem(null);
    showFreshness(response);
    schedule(REFRESH_MS);
    return;
  }
  const problem = await problemOf(response);
  if (expected !== generation) return;
  if (response.status === 401) {
    showProblem({ ...problem, detail: `${problem.detail} Paste a valid API key and choose Show tasks.`.trim() });
    keyInput.focus();
    return;
  }
  showProblem(problem);
  // A question the edge refused (400, 403, 404) stays refused: wait for a new one. Other failures may pass.
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) return;
  const retryAfter = Number(response.headers.get("Retry-After"));
  schedule(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.max(REFRESH_MS, retryAfter * 1000) : REFRESH_MS);
}

/** @param {SubmitEvent} event */
function onSubmit(event) {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (key === "") {
    showProblem({ title: "API key needed", detail: "Paste an API key (Authorization: Bearer …).", errors: [] });
    keyInput.focus();
    return;
  }
  const parsed = parseAssociateIds(associatesInput.value);
  if (!parsed.ok) {
    showProblem({ title: "Check the associate ids", detail: parsed.error, errors: [] });
    associatesInput.focus();
    return;
  }
  sessionStorage.setItem(KEY_STORAGE, key);
  const state = stateSelect.value;
  const url = tasksUrl({ associateIds: parsed.ids, state, tenant });
  const stateWords = state === "All" ? "in any state" : `in state ${state}`;
  const label = `for associate${parsed.ids.length === 1 ? "" : "s"} ${parsed.ids.join(", ")} ${stateWords}`;
  const keep = watched !== null && watched.url === url && watched.key === key;
  stop();
  if (!keep || watched === null) {
    watched = { url, key, label, etag: null, fetchedAt: null };
    // Another question: the previous answer must not pass for this one's while it loads or if it fails.
    tbody.replaceChildren();
    table.hidden = true;
    freshness.hidden = true;
  }
  // The question (never the key) goes into the address, so that a reload or a bookmark asks it again.
  const address = new URLSearchParams(location.search);
  address.set("associateIds", parsed.ids.join(","));
  address.set("state", state);
  history.replaceState(null, "", `?${address.toString().replaceAll("%2C", ",")}`);
  summary.textContent = `Loading tasks ${label}…`;
  void refresh();
}

function onForget() {
  stop();
  watched = null;
  sessionStorage.removeItem(KEY_STORAGE);
  keyInput.value = "";
  showProblem(null);
  summary.textContent = "The key is forgotten and refreshing has stopped.";
  keyInput.focus();
}

function init() {
  const params = new URLSearchParams(location.search);
  stateSelect.replaceChildren(...STATES.map((state) => el("option", { value: state }, [state])));
  const state = params.get("state");
  stateSelect.value = state !== null && STATES.some((known) => known === state) ? state : "All";
  associatesInput.value = params.get("associateIds") ?? "";
  keyInput.value = sessionStorage.getItem(KEY_STORAGE) ?? "";
  if (tenant !== null) {
    const tenantLine = byId("tenant", HTMLElement);
    tenantLine.textContent = `Tenant ${tenant}`;
    tenantLine.hidden = false;
  }
  form.addEventListener("submit", onSubmit);
  forgetButton.addEventListener("click", onForget);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && dueWhileHidden) {
      dueWhileHidden = false;
      void refresh();
    }
  });
  if (keyInput.value !== "" && associatesInput.value !== "") form.requestSubmit();
}

init();
