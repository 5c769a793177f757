import { errorResponse, errorResponseName, responseRef, schemaRef, type Flavor } from './problems.ts';
import type { SecurityScheme } from './security.ts';

/** JSON Schema draft-07: the dialect the gateway validates config schemas with (ajv's default). */
export const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** The components a document refers to, added as operations need them. */
export class Components {
  readonly schemas = new Map<string, unknown>();
  readonly responses = new Map<string, unknown>();
  readonly securitySchemes = new Map<string, SecurityScheme>();

  schema(name: string, value: unknown): { $ref: string } {
    this.schemas.set(name, value);
    return schemaRef(name);
  }

  /**
   * A schema written in the config (a body, a template's variables or output), as a resource
   * of its own: it keeps the draft-07 dialect it is validated with (an OpenAPI 3.1 document's
   * default is 2020-12), and an $id, so that its own "#/..." references resolve inside it
   * rather than against this document.
   */
  configSchema(name: string, schema: Record<string, unknown>): { $ref: string } {
    return this.schema(name, { $schema: DRAFT_07, $id: `urn:pinpoint:schema:${name}`, ...schema });
  }

  error(status: number | 'default', flavor: Flavor): { $ref: string } {
    const name = errorResponseName(status, flavor);
    if (!this.responses.has(name)) this.responses.set(name, errorResponse(status, flavor));
    return responseRef(name);
  }
}
