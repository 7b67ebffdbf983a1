# Optional: an alias with a certificate (given, or requested here and validated in the
# hosted zone) and A/AAAA alias records pointing at the distribution.

locals {
  has_hosted_zone     = local.has_alias && var.hosted_zone_id != ""
  request_certificate = local.has_hosted_zone && var.acm_certificate_arn == ""
  certificate_arn = (
    var.acm_certificate_arn != "" ? var.acm_certificate_arn :
    local.request_certificate ? aws_acm_certificate_validation.alias[0].certificate_arn : null
  )
}

resource "aws_acm_certificate" "alias" {
  provider = aws.us_east_1 # CloudFront takes certificates from us-east-1 only
  count    = local.request_certificate ? 1 : 0

  domain_name       = var.alternate_domain_name
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "certificate_validation" {
  for_each = local.request_certificate ? {
    for option in aws_acm_certificate.alias[0].domain_validation_options : option.domain_name => option
  } : {}

  zone_id         = var.hosted_zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "alias" {
  provider = aws.us_east_1
  count    = local.request_certificate ? 1 : 0

  certificate_arn         = aws_acm_certificate.alias[0].arn
  validation_record_fqdns = [for record in aws_route53_record.certificate_validation : record.fqdn]
}

resource "aws_route53_record" "alias" {
  for_each = local.has_hosted_zone ? toset(["A", "AAAA"]) : toset([])

  zone_id = var.hosted_zone_id
  name    = var.alternate_domain_name
  type    = each.key

  alias {
    name                   = aws_cloudfront_distribution.this.domain_name
    zone_id                = aws_cloudfront_distribution.this.hosted_zone_id
    evaluate_target_health = false
  }
}
