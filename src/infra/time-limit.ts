/** What withinTime rejects with when the time is up, so a caller can tell "too late" from the work failing. */
export class TimeLimitError extends Error {
  override readonly name = "TimeLimitError";
}

/** Settles as `work` does, or rejects with `message` once `ms` have passed; the timer never outlives the race. */
export async function withinTime<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeLimitError(message)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
