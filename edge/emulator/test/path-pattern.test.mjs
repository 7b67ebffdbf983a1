// CloudFront path patterns: `*` any run, `?` one character, case-sensitive, optional leading
// `/`, first matching behavior wins, default last. AWS: *Values that you specify ...*, "Path
// pattern" (its examples are the table below).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePathPattern, selectBehavior, PathPatternError } from '../src/path-pattern.js';

const cases = [
  // pattern, path, matches
  ['*', '/', true],
  ['*', '/anything/at/all.png', true],
  ['/auth*', '/auth', true],
  ['/auth*', '/auth/logout', true],
  ['/auth*', '/authority', true], // `*` is a plain prefix wildcard, not a path segment
  ['/auth*', '/x/auth', false],
  ['/private/*', '/private/', true],
  ['/private/*', '/private/a/b/c.svg', true],
  ['/private/*', '/private', false],
  ['/private/*', '/Private/a.png', false], // case-sensitive
  ['private/*', '/private/a.png', true], // "the same with or without the leading /"
  ['*.jpg', '/a.jpg', true],
  ['*.jpg', '/images/deep/a.jpg', true],
  ['*.jpg', '/LOGO.JPG', false], // AWS: "*.jpg doesn't apply to the file LOGO.JPG"
  ['images/*.jpg', '/images/product1/a.jpg', true],
  ['images/*.jpg', '/images/a.png', false],
  ['/a??.jpg', '/ant.jpg', true],
  ['/a??.jpg', '/an.jpg', false],
  ['/a??.jpg', '/antt.jpg', false],
  ['*.doc*', '/x.docx', true],
  ['*.doc?', '/x.doc', false], // AWS: `?` replaces exactly one character
  ['/a.b', '/aXb', false], // `.` is literal
  ['/$x+', '/$x+', true],
];

for (const [pattern, path, expected] of cases) {
  test(`path pattern ${pattern} ${expected ? 'matches' : 'does not match'} ${path}`, () => {
    assert.equal(compilePathPattern(pattern)(path), expected);
  });
}

test('rejects empty, over-long and disallowed patterns', () => {
  assert.throws(() => compilePathPattern(''), PathPatternError);
  assert.throws(() => compilePathPattern(`/${'a'.repeat(255)}`), /over 255/);
  assert.throws(() => compilePathPattern('/a b/*'), /character CloudFront does not allow/);
  assert.throws(() => compilePathPattern('/a[b]/*'), PathPatternError);
});

test('first matching behavior wins, in the distribution order, and the default comes last', () => {
  const behavior = (pathPattern) => ({ pathPattern, matches: compilePathPattern(pathPattern) });
  // AWS's own example: images/*.jpg, images/*, *.gif; images/sample.gif takes the second.
  const distribution = {
    behaviors: [behavior('images/*.jpg'), behavior('images/*'), behavior('*.gif')],
    defaultBehavior: { pathPattern: '*' },
  };
  assert.equal(selectBehavior(distribution, '/images/sample.gif').pathPattern, 'images/*');
  assert.equal(selectBehavior(distribution, '/images/a.jpg').pathPattern, 'images/*.jpg');
  assert.equal(selectBehavior(distribution, '/b.gif').pathPattern, '*.gif');
  assert.equal(selectBehavior(distribution, '/index.html').pathPattern, '*');

  // The demo's order (and deploy/template.yaml's): /auth*, /private/*, /premium/*, default.
  const demo = {
    behaviors: [behavior('/auth*'), behavior('/private/*'), behavior('/premium/*')],
    defaultBehavior: { pathPattern: '*' },
  };
  assert.equal(selectBehavior(demo, '/auth/logout').pathPattern, '/auth*');
  assert.equal(selectBehavior(demo, '/private/gallery/1.svg').pathPattern, '/private/*');
  assert.equal(selectBehavior(demo, '/premium/').pathPattern, '/premium/*');
  assert.equal(selectBehavior(demo, '/premiums').pathPattern, '*');
  assert.equal(selectBehavior(demo, '/').pathPattern, '*');
});
