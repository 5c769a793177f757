// The fake OpenAI provider (test/ai/fakes/openai.ts) as a bench child process, so it does not
// share the gateway's event loop. Every call gets the same answer: `chunks` stream chunks (or
// the same text whole), after `firstByteMs` and with `chunkMs` between chunks (0: no delay).
// Usage: openai-fake.ts <chunks> <firstByteMs> <chunkMs>
import { startOpenAIFake } from '../../../test/ai/fakes/openai.ts';
import { announce } from '../../servers/ready.ts';
import { answerText } from '../workload.ts';

const [chunks, firstByteMs, chunkMs] = process.argv.slice(2).map(Number);
if (![chunks, firstByteMs, chunkMs].every((n) => Number.isInteger(n) && n >= 0) || chunks < 1) throw new Error('usage: openai-fake.ts <chunks> <firstByteMs> <chunkMs>');

// Any key passes: the gateway sends its provider key, the direct client and the plain proxy route the same one.
const fake = await startOpenAIFake();
fake.defaultScript = { text: answerText(chunks), firstByteDelayMs: firstByteMs, chunkDelayMs: chunkMs };

// The fake records every call for tests' assertions; the bench only counts them, so memory stays flat.
let served = 0;
const forget = setInterval(() => (served += fake.calls.splice(0).length), 500);
forget.unref();

announce(fake.origin, {
  stats: () => ({ calls: served + fake.calls.length }),
  close: () => fake.close(),
});
