// The distribution as deploy/template.yaml declares it, so the emulator tests the deployed
// distribution rather than a copy of it: cache behaviors (path patterns in order, methods,
// trusted key groups, viewer-request associations), the default root object, custom error
// responses, and what the bucket policy lets CloudFront do (s3:GetObject, s3:ListBucket).
//
// CloudFormation's short tags (!Ref, !Sub, !GetAtt, !If, ...) are read into their long form
// ({Ref: ...}, {"Fn::Sub": ...}); a !Ref to a parameter takes the parameter's value (given,
// else its Default), a !Ref to a resource names it, and !If is decided by the template's
// Conditions (Equals, Not, And, Or, Condition over parameter values; AWS::NoValue drops the
// property), as are the distribution's own Condition. Anything the emulator cannot honour
// (CloudFront Functions, origin or viewer-response Lambda triggers, a value computed at
// deploy time where a plain one is needed) is an error, never silently skipped.

import fs from 'node:fs';
import { parse } from 'yaml';

/** CloudFormation's intrinsic functions in short form (CloudFormation User Guide, *Intrinsic function reference*). */
const INTRINSICS = ['Ref', 'Condition', 'Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'ToJsonString', 'Length',
  // Rule functions (*Rules* section): read, never evaluated here.
  'Contains', 'EachMemberEquals', 'EachMemberIn', 'RefAll', 'ValueOf', 'ValueOfAll'];
