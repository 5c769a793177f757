// The one request every target receives, and the one answer the upstream gives.
// Shared by the load generator, the preflight check and the upstream server.

export const PATH = '/orders';
export const METHOD = 'POST';

/** A typical small JSON API call: ~200 bytes. */
export const REQUEST_BODY = JSON.stringify({
  customer: 'cus_8c1f2a9d',
  currency: 'EUR',
  items: [
    { sku: 'BK-1042', qty: 2, price: 1899 },
    { sku: 'PN-0007', qty: 1, price: 349 },
  ],
  shipping: { method: 'standard', country: 'DE', postcode: '10115' },
});

export const REQUEST_HEADERS = { 'content-type': 'application/json' } as const;

export const UPSTREAM_RESPONSE = JSON.stringify({ id: 'ord_7f3a', status: 'created', total: 4147 });
