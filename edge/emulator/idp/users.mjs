// The demo identity provider's user table: who can sign in, with which password, in which
// groups. It is live: the provider reads it each time it issues an ID token, so a change made
// through the control channel (groups, disabled) shows at the next sign-in or refresh.

import crypto from 'node:crypto';

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/**
 * A stable subject for a username: the same on every run (so a session made before a restart
 * names the same person), shaped like Cognito's UUID `sub`, and not the username itself (the
 * edge must not confuse the two).
 */
export function subjectFor(username) {
  const h = crypto.createHash('sha256').update(`cloudfront-edge-auth demo idp\0${username}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const digest = (value) => crypto.createHash('sha256').update(value, 'utf8').digest();

/**
 * Input the IdP refuses: its configuration at start, or a control command. Kept apart from a
 * refused sign-in, which is a `null`, not an error.
 */
export class IdpInputError extends Error {
  name = 'IdpInputError';
}

function checkGroups(groups, where) {
  if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string' && NAME.test(g))) {
    throw new IdpInputError(`${where}: groups must be an array of names (letters, digits, . _ @ -)`);
  }
  return [...new Set(groups)];
}

export class UserTable {
  /** @type {Map<string, {username: string, sub: string, passwordDigest: Buffer, groups: string[], disabled: boolean, email?: string}>} */
  #byName = new Map();
  /** @type {Map<string, string>} sub -> username */
  #bySub = new Map();

  /**
   * @param {Array<{username: string, password: string, groups?: string[], disabled?: boolean, email?: string}>} users
   * @throws {IdpInputError} on a malformed or repeated user
   */
  constructor(users) {
    if (!Array.isArray(users) || users.length === 0) throw new IdpInputError('users: a non-empty array is required');
    for (const [i, user] of users.entries()) {
      const where = `users[${i}]`;
      if (typeof user?.username !== 'string' || !NAME.test(user.username)) throw new IdpInputError(`${where}.username: 1-64 of letters, digits, . _ @ -`);
      if (typeof user.password !== 'string' || user.password.length === 0) throw new IdpInputError(`${where}.password: a non-empty string is required`);
      if (this.#byName.has(user.username)) throw new IdpInputError(`${where}.username: ${user.username} appears twice`);
      if (user.disabled !== undefined && typeof user.disabled !== 'boolean') throw new IdpInputError(`${where}.disabled: a boolean`);
      if (user.email !== undefined && typeof user.email !== 'string') throw new IdpInputError(`${where}.email: a string`);
      const sub = subjectFor(user.username);
      this.#byName.set(user.username, {
        username: user.username,
        sub,
        // Only a digest is kept, compared in constant time below.
        passwordDigest: digest(user.password),
        groups: checkGroups(user.groups ?? [], where),
        disabled: user.disabled ?? false,
        email: user.email,
      });
      this.#bySub.set(sub, user.username);
    }
  }

  /**
   * The user a username and password sign in, or `null` (unknown user, wrong password or
   * disabled: one answer for all three, and the same work for each).
   */
  authenticate(username, password) {
    const user = typeof username === 'string' ? this.#byName.get(username) : undefined;
    const offered = digest(typeof password === 'string' ? password : '');
    const expected = user?.passwordDigest ?? digest('\0no such user');
    const matches = crypto.timingSafeEqual(offered, expected);
    return user && matches && !user.disabled ? user : null;
  }

  /** The enabled user with this subject, or `undefined` (unknown or disabled). */
  activeBySub(sub) {
    const username = this.#bySub.get(sub);
    const user = username === undefined ? undefined : this.#byName.get(username);
    return user && !user.disabled ? user : undefined;
  }

  #existing(username) {
    const user = this.#byName.get(username);
    if (!user) throw new IdpInputError(`unknown user: ${username}`);
    return user;
  }

  /** Replaces a user's groups; seen in the next ID token issued (sign-in or refresh). */
  setGroups(username, groups) {
    this.#existing(username).groups = checkGroups(groups, 'groups');
  }

  /** Disables or enables a user: a disabled user cannot sign in and their refresh tokens are refused. */
  setDisabled(username, disabled) {
    if (typeof disabled !== 'boolean') throw new IdpInputError('disabled: a boolean');
    this.#existing(username).disabled = disabled;
  }

  /** Usernames, subjects, groups and state (never passwords), for `stats`. */
  list() {
    return [...this.#byName.values()].map(({ username, sub, groups, disabled }) => ({ username, sub, groups: [...groups], disabled }));
  }
}
