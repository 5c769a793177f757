// What the admin API and the CLI check before setting an owner: a consumer the config declares
// (its tenant is the one recorded), or any name with its tenant given (token consumers that the
// config does not list); a resource name and id the store can keep.
import type { Config } from '../config/schema.ts';
import { ownerKeyProblem } from './owners.ts';

export type OwnerInput = { ok: true; consumer: string; tenant?: string } | { ok: false; errors: string[] };

export function checkOwnerInput(config: Config, resource: string, id: string, consumer: string, tenant: string | undefined): OwnerInput {
  const errors: string[] = [];
  const key = ownerKeyProblem(resource, id);
  if (key) errors.push(key);
  const declared = Object.hasOwn(config.consumers, consumer) ? config.consumers[consumer] : undefined;
  if (consumer === '') errors.push('consumer is empty');
  else if (declared && tenant !== undefined && tenant !== declared.tenant) errors.push(`consumer ${consumer} is of tenant ${declared.tenant}, not ${tenant}`);
  else if (!declared && tenant === undefined) errors.push(`consumer ${JSON.stringify(consumer)} is not declared in the config: give its tenant too (a token consumer's), or declare it`);
  if (tenant === '') errors.push('tenant is empty');
  return errors.length ? { ok: false, errors } : { ok: true, consumer, tenant: declared?.tenant ?? tenant };
}
