import { Worker } from 'node:worker_threads';
console.log('resolved', import.meta.resolve('tsx'), process.execArgv);
const w = new Worker(new URL('./tmp-wt-w.ts', import.meta.url), { execArgv: [...process.execArgv, '--import', import.meta.resolve('tsx')] });
w.on('message', (m) => { console.log('got', m); w.terminate(); });
w.on('error', (e) => console.log('err', e.message));
w.postMessage(21);