const longName = (name) => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`);

/** yaml custom tags: each short form as a scalar, a sequence or a mapping. */
export const CLOUDFORMATION_TAGS = INTRINSICS.flatMap((name) => [
  { tag: `!${name}`, resolve: (value) => ({ [longName(name)]: value }) },
  { tag: `!${name}`, collection: 'seq', resolve: (seq) => ({ [longName(name)]: seq.toJSON() }) },
  { tag: `!${name}`, collection: 'map', resolve: (map) => ({ [longName(name)]: map.toJSON() }) },
]);

export class TemplateError extends Error {
  constructor(where, problem) {
    super(`template: ${where} ${problem}`);
    this.name = 'TemplateError';
    this.where = where;
  }
}

/** A CloudFormation template (YAML or JSON) as plain data, short tags in long form. */
export function parseTemplate(text) {
  return parse(text, { customTags: CLOUDFORMATION_TAGS });
}

/**
 * @typedef {{pathPattern: string, targetOriginId: string, allowedMethods: string[],
 *            trustedKeyGroups: string[], viewerRequest?: string}} TemplateBehavior
 *   `trustedKeyGroups` are logical ids of AWS::CloudFront::KeyGroup resources, or key group
 *   ids given as parameters (a key group made by another stack); `viewerRequest`
 *   is the logical id behind the viewer-request LambdaFunctionARN
 * @typedef {{errorCode: number, responseCode?: number, responsePagePath?: string, errorCachingMinTTL?: number}} TemplateErrorResponse
 * @typedef {{distributionId: string, defaultRootObject?: string,
 *            origins: {id: string, bucket: string | null, getObject: boolean, listBucket: boolean}[],
 *            cacheBehaviors: TemplateBehavior[], defaultCacheBehavior: Omit<TemplateBehavior, 'pathPattern'>,
 *            customErrorResponses: TemplateErrorResponse[]}} TemplateDistribution
 */

/**
 * Reads the one AWS::CloudFront::Distribution of a template file.
 * @param {string} file
 * @param {{parameters?: Record<string, string>}} [options] parameter values (else their Default)
 * @returns {TemplateDistribution}
 */
export function readDistributionTemplate(file, options = {}) {
  return distributionFromTemplate(parseTemplate(fs.readFileSync(file, 'utf8')), options);
}

/**
 * @param {object} template a parsed template
 * @param {{parameters?: Record<string, string>}} [options]
 * @returns {TemplateDistribution}
 */
export function distributionFromTemplate(template, { parameters = {} } = {}) {
  const resources = template?.Resources ?? {};
  const found = Object.entries(resources).filter(([, r]) => r?.Type === 'AWS::CloudFront::Distribution');
  if (found.length !== 1) throw new TemplateError('Resources', `must hold exactly one AWS::CloudFront::Distribution (found ${found.length})`);
  const [distributionId, distribution] = found[0];
  const value = valueReader(template, parameters);
  if (distribution.Condition !== undefined && !value.condition(distribution.Condition, `${distributionId}.Condition`)) {
    throw new TemplateError(`${distributionId}.Condition`, `(${distribution.Condition}) is false with these parameters: the template creates no distribution`);
  }
  const config = distribution.Properties?.DistributionConfig;
  if (!config) throw new TemplateError(`${distributionId}.Properties`, 'has no DistributionConfig');
  const at = (field) => `${distributionId}.DistributionConfig.${field}`;

  if (config.DefaultCacheBehavior === undefined) throw new TemplateError(at('DefaultCacheBehavior'), 'is required');
  const behavior = (b, where, withPattern) => {
    const out = {
      targetOriginId: value(b.TargetOriginId, `${where}.TargetOriginId`),
      allowedMethods: value(b.AllowedMethods ?? ['GET', 'HEAD'], `${where}.AllowedMethods`).map(String),
      trustedKeyGroups: (value(b.TrustedKeyGroups, `${where}.TrustedKeyGroups`) ?? []).map((g, i) => keyGroupName(g, `${where}.TrustedKeyGroups[${i}]`)),
    };
    if (withPattern) out.pathPattern = String(value(b.PathPattern, `${where}.PathPattern`));
    if (b.TrustedSigners !== undefined) throw new TemplateError(`${where}.TrustedSigners`, 'is not emulated (use TrustedKeyGroups)');
    if (b.FunctionAssociations !== undefined) throw new TemplateError(`${where}.FunctionAssociations`, 'CloudFront Functions are not emulated');
    for (const [i, association] of (value(b.LambdaFunctionAssociations, `${where}.LambdaFunctionAssociations`) ?? []).entries()) {
      const eventType = value(association.EventType, `${where}.LambdaFunctionAssociations[${i}].EventType`);
      if (eventType !== 'viewer-request') {
        throw new TemplateError(`${where}.LambdaFunctionAssociations[${i}]`, `${eventType} triggers are not emulated (viewer-request only)`);
      }
      out.viewerRequest = resourceName(value(association.LambdaFunctionARN, `${where}.LambdaFunctionAssociations[${i}].LambdaFunctionARN`), `${where}.LambdaFunctionAssociations[${i}].LambdaFunctionARN`);
    }
    return out;
  };

  const origins = (config.Origins ?? []).map((o, i) => {
    const where = at(`Origins[${i}]`);
    if (o.S3OriginConfig === undefined) throw new TemplateError(where, 'is not an S3 origin (only S3 origins are emulated)');
    const bucket = bucketOf(o.DomainName);
    return { id: String(value(o.Id, `${where}.Id`)), bucket, ...cloudFrontGrants(resources, bucket) };
  });
  const customErrorResponses = (config.CustomErrorResponses ?? []).map((r, i) => {
    const where = at(`CustomErrorResponses[${i}]`);
    const number = (field) => (r[field] === undefined ? undefined : Number(value(r[field], `${where}.${field}`)));
    const out = { errorCode: number('ErrorCode') };
    if (r.ResponseCode !== undefined) out.responseCode = number('ResponseCode');
    if (r.ResponsePagePath !== undefined) out.responsePagePath = String(value(r.ResponsePagePath, `${where}.ResponsePagePath`));
    if (r.ErrorCachingMinTTL !== undefined) out.errorCachingMinTTL = number('ErrorCachingMinTTL');
    return out;
  });
  const defaultRootObject = config.DefaultRootObject === undefined ? undefined : String(value(config.DefaultRootObject, at('DefaultRootObject')));
  return {
    distributionId,
    ...(defaultRootObject ? { defaultRootObject } : {}),
    origins,
    cacheBehaviors: (config.CacheBehaviors ?? []).map((b, i) => behavior(b, at(`CacheBehaviors[${i}]`), true)),
    defaultCacheBehavior: behavior(config.DefaultCacheBehavior, at('DefaultCacheBehavior'), false),
    customErrorResponses,
  };
}

/** What `!Ref AWS::NoValue` reads as: the property is absent. */
const NO_VALUE = undefined;

/**
 * Evaluates the few intrinsics a behavior needs: literals, !Ref of a parameter (its value)
 * or of a resource (`{resource: id}`), !If over the template's Conditions. Anything else
 * cannot be known before a deploy. `read.condition(name)` decides a named condition.
 */
function valueReader(template, given) {
  const parameters = template.Parameters ?? {};
  const conditions = template.Conditions ?? {};
  const deciding = new Set();
  const condition = (name, where) => {
    if (!Object.hasOwn(conditions, name)) throw new TemplateError(where, `names the condition ${name}, which Conditions does not hold`);
    if (deciding.has(name)) throw new TemplateError(where, `condition ${name} refers to itself`);
    deciding.add(name);
    try {
      return decide(conditions[name], `Conditions.${name}`);
    } finally {
      deciding.delete(name);
    }
  };
  const decide = (c, where) => {
    const [fn] = Object.keys(c ?? {});
    const args = c?.[fn];
    if (fn === 'Condition') return condition(args, where);
    if (fn === 'Fn::Equals') return String(read(args[0], `${where}[0]`)) === String(read(args[1], `${where}[1]`));
    if (fn === 'Fn::Not') return !decide(args[0], `${where}[0]`);
    if (fn === 'Fn::And') return args.every((a, i) => decide(a, `${where}[${i}]`));
    if (fn === 'Fn::Or') return args.some((a, i) => decide(a, `${where}[${i}]`));
    throw new TemplateError(where, `is ${JSON.stringify(c)}, a condition the emulator cannot decide`);
  };
  const read = (v, where) => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((item, i) => read(item, `${where}[${i}]`)).filter((item) => item !== NO_VALUE);
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'Fn::If') {
      const [name, whenTrue, whenFalse] = v['Fn::If'];
      return read(condition(name, where) ? whenTrue : whenFalse, where);
    }
    if (keys.length === 1 && keys[0] === 'Ref') {
      const name = v.Ref;
      if (name === 'AWS::NoValue') return NO_VALUE;
      if (Object.hasOwn(parameters, name)) {
        if (Object.hasOwn(given, name)) return given[name];
        if (parameters[name].Default === undefined) throw new TemplateError(where, `refers to parameter ${name}, which has no Default: pass its value`);
        return parameters[name].Default;
      }
      if (Object.hasOwn(template.Resources ?? {}, name)) return { resource: name };
      throw new TemplateError(where, `refers to ${name}, which is neither a parameter nor a resource`);
    }
    if (keys.every((k) => !k.startsWith('Fn::') && k !== 'Ref' && k !== 'Condition')) {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, read(item, `${where}.${k}`)]).filter(([, item]) => item !== NO_VALUE));
    }
    throw new TemplateError(where, `is ${JSON.stringify(v)}, which the emulator cannot evaluate before a deploy`);
  };
  return Object.assign(read, { condition });
}

/** A trusted key group: a KeyGroup resource of the template, or an id given as a parameter. */
function keyGroupName(v, where) {
  if (typeof v === 'string' && v !== '') return v;
  if (v && typeof v === 'object' && typeof v.resource === 'string') return v.resource;
  throw new TemplateError(where, 'must be a !Ref to a key group resource of the template, or to a parameter holding a key group id');
}

function resourceName(v, where) {
  if (v && typeof v === 'object' && typeof v.resource === 'string') return v.resource;
  throw new TemplateError(where, 'must be a !Ref to a resource of the template');
}

/** The bucket resource behind an S3 origin's DomainName (`!GetAtt Bucket.RegionalDomainName`), or null. */
function bucketOf(domainName) {
  const getAtt = domainName?.['Fn::GetAtt'];
  const [resource] = typeof getAtt === 'string' ? getAtt.split('.') : Array.isArray(getAtt) ? getAtt : [];
  return typeof resource === 'string' ? resource : null;
}

/**
 * What the template's bucket policies let the CloudFront service principal do on `bucket`:
 * `s3:GetObject` on its objects, `s3:ListBucket` on the bucket itself (granted on `bucket/*`
 * it has no effect, a classic slip). Deny statements and conditions are not evaluated: the
 * template's only Deny is on insecure transport, and OAC always uses HTTPS.
 */
