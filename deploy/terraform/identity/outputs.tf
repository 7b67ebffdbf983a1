# Named like deploy/identity.yaml's outputs (snake_case; deploy/wiring.json maps each).
# deploy/package.mjs --identity-outputs reads them from `terraform output -json` of a root that
# passes them on (examples/complete does); client_secret is never one of those.

output "user_pool_id" {
  value = aws_cognito_user_pool.this.id
}

output "client_id" {
  description = "The app client the edge signs viewers in with."
  value       = aws_cognito_user_pool_client.edge.id
}

output "issuer" {
  description = "The ID tokens' iss, and where the discovery document and JWKS live."
  value       = "https://${aws_cognito_user_pool.this.endpoint}"
}

output "cognito_domain" {
  description = "The managed login domain (/oauth2/authorize, /oauth2/token, /oauth2/revoke, /logout)."
  # The pool id starts with its region (us-east-1_AbCdEf): no provider-version-specific lookup.
  value = "https://${aws_cognito_user_pool_domain.this.domain}.auth.${split("_", aws_cognito_user_pool.this.id)[0]}.amazoncognito.com"
}

output "client_authentication" {
  description = "How the edge authenticates at the token endpoint (a secret goes to the site module's client_secret)."
  value       = var.client_authentication
}

output "private_group_name" {
  value = aws_cognito_user_group.private.name
}

output "premium_group_name" {
  value = aws_cognito_user_group.premium.name
}

# For the site module's client_secret, inside Terraform: a CloudFormation output cannot be
# secret, so deploy/identity.yaml has none (aws cognito-idp describe-user-pool-client instead).
output "client_secret" {
  description = "The confidential client's secret (empty for a public client)."
  value       = var.client_authentication == "none" ? "" : aws_cognito_user_pool_client.edge.client_secret
  sensitive   = true
}
