/**
 * Pieces of the OpenAI family's request shapes that Chat Completions and the Responses API
 * share (the function definition, a JSON Schema output format, the tool choice modes), with
 * their mapping to the canonical request. The two APIs nest them differently; the fields match.
 */
import { z } from 'zod';
import type { ResponseFormat, ToolChoice, ToolDefinition } from '../../types.ts';
import { compact } from './wire.ts';

const JsonObject = z.record(z.string(), z.unknown());

export const FunctionFields = {
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: JsonObject.nullish(),
  strict: z.boolean().nullish(),
};

export function toolDefinition(f: { name: string; description?: string | null; parameters?: Record<string, unknown> | null }): ToolDefinition {
  // OpenAI lets a function without parameters stand for one that takes none.
  return compact({ name: f.name, description: f.description ?? undefined, parameters: f.parameters ?? { type: 'object', properties: {} } });
}

export const JsonSchemaFields = {
  name: z.string().min(1),
  description: z.string().nullish(),
  schema: JsonObject.nullish(),
  strict: z.boolean().nullish(),
};

export function jsonSchemaFormat(f: { name: string; schema?: Record<string, unknown> | null }): ResponseFormat {
  return compact({ type: 'json' as const, schema: f.schema ?? undefined, name: f.name });
}

export const ToolChoiceMode = z.enum(['none', 'auto', 'required']);

export function toolChoice(c: z.output<typeof ToolChoiceMode> | { name: string }): ToolChoice {
  return typeof c === 'string' ? c : { name: c.name };
}
