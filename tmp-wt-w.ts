import { parentPort } from 'node:worker_threads';
import type { Config } from './src/config/schema.ts';
const double = (n: number): number => n * 2;
parentPort!.on('message', (n: number) => parentPort!.postMessage(double(n)));
