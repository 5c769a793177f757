import { z } from 'zod';

/** The shadow (report-only) part of the config schema, spread into src/config/schema.ts. */
export const topShape = {
  shadow: z
    .strictObject({
      config: z.string().min(1).describe('A candidate config file (relative to this one) whose pipeline decides every request beside the enforced one, as a dry run; where it would decide differently, the call log records it (pinpoint shadow report).'),
    })
    .optional()
    .describe('Shadow mode: a candidate policy runs report-only beside the enforced config, like a CSP report-only header. Requests are decided by this config only.'),
};
