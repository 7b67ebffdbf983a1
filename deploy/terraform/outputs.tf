# Named like deploy/template.yaml's outputs (snake_case; deploy/wiring.json maps each).

output "distribution_domain_name" {
  description = "The distribution's domain (sign in at https://<this>/auth without an alias)."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "distribution_id" {
  description = "The distribution's id."
  value       = aws_cloudfront_distribution.this.id
}

output "key_group_id" {
  description = "The trusted key group of the private behaviors (the identity module's)."
  value       = module.edge.key_group_id
}

output "public_key_id" {
  description = "The Key-Pair-Id the edge function signs with (also in the secret)."
  value       = module.edge.public_key_id
}

output "secret_arn" {
  description = "The Secrets Manager secret the edge function reads (and its replicas, same name)."
  value       = module.edge.secret_arn
}

output "edge_function_version_arn" {
  description = "The published version associated with the behaviors."
  value       = module.edge.edge_function_version_arn
}

output "behaviors" {
  description = "The cache behaviors the distribution has, in order (as the edge module describes them)."
  value       = module.edge.behaviors
}

# The redirect URI the edge sends to the identity provider, and where its logout returns:
# register both with your own IdP (the identity module registers them from its variables).
output "callback_url" {
  description = "https://HOST/auth/callback, HOST being the alias if any, else the distribution's domain."
  value       = "https://${local.has_alias ? var.alternate_domain_name : aws_cloudfront_distribution.this.domain_name}/auth/callback"
}

output "sign_out_url" {
  description = "https://HOST/, where the identity provider's logout sends the viewer back."
  value       = "https://${local.has_alias ? var.alternate_domain_name : aws_cloudfront_distribution.this.domain_name}/"
}

output "content_bucket_name" {
  description = "Upload the site here, including errors/403.html and errors/404.html."
  value       = aws_s3_bucket.content.id
}

output "log_bucket_name" {
  description = "S3 (s3/) and CloudFront (cloudfront/) access logs."
  value       = aws_s3_bucket.logs.id
}