function cloudFrontGrants(resources, bucket) {
  const grants = { getObject: false, listBucket: false };
  if (bucket === null) return grants;
  for (const policy of Object.values(resources)) {
    if (policy?.Type !== 'AWS::S3::BucketPolicy' || policy.Properties?.Bucket?.Ref !== bucket) continue;
    for (const statement of [policy.Properties.PolicyDocument?.Statement ?? []].flat()) {
      if (statement?.Effect !== 'Allow' || !servicePrincipals(statement.Principal).includes('cloudfront.amazonaws.com')) continue;
      const actions = [statement.Action].flat();
      const allows = (action) => actions.includes(action) || actions.includes('s3:*');
      const targets = [statement.Resource].flat().map((r) => arnTarget(r, bucket));
      if (allows('s3:GetObject') && targets.includes('objects')) grants.getObject = true;
      if (allows('s3:ListBucket') && targets.includes('bucket')) grants.listBucket = true;
    }
  }
  return grants;
}

const servicePrincipals = (principal) => [principal?.Service ?? []].flat();

/** Whether a policy Resource names the bucket (`bucket`), its objects (`objects`), or neither. */
function arnTarget(resource, bucket) {
  const getAtt = resource?.['Fn::GetAtt'];
  if (getAtt === `${bucket}.Arn` || (Array.isArray(getAtt) && getAtt[0] === bucket && getAtt[1] === 'Arn')) return 'bucket';
  const sub = resource?.['Fn::Sub'];
  const text = typeof sub === 'string' ? sub : Array.isArray(sub) ? sub[0] : typeof resource === 'string' ? resource : null;
  if (text === null) return null;
  const arn = text.replace(`\${${bucket}.Arn}`, 'BUCKET').replace(`arn:\${AWS::Partition}:s3:::\${${bucket}}`, 'BUCKET');
  if (arn === 'BUCKET') return 'bucket';
  if (arn === 'BUCKET/*') return 'objects';
  return null;
}
