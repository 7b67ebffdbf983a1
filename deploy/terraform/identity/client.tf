# The app client the edge function signs viewers in with, and its managed login style.

locals {
  site_hosts = compact([var.alternate_domain_name, var.distribution_domain_name])
  # A code-flow client needs a callback URL (Cognito refuses one without, as far as we know:
  # not tried here). Until the site's host is known the client exists (its id goes into the
  # bundle) with no OAuth flow, so it cannot start a sign-in.
  knows_site_host = length(local.site_hosts) > 0
}

# Authorization code only (no implicit flow: tokens never travel in a URL); Cognito enforces
# PKCE only when the request carries a code_challenge, and the edge always sends S256. The
# redirect URI must match a callback URL exactly (Amazon Cognito Developer Guide, "Authorize
# endpoint").
resource "aws_cognito_user_pool_client" "edge" {
  count = var.create_user_pool ? 1 : 0

  user_pool_id    = aws_cognito_user_pool.this[0].id
  name            = "${var.name}-edge"
  generate_secret = var.client_authentication != "none"

  allowed_oauth_flows_user_pool_client = local.knows_site_host
  allowed_oauth_flows                  = local.knows_site_host ? ["code"] : null
  allowed_oauth_scopes                 = local.knows_site_host ? ["openid", "email"] : null
  supported_identity_providers         = ["COGNITO"]
  callback_urls                        = [for host in local.site_hosts : "https://${host}/auth/callback"]
  # Where Cognito's /logout may send the viewer back (logout_uri, matched exactly).
  logout_urls = [for host in local.site_hosts : "https://${host}/"]

  # The code flow needs none of these; SRP (the password never leaves the browser) is kept for
  # an app that signs in with the SDK and calls /auth with its ID token. Whether managed login
  # itself needs it is not documented clearly, so it stays. No USER_PASSWORD_AUTH.
  explicit_auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  # /auth/logout revokes the refresh token at /oauth2/revoke (RFC 7009).
  enable_token_revocation       = true
  prevent_user_existence_errors = "ENABLED"

  # The edge keeps the refresh token (encrypted) in its session cookie and refreshes with it
  # every recheckSeconds: it must outlive cookies.sessionLifetimeSeconds (12 h by default).
  token_validity_units {
    id_token      = "minutes"
    access_token  = "minutes"
    refresh_token = "hours"
  }
  id_token_validity      = 60
  access_token_validity  = 60
  refresh_token_validity = 24
}

# Managed login (version 2) shows an error page for a client without a style: give it
# Cognito's default one (Amazon Cognito Developer Guide, "Apply branding to managed login pages").
resource "aws_cognito_managed_login_branding" "edge" {
  count = var.create_user_pool && var.managed_login_version == 2 ? 1 : 0

  user_pool_id                = aws_cognito_user_pool.this[0].id
  client_id                   = aws_cognito_user_pool_client.edge[0].id
  use_cognito_provided_values = true
}
