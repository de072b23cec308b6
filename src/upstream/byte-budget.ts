/**
 * How many bytes of upstream answers one isolate holds at once, across all tenants: a body being read, its text
 * and what decoding it builds live together, and an isolate has 128 MB. Each exchange takes room before it holds
 * bytes (a declared length whole, before its buffer is allocated; a streamed body chunk by chunk) and gives it all
 * back when it is done; an exchange that cannot take room stops reading and is refused as `busy`.
 */
export class ByteBudget {
  private used = 0;

  /** Takes `bytes` if they fit under `capacity` with what is taken already. */
  take(bytes: number, capacity: number): boolean {
    if (this.used + bytes > capacity) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** Answers at the size limit that one isolate may hold at once: the budget is this many times `UPSTREAM_MAX_BYTES`. */
export const MAX_ANSWERS_AT_THE_LIMIT = 3;
