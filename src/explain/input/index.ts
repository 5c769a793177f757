// One entry point for a request pasted by a user: a curl command line, a HAR file or entry, or a
// raw HTTP/1.1 message. The form is recognised from the text itself.
import { isCurlCommand, parseCurl } from './curl.ts';
import { parseHar } from './har.ts';
import { isHttpMessage, parseHttpMessage } from './http-message.ts';
import { RequestInputError, type ParseRequestOptions, type ParsedRequest } from './types.ts';

export { RequestInputError, type ParseRequestOptions, type ParsedRequest } from './types.ts';

export function parseRequestInput(text: string, options: ParseRequestOptions = {}): ParsedRequest {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start === '') throw new RequestInputError('the request is empty');
  if (start.startsWith('{')) return parseHar(start, options.harEntry);
  if (isCurlCommand(start)) return parseCurl(start);
  if (isHttpMessage(start)) return parseHttpMessage(start);
  const firstLine = start.split(/\r?\n/, 1)[0]!.slice(0, 80);
  throw new RequestInputError(
    `cannot tell what kind of request this is (first line: ${JSON.stringify(firstLine)}); ` +
      'give a curl command, a HAR file or entry (JSON), or a raw HTTP/1.1 message',
  );
}
