/**
 * Typed lines, taken one at a time. Readline emits lines as fast as a pipe delivers them; taking them from a
 * queue means each is handled only after the one before has finished, and a form's answers are the next lines.
 */
export class LineQueue {
  private readonly lines: string[] = [];
  private waiting: ((line: string | null) => void) | undefined;
  private ended = false;

  push(line: string): void {
    if (this.ended) return;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(line);
    else this.lines.push(line);
  }

  /** No more lines will come; the ones already queued are still handed out. */
  end(): void {
    this.ended = true;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(null);
  }

  /** The next line, or null once input has ended and every line has been taken. */
  next(): Promise<string | null> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => (this.waiting = resolve));
  }
}
