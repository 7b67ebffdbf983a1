// The HTML the demo identity provider shows a person: its login form, its sign-out
// confirmation, the page after a sign-out with no post_logout_redirect_uri, and its error page.
// No script and no external resources, so every page can carry a strict Content-Security-Policy.

/** Escapes text for an HTML text node or a double-quoted attribute value. */
export function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Headers every page of ours carries: never cached (a login form holds a one-time interaction
 * id), never framed (clickjacking of the sign-in button), no script at all. No `form-action`:
 * Chromium applies it to the redirects that follow a form post, and the login form's redirect
 * chain ends at the relying party's callback on another origin.
 */
export const PAGE_HEADERS = Object.freeze({
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
});

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f4f6;margin:0;padding:3rem 1rem;color:#1d1d24}
main{max-width:22rem;margin:0 auto;background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15);padding:1.5rem 2rem}
h1{font-size:1.3rem;margin:0 0 .25rem}p.sub{color:#555;margin:0 0 1.25rem}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;border:1px solid #bbb;border-radius:4px}
button{margin-top:1.25rem;width:100%;padding:.6rem;font-size:1rem;font-weight:600;color:#fff;background:#2f5bd3;border:0;border-radius:4px;cursor:pointer}
.error{color:#b00020;font-weight:600}code{background:#eee;padding:0 .2em}small{color:#666}`;

function layout(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
${body}
</main></body>
</html>
`;
}

/**
 * The sign-in form. Posts `username` and `password` back to the interaction's own URL.
 * @param {{action: string, clientName: string, username?: string, failed?: boolean}} options
 *   `failed`: the previous attempt was refused (the one message for every cause, so the form
 *   does not tell which usernames exist or are disabled).
 */
export function loginPage({ action, clientName, username = '', failed = false }) {
  return layout(
    'Sign in - demo identity provider',
    `<h1>Demo identity provider</h1>
<p class="sub">Sign in to continue to <strong>${escapeHtml(clientName)}</strong>.</p>
${failed ? '<p class="error" role="alert">Incorrect username or password.</p>' : ''}
<form method="post" action="${escapeHtml(action)}" autocomplete="on">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(username)}"${username ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${username ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>
<p><small>A local OpenID Provider for the cloudfront-edge-auth demo. Not for real accounts.</small></p>`,
  );
}

/**
 * The RP-initiated logout confirmation (OpenID Connect RP-Initiated Logout 1.0, section 2:
 * the OP should ask the End-User whether to sign out). `form` is oidc-provider's hidden form
 * (`id="op.logoutForm"`, holding the xsrf token); the one button submits it with
 * `logout=yes`, which ends the whole IdP session, not only this client's part of it.
 */
export function logoutPage({ form, host }) {
  return layout(
    'Sign out - demo identity provider',
    `<h1>Demo identity provider</h1>
<p class="sub">Sign out of the demo identity provider at ${escapeHtml(host)}?</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>`,
  );
}

/** Shown after a sign-out that named no post_logout_redirect_uri. */
export function signedOutPage() {
  return layout('Signed out - demo identity provider', '<h1>Demo identity provider</h1>\n<p>You are signed out.</p>');
}

/**
 * A readable error page. `out` is oidc-provider's `{error, error_description}`; both are
 * escaped (the description can quote request parameters).
 */
export function errorPage({ error, error_description: description }) {
  return layout(
    'Error - demo identity provider',
    `<h1>Demo identity provider</h1>
<p class="error" role="alert">This sign-in request cannot be completed.</p>
<p><code>${escapeHtml(error ?? 'server_error')}</code>${description ? `: ${escapeHtml(description)}` : ''}</p>
<p><small>Go back to the site and start again. Nothing was sent to the site.</small></p>`,
  );
}
