// Reading the distribution out of a CloudFormation template: CloudFormation's short tags,
// parameters, what cannot be emulated, the bucket policy's grants to CloudFront, and the
// project's own deploy/template.yaml, which the demo and the end-to-end tests run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseTemplate, distributionFromTemplate, readDistributionTemplate, TemplateError } from '../src/template.js';
import { TEMPLATE_FILE, SITE_ROOT, DEMO_PARAMETERS } from '../demo/deployed-distribution.js';

const FIXTURE = `
Parameters:
  PrivatePattern: { Type: String, Default: /private/* }
  NoDefault: { Type: String }
Conditions:
  HasAlias: !Not [!Equals [!Ref NoDefault, ""]]
Resources:
  Bucket: { Type: AWS::S3::Bucket }
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: cloudfront.amazonaws.com }
            Action: s3:GetObject
            Resource: !Sub "\${Bucket.Arn}/*"
          - Effect: Allow
            Principal: { Service: cloudfront.amazonaws.com }
            Action: [s3:ListBucket]
            Resource: LIST_RESOURCE
  Group: { Type: AWS::CloudFront::KeyGroup }
  Version: { Type: AWS::Lambda::Version }
  Dist:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        DefaultRootObject: index.html
        Aliases: !If [HasAlias, [!Ref NoDefault], !Ref "AWS::NoValue"]
        Origins:
          - { Id: s3, DomainName: !GetAtt Bucket.RegionalDomainName, S3OriginConfig: { OriginAccessIdentity: "" } }
        DefaultCacheBehavior: { TargetOriginId: s3, AllowedMethods: [GET, HEAD] }
        CacheBehaviors:
          - PathPattern: /auth*
            TargetOriginId: s3
            AllowedMethods: [GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE]
            LambdaFunctionAssociations: [{ EventType: viewer-request, LambdaFunctionARN: !Ref Version }]
          - PathPattern: !Ref PrivatePattern
            TargetOriginId: s3
            TrustedKeyGroups: [!Ref Group]
            LambdaFunctionAssociations: [{ EventType: viewer-request, LambdaFunctionARN: !Ref Version }]
        CustomErrorResponses:
          - { ErrorCode: 403, ResponseCode: 403, ResponsePagePath: /errors/403.html, ErrorCachingMinTTL: 0 }
          - { ErrorCode: 404, ErrorCachingMinTTL: 5 }
`;
const fixture = (listResource = '!GetAtt Bucket.Arn') => parseTemplate(FIXTURE.replace('LIST_RESOURCE', listResource));

test('reads CloudFormation short tags into their long form', () => {
  const t = fixture();
  assert.deepEqual(t.Conditions.HasAlias, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'NoDefault' }, ''] }] });
  assert.deepEqual(t.Resources.Dist.Properties.DistributionConfig.Aliases, { 'Fn::If': ['HasAlias', [{ Ref: 'NoDefault' }], { Ref: 'AWS::NoValue' }] });
  assert.deepEqual(t.Resources.Policy.Properties.PolicyDocument.Statement[0].Resource, { 'Fn::Sub': '${Bucket.Arn}/*' });
  assert.deepEqual(t.Resources.Policy.Properties.PolicyDocument.Statement[1].Resource, { 'Fn::GetAtt': 'Bucket.Arn' });
});

