/** A request as a user pasted it: the common shape of a curl command, a HAR entry and a raw HTTP message. */
export interface ParsedRequest {
  method: string;
  /** An absolute URL, or the origin-form path and query when no host is known. */
  url: string;
  /** Header lines as written, in order, names as written (not lowercased). */
  headers: Array<[string, string]>;
  body?: Buffer;
  source: 'curl' | 'har' | 'http';
}

export interface ParseRequestOptions {
  /** For a HAR file with several entries: which one (0-based). */
  harEntry?: number;
}

/** The pasted text is not a request we can read; the message says what and where. */
export class RequestInputError extends Error {
  override name = 'RequestInputError';
}
