/**
 * Cancels an AI call's provider requests when the client goes away. A plain object rather than
 * an AbortController: creating one (an EventTarget) per call showed in the AI route's CPU
 * profile, and the only listener is the request in flight.
 */
export class CallCancel {
  aborted = false;
  private abortRequest: ((err: Error) => void) | null = null;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortRequest?.(clientGone());
  }

  /** The request in flight: aborted at once when the call already was. */
  attach(abort: (err: Error) => void): void {
    this.abortRequest = abort;
    if (this.aborted) abort(clientGone());
  }

  detach(abort: (err: Error) => void): void {
    if (this.abortRequest === abort) this.abortRequest = null;
  }
}

function clientGone(): Error {
  return Object.assign(new Error('the client closed the connection'), { code: 'UND_ERR_ABORTED', name: 'AbortError' });
}
