# The CloudFront public keys and the key group the private behaviors trust. They live in this
# module, applied before the bundle is built, because CloudFront assigns a public key's id when
# it creates the key and the bundle must name it: a private path then decides from the bundled
# keys, with no Secrets Manager call on a cold start (deploy/README.md, "Why two stacks").

locals {
  # Either PEM form is accepted: `\n` escapes become real newlines.
  public_keys = { for slot, pem in var.public_keys : slot => replace(pem, "\\n", "\n") }
}

# for_each over the variable itself: a map's keys (the slots) are known at plan even when its
# values are not (a key generated in the same apply), where a filter on the values would fail
# with "Invalid for_each argument". Each slot is created once and never re-keyed.
resource "aws_cloudfront_public_key" "signing" {
  for_each = var.public_keys

  name        = "${var.name}-signing-key-${lower(each.key)}"
  encoded_key = local.public_keys[each.key]
  comment     = "Verifies the signed cookies minted by the edge function (slot ${each.key})."
}

# In this module with the keys, so one apply adds a key to the group, or takes it out before
# deleting it (CloudFront refuses to delete a key a group still names).
resource "aws_cloudfront_key_group" "signing" {
  name    = "${var.name}-key-group"
  items   = [for slot in sort(keys(var.public_keys)) : aws_cloudfront_public_key.signing[slot].id]
  comment = "Trusted signers of the private tiers (both slots during a rotation)."

  lifecycle {
    precondition {
      condition     = contains(keys(var.public_keys), var.active_key)
      error_message = "active_key names an empty slot: give public_keys.${var.active_key}."
    }
  }
}
