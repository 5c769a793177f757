/**
 * An authz rule that cannot be compiled; `path` points the config load at the entry at
 * fault (src/config/crossref.ts turns it into line:column).
 */
export class ConfigPathError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
  }
}
