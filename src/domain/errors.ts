export type DomainErrorCode = "NOT_FOUND" | "FORBIDDEN" | "INVALID" | "UNAVAILABLE";

/** A failure the user can act on; adapters turn it into a polite reply, never a stack trace. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
