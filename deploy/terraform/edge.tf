# The Lambda@Edge function (us-east-1), published as a new numbered version whenever the
# bundle changes, and its role, which reads exactly the one secret.

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

data "aws_iam_policy_document" "edge" {
  statement {
    sid       = "ReadTheEdgeSecret"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.edge.arn]
  }
  statement {
    sid       = "DecryptItThroughSecretsManagerOnly"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.secret.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.us-east-1.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "edge" {
  name_prefix        = "${var.name}-edge-"
  assume_role_policy = data.aws_iam_policy_document.edge_trust.json
}

resource "aws_iam_role_policy" "edge" {
  name   = "read-edge-secret"
  role   = aws_iam_role.edge.id
  policy = data.aws_iam_policy_document.edge.json
}

resource "aws_iam_role_policy_attachment" "edge_logs" {
  role       = aws_iam_role.edge.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

# Lambda@Edge: no environment variables (the config is bundled in the zip), 128 MB and at
# most 5 s for viewer events. Containers read the secret once, so every step of a rotation
# must reach new containers: the description names the key slots, the active one and whether
# a previous session secret is set, so each step changes the configuration and (publish)
# publishes a new version.
locals {
  edge_generation = join(", ", [
    "keys ${join("", sort(keys(local.public_key_pems)))}",
    "signing ${var.active_key}",
    "sessions ${nonsensitive(var.previous_session_secret != "") ? "current+previous" : "current"}",
  ])
}

resource "aws_lambda_function" "edge" {
  #checkov:skip=CKV_AWS_117:Lambda@Edge functions cannot be attached to a VPC.
  #checkov:skip=CKV_AWS_116:Lambda@Edge supports no dead-letter queue (viewer-request is synchronous).
  #checkov:skip=CKV_AWS_115:Lambda@Edge supports no reserved concurrency.
  #checkov:skip=CKV_AWS_50:Every decision is logged as one JSON line (edge/README.md); active tracing would add X-Ray calls to a 5 s viewer-request budget in every region.
  #checkov:skip=CKV_AWS_272:The bundle is built and hashed here (source_code_hash) and published as an immutable version; code signing would need an AWS Signer profile and a signed upload step.
  provider = aws.us_east_1

  function_name    = "${var.name}-edge"
  description      = "cloudfront-edge-auth viewer-request handler (${local.edge_generation})"
  role             = aws_iam_role.edge.arn
  runtime          = "nodejs22.x"
  handler          = "index.handler"
  memory_size      = 128
  timeout          = 5
  filename         = var.edge_bundle_path
  source_code_hash = filebase64sha256(var.edge_bundle_path)
  # CloudFront associates a numbered version, never $LATEST: every new hash publishes one.
  publish = true

  depends_on = [aws_iam_role_policy.edge, aws_iam_role_policy_attachment.edge_logs]
}
