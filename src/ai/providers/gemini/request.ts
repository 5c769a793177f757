import type { ChatRequest, EmbeddingsRequest, Message, Part, ToolChoice } from '../../types.ts';
import { applyParams } from '../params.ts';
import type { HttpCall, ProviderTarget } from '../types.ts';
import { toolInput, toolNamesById } from '../common/tools.ts';
import { alternatingTurns, systemTexts } from '../common/turns.ts';
import { params } from './params.ts';
import { fromToolCallId } from './signature.ts';

type GeminiPart = Record<string, unknown>;

/** models/{model} unless the id already names its collection (tunedModels/..., models/...). */
function modelPath(t: ProviderTarget): string {
  const name = t.model.includes('/') ? t.model : `models/${t.model}`;
  return name.split('/').map(encodeURIComponent).join('/');
}

function call(t: ProviderTarget, method: string, body: unknown, accept = 'application/json'): HttpCall {
  return {
    url: `${t.baseUrl}/v1beta/${modelPath(t)}:${method}`,
    headers: { 'content-type': 'application/json', accept, 'x-goog-api-key': t.credentials.apiKey ?? '' },
    body: JSON.stringify(body),
  };
}

export function chatCall(req: ChatRequest, t: ProviderTarget): HttpCall {
  return req.stream ? call(t, 'streamGenerateContent?alt=sse', chatBody(req), 'text/event-stream') : call(t, 'generateContent', chatBody(req));
}

export function embeddingsCall(req: EmbeddingsRequest, t: ProviderTarget): HttpCall {
  const model = t.model.includes('/') ? t.model : `models/${t.model}`;
  const requests = req.input.map((text) => ({ model, content: { parts: [{ text }] }, ...(req.dimensions ? { outputDimensionality: req.dimensions } : {}) }));
  return call(t, 'batchEmbedContents', { requests });
}

export function chatBody(req: ChatRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const system = systemTexts(req.messages);
  if (system.length) body.systemInstruction = { parts: system.map((text) => ({ text })) };
  body.contents = contents(req.messages);
  if (req.tools?.length) {
    body.tools = [{ functionDeclarations: req.tools.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), parametersJsonSchema: t.parameters })) }];
    if (req.toolChoice) body.toolConfig = { functionCallingConfig: functionCalling(req.toolChoice) };
  }
  applyParams(params, req, body);
  const f = req.responseFormat;
  if (f?.type === 'json') {
    const config = (body.generationConfig ??= {}) as Record<string, unknown>;
    config.responseMimeType = 'application/json';
    // responseJsonSchema takes JSON Schema as is; responseSchema only Google's OpenAPI subset.
    if (f.schema) config.responseJsonSchema = f.schema;
  }
  return body;
}

/** Roles user and model; tool results travel in user turns. */
function contents(messages: readonly Message[]): { role: 'user' | 'model'; parts: GeminiPart[] }[] {
  const names = toolNamesById(messages);
  return alternatingTurns(messages, (p) => part(p, names)).map(({ role, blocks }) => ({ role: role === 'assistant' ? 'model' : 'user', parts: blocks }));
}

function part(p: Part, names: ReadonlyMap<string, string>): GeminiPart {
  switch (p.type) {
    case 'text':
      return { text: p.text };
    case 'image':
      return p.data !== undefined ? { inlineData: { mimeType: p.mediaType ?? 'image/png', data: p.data } } : { fileData: { mimeType: p.mediaType ?? 'image/jpeg', fileUri: p.url } };
    case 'tool_call': {
      const { id, thoughtSignature } = fromToolCallId(p.id);
      return { functionCall: { ...(id ? { id } : {}), name: p.name, args: toolInput(p.arguments, p.name) }, thoughtSignature };
    }
    case 'tool_result': {
      // Gemini matches a result to its call by the function's name, which the canonical result does not carry.
      const { id } = fromToolCallId(p.toolCallId);
      const name = names.get(p.toolCallId) ?? p.toolCallId;
      return { functionResponse: { ...(id ? { id } : {}), name, response: p.isError ? { error: p.content } : { output: p.content } } };
    }
  }
}

function functionCalling(c: ToolChoice): Record<string, unknown> {
  if (c === 'auto') return { mode: 'AUTO' };
  if (c === 'none') return { mode: 'NONE' };
  if (c === 'required') return { mode: 'ANY' };
  return { mode: 'ANY', allowedFunctionNames: [c.name] };
}
