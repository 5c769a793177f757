/**
 * The request members a Responses API `response` object repeats back. The API echoes what
 * governed the answer, with its defaults for what the request left out; the gateway echoes
 * what it passed on to the provider. Where it passes nothing on (a sampling setting the
 * request left out: the provider's own default applies) the member is null, and a setting
 * the gateway does not honour reads as what applied: `strict` is false (no provider gets a
 * strict flag), `parallel_tool_calls` true.
 */
import { toolDefinition } from '../shared/openai-tools.ts';

type JsonObject = Record<string, unknown>;

/** The parsed request members the echo is made of (parse.ts's body, after validation). */
export interface EchoSource {
  instructions?: string | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  tools?: { type: 'function'; name: string; description?: string | null; parameters?: JsonObject | null }[] | null;
  tool_choice?: 'none' | 'auto' | 'required' | { type: 'function'; name: string } | null;
  text?: { format?: { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; description?: string | null; schema?: JsonObject | null } | null } | null;
  metadata?: Record<string, string> | null;
  user?: string | null;
  safety_identifier?: string | null;
}

export function responseEcho(b: EchoSource): JsonObject {
  return {
    instructions: b.instructions ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    temperature: b.temperature ?? null,
    top_p: b.top_p ?? null,
    tools: (b.tools ?? []).map((t) => {
      const d = toolDefinition(t);
      return { type: 'function', name: d.name, description: d.description ?? null, parameters: d.parameters, strict: false };
    }),
    tool_choice: b.tool_choice ?? 'auto',
    text: { format: formatEcho(b.text?.format), verbosity: null },
    metadata: b.metadata ?? {},
    safety_identifier: b.safety_identifier ?? null,
    // The SDK's type has user as a string when present; the API leaves it null when unset.
    ...(b.user != null ? { user: b.user } : {}),
  };
}

function formatEcho(f: NonNullable<EchoSource['text']>['format']): JsonObject {
  if (f == null || f.type === 'text') return { type: 'text' };
  if (f.type === 'json_object') return { type: 'json_object' };
  return { type: 'json_schema', name: f.name, schema: f.schema ?? {}, ...(f.description != null ? { description: f.description } : {}), strict: false };
}

/** The echo of a request that set nothing (what a response rendered without its request shows). */
export const DEFAULT_ECHO: Readonly<JsonObject> = responseEcho({});
