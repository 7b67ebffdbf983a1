# The CloudFront public keys (two slots), their key group, and the one Secrets Manager secret
# the edge function reads: the active key id (known only once CloudFront has created the key,
# hence written here), the private key, the key group's public keys, the session secrets and
# the sign-in client's secret.

locals {
  # Either PEM form is accepted: `\n` escapes become real newlines.
  public_key_pems = {
    for slot, pem in { A = var.public_key_pem_a, B = var.public_key_pem_b } :
    slot => replace(pem, "\\n", "\n") if pem != ""
  }
  active_slot = var.active_key

  edge_secret = merge(
    {
      keyPairId     = aws_cloudfront_public_key.signing[local.active_slot].id
      privateKey    = replace(var.private_key_pem, "\\n", "\n")
      keyGroup      = { for slot, key in aws_cloudfront_public_key.signing : key.id => local.public_key_pems[slot] }
      sessionSecret = var.session_secret
    },
    # Only after a session-secret rotation: opens sessions, never seals new ones.
    { for field, value in { previousSessionSecret = var.previous_session_secret } : field => value if value != "" },
    # Only for a confidential sign-in client (client_secret_basic / client_secret_post).
    { for field, value in { clientSecret = var.client_secret } : field => value if value != "" },
  )
}

resource "aws_cloudfront_public_key" "signing" {
  provider = aws.us_east_1
  for_each = local.public_key_pems

  name        = "${var.name}-signing-key-${lower(each.key)}"
  encoded_key = each.value
  comment     = "Verifies the signed cookies minted by the edge function (slot ${each.key})."
}

resource "aws_cloudfront_key_group" "signing" {
  provider = aws.us_east_1

  name    = "${var.name}-key-group"
  items   = [for slot in sort(keys(aws_cloudfront_public_key.signing)) : aws_cloudfront_public_key.signing[slot].id]
  comment = "Trusted signers of the private tiers (both slots during a rotation)."

  lifecycle {
    precondition {
      condition     = contains(keys(local.public_key_pems), var.active_key)
      error_message = "active_key names an empty slot: give public_key_pem_${lower(var.active_key)}."
    }
  }
}

# A key of its own for the secret: reading it takes kms:Decrypt on this key too, which only
# the edge role holds (through Secrets Manager), not whoever may read secrets in general.
resource "aws_kms_key" "secret" {
  provider = aws.us_east_1

  description         = "Encrypts the cloudfront-edge-auth edge secret (signing key, session secrets)."
  enable_key_rotation = true
  # The account's default key policy: IAM decides who uses the key (the edge role, below).
  policy = jsonencode({
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

resource "aws_secretsmanager_secret" "edge" {
  #checkov:skip=CKV2_AWS_57:Rotation is a documented two-step procedure (deploy/README.md): a rotation Lambda cannot re-key the CloudFront key group.
  provider = aws.us_east_1

  name        = var.secret_name
  description = "cloudfront-edge-auth signing key, key group and session secrets (read by the edge function)"
  kms_key_id  = aws_kms_key.secret.arn
}

resource "aws_secretsmanager_secret_version" "edge" {
  provider = aws.us_east_1

  secret_id     = aws_secretsmanager_secret.edge.id
  secret_string = jsonencode(local.edge_secret)
}
