// Asks /auth who we are: with a session cookie it answers the tiers granted (and refreshes
// the CloudFront cookies); without one, 401. The cookies themselves are HttpOnly.
const status = document.getElementById('status');
fetch('/auth', { headers: { accept: 'application/json' }, cache: 'no-store' })
  .then(async (res) => {
    if (res.ok) {
      const { tiers, expiresAt } = await res.json();
      const until = new Date(expiresAt * 1000).toLocaleTimeString();
      status.textContent = `Signed in. CloudFront cookies for: ${tiers.join(', ')} (valid until ${until}).`;
      status.classList.add('signed-in');
      status.dataset.tiers = tiers.join(',');
    } else {
      status.textContent = 'Not signed in: public content only.';
      status.dataset.tiers = '';
    }
  })
  .catch(() => {
    status.textContent = 'Could not reach /auth.';
  });
