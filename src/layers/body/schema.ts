import { z } from 'zod';

/**
 * The body layer's part of the config schema (src/config/schema.ts spreads these in).
 * routeShape: keys of a route; topShape: top-level keys; consumerShape / tenantShape:
 * keys of a consumer / tenant. Every key is optional or has a default, so configs
 * that do not use this layer stay valid.
 */
const MAX_BYTES = z.number().int().min(0);
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)$/;

export const routeShape = {
  body: z
    .strictObject({
      maxBytes: MAX_BYTES.optional().describe('Largest body this route accepts (413 beyond); default body.maxBytes.'),
      accept: z
        .array(z.string().regex(MEDIA_TYPE, 'a media type in lowercase, without parameters: application/json, multipart/form-data, text/*'))
        .min(1)
        .optional()
        .describe(
          'Content types a request body may have (type/subtype, or type/* for a whole type); others are refused with 415 body.media_type_unsupported. With a JSON type listed, JSON bodies must be well-formed UTF-8 JSON (400 body.json_invalid); with multipart/form-data, readable multipart (400 body.multipart_invalid). Absent: any content type.',
        ),
      schema: z
        .record(z.string(), z.unknown())
        .optional()
        .describe('A JSON Schema (draft-07, with formats such as email, uuid and date-time) that JSON bodies of this route must match (400 body.schema_invalid with the JSON pointer of each failing field). Compiled at load.'),
      openapi: z
        .strictObject({
          file: z.string().min(1).describe('The OpenAPI 3 document (YAML or JSON); a relative path is taken from the directory the gateway runs in.'),
          operation: z.string().min(1).describe('The operationId whose requestBody schema bodies must match.'),
        })
        .optional()
        .describe('Validate bodies against an OpenAPI 3 operation\'s request body instead of an inline schema: the schema of the content type sent, $refs into the document resolved; requestBody.required makes an empty body invalid.'),
    })
    .superRefine((b, ctx) => {
      if (b.schema && b.openapi) ctx.addIssue({ code: 'custom', path: ['openapi'], message: 'give schema or openapi, not both' });
    })
    .optional()
    .describe('What request bodies this route accepts: size, content types, and the schema they must match. Content-type and schema rules make the gateway read the body (up to maxBytes) before forwarding it.'),
};

export const topShape = {
  body: z
    .strictObject({
      maxBytes: MAX_BYTES.default(10 * 1024 * 1024).describe('Largest request body accepted on any route (413 beyond), unless the route says otherwise.'),
    })
    .prefault({})
    .describe('Request bodies: size limits. A body is read (buffered, up to the limit) only on routes whose layers inspect it; elsewhere it streams.'),
};

export const consumerShape = {};
export const tenantShape = {};
