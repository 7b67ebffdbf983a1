"""Security-critical wiring of deploy/template.yaml, read the way CloudFormation reads it.

Run: python3 -m unittest discover -s deploy -p 'test_*.py'   (make test-deploy)
"""

import json
import os
import unittest

from cfnlint.decode import decode

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE_PATH = os.path.join(HERE, "template.yaml")

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}


def load():
    template, errors = decode(TEMPLATE_PATH)
    if errors:
        raise AssertionError(f"template does not parse: {errors}")
    return template


def plain(node):
    """cfn-lint's node classes -> plain dicts/lists, for comparisons and JSON."""
    return json.loads(json.dumps(node, default=str))


class TemplateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = plain(load())
        cls.resources = cls.t["Resources"]
        cls.config = cls.resources["Distribution"]["Properties"]["DistributionConfig"]
        cls.behaviors = {
            json.dumps(b["PathPattern"]): b for b in cls.config["CacheBehaviors"]
        }

    def private_behaviors(self):
        return [
            self.behaviors[json.dumps({"Ref": "PrivatePathPattern"})],
            self.behaviors[json.dumps({"Ref": "PremiumPathPattern"})],
        ]

    def test_private_behaviors_trust_the_key_group_and_run_the_handler(self):
        for behavior in self.private_behaviors():
            self.assertEqual(behavior["TrustedKeyGroups"], [{"Ref": "SigningKeyGroup"}])
            self.assertEqual(
                behavior["LambdaFunctionAssociations"],
                [{"EventType": "viewer-request", "LambdaFunctionARN": {"Ref": "EdgeFunctionVersion"}}],
            )
            self.assertEqual(behavior["ViewerProtocolPolicy"], "redirect-to-https")

    def test_private_tier_defaults_are_the_documented_prefixes(self):
        params = self.t["Parameters"]
        self.assertEqual(params["PrivatePathPattern"]["Default"], "/private/*")
        self.assertEqual(params["PremiumPathPattern"]["Default"], "/premium/*")

    def test_auth_behavior_has_no_key_group_and_no_caching(self):
        auth = self.behaviors[json.dumps("/auth*")]
        self.assertNotIn("TrustedKeyGroups", auth)
        self.assertNotIn("TrustedSigners", auth)
        self.assertEqual(auth["CachePolicyId"], CACHING_DISABLED)
        self.assertEqual(set(auth["AllowedMethods"]), ALL_METHODS)
        self.assertEqual(
            auth["LambdaFunctionAssociations"][0]["LambdaFunctionARN"],
            {"Ref": "EdgeFunctionVersion"},
        )

    def test_auth_comes_before_the_private_behaviors(self):
        # CloudFront matches behaviors in order; /auth* must not be shadowed.
        patterns = [json.dumps(b["PathPattern"]) for b in self.config["CacheBehaviors"]]
        self.assertEqual(patterns[0], json.dumps("/auth*"))

    def test_default_behavior_is_public_and_has_no_function(self):
        default = self.config["DefaultCacheBehavior"]
        self.assertNotIn("TrustedKeyGroups", default)
        self.assertNotIn("LambdaFunctionAssociations", default)

    def test_bucket_is_not_public(self):
        bucket = self.resources["ContentBucket"]["Properties"]
        self.assertEqual(
            bucket["PublicAccessBlockConfiguration"],
            {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
        )
        self.assertNotIn("WebsiteConfiguration", bucket)
        self.assertNotIn("AccessControl", bucket)

    def test_bucket_policy_allows_only_this_distribution(self):
        statements = self.resources["ContentBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        allows = [s for s in statements if s["Effect"] == "Allow"]
        self.assertEqual(len(allows), 1)
        allow = allows[0]
        self.assertEqual(allow["Principal"], {"Service": "cloudfront.amazonaws.com"})
        self.assertEqual(allow["Action"], "s3:GetObject")
        source_arn = allow["Condition"]["StringEquals"]["AWS:SourceArn"]
        self.assertIn("${Distribution}", json.dumps(source_arn))
        origin = self.config["Origins"][0]
        self.assertEqual(origin["OriginAccessControlId"], {"Fn::GetAtt": ["OriginAccessControl", "Id"]})

    def test_function_is_an_edge_function_published_as_a_version_in_us_east_1(self):
        function = self.resources["EdgeFunction"]["Properties"]
        self.assertRegex(function["Runtime"], r"^nodejs(2[0-9])\.x$")
        self.assertEqual(function["MemorySize"], 128)
        self.assertLessEqual(function["Timeout"], 5)
        self.assertNotIn("Environment", function)  # Lambda@Edge has none
        self.assertNotIn("VpcConfig", function)
        self.assertEqual(self.resources["EdgeFunctionVersion"]["Type"], "AWS::Lambda::Version")
        rule = self.t["Rules"]["LambdaEdgeNeedsUsEast1"]["Assertions"][0]["Assert"]
        self.assertEqual(rule, {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]})

    def test_role_trusts_edgelambda_and_reads_only_the_one_secret(self):
        role = self.resources["EdgeFunctionRole"]["Properties"]
        principals = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]
        self.assertIn("edgelambda.amazonaws.com", principals)
        statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
        self.assertEqual(len(statements), 1)
        self.assertEqual(statements[0]["Action"], "secretsmanager:GetSecretValue")
        self.assertEqual(statements[0]["Resource"], {"Ref": "SigningKeySecretArn"})

    def test_outputs_name_the_domain_key_group_and_version(self):
        for name in ("DistributionDomainName", "KeyGroupId", "EdgeFunctionVersionArn", "PublicKeyId"):
            self.assertIn(name, self.t["Outputs"])

    def test_no_secret_value_appears_in_the_template(self):
        with open(TEMPLATE_PATH, encoding="utf-8") as f:
            text = f.read()
        self.assertNotRegex(text, r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
        self.assertNotRegex(text, r"MII[A-Za-z0-9+/]{40,}")  # no DER key material
        self.assertNotIn("{{resolve:secretsmanager", text)
        for resource in self.resources.values():
            self.assertNotEqual(resource["Type"], "AWS::SecretsManager::Secret")
        for name, param in self.t["Parameters"].items():
            if "Secret" in name or "Key" in name:
                self.assertNotIn("Default", param, name)

if __name__ == "__main__":
    unittest.main()
