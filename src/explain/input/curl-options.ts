// The curl options we read, the ones we ignore because they do not change the request, and the
// ones we refuse with a reason. Any other option is refused too: it may change the request.

/** Options that take no value and do not change what is sent (transport, output, TLS checks). */
export const HARMLESS_FLAGS = new Set([
  '--compressed', '-k', '--insecure', '-s', '--silent', '-S', '--show-error', '-L', '--location',
  '--location-trusted', '-i', '--include', '-v', '--verbose', '--http1.1', '--http2',
  '--http2-prior-knowledge', '--http3', '-0', '--http1.0', '-g', '--globoff', '-N', '--no-buffer',
  '-f', '--fail', '--fail-with-body', '--path-as-is', '-#', '--progress-bar', '--no-progress-meter',
  '--tlsv1.2', '--tlsv1.3', '--ssl-no-revoke', '--basic', '--raw', '--no-keepalive', '-q', '--disable',
]);

/** Options that take a value and do not change what is sent. */
export const HARMLESS_WITH_VALUE = new Set([
  '-o', '--output', '-w', '--write-out', '-m', '--max-time', '--connect-timeout', '--retry',
  '--retry-delay', '--retry-max-time', '-c', '--cookie-jar', '--limit-rate', '-D', '--dump-header',
  '--trace', '--trace-ascii', '--stderr', '--cacert', '--capath', '--max-redirs', '--keepalive-time',
]);

/** Options we understand; each takes a value except -G/--get and -I/--head. */
export const REQUEST_OPTIONS = new Set([
  '-X', '--request', '-H', '--header', '-d', '--data', '--data-ascii', '--data-raw', '--data-binary',
  '--data-urlencode', '--json', '-u', '--user', '-b', '--cookie', '-A', '--user-agent', '-e',
  '--referer', '--url', '--url-query', '--oauth2-bearer', '-G', '--get', '-I', '--head',
]);

export const VALUELESS_REQUEST_OPTIONS = new Set(['-G', '--get', '-I', '--head']);

/** Options that change the request in ways we do not model, with what to do instead. */
export const REFUSED: Record<string, string> = {
  '-F': 'multipart form upload; paste the request as a HAR entry or a raw HTTP message instead',
  '--form': 'multipart form upload; paste the request as a HAR entry or a raw HTTP message instead',
  '--form-string': 'multipart form upload; paste the request as a HAR entry or a raw HTTP message instead',
  '-T': 'uploads a file; paste the body inline with --data-binary',
  '--upload-file': 'uploads a file; paste the body inline with --data-binary',
  '-x': 'sends through a proxy, which changes where the request goes',
  '--proxy': 'sends through a proxy, which changes where the request goes',
  '--resolve': 'changes where the request goes',
  '--connect-to': 'changes where the request goes',
  '--unix-socket': 'changes where the request goes',
  '--digest': 'needs a challenge from the server; give the Authorization header with -H',
  '--ntlm': 'needs a challenge from the server; give the Authorization header with -H',
  '--negotiate': 'needs a challenge from the server; give the Authorization header with -H',
  '--aws-sigv4': 'signs the request; give the signed headers with -H',
  '-E': 'client certificates are not part of a pasted request',
  '--cert': 'client certificates are not part of a pasted request',
  '-K': 'reads options from a file',
  '--config': 'reads options from a file',
  '-r': 'sets a Range header; give it with -H',
  '--range': 'sets a Range header; give it with -H',
  '-z': 'sets a conditional header; give it with -H',
  '--time-cond': 'sets a conditional header; give it with -H',
};
