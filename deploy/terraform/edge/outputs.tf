# Named like deploy/template.yaml's outputs (snake_case; deploy/wiring.json maps each).

locals {
  caching_optimized = "658327ea-f89d-4fab-a63d-7e88639e58f6" # Managed-CachingOptimized
  caching_disabled  = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" # Managed-CachingDisabled
}

output "edge_function_version_arn" {
  description = "The published version to associate with viewer-request (never $LATEST)."
  value       = aws_lambda_function.edge.qualified_arn
}

output "key_group_id" {
  description = "The trusted key group of the private behaviors (the identity module's)."
  value       = var.key_group_id
}

output "public_key_id" {
  description = "The Key-Pair-Id the edge function signs with (also in the secret)."
  value       = var.signing_key_id
}

output "secret_arn" {
  description = "The Secrets Manager secret the edge function reads (and its replicas, same name)."
  value       = aws_secretsmanager_secret.edge.arn
}

# What a distribution of your own needs, in this order before its other behaviors, and the
# custom error response that sends a refused browser to /auth (deploy/README.md).
output "behaviors" {
  description = "The cache behaviors to add, in order: path_pattern, viewer_request (a function version ARN, or null), trusted_key_groups, cache_policy_id, allowed_methods."
  value = concat(
    [{
      path_pattern       = "/auth*"
      viewer_request     = aws_lambda_function.edge.qualified_arn
      trusted_key_groups = []
      cache_policy_id    = local.caching_disabled
      allowed_methods    = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
    }],
    [for tier in var.tiers : {
      path_pattern       = tier.path_pattern
      viewer_request     = var.mint_only ? null : aws_lambda_function.edge.qualified_arn
      trusted_key_groups = [var.key_group_id]
      cache_policy_id    = local.caching_optimized
      allowed_methods    = ["GET", "HEAD"]
    }],
  )
}

output "custom_error_response" {
  description = "The error response of the distribution: a refused browser gets the public page that sends it to /auth."
  value       = { error_code = 403, response_code = 403, response_page_path = "/errors/403.html", error_caching_min_ttl = 0 }
}
