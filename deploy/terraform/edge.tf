# The edge half: function, role, secret and its replicas, log groups (deploy/terraform/edge,
# which a distribution of your own can use alone). Everything it holds lives in us-east-1.

module "edge" {
  source = "./edge"
  providers = {
    aws = aws.us_east_1
  }

  name             = var.name
  edge_bundle_path = var.edge_bundle_path
  key_group_id     = var.key_group_id
  signing_key_id   = var.signing_key_id

  private_key_pem         = var.private_key_pem
  session_secret          = var.session_secret
  previous_session_secret = var.previous_session_secret
  client_secret           = var.client_secret
  secret_version          = var.secret_version
  secret_name             = var.secret_name

  edge_regions                = var.edge_regions
  function_log_retention_days = var.function_log_retention_days
  tiers                       = var.tiers
  mint_only                   = var.mint_only
}
