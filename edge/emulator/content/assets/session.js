// The site header's "Sign in" or "Sign out", whichever applies. The session cookie is
// HttpOnly, so a page learns whether the viewer is signed in only by asking the edge:
// `GET /auth/session` answers `{signedIn, tiers, expiresAt}` and is never cached. Anything
// but a 200 with `signedIn: true` (an error, a timeout, no network) counts as signed out.
//
// The header carries both links `hidden`, plus a "Sign in" link in <noscript> for viewers
// without JavaScript; this script reveals one of the two once the answer is in, so the
// header never offers both. Pages that need the answer (home.js) import `session`: one fetch.

/** @typedef {{signedIn: boolean, tiers: string[], expiresAt: number | null}} Session */

/** @type {Readonly<Session>} */
const SIGNED_OUT = Object.freeze({ signedIn: false, tiers: [], expiresAt: null });
/** Past this, the header settles on "Sign in" rather than staying empty. */
const TIMEOUT_MS = 5000;

/** @returns {Promise<Session>} */
async function readSession() {
  try {
    const response = await fetch('/auth/session', {
      headers: { accept: 'application/json' },
      cache: 'no-store',
      credentials: 'same-origin',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (response.status !== 200) return SIGNED_OUT;
    const body = await response.json();
    if (body?.signedIn !== true) return SIGNED_OUT;
    return {
      signedIn: true,
      tiers: Array.isArray(body.tiers) ? body.tiers.filter((tier) => typeof tier === 'string') : [],
      expiresAt: Number.isFinite(body.expiresAt) ? body.expiresAt : null,
    };
  } catch {
    return SIGNED_OUT;
  }
}

/** The viewer's session, as the edge reads it from the session cookie. */
export const session = readSession();

const signIn = /** @type {HTMLAnchorElement | null} */ (document.getElementById('signin'));
const signOut = /** @type {HTMLAnchorElement | null} */ (document.getElementById('signout'));
// Back to this very URL after signing in (a folder URL, a query string), whatever the page's
// static link says. A page may set its own target after this runs (signin.js does).
if (signIn) signIn.href = `/auth/login?redirect=${encodeURIComponent(location.pathname + location.search)}`;

session.then(({ signedIn }) => {
  if (signIn) signIn.hidden = signedIn;
  if (signOut) signOut.hidden = !signedIn;
  document.documentElement.dataset.session = signedIn ? 'signed-in' : 'signed-out';
});
