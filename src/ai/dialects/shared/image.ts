import type { Part } from '../../types.ts';
import { AiRequestError } from '../types.ts';

// data:<media type>[;param=value...];base64,<data> (RFC 2397); the gateway passes only base64 ones on.
const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*?);base64,(.*)$/s;

/** An image given by URL: http(s) stays a URL, a data: URL becomes inline base64 data. */
export function imageFromUrl(url: string, path: string): Extract<Part, { type: 'image' }> {
  if (url.startsWith('data:')) {
    const m = DATA_URL.exec(url);
    if (!m) throw new AiRequestError(path, 'a data: URL image must be base64-encoded (data:<media type>;base64,<data>)');
    return { type: 'image', data: m[3]!, ...(m[1] ? { mediaType: m[1] } : {}) };
  }
  if (!/^https?:\/\//i.test(url)) throw new AiRequestError(path, `an image URL must be http(s) or a data: URL, got ${JSON.stringify(url.slice(0, 40))}`);
  return { type: 'image', url };
}

