import { DomainError } from "../domain/errors.ts";

/** Said whenever we cannot tell the user something more useful; never a stack trace in chat. */
export const SORRY = "Sorry — something went wrong and nothing was saved. Please try again.";

/** What to tell the user about a failure: the core's own words for a refusal, else the apology. */
export function userMessage(error: unknown): string {
  return error instanceof DomainError ? error.message : SORRY;
}

/** Whether a failure is a refusal in the core's words (news for the log) rather than an error (a fault to look into). */
export const isRefusal = (error: unknown): boolean => error instanceof DomainError;
