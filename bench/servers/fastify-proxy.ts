// The peer: a plain fastify app whose only job is @fastify/http-proxy to the upstream.
// Logger off, default options otherwise (undici pool, 128 connections).
import proxy from '@fastify/http-proxy';
import Fastify from 'fastify';
import { announce } from './ready.ts';

const upstream = process.argv[2];
if (!upstream) throw new Error('usage: fastify-proxy.ts <upstream-url>');

const app = Fastify({ logger: false });
await app.register(proxy, { upstream });
const address = await app.listen({ host: '127.0.0.1', port: 0 });
announce(address, { close: () => app.close() });
