// Request bodies of a given size for the WAF cases: a realistic order with products whose
// descriptions are ordinary prose (no attack text: the WAF must let it through, the preflight
// checks that it does), so the WAF's cost is measured on the bodies it mostly sees.

const WORDS = (
  'soft cotton shirt with a relaxed fit and a classic collar machine washable at thirty degrees ' +
  'made in Portugal from organic yarn the colour may vary slightly between batches ideal for ' +
  'everyday wear in spring and summer pairs well with chinos or jeans size guide included'
).split(' ');

/**
 * A JSON order body of about `bytes` bytes (never less). Large bodies get longer descriptions
 * rather than more fields: a body of many thousands of fields is what the WAF's size rules refuse.
 */
export function orderBody(bytes: number): string {
  const words = bytes >= 16 * 1024 ? 160 : 24;
  const items: Array<Record<string, unknown>> = [];
  const body = { customer: 'cus_8c1f2a9d', currency: 'EUR', items, shipping: { method: 'standard', country: 'DE', postcode: '10115' } };
  let n = 0;
  while (JSON.stringify(body).length < bytes) {
    const description = Array.from({ length: words }, (_, i) => WORDS[(n * 7 + i) % WORDS.length]).join(' ');
    items.push({ sku: `SH-${1000 + n}`, name: `Shirt model ${n}`, qty: 1 + (n % 3), price: 1999 + n, description });
    n++;
  }
  return JSON.stringify(body);
}
