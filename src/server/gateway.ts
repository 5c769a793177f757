import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallLog, CallRecord } from '../calllog/types.ts';
import type { LoadedConfig } from '../config/load.ts';
import { createHandler } from './handler.ts';
import type { ExplainTarget } from '../explain/explain.ts';
import { compilePipeline, NO_DEPS, type PipelineDeps } from '../pipeline/order.ts';
import { attachProtocolErrors } from './protocol-errors.ts';
import { closeRuntime, createRuntime, retire, type Runtime } from './runtime.ts';

export interface GatewayOptions {
  loaded: LoadedConfig;
  callLog: CallLog;
  observe?(record: CallRecord): void;
  /** Stores the layers read (credentials); without them no stored key is known. */
  deps?: PipelineDeps;
}

/** The data-plane listener. Config reloads swap the runtime; in-flight requests keep theirs. */
export class Gateway {
  private runtime: Runtime;
  readonly server: Server;

  constructor(private readonly opts: GatewayOptions) {
    this.runtime = createRuntime(opts.loaded, opts.deps);
    const g = opts.loaded.config.gateway;
    const handle = createHandler({ runtime: () => this.runtime, callLog: opts.callLog, observe: opts.observe, proto: 'http' });
    this.server = createServer(
      {
        maxHeaderSize: g.maxHeaderBytes,
        // We answer a missing Host ourselves, with a problem body that says so.
        requireHostHeader: false,
        keepAliveTimeout: g.keepAliveTimeoutMs,
        requestTimeout: g.requestTimeoutMs,
        headersTimeout: Math.min(g.requestTimeoutMs, 60000),
        // How often Node looks for requests past those timeouts (default 30 s, far too coarse).
        connectionsCheckingInterval: Math.min(g.requestTimeoutMs, 1000),
      },
      (req, res) => handle(req, res),
    );
    this.server.on('checkContinue', (req, res) => handle(req, res, true));
    attachProtocolErrors(this.server, { typeBase: () => this.runtime.typeBase, callLog: opts.callLog, revision: () => this.runtime.loaded.revision, observe: opts.observe });
  }

  get loaded(): LoadedConfig {
    return this.runtime.loaded;
  }

  get proxies() {
    return this.runtime.proxies;
  }

  /**
   * What explain decides with: the running pipeline (with the gateway's stores and counters,
   * which a dry run reads and never changes), or a candidate config compiled with the same.
   */
  explainTarget(candidate?: LoadedConfig): ExplainTarget {
    const deps = this.opts.deps ?? NO_DEPS;
    const rt = this.runtime;
    const loaded = candidate ?? rt.loaded;
    return {
      config: loaded.config,
      revision: loaded.revision,
      pipeline: candidate ? compilePipeline(candidate.config, deps) : rt.pipeline,
      compile: (config) => compilePipeline(config, deps),
    };
  }

  async listen(port = this.runtime.loaded.config.gateway.listen.port, host = this.runtime.loaded.config.gateway.listen.host): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  /** Swaps in a new config; the old pools close once their in-flight requests are done. */
  reload(loaded: LoadedConfig): void {
    const old = this.runtime;
    this.runtime = createRuntime(loaded, this.opts.deps);
    retire(old);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
    await closeRuntime(this.runtime);
  }
}
