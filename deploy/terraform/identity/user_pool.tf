# The user pool (users created by an administrator only), its managed login domain, and one
# group per tier: with create_user_pool only (false: an identity provider of your own).

resource "aws_cognito_user_pool" "this" {
  count = var.create_user_pool ? 1 : 0

  name           = "${var.name}-users"
  user_pool_tier = "ESSENTIALS"
  # Refuses DeleteUserPool until turned off by hand: the users and their passwords outlive any
  # site (Amazon Cognito Developer Guide, "User pool deletion protection").
  deletion_protection = "ACTIVE"

  # No self sign-up: an administrator creates every user (admin-create-user).
  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  password_policy {
    minimum_length                   = 12
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = false
    temporary_password_validity_days = 7
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_cognito_user_pool_domain" "this" {
  count = var.create_user_pool ? 1 : 0

  user_pool_id          = aws_cognito_user_pool.this[0].id
  domain                = var.domain_prefix
  managed_login_version = var.managed_login_version
}

# The ID token lists the user's groups in cognito:groups.
resource "aws_cognito_user_group" "private" {
  count = var.create_user_pool ? 1 : 0

  user_pool_id = aws_cognito_user_pool.this[0].id
  name         = var.private_group_name
  description  = "May read the private tier."
  precedence   = 20
}

resource "aws_cognito_user_group" "premium" {
  count = var.create_user_pool ? 1 : 0

  user_pool_id = aws_cognito_user_pool.this[0].id
  name         = var.premium_group_name
  description  = "May read the premium tier and the private one."
  precedence   = 10
}
