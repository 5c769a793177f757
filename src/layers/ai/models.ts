import type { Denial } from '../../decision/types.ts';
import type { Identity } from '../authn/types.ts';
import { carriesScopes } from '../authz/permissions.ts';
import type { AiLayerPlan, AiRouteLayerPlan } from './compile.ts';
import type { Site } from './denials.ts';

const MODEL_SCOPE = 'model:';

/**
 * The model allow-lists, narrowest last: the route's models, the tenant's aiModels, the
 * consumer's aiModels, and the credential's model:<alias> scopes when it carries any (a key or
 * token without model scopes, or with `*` or `model:*`, is not limited by model). The first
 * list that lacks the alias refuses; the caller is told only that this model is not allowed
 * for it, the operator which list and the change that would allow it.
 */
export function modelRefusal(plan: AiLayerPlan, route: AiRouteLayerPlan, s: Site, id: Identity | undefined, alias: string): Denial | undefined {
  if (!route.ai.models.has(alias)) {
    const listed = route.ai.config.template ? `its template calls ${route.ai.config.template.model}` : `it serves ${[...route.ai.models].join(', ')}`;
    return notAllowed(s, alias, `routes[${s.routeIndex}].ai.models`, `route ${s.routeId} does not serve ${alias} (${listed})`, `Add ${alias} to routes[${s.routeIndex}].ai.models (route ${s.routeId}).`, 'operator', 'this route');
  }
  if (!id) return undefined;
  const tenantList = id.tenant === undefined ? undefined : plan.tenantModels.get(id.tenant);
  if (tenantList && !tenantList.has(alias)) {
    return notAllowed(s, alias, `tenants.${id.tenant}.aiModels`, `tenant ${id.tenant} may call [${[...tenantList].join(', ')}] (tenants.${id.tenant}.aiModels)`, `Add ${alias} to tenants.${id.tenant}.aiModels.`, 'operator', callerKind(id));
  }
  const consumerList = plan.consumerModels.get(id.consumer);
  if (consumerList && !consumerList.has(alias)) {
    return notAllowed(s, alias, `consumers.${id.consumer}.aiModels`, `consumer ${id.consumer} may call [${[...consumerList].join(', ')}] (consumers.${id.consumer}.aiModels)`, `Add ${alias} to consumers.${id.consumer}.aiModels.`, 'tenant_admin', callerKind(id));
  }
  const scoped = scopedModels(id);
  if (scoped && !scoped.includes(alias)) {
    const isKey = id.via === 'apiKey';
    const fix = isKey
      ? `Use a key of ${id.consumer} with scope ${MODEL_SCOPE}${alias} (pinpoint keys create --consumer ${id.consumer} --scopes ${[...id.scopes, MODEL_SCOPE + alias].join(',')}) in place of ${id.credential}.`
      : `Issue the token with scope ${MODEL_SCOPE}${alias}.`;
    return notAllowed(s, alias, 'credential:scopes', `the ${isKey ? 'key' : 'token'} ${id.credential} of ${id.consumer} is limited to models [${scoped.join(', ')}] by its ${MODEL_SCOPE}<alias> scopes`, fix, 'key_owner', callerKind(id));
  }
  return undefined;
}

/** The aliases a credential's model scopes allow; undefined when it is not limited by model. */
function scopedModels(id: Identity): string[] | undefined {
  if (!carriesScopes(id.via)) return undefined;
  const out: string[] = [];
  for (const s of id.scopes) {
    if (s === '*' || s === 'model:*') return undefined;
    if (s.startsWith(MODEL_SCOPE)) out.push(s.slice(MODEL_SCOPE.length));
  }
  return out.length ? out : undefined;
}

function callerKind(id: Identity): string {
  return id.via === 'apiKey' ? 'this key' : id.via === 'basic' || id.via === 'session' ? 'this account' : 'this token';
}

function notAllowed(s: Site, alias: string, ruleId: string, why: string, change: string, who: 'operator' | 'tenant_admin' | 'key_owner', forWhom: string): Denial {
  return {
    code: 'ai.model_not_allowed',
    ruleId,
    detail: `route ${s.routeId}: model ${alias} is not allowed: ${why}. To allow it: ${change}`,
    hint: `The model "${alias}" is not allowed for ${forWhom}.`,
    evidence: [{ where: 'body:model', expected: `a model allowed by ${ruleId}`, observed: alias }],
    fixes: [
      { who: 'client', action: 'Call a model this caller is allowed to use (the API owner can say which).', proved: false, retryable: false },
      { who, action: change, proved: false, retryable: false },
    ],
    extensions: { model: alias },
  };
}
