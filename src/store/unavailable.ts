// Error codes meaning the database could not be reached or went away, as opposed to a bad query.
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"]);
// Postgres SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, crash).
const SQLSTATE = /^(08|57P)/;

/** Whether an error means "the database is not answering", so the user can be told to try again. */
export function isStoreUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (NETWORK_CODES.has(code) || SQLSTATE.test(code))) return true;
    if (/timeout|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i.test(e.message)) return true;
  }
  if (err instanceof AggregateError) return err.errors.some(isStoreUnavailable);
  return false;
}
