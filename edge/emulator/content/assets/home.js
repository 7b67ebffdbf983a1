// The home page's status line: what the edge says of the viewer's session (session.js asks
// `GET /auth/session`; the cookies themselves are HttpOnly). `data-tiers` holds the tiers the
// session grants, comma-separated, and is empty when signed out: it is set once the answer is in.
import { session } from './session.js';

const status = document.getElementById('status');
const { signedIn, tiers, expiresAt } = await session;
if (!signedIn) {
  status.textContent = 'Not signed in: public content only.';
} else {
  const until = expiresAt === null ? '' : ` (session until ${new Date(expiresAt * 1000).toLocaleTimeString()})`;
  status.textContent = tiers.length > 0
    ? `Signed in, with access to: ${tiers.join(', ')}${until}.`
    : `Signed in, with no access tier: public content only${until}.`;
  status.classList.add('signed-in');
}
status.dataset.tiers = signedIn ? tiers.join(',') : '';
