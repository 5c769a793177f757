/**
 * A request as explain, diff and replay take it: what a curl command line, a HAR entry or a
 * raw HTTP message says (src/explain/input), or what the call log recorded.
 */
export interface ParsedRequest {
  method: string;
  /** An absolute URL, or origin-form path and query when no host is known. */
  url: string;
  /** As written, in order. */
  headers: Array<[string, string]>;
  body?: Buffer;
  source: 'curl' | 'har' | 'http' | 'log';
}
