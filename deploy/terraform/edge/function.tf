# The Lambda@Edge function (us-east-1), published as a new numbered version whenever the bundle
# or the secret changes, its role, and its log groups in every region it runs in.

locals {
  function_name = "${var.name}-edge"
  # Lambda@Edge writes to /aws/lambda/us-east-1.<function> in the region it runs in
  # (CloudFront Developer Guide, "Edge function logs").
  log_group_name = "/aws/lambda/us-east-1.${local.function_name}"
  log_regions    = concat(["us-east-1"], var.edge_regions)
  # Containers read the secret once, so a new secret must reach new containers: the
  # description names the signing key and the secret's version, so a change publishes one.
  edge_generation = "signing ${var.signing_key_id}, secret v${var.secret_version}"
}

# Created before the function can run anywhere: a group Lambda created itself would keep the
# log lines, which name the viewer's sub, forever.
resource "aws_cloudwatch_log_group" "edge" {
  #checkov:skip=CKV_AWS_158:Decision lines hold no secret (edge/README.md, Logs); CloudWatch encrypts them at rest.
  #checkov:skip=CKV_AWS_338:Short on purpose: the lines name the viewer's sub (function_log_retention_days).
  for_each = toset(local.log_regions)
  region   = each.key

  name              = local.log_group_name
  retention_in_days = var.function_log_retention_days
}

data "aws_iam_policy_document" "edge_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["edgelambda.amazonaws.com", "lambda.amazonaws.com"]
    }
  }
}

# The secret and its replicas (same name and suffix, region swapped: Secrets Manager User
# Guide, "Replicate secrets across Regions"), decrypted only through Secrets Manager in the
# key's own region; its own log groups, and no logs:CreateLogGroup (a region outside
# edge_regions keeps no logs rather than logs kept forever). Not AWSLambdaBasicExecutionRole,
# which grants logs:* on every group.
data "aws_iam_policy_document" "edge" {
  statement {
    sid     = "ReadTheEdgeSecretWhereItLives"
    effect  = "Allow"
    actions = ["secretsmanager:GetSecretValue"]
    resources = concat(
      [aws_secretsmanager_secret.edge.arn],
      [for region in var.edge_regions : replace(aws_secretsmanager_secret.edge.arn, ":secretsmanager:us-east-1:", ":secretsmanager:${region}:")],
    )
  }
  statement {
    sid       = "DecryptItThroughSecretsManagerOnly"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = concat([aws_kms_key.secret.arn], [for key in aws_kms_replica_key.secret : key.arn])
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [for region in local.log_regions : "secretsmanager.${region}.amazonaws.com"]
    }
  }
  statement {
    sid       = "WriteToItsOwnLogGroups"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for group in aws_cloudwatch_log_group.edge : "${group.arn}:*"]
  }
}

resource "aws_iam_role" "edge" {
  name_prefix        = "${var.name}-edge-"
  assume_role_policy = data.aws_iam_policy_document.edge_trust.json
}

resource "aws_iam_role_policy" "edge" {
  name   = "read-edge-secret-write-own-logs"
  role   = aws_iam_role.edge.id
  policy = data.aws_iam_policy_document.edge.json
}

# Lambda@Edge: no environment variables (the config is bundled in the zip), 128 MB and at
# most 5 s for viewer events.
resource "aws_lambda_function" "edge" {
  #checkov:skip=CKV_AWS_117:Lambda@Edge functions cannot be attached to a VPC.
  #checkov:skip=CKV_AWS_116:Lambda@Edge supports no dead-letter queue (viewer-request is synchronous).
  #checkov:skip=CKV_AWS_115:Lambda@Edge supports no reserved concurrency.
  #checkov:skip=CKV_AWS_50:Every decision is logged as one JSON line (edge/README.md); active tracing would add X-Ray calls to a 5 s viewer-request budget in every region.
  #checkov:skip=CKV_AWS_272:The bundle is built and hashed here (source_code_hash) and published as an immutable version; code signing would need an AWS Signer profile and a signed upload step.
  function_name    = local.function_name
  description      = "cloudfront-edge-auth viewer-request handler (${local.edge_generation})"
  role             = aws_iam_role.edge.arn
  runtime          = "nodejs22.x"
  handler          = "index.handler"
  memory_size      = 128
  timeout          = 5
  filename         = var.edge_bundle_path
  source_code_hash = filebase64sha256(var.edge_bundle_path)
  # CloudFront associates a numbered version, never $LATEST: every change publishes one. Old
  # versions are never deleted by Terraform (their replicas linger at the edge).
  publish = true
  # Lambda refuses to delete a function while CloudFront still holds replicas of it (CloudFront
  # Developer Guide, "Delete Lambda@Edge functions and replicas"): `terraform destroy` forgets
  # it instead, and deploy/README.md says how to delete it an hour later.
  skip_destroy = true

  depends_on = [aws_iam_role_policy.edge, aws_cloudwatch_log_group.edge, aws_secretsmanager_secret_version.edge]

  lifecycle {
    precondition {
      condition     = data.aws_region.current.region == "us-east-1"
      error_message = "Lambda@Edge functions live in us-east-1: give this module a provider there."
    }
  }
}
