'use strict';
// Which tiers a signed-in user is granted: those naming one of the user's groups, or "*"
// (every signed-in user of the identity provider, groups or not). One rule for every way in:
// a Bearer ID token at /auth, the redirect flow's callback, and a renewal at the provider.

/** The tier group that every authenticated user belongs to. */
const ANY_USER = '*';

/**
 * @template {{groups: readonly string[]}} T
 * @param {readonly T[]} tiers the configured tiers, in config order
 * @param {readonly string[]} groups the user's groups, from a verified ID token
 * @returns {T[]}
 */
function tiersFor(tiers, groups) {
  const mine = new Set(groups);
  return tiers.filter((t) => t.groups.some((g) => g === ANY_USER || mine.has(g)));
}

module.exports = { tiersFor, ANY_USER };
