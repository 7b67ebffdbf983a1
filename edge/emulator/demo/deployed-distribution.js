// The demo's distribution is the one deploy/template.yaml deploys: its cache behaviors (path
// patterns and order, methods, trusted key groups, viewer-request associations), default root
// object, custom error responses and bucket permissions are read from the template; the demo
// supplies what a deploy would: the bucket's content (edge/site over the demo's pages), the
// key group's public key, and the edge handler. One demo-only behavior is added last, /idp/*,
// the sign-in page's same-origin way to Cognito's InitiateAuth.

import { fileURLToPath } from 'node:url';
import { createDistribution } from '../src/distribution.js';
import { s3Origin } from '../src/s3-origin.js';
import { readDistributionTemplate } from '../src/template.js';

export const TEMPLATE_FILE = fileURLToPath(new URL('../../../deploy/template.yaml', import.meta.url));
/** The demo's pages, images and video: the bucket's content. */
export const CONTENT_ROOT = fileURLToPath(new URL('../content/', import.meta.url));
/** The pages every deployment uploads (the 403 page); they win over the demo's content. */
export const SITE_ROOT = fileURLToPath(new URL('../../site/', import.meta.url));

/** Which check CloudFront runs first on a private behavior: the demo's names for the emulator's option. */
export const CHECK_ORDERS = Object.freeze({
  'function-first': 'after-viewer-request',
  'cloudfront-first': 'before-viewer-request',
});

const ALL_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'];

/**
 * The template's parameters that have no default, as a deploy passes them: the key group
 * (made by the prerequisites stack, deploy/identity.yaml) stands for the demo's key group.
 */
export const DEMO_PARAMETERS = Object.freeze({ KeyGroupId: 'demo-key-group', SigningKeyId: 'KDEMO', PrivateKeyPem: 'demo', SessionSecret: 'demo' });

/**
 * @param {{domain: string, handler: Function, keyGroup: Record<string, string>, idpOrigin: Function,
 *          tiers: readonly {name: string, pathPrefix: string}[], functions?: boolean,
 *          checkOrder?: keyof typeof CHECK_ORDERS, now?: () => number, log?: Function,
 *          template?: import('../src/template.js').TemplateDistribution}} options
 *   `keyGroup` (key pair id -> public key PEM) stands in for every key group the template's
 *   behaviors trust; `functions: false` takes the viewer-request function off the behaviors
 *   with trusted key groups, leaving CloudFront's own check alone in front of the content.
 */
export function demoDistribution({ domain, handler, keyGroup, idpOrigin, tiers, functions = true, checkOrder = 'function-first', now, log, template = readDistributionTemplate(TEMPLATE_FILE, { parameters: DEMO_PARAMETERS }) }) {
  const keyGroupCheck = CHECK_ORDERS[checkOrder];
  if (keyGroupCheck === undefined) throw new Error(`checkOrder must be one of ${Object.keys(CHECK_ORDERS).join(', ')}, not ${checkOrder}`);
  checkTiers(template, tiers);
  const origins = Object.fromEntries(
    template.origins.map((o) => [o.id, s3Origin({ root: [SITE_ROOT, CONTENT_ROOT], listBucket: o.listBucket, getObject: o.getObject })]),
  );
  const groupIds = new Set([template.defaultCacheBehavior, ...template.cacheBehaviors].flatMap((b) => b.trustedKeyGroups));
  const behavior = ({ viewerRequest, ...b }) => {
    const gated = b.trustedKeyGroups.length > 0;
    return { ...b, viewerRequest: viewerRequest !== undefined && (functions || !gated) ? handler : undefined };
  };
  return createDistribution({
    domainName: domain,
    distributionId: 'EDEMO0CFEDGE01',
    defaultRootObject: template.defaultRootObject,
    origins: { ...origins, idp: idpOrigin },
    keyGroups: Object.fromEntries([...groupIds].map((id) => [id, { keys: keyGroup }])),
    cacheBehaviors: [
      ...template.cacheBehaviors.map(behavior),
      { pathPattern: '/idp/*', targetOriginId: 'idp', allowedMethods: ALL_METHODS },
    ],
    defaultCacheBehavior: behavior(template.defaultCacheBehavior),
    customErrorResponses: template.customErrorResponses,
    keyGroupCheck,
    now,
    log,
  });
}

/**
 * The edge config's tiers and the template must agree: each tier's prefix is a behavior of
 * its own with a trusted key group and the function; /auth* reaches the function too.
 */
function checkTiers(template, tiers) {
  const byPattern = new Map(template.cacheBehaviors.map((b) => [b.pathPattern, b]));
  for (const tier of tiers) {
    const b = byPattern.get(`${tier.pathPrefix}*`);
    if (!b || b.trustedKeyGroups.length === 0 || b.viewerRequest === undefined) {
      throw new Error(`deploy/template.yaml has no behavior ${tier.pathPrefix}* with a trusted key group and the viewer-request function (tier ${tier.name})`);
    }
  }
  if (byPattern.get('/auth*')?.viewerRequest === undefined) throw new Error('deploy/template.yaml has no /auth* behavior with the viewer-request function');
}
