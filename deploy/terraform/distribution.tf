# The distribution: /auth* first, then the private tiers (trusted key group and, unless
# mint_only, the edge function), the public default behavior, and the public 403 and 404 pages.

locals {
  caching_optimized = "658327ea-f89d-4fab-a63d-7e88639e58f6" # Managed-CachingOptimized
  caching_disabled  = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" # Managed-CachingDisabled
  has_alias         = var.alternate_domain_name != ""
}

# HSTS, X-Content-Type-Options, X-Frame-Options and Referrer-Policy on every response.
data "aws_cloudfront_response_headers_policy" "security_headers" {
  provider = aws.us_east_1
  name     = "Managed-SecurityHeadersPolicy"
}

resource "aws_cloudfront_origin_access_control" "content" {
  provider = aws.us_east_1

  name                              = "${var.name}-oac"
  description                       = "${var.name} (cloudfront-edge-auth)"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_174:TLSv1.2_2021 is set whenever alternate_domain_name (with its certificate) is given; on the default *.cloudfront.net certificate CloudFront fixes the policy at TLSv1.
  #checkov:skip=CKV_AWS_310:One S3 origin; a failover origin would be a second copy of the content, not safer access control.
  #checkov:skip=CKV_AWS_374:Who may read is decided by signed cookies, not by country; geo restriction is the operator's choice.
  #checkov:skip=CKV2_AWS_47:The WAF web ACL is the operator's (web_acl_arn); its rule set, Log4j rules included, is chosen there.
  provider = aws.us_east_1

  comment             = "${var.name} (cloudfront-edge-auth)"
  enabled             = true
  http_version        = "http2and3"
  is_ipv6_enabled     = true
  price_class         = var.price_class
  default_root_object = "index.html"
  web_acl_id          = var.web_acl_arn == "" ? null : var.web_acl_arn
  aliases             = local.has_alias ? [var.alternate_domain_name] : []

  viewer_certificate {
    cloudfront_default_certificate = !local.has_alias
    acm_certificate_arn            = local.has_alias ? local.certificate_arn : null
    ssl_support_method             = local.has_alias ? "sni-only" : null
    minimum_protocol_version       = local.has_alias ? "TLSv1.2_2021" : "TLSv1"
  }

  # Cookies stay out of the logs: they carry signatures and the session.
  logging_config {
    bucket          = aws_s3_bucket.logs.bucket_domain_name
    prefix          = "cloudfront/"
    include_cookies = false
  }

  origin {
    origin_id                = "content"
    domain_name              = aws_s3_bucket.content.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.content.id
  }

  # Whichever order CloudFront runs the key group check and the viewer-request function in,
  # a refused viewer lands on the same flow: this public page sends the browser to /auth,
  # which re-mints from a live session or sends it to sign-in. Not cached.
  custom_error_response {
    error_code            = 403
    response_code         = 403
    response_page_path    = "/errors/403.html"
    error_caching_min_ttl = 0
  }

  # A missing object (a 404 thanks to s3:ListBucket) gets the site's page, not S3's XML;
  # cached briefly so an object uploaded just after shows up within seconds.
  custom_error_response {
    error_code            = 404
    response_code         = 404
    response_page_path    = "/errors/404.html"
    error_caching_min_ttl = 10
  }

  # Public: no signature, no function, cached.
  default_cache_behavior {
    target_origin_id       = "content"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    compress               = true
    cache_policy_id            = local.caching_optimized
    response_headers_policy_id = data.aws_cloudfront_response_headers_policy.security_headers.id
  }

  # The cookie mint: no key group (users arrive without cookies), never cached, every method
  # (POST /auth is allowed); the function answers every request.
  ordered_cache_behavior {
    path_pattern           = "/auth*"
    target_origin_id       = "content"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id            = local.caching_disabled
    response_headers_policy_id = data.aws_cloudfront_response_headers_policy.security_headers.id

    lambda_function_association {
      event_type = "viewer-request"
      lambda_arn = module.edge.edge_function_version_arn
    }
  }

  # Private tiers, in the order given (CloudFront matches behaviors in order): CloudFront itself
  # checks the signed cookies against the key group; the function in front turns refusals into
  # redirects and renews cookies (none of it with mint_only, where the 403 page sends a
  # refused browser to /auth).
  dynamic "ordered_cache_behavior" {
    for_each = var.tiers
    content {
      path_pattern               = ordered_cache_behavior.value.path_pattern
      target_origin_id           = "content"
      viewer_protocol_policy     = "redirect-to-https"
      allowed_methods            = ["GET", "HEAD"]
      cached_methods             = ["GET", "HEAD"]
      compress                   = true
      cache_policy_id            = local.caching_optimized
      response_headers_policy_id = data.aws_cloudfront_response_headers_policy.security_headers.id
      trusted_key_groups         = [var.key_group_id]

      dynamic "lambda_function_association" {
        for_each = var.mint_only ? [] : [module.edge.edge_function_version_arn]
        content {
          event_type = "viewer-request"
          lambda_arn = lambda_function_association.value
        }
      }
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  # Standard logging to the log bucket needs its ACLs enabled first (BucketOwnerPreferred):
  # without this, CloudFront may be asked to log before the ownership controls exist and
  # refuses with "The S3 bucket that you specified for CloudFront logs does not enable ACL
  # access" (CloudFront Developer Guide, "Standard logging (legacy)": permissions).
  depends_on = [aws_s3_bucket_ownership_controls.logs]

  lifecycle {
    precondition {
      condition     = !local.has_alias || local.certificate_arn != null
      error_message = "alternate_domain_name needs acm_certificate_arn, or hosted_zone_id to request one."
    }
  }
}
