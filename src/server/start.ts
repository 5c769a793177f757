// Composition root: boots call log, gateway, admin listener and config reload from one config file.
// (Being written; signature is stable.)
import type { AddressInfo } from 'node:net';
import type { CallLog } from '../calllog/types.ts';
import type { Gateway } from './gateway.ts';

export interface StartOptions {
  configPath: string;
  /** Overrides gateway.listen.port (0 = ephemeral). */
  port?: number;
  /** Overrides admin.listen.port. */
  adminPort?: number;
}

export interface Running {
  gateway: Gateway;
  callLog: CallLog;
  gatewayAddress: AddressInfo;
  adminAddress?: AddressInfo;
  close(): Promise<void>;
}

export declare function startPinpoint(opts: StartOptions): Promise<Running>;
