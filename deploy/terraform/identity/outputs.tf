# Named like deploy/identity.yaml's outputs (snake_case; deploy/wiring.json maps each).
# deploy/package.mjs --identity-outputs reads them from `terraform output -json` of a root that
# passes them on (examples/complete does); client_secret is never one of those.

# The key ids wait for the key group: whatever signs with a key (the site's secret) or embeds
# the group (the bundle) reads these, so nothing can sign with a key before the group trusts it.
output "key_group_id" {
  description = "The key group the private behaviors trust (the site module's key_group_id)."
  value       = aws_cloudfront_key_group.signing.id
}

output "active_key_id" {
  description = "The public key id the site signs with (the site module's signing_key_id)."
  value       = aws_cloudfront_public_key.signing[var.active_key].id
  depends_on  = [aws_cloudfront_key_group.signing]
}

output "public_key_id_a" {
  value      = try(aws_cloudfront_public_key.signing["A"].id, null)
  depends_on = [aws_cloudfront_key_group.signing]
}

output "public_key_a" {
  description = "Slot A's public key (SPKI PEM), as CloudFront holds it."
  value       = try(local.public_keys["A"], null)
}

output "public_key_id_b" {
  value      = try(aws_cloudfront_public_key.signing["B"].id, null)
  depends_on = [aws_cloudfront_key_group.signing]
}

output "public_key_b" {
  description = "Slot B's public key (SPKI PEM), as CloudFront holds it."
  value       = try(local.public_keys["B"], null)
}

output "user_pool_id" {
  value = one(aws_cognito_user_pool.this[*].id)
}

output "client_id" {
  description = "The app client the edge signs viewers in with."
  value       = one(aws_cognito_user_pool_client.edge[*].id)
}

output "issuer" {
  description = "The ID tokens' iss, and where the discovery document and JWKS live."
  value       = var.create_user_pool ? "https://${aws_cognito_user_pool.this[0].endpoint}" : null
}

output "cognito_domain" {
  description = "The managed login domain (/oauth2/authorize, /oauth2/token, /oauth2/revoke, /logout)."
  # The pool id starts with its region (us-east-1_AbCdEf): no provider-version-specific lookup.
  value = var.create_user_pool ? "https://${aws_cognito_user_pool_domain.this[0].domain}.auth.${split("_", aws_cognito_user_pool.this[0].id)[0]}.amazoncognito.com" : null
}

output "client_authentication" {
  description = "How the edge authenticates at the token endpoint (a secret goes to the site module's client_secret)."
  value       = var.create_user_pool ? var.client_authentication : null
}

output "private_group_name" {
  value = one(aws_cognito_user_group.private[*].name)
}

output "premium_group_name" {
  value = one(aws_cognito_user_group.premium[*].name)
}

# For the site module's client_secret, inside Terraform: a CloudFormation output cannot be
# secret, so deploy/identity.yaml has none (aws cognito-idp describe-user-pool-client instead).
output "client_secret" {
  description = "The confidential client's secret (empty for a public client or without a pool)."
  value       = var.create_user_pool && var.client_authentication != "none" ? aws_cognito_user_pool_client.edge[0].client_secret : ""
  sensitive   = true
}