test('reads behaviors in order, parameters by their Default or a given value, and error responses', () => {
  const d = distributionFromTemplate(fixture());
  assert.equal(d.distributionId, 'Dist');
  assert.equal(d.defaultRootObject, 'index.html');
  assert.deepEqual(d.cacheBehaviors, [
    { targetOriginId: 's3', allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'], trustedKeyGroups: [], pathPattern: '/auth*', viewerRequest: 'Version' },
    { targetOriginId: 's3', allowedMethods: ['GET', 'HEAD'], trustedKeyGroups: ['Group'], pathPattern: '/private/*', viewerRequest: 'Version' },
  ]);
  assert.deepEqual(d.defaultCacheBehavior, { targetOriginId: 's3', allowedMethods: ['GET', 'HEAD'], trustedKeyGroups: [] });
  assert.deepEqual(d.customErrorResponses, [
    { errorCode: 403, responseCode: 403, responsePagePath: '/errors/403.html', errorCachingMinTTL: 0 },
    { errorCode: 404, errorCachingMinTTL: 5 },
  ]);
  const given = distributionFromTemplate(fixture(), { parameters: { PrivatePattern: '/members/*' } });
  assert.equal(given.cacheBehaviors[1].pathPattern, '/members/*');
});

test('CloudFront may list the bucket only when s3:ListBucket is granted on the bucket itself', () => {
  assert.deepEqual(distributionFromTemplate(fixture()).origins, [{ id: 's3', bucket: 'Bucket', getObject: true, listBucket: true }]);
  assert.equal(distributionFromTemplate(fixture('!Sub "arn:${AWS::Partition}:s3:::${Bucket}"')).origins[0].listBucket, true);
  // On the objects' ARN, ListBucket grants nothing: S3 still answers 403 for a missing key.
  assert.equal(distributionFromTemplate(fixture('!Sub "${Bucket.Arn}/*"')).origins[0].listBucket, false);
});

test('refuses what the emulator cannot honour, naming where', () => {
  const t = fixture();
  const refuses = (change, pattern) => {
    const copy = structuredClone(t);
    change(copy.Resources.Dist.Properties.DistributionConfig, copy);
    assert.throws(() => distributionFromTemplate(copy), (e) => e instanceof TemplateError && pattern.test(e.message));
  };
  refuses((c) => (c.CacheBehaviors[1].FunctionAssociations = []), /CacheBehaviors\[1\]\.FunctionAssociations CloudFront Functions are not emulated/);
  refuses((c) => (c.CacheBehaviors[0].LambdaFunctionAssociations[0].EventType = 'origin-request'), /origin-request triggers are not emulated/);
  refuses((c) => (c.CacheBehaviors[1].PathPattern = { Ref: 'NoDefault' }), /parameter NoDefault, which has no Default/);
  refuses((c) => (c.CacheBehaviors[1].PathPattern = { 'Fn::Sub': '/${AWS::StackName}/*' }), /cannot evaluate before a deploy/);
  refuses((c) => (c.CacheBehaviors[1].TrustedKeyGroups = [{ 'Fn::GetAtt': ['KeyGroup', 'Id'] }]), /cannot evaluate before a deploy/);
  refuses((c) => (c.CacheBehaviors[1].TrustedKeyGroups = [{ 'Fn::If': ['Nowhere', 'a', 'b'] }]), /condition Nowhere, which Conditions does not hold/);
  refuses((c, copy) => (copy.Resources.Other = structuredClone(copy.Resources.Dist)), /exactly one AWS::CloudFront::Distribution \(found 2\)/);
});

test('deploy/template.yaml: the distribution the demo and the end-to-end tests run', () => {
  const d = readDistributionTemplate(TEMPLATE_FILE, { parameters: DEMO_PARAMETERS });
  const gated = (b) => b.trustedKeyGroups.length > 0;
  assert.deepEqual(d.cacheBehaviors.map((b) => [b.pathPattern, gated(b), b.viewerRequest !== undefined]), [
    ['/auth*', false, true],
    ['/private/*', true, true],
    ['/premium/*', true, true],
  ]);
  assert.equal(gated(d.defaultCacheBehavior), false);
  assert.equal(d.defaultCacheBehavior.viewerRequest, undefined);
  assert.equal(d.defaultRootObject, 'index.html');
  // Refusals reach viewers as the public 403 page, never cached (so a re-mint is seen at once).
  const page403 = d.customErrorResponses.find((r) => r.errorCode === 403);
  assert.deepEqual(page403, { errorCode: 403, responseCode: 403, responsePagePath: '/errors/403.html', errorCachingMinTTL: 0 });
  assert.ok(fs.existsSync(fileURLToPath(new URL(`.${page403.responsePagePath}`, `file://${SITE_ROOT}`))), 'edge/site holds the page');
  // A missing object is a 404, never a refusal that would send the viewer through /auth.
  assert.deepEqual(d.origins.map((o) => [o.getObject, o.listBucket]), [[true, true]]);
});

test('conditions decide !If and the distribution\'s own Condition, as CloudFormation would with these parameters', () => {
  const d = readDistributionTemplate(TEMPLATE_FILE, { parameters: { ...DEMO_PARAMETERS, MintOnly: 'true' } });
  // Mint-only: the function on /auth* alone, CloudFront's key group alone on the tiers.
  assert.deepEqual(d.cacheBehaviors.map((b) => [b.pathPattern, b.viewerRequest !== undefined]), [
    ['/auth*', true],
    ['/private/*', false],
    ['/premium/*', false],
  ]);
  assert.deepEqual(d.cacheBehaviors[1].trustedKeyGroups, [DEMO_PARAMETERS.KeyGroupId]);
  assert.throws(
    () => readDistributionTemplate(TEMPLATE_FILE, { parameters: { ...DEMO_PARAMETERS, CreateDistribution: 'false' } }),
    /creates no distribution/,
  );
});
