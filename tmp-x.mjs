import { register } from 'tsx/esm/api';
register();
await import('/work/main/tmp-wt-main.ts');
