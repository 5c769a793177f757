// Pinpoint as the user runs it: the composition root, from a config file, with its call log on.
import { startPinpoint } from '../../src/server/start.ts';
import { announce } from './ready.ts';

const configPath = process.argv[2];
if (!configPath) throw new Error('usage: gateway.ts <config.yaml>');

// No file watcher: the harness deletes the config's folder at the end.
const running = await startPinpoint({ configPath, port: 0, watch: false });
announce(`http://127.0.0.1:${running.gatewayAddress.port}`, {
  stats: () => running.callLog.stats(),
  close: () => running.close(),
});
