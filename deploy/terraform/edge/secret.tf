# The one Secrets Manager secret the edge function reads: the signing key's id and private key,
# the session secrets and the sign-in client's secret (the public keys are in the bundle). Kept
# in us-east-1 and replicated to every edge region, where the handler reads it from its own.

locals {
  # Ephemeral (it reads ephemeral variables): only a write-only argument may take it.
  edge_secret = merge(
    {
      keyPairId     = var.signing_key_id
      privateKey    = replace(var.private_key_pem, "\\n", "\n")
      sessionSecret = var.session_secret
    },
    # Only after a session-secret rotation: opens sessions, never seals new ones.
    { for field, value in { previousSessionSecret = var.previous_session_secret } : field => value if value != "" },
    # Only for a confidential sign-in client (client_secret_basic / client_secret_post).
    { for field, value in { clientSecret = var.client_secret } : field => value if value != "" },
  )
  # The account's default key policy: IAM decides who uses the key (the edge role, below).
  key_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountAdministersTheKeyThroughIam"
      Effect    = "Allow"
      Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

# A key of its own for the secret: reading it takes kms:Decrypt on this key too, which only
# the edge role holds (through Secrets Manager), not whoever may read secrets in general.
# Multi-Region, so each replica of the secret is encrypted with a replica of this key.
resource "aws_kms_key" "secret" {
  description         = "Encrypts the cloudfront-edge-auth edge secret (signing key, session secrets)."
  enable_key_rotation = true
  multi_region        = true
  policy              = local.key_policy
}

resource "aws_kms_replica_key" "secret" {
  for_each = toset(var.edge_regions)
  region   = each.key

  description             = "Encrypts this region's replica of the cloudfront-edge-auth edge secret."
  primary_key_arn         = aws_kms_key.secret.arn
  deletion_window_in_days = 7
  policy                  = local.key_policy
}

resource "aws_secretsmanager_secret" "edge" {
  #checkov:skip=CKV2_AWS_57:Rotation is a documented two-step procedure (deploy/README.md): a rotation Lambda cannot re-key the CloudFront key group.
  name        = var.secret_name
  description = "cloudfront-edge-auth signing key and session secrets (read by the edge function)"
  kms_key_id  = aws_kms_key.secret.arn

  dynamic "replica" {
    for_each = aws_kms_replica_key.secret
    content {
      region     = replica.key
      kms_key_id = replica.value.arn
    }
  }
}

# Write-only: the value goes to Secrets Manager and nowhere else, not even the state. Terraform
# cannot tell it changed, so it writes when the version changes: with every new signing key
# (a rotation step) and every bump of secret_version (the other values).
resource "aws_secretsmanager_secret_version" "edge" {
  secret_id                = aws_secretsmanager_secret.edge.id
  secret_string_wo         = jsonencode(local.edge_secret)
  secret_string_wo_version = parseint(substr(sha256("${var.signing_key_id} ${var.secret_version}"), 0, 12), 16)
}
