// How each target is started. All of them proxy to the same upstream process.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNodeServer, type Child } from './children.ts';
import { findNginx, startNginx } from './nginx.ts';
import type { TargetName } from './options.ts';
import { PATH } from './workload.ts';

export interface Target {
  name: TargetName;
  child: Child;
  /** A header only this target adds; the preflight requires it. */
  mustHaveHeader?: string;
}

export interface TargetContext {
  dir: string;
  upstream: Child;
  /** When profiling: node targets write their CPU profiles to <profileDir>/<target>/. */
  profileDir?: string;
}

/** Why a target cannot run on this machine, or undefined. */
export function unavailable(name: TargetName): string | undefined {
  if (name === 'nginx' && !findNginx()) return 'nginx skipped: no `nginx` on PATH (install it to add nginx as a peer)';
  return undefined;
}

export async function startTarget(name: TargetName, ctx: TargetContext): Promise<Target> {
  switch (name) {
    case 'gateway': {
      const config = writeGatewayConfig(ctx.dir, ctx.upstream.url);
      return { name, child: await startNodeServer('gateway', 'gateway.ts', [config], profiling(ctx, name)), mustHaveHeader: 'x-request-id' };
    }
    case 'fastify':
      return { name, child: await startNodeServer('fastify', 'fastify-proxy.ts', [ctx.upstream.url], profiling(ctx, name)) };
    case 'nginx':
      return { name, child: await startNginx(join(ctx.dir, 'nginx'), ctx.upstream.url) };
    case 'direct':
      return { name, child: ctx.upstream };
  }
}

/** One .cpuprofile per thread (main thread, call log writer, ...), written when the process exits. */
function profiling(ctx: TargetContext, name: TargetName): string[] {
  return ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(ctx.profileDir, name)}`] : [];
}

/**
 * The gateway as the issue asks to measure it: one service, one route with the route and
 * method layers, the call log on (the default SQLite file, next to the config), no admin listener.
 */
function writeGatewayConfig(dir: string, upstreamUrl: string): string {
  const file = join(dir, 'pinpoint.yaml');
  writeFileSync(
    file,
    `gateway:
  listen: { host: 127.0.0.1, port: 0 }
admin:
  enabled: false
log:
  file: calls.db
services:
  orders:
    upstreams:
      - url: ${upstreamUrl}
routes:
  - id: orders-create
    service: orders
    paths: [${PATH}]
    methods: [POST]
`,
  );
  return file;
}
