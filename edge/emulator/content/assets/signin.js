// The sign-in page: user and password go to Cognito (USER_PASSWORD_AUTH, through the demo's
// same-origin /idp/sign-in), the ID token goes to /auth as `Authorization: Bearer`, and /auth
// answers with the CloudFront cookies and a redirect back to where the viewer was going.
// Without this script the form stays disabled (signin.html): it is never submitted natively.
import './session.js'; // first: it points the header's "Sign in" at this URL, corrected below

const params = new URLSearchParams(location.search);
const target = params.get('redirect') || '/';
const message = document.getElementById('message');
const REASONS = {
  missing: `Sign in to open ${target}.`,
  expired: 'Your access expired: sign in again.',
  'wrong-tier': `Your account cannot open ${target}.`,
  'bad-signature': 'Your access cookies were not valid: sign in again.',
  malformed: 'Your access cookies were not valid: sign in again.',
};
if (params.has('reason')) message.textContent = REASONS[params.get('reason')] ?? `Sign in to open ${target}.`;
document.getElementById('target').textContent = target;
// The identity provider's own page, and back to the same target.
const atIdentityProvider = `/auth/login?redirect=${encodeURIComponent(target)}`;
document.getElementById('idp-sign-in').href = atIdentityProvider;
document.getElementById('signin').href = atIdentityProvider;

document.querySelector('form').addEventListener('submit', (event) => {
  event.preventDefault();
  message.textContent = 'Signing in…';
  signInWith(new FormData(event.target)).catch(() => {
    message.textContent = 'Could not reach the sign-in service: try again.';
  });
});

/** @param {FormData} form */
async function signInWith(form) {
  const signIn = await fetch('/idp/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
  });
  if (!signIn.ok) {
    message.textContent = (await signIn.json().catch(() => ({}))).message ?? 'Sign-in failed.';
    return;
  }
  const { idToken } = await signIn.json();
  // /auth sets the cookies and redirects to the target; fetch follows the redirect.
  const auth = await fetch(`/auth?redirect=${encodeURIComponent(target)}`, {
    headers: { authorization: `Bearer ${idToken}`, accept: 'text/html' },
  });
  const landed = new URL(auth.url);
  // Signed in, but no cookie of ours covers the target: the edge function sent us back here,
  // or (when CloudFront checks cookies before the function) CloudFront refused the target.
  if (landed.pathname === '/signin.html' || (auth.redirected && auth.status === 403)) {
    message.textContent = `Signed in as ${form.get('username')}, but your account cannot open ${target}.`;
    document.body.dataset.state = 'refused';
    return;
  }
  if (!auth.ok && !auth.redirected) {
    const body = await auth.json().catch(() => ({}));
    message.textContent = body.reason === 'no-tier' ? 'Signed in, but your account has no access tier.' : `Sign-in refused (${body.reason ?? auth.status}).`;
    return;
  }
  location.assign(landed.pathname + landed.search);
}

// Only now that submitting is handled here: the form's own submission would post the password
// to /idp/sign-in as a form, which that JSON endpoint refuses.
document.getElementById('credentials').disabled = false;
