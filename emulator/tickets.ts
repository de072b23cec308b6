import { randomBytes } from "node:crypto";

/** How long a ticket lives without use: SuperOffice documents system user tickets as valid 6 hours, sliding. */
export const TICKET_IDLE_MS = 6 * 60 * 60 * 1000;

/** A ticket issued at sign-in: the tenant it belongs to and when it was last used, on the emulator's ticket clock. */
interface IssuedTicket {
  readonly contextId: string;
  lastUsed: number;
}

/** The tickets one emulator has issued, by ticket text. */
export type TicketStore = Map<string, IssuedTicket>;

export function createTicketStore(): TicketStore {
  return new Map();
}

/** A fresh ticket in SuperOffice's shape (`7T:` and base64) for the tenant, valid from `now`. */
export function issueTicket(store: TicketStore, contextId: string, now: number): string {
  const ticket = `7T:${randomBytes(30).toString("base64")}`;
  store.set(ticket, { contextId, lastUsed: now });
  return ticket;
}

/**
 * Whether `ticket` is a live ticket of the tenant addressed by the request path (its segment before `/Remote/`,
 * compared without regard to case); a live ticket's idle time starts again. A ticket idle for more than
 * {@link TICKET_IDLE_MS} is forgotten, as NetServer forgets it.
 */
export function useTicket(store: TicketStore, ticket: string, pathContext: string | null, now: number): string | null {
  const issued = store.get(ticket);
  if (issued === undefined) return null;
  if (now - issued.lastUsed > TICKET_IDLE_MS) {
    store.delete(ticket);
    return null;
  }
  if (pathContext === null || pathContext.toLowerCase() !== issued.contextId.toLowerCase()) return null;
  issued.lastUsed = Math.max(issued.lastUsed, now);
  return issued.contextId;
}

/** How many issued tickets are still alive at `now` (expired ones are dropped on the way). */
export function liveTickets(store: TicketStore, now: number): number {
  for (const [ticket, issued] of store) if (now - issued.lastUsed > TICKET_IDLE_MS) store.delete(ticket);
  return store.size;
}
