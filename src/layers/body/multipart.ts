import busboy from 'busboy';
import type { IncomingHttpHeaders } from 'node:http';

export interface MultipartParts {
  /** Non-file parts, name and value, in order. */
  fields: [string, string][];
  /** File parts: the form field, the file name and type the client gave, and the size. */
  files: { field: string; filename: string; mediaType: string; bytes: number }[];
}

/**
 * Parses a multipart/form-data body that was read whole (so its size is already within the
 * route's limit) with busboy. Rejects with the parser's reason when the body is not readable
 * multipart (no boundary, cut short, malformed part headers) or a part is too large to keep.
 */
export function parseMultipart(bytes: Buffer, contentType: string, maxBytes: number): Promise<MultipartParts> {
  return new Promise((resolve, reject) => {
    const out: MultipartParts = { fields: [], files: [] };
    let bb: busboy.Busboy;
    try {
      const headers: IncomingHttpHeaders = { 'content-type': contentType };
      // preservePath: the file name exactly as sent ("../../etc/passwd"), for the layers that inspect it.
      bb = busboy({ headers, preservePath: true, limits: { fieldSize: maxBytes, fields: 1000, files: 100, parts: 1100 }, defParamCharset: 'utf8' });
    } catch (err) {
      return reject(err as Error);
    }
    let failed: string | undefined;
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated || info.nameTruncated) failed ??= `field ${JSON.stringify(name.slice(0, 64))} was cut short`;
      out.fields.push([name, value]);
    });
    bb.on('file', (field, stream, info) => {
      let size = 0;
      stream.on('data', (c: Buffer) => (size += c.length));
      stream.on('end', () => out.files.push({ field, filename: info.filename ?? '', mediaType: info.mimeType, bytes: size }));
    });
    for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) bb.on(limit, () => (failed ??= `too many parts (${limit.replace('Limit', '')})`));
    bb.on('error', (err: Error) => reject(err));
    bb.on('close', () => (failed ? reject(new Error(failed)) : resolve(out)));
    bb.end(bytes);
  });
}
