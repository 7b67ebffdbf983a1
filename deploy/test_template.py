"""Security-critical wiring of deploy/template.yaml, read the way CloudFormation reads it and
held to deploy/wiring.json (the table deploy/test_terraform.py holds the Terraform modules to).
The edge regions' nested stack is deploy/test_regions.py's; resource names, deploy/test_names.py's.

Run: .venv-deploy/bin/python -m unittest discover -s deploy -p 'test_*.py'   (make test-deploy)
"""

import json
import os
import re
import unittest

from cfn_eval import RESOURCES, Evaluator, load
from wiring import WIRING, cloudformation_default, default, escaped, key_pair, parameters

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE_PATH = os.path.join(HERE, "template.yaml")
EDGE_REGIONS = WIRING["edgeRegions"]["default"]
SESSION = "A" * 43 + "="
# The stack a site gets from the prerequisites stack's outputs, and its secrets.
GIVEN = {"KeyGroupId": "8ee7a0d0-1234-4e5f-9a0b-0123456789ab", "SigningKeyId": "K2AAAAAAAAAAAA", "EdgeBundleSha256": "0" * 64}
DISTRIBUTION_RESOURCES = [
    "LogBucket", "LogBucketPolicy", "ContentBucket", "ContentBucketPolicy", "OriginAccessControl",
    "Distribution", "AliasCertificate", "AliasRecords",
]


class TemplateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = load(TEMPLATE_PATH)
        cls.resources = cls.t["Resources"]
        cls.config = cls.resources["Distribution"]["Properties"]["DistributionConfig"]
        cls.private_pem, _ = key_pair()
        cls.next_private_pem, _ = key_pair()

    def evaluator(self, **given):
        return Evaluator(self.t, {**GIVEN, **given})

    def expected_path(self, path):
        return {"Ref": path["parameter"]} if isinstance(path, dict) else path

    def check_behavior(self, behavior, expected, mint_only=False):
        policies = WIRING["cachePolicies"]
        self.assertEqual(behavior["ViewerProtocolPolicy"], WIRING["viewerProtocolPolicy"])
        self.assertEqual(behavior["CachePolicyId"], policies[expected["cachePolicy"]])
        self.assertEqual(behavior["ResponseHeadersPolicyId"], WIRING["responseHeadersPolicy"]["id"])
        self.assertEqual(sorted(behavior["AllowedMethods"]), expected["allowedMethods"])
        self.assertNotIn("TrustedSigners", behavior)
        if expected["trustedKeyGroup"]:
            self.assertEqual(behavior["TrustedKeyGroups"], [GIVEN["KeyGroupId"]])
        else:
            self.assertNotIn("TrustedKeyGroups", behavior)
        runs = expected["viewerRequest"] is True or (expected["viewerRequest"] == "unlessMintOnly" and not mint_only)
        if runs:
            self.assertEqual(
                behavior["LambdaFunctionAssociations"],
                [{"EventType": "viewer-request", "LambdaFunctionARN": RESOURCES["EdgeFunctionVersion"]}],
            )
        else:
            self.assertIsNone(behavior.get("LambdaFunctionAssociations"))
        self.assertNotIn("FunctionAssociations", behavior)

    def test_behaviors_come_in_the_table_order_with_the_table_wiring_in_both_modes(self):
        # CloudFront matches behaviors in order: /auth* first, then the tiers. With MintOnly the
        # function runs on /auth* only (wiring.json's mintOnly).
        self.assertEqual(
            [b["PathPattern"] for b in self.config["CacheBehaviors"]],
            [self.expected_path(e["path"]) for e in WIRING["behaviors"]],
        )
        for mint_only in (False, True):
            behaviors = self.evaluator(MintOnly=str(mint_only).lower()).value(self.config["CacheBehaviors"])
            for behavior, expected in zip(behaviors, WIRING["behaviors"]):
                with self.subTest(path=behavior["PathPattern"], mint_only=mint_only):
                    self.check_behavior(behavior, expected, mint_only)
            running = [b["PathPattern"] for b in behaviors if b.get("LambdaFunctionAssociations")]
            if mint_only:
                self.assertEqual(running, WIRING["mintOnly"]["viewerRequestOn"])

    def test_default_behavior_is_public_and_has_no_function(self):
        self.check_behavior(self.config["DefaultCacheBehavior"], WIRING["defaultBehavior"])

    def test_refused_and_missing_objects_get_the_public_error_pages(self):
        # 403: the sign-in round trip, never cached; 404: the styled page, cached briefly.
        self.assertEqual(
            self.config["CustomErrorResponses"],
            [
                {
                    "ErrorCode": r["errorCode"],
                    "ResponseCode": r["responseCode"],
                    "ResponsePagePath": r["responsePagePath"],
                    "ErrorCachingMinTTL": r["errorCachingMinTtl"],
                }
                for r in WIRING["customErrorResponses"]
            ],
        )

    def test_distribution_logs_without_cookies_and_uses_tls_1_2_with_an_alias(self):
        d = WIRING["distribution"]
        self.assertEqual(self.config["DefaultRootObject"], d["defaultRootObject"])
        self.assertEqual(self.config["Logging"]["IncludeCookies"], d["loggingIncludesCookies"])
        self.assertEqual(self.config["Logging"]["Bucket"], {"Fn::GetAtt": ["LogBucket", "DomainName"]})
        name, with_alias, without = self.config["ViewerCertificate"]["Fn::If"]
        self.assertEqual(name, "HasAlternateDomain")
        self.assertEqual(with_alias["MinimumProtocolVersion"], d["aliasMinimumProtocolVersion"])
        self.assertEqual(with_alias["SslSupportMethod"], d["aliasSslSupportMethod"])
        self.assertEqual(without, {"CloudFrontDefaultCertificate": True})
        self.assertEqual(self.config["WebACLId"], {"Fn::If": ["HasWebAcl", {"Ref": "WebAclArn"}, {"Ref": "AWS::NoValue"}]})

    def test_content_bucket_is_private_versioned_and_logged(self):
        bucket = self.resources["ContentBucket"]["Properties"]
        self.assertEqual(
            bucket["PublicAccessBlockConfiguration"],
            {name: True for name in WIRING["contentBucket"]["publicAccessBlock"]},
        )
        self.assertEqual(bucket["VersioningConfiguration"], {"Status": "Enabled"})
        self.assertEqual(bucket["LoggingConfiguration"]["DestinationBucketName"], {"Ref": "LogBucket"})
        self.assertNotIn("WebsiteConfiguration", bucket)
        self.assertNotIn("AccessControl", bucket)

    def test_bucket_policy_grants_exactly_the_table_to_this_distribution_only(self):
        statements = self.resources["ContentBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        policy = WIRING["bucketPolicy"]
        on = {
            "objects": {"Fn::Sub": "${ContentBucket.Arn}/*"},
            "bucket": {"Fn::GetAtt": ["ContentBucket", "Arn"]},
        }
        allows = [s for s in statements if s["Effect"] == "Allow"]
        self.assertEqual([(s["Action"], s["Resource"]) for s in allows], [(g["action"], on[g["on"]]) for g in policy["grants"]])
        for allow in allows:
            self.assertEqual(allow["Principal"], {"Service": policy["principalService"]})
            source_arn = allow["Condition"][policy["condition"]["test"]][policy["condition"]["variable"]]
            self.assertRegex(source_arn["Fn::Sub"], r":distribution/\$\{Distribution\}$")
        denies = [s for s in statements if s["Effect"] == "Deny"]
        self.assertEqual([d["Condition"] for d in denies], [{"Bool": {"aws:SecureTransport": "false"}}])
        origin = self.config["Origins"][0]
        self.assertEqual(origin["OriginAccessControlId"], {"Fn::GetAtt": ["OriginAccessControl", "Id"]})
        self.assertEqual(origin["DomainName"], {"Fn::GetAtt": ["ContentBucket", "RegionalDomainName"]})

    def test_function_is_an_edge_function_published_as_a_new_version_per_bundle_and_rotation_step(self):
        expected = WIRING["edgeFunction"]
        function = self.resources["EdgeFunction"]["Properties"]
        self.assertRegex(function["Runtime"], expected["runtimePattern"])
        self.assertEqual(function["Handler"], expected["handler"])
        self.assertEqual(function["MemorySize"], expected["memoryMb"])
        self.assertLessEqual(function["Timeout"], expected["maxTimeoutSeconds"])
        for forbidden in ("Environment", "VpcConfig", "DeadLetterConfig"):  # Lambda@Edge has none
            self.assertNotIn(forbidden, function)
        self.assertEqual(self.resources["EdgeFunctionVersion"]["Type"], "AWS::Lambda::Version")
        # A new bundle or rotation step is a new Description: CloudFormation publishes a new
        # version, and the function's own description changes so Lambda has something to publish.
        steps = [
            {},
            {"SigningKeyId": "K2BBBBBBBBBBBB", "PrivateKeyPem": self.next_private_pem},  # signingKey
            {"SigningKeyId": "K2BBBBBBBBBBBB", "PreviousSessionSecret": SESSION},  # sessionSecrets
            {"SigningKeyId": "K2BBBBBBBBBBBB", "PreviousSessionSecret": SESSION, "EdgeBundleSha256": "1" * 64},  # bundle
        ]
        self.assertEqual(len(steps), 1 + len(expected["newVersionOn"]))
        for resource in ("EdgeFunction", "EdgeFunctionVersion"):
            descriptions = [self.evaluator(**step).value(self.resources[resource]["Properties"]["Description"]) for step in steps]
            changing = descriptions if resource == "EdgeFunctionVersion" else descriptions[:-1]
            self.assertEqual(len(set(changing)), len(changing), resource)
        rule = self.t["Rules"]["LambdaEdgeNeedsUsEast1"]["Assertions"][0]["Assert"]
        self.assertEqual(rule, {"Fn::Equals": [{"Ref": "AWS::Region"}, expected["region"]]})

    def test_versions_and_the_function_are_retained_so_a_new_bundle_never_fails_on_a_replicated_one(self):
        # Defect: every bundle change replaced the version, and deleting the old one (still
        # replicated at the edge) failed the update's cleanup.
        self.assertIs(WIRING["edgeFunction"]["retained"], True)
        for name in ("EdgeFunction", "EdgeFunctionVersion"):
            with self.subTest(resource=name):
                self.assertEqual(self.resources[name].get("DeletionPolicy"), "Retain")
                self.assertEqual(self.resources[name].get("UpdateReplacePolicy"), "Retain")

    def role_statements(self, **given):
        """Every statement the edge role holds, evaluated: inline, and its RolePolicy resources."""
        evaluator = self.evaluator(**given)
        role = self.resources["EdgeFunctionRole"]["Properties"]
        documents = [p["PolicyDocument"] for p in role.get("Policies", [])]
        documents += [
            r["Properties"]["PolicyDocument"]
            for r in self.resources.values()
            if r["Type"] in ("AWS::IAM::RolePolicy", "AWS::IAM::Policy")
            and {"Ref": "EdgeFunctionRole"} in [r["Properties"].get("RoleName"), *r["Properties"].get("Roles", [])]
        ]
        return [s for d in documents for s in evaluator.value(d)["Statement"]]

    def test_role_trusts_edgelambda_and_reads_the_secret_only_where_it_lives(self):
        role = self.resources["EdgeFunctionRole"]["Properties"]
        expected = WIRING["edgeRole"]
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        self.assertEqual(sorted(trust["Principal"]["Service"]), expected["trustedServices"])
        self.assertEqual(role.get("ManagedPolicyArns", []), expected["managedPolicies"])
        secret_name = RESOURCES["EdgeSecret"].split(":")[-1]
        for regions in (EDGE_REGIONS, EDGE_REGIONS[:2], [""]):
            with self.subTest(regions=regions):
                everywhere = ["us-east-1", *[r for r in regions if r]]
                statements = self.role_statements(EdgeRegions=regions)
                self.assertEqual(len(statements), len(expected["statements"]))
                read, decrypt, logs = statements
                self.assertEqual((read["Effect"], read["Action"]), ("Allow", "secretsmanager:GetSecretValue"))
                self.assertEqual(read["Resource"], f"arn:aws:secretsmanager:*:123456789012:secret:{secret_name}")
                self.assertEqual(read["Condition"], {"StringEquals": {"aws:RequestedRegion": everywhere}})
                self.assertEqual((decrypt["Effect"], decrypt["Action"]), ("Allow", "kms:Decrypt"))
                self.assertEqual(decrypt["Resource"], f"arn:aws:kms:*:123456789012:key/{RESOURCES['EdgeSecretKey']}")
                self.assertEqual(
                    decrypt["Condition"],
                    {"StringEquals": {"kms:ViaService": [f"secretsmanager.{r}.amazonaws.com" for r in everywhere]}},
                )
                self.assertEqual(sorted(logs["Action"]), expected["statements"][2]["actions"])
                self.assertEqual(logs["Resource"], f"arn:aws:logs:*:123456789012:log-group:{RESOURCES['EdgeFunctionLogGroup']}:*")

    def test_role_never_creates_log_groups_nor_writes_to_any_but_its_own(self):
        # Defect: AWSLambdaBasicExecutionRole granted logs:* on *, and Lambda@Edge created a
        # log group without retention in every region it ran in.
        actions = [a for s in self.role_statements() for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
        for forbidden in WIRING["edgeRole"]["forbiddenActions"]:
            self.assertNotIn(forbidden, actions)
        self.assertNotIn("ManagedPolicyArns", self.resources["EdgeFunctionRole"]["Properties"])
        group = self.evaluator().value(self.resources["EdgeFunctionLogGroup"]["Properties"])
        self.assertEqual(group, {"LogGroupName": RESOURCES["EdgeFunctionLogGroup"], "RetentionInDays": WIRING["edgeFunction"]["logRetentionDays"]})
        nested = self.evaluator().value(self.resources["EdgeRegionStacks"]["Properties"]["Parameters"])
        self.assertEqual(nested["FunctionLogGroupName"], RESOURCES["EdgeFunctionLogGroup"])
        self.assertEqual(nested["RetentionInDays"], WIRING["edgeFunction"]["logRetentionDays"])
        self.assertEqual(nested["Regions"], ",".join(EDGE_REGIONS))
        # The distribution associates the version only once the role may log and read.
        self.assertEqual(sorted(self.resources["EdgeFunctionVersion"]["DependsOn"]), ["EdgeFunctionLogs", "EdgeFunctionSecretAccess"])

    def test_secret_is_named_and_encrypted_with_its_own_rotating_multi_region_key(self):
        secret = self.resources["EdgeSecret"]
        self.assertEqual(secret["Properties"]["Name"], {"Ref": "SecretName"})
        self.assertEqual(secret["Properties"]["KmsKeyId"], {"Fn::GetAtt": ["EdgeSecretKey", "Arn"]})
        key = self.resources["EdgeSecretKey"]["Properties"]
        self.assertIs(key["EnableKeyRotation"], WIRING["secret"]["keyRotation"])
        self.assertIs(key["MultiRegion"], WIRING["secret"]["multiRegionKey"])
        self.assertEqual([n for n, r in self.resources.items() if r["Type"] == "AWS::SecretsManager::Secret"], ["EdgeSecret"])

    def test_secret_is_replicated_to_every_edge_region_with_that_regions_replica_key(self):
        replica_key = RESOURCES["EdgeSecretKey"]  # a multi-Region key has one id in every region
        node = self.resources["EdgeSecret"]["Properties"]["ReplicaRegions"]
        for regions in (EDGE_REGIONS, EDGE_REGIONS[:1], EDGE_REGIONS[3:7], [""]):
            with self.subTest(regions=regions):
                evaluator = self.evaluator(EdgeRegions=regions)
                expected = [{"Region": r, "KmsKeyId": replica_key} for r in regions if r]
                self.assertEqual(evaluator.value(node) or [], expected)
                self.assertIs(evaluator.exists(self.resources["EdgeRegionStacks"]), bool(expected))
        # The rule admits the regions the slots can hold, each at most once.
        (assertion,) = self.t["Rules"]["EdgeRegionsHostRegionalEdgeCaches"]["Assertions"]
        ref, allowed = assertion["Assert"]["Fn::EachMemberIn"]
        self.assertEqual(ref, {"Ref": "EdgeRegions"})
        self.assertEqual([r for r in allowed if r], EDGE_REGIONS)
        slots = [c for c in self.t["Conditions"] if c.startswith("HasEdgeRegion") and c[len("HasEdgeRegion"):].isdigit()]
        self.assertEqual(len(slots), len(EDGE_REGIONS))

    def secret_string(self, **given):
        text = self.evaluator(**given).value(self.resources["EdgeSecret"]["Properties"]["SecretString"])
        return json.loads(text)  # fails the test if the stack would write invalid JSON

    def test_secret_string_is_the_runtime_contract_for_either_pem_form(self):
        required = [f for f in WIRING["secret"]["fields"] if f not in WIRING["secret"]["optionalFields"]]
        for form in (lambda pem: pem, escaped):
            with self.subTest(form=form.__name__):
                secret = self.secret_string(PrivateKeyPem=form(self.private_pem), SessionSecret=SESSION)
                self.assertEqual(sorted(secret), sorted(required))
                self.assertEqual(secret["keyPairId"], GIVEN["SigningKeyId"])
                self.assertEqual(secret["privateKey"], self.private_pem)
                self.assertEqual(secret["sessionSecret"], SESSION)

    def test_secret_string_during_a_session_rotation_keeps_the_previous_session_secret(self):
        secret = self.secret_string(
            SigningKeyId="K2BBBBBBBBBBBB", PrivateKeyPem=escaped(self.next_private_pem), SessionSecret="B" * 44, PreviousSessionSecret="A" * 44
        )
        self.assertEqual(sorted(secret), sorted(f for f in WIRING["secret"]["fields"] if f != "clientSecret"))
        self.assertEqual(secret["keyPairId"], "K2BBBBBBBBBBBB")
        self.assertEqual(secret["privateKey"], self.next_private_pem)
        self.assertEqual(secret["previousSessionSecret"], "A" * 44)

    def test_secret_string_carries_the_sign_in_client_secret_only_when_given(self):
        given = {"PrivateKeyPem": escaped(self.private_pem), "SessionSecret": "A" * 44}
        self.assertNotIn("clientSecret", self.secret_string(**given))
        # Printable ASCII as identity providers issue them (Cognito, Entra ID's ~ . _ -, Okta).
        for client_secret in ("1abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmn", "Ab~c.D_e-F8Q~xyz", "p@ss{w0rd}!#$%&'()*+,/:;<=>?[]^`|"):
            with self.subTest(client_secret=client_secret):
                secret = self.secret_string(**given, ClientSecret=client_secret)
                self.assertEqual(secret["clientSecret"], client_secret)
                self.assertEqual(sorted(secret), sorted(f for f in WIRING["secret"]["fields"] if f != "previousSessionSecret"))

    def test_the_site_trusts_the_prerequisites_key_group_and_holds_no_key_of_its_own(self):
        # The key group and its keys live in deploy/identity.yaml, deployed (and its outputs
        # read) before this stack: SigningKeyId is an id the group already trusts
        # (deploy/test_identity.py), so the secret cannot sign with a key CloudFront refuses.
        types = {r["Type"] for r in self.resources.values()}
        self.assertFalse(types & {"AWS::CloudFront::PublicKey", "AWS::CloudFront::KeyGroup"})
        for parameter in ("KeyGroupId", "SigningKeyId"):
            self.assertNotIn("Default", self.t["Parameters"][parameter])

    def test_module_mode_creates_the_edge_half_only_and_says_what_to_attach(self):
        site, module = self.evaluator(), self.evaluator(CreateDistribution="false", AlternateDomainName="media.example.com")
        for name, resource in self.resources.items():
            with self.subTest(resource=name):
                if name in DISTRIBUTION_RESOURCES:
                    self.assertFalse(module.exists(resource))
                else:
                    self.assertTrue(module.exists(resource))
        # Outputs of the site's own resources exist only with a distribution; the callback and
        # sign-out URLs also in module mode when the viewers' host is given.
        for entry in WIRING["outputs"]:
            output = self.t["Outputs"][entry["cloudformation"]]
            with self.subTest(output=entry["cloudformation"]):
                self.assertTrue(site.exists(output))
                self.assertIs(module.exists(output), not entry.get("site") or "path" in entry)
        behaviors = module.value(self.t["Outputs"]["Behaviors"]["Value"])
        for needed in ("/auth*", "/private/*", "/premium/*", GIVEN["KeyGroupId"], RESOURCES["EdgeFunctionVersion"], "/errors/403.html", WIRING["cachePolicies"]["CachingDisabled"]):
            self.assertIn(needed, behaviors)
        mint_only = self.evaluator(CreateDistribution="false", MintOnly="true").value(self.t["Outputs"]["Behaviors"]["Value"])
        self.assertEqual(mint_only.count(RESOURCES["EdgeFunctionVersion"]), 1)  # /auth* only
        callback = module.value(self.t["Outputs"]["CallbackUrl"]["Value"])
        self.assertEqual(callback, "https://media.example.com/auth/callback")
        self.assertFalse(self.evaluator(CreateDistribution="false").exists(self.t["Outputs"]["CallbackUrl"]))

    def test_outputs_name_the_callback_and_sign_out_urls_on_the_host_viewers_use(self):
        for given, host in (({}, "d111111abcdef8.cloudfront.net"), ({"AlternateDomainName": "media.example.com"}, "media.example.com")):
            evaluator = self.evaluator(**given)
            for output in (o for o in WIRING["outputs"] if "path" in o):
                with self.subTest(output=output["cloudformation"], host=host):
                    value = evaluator.value(self.t["Outputs"][output["cloudformation"]]["Value"])
                    self.assertEqual(value, f"https://{host}{output['path']}")

    def test_parameter_patterns_take_both_pem_forms_and_refuse_what_would_break_the_json(self):
        params = self.t["Parameters"]

        def accepts(name, value):
            return re.fullmatch(params[name]["AllowedPattern"], value) is not None

        pem = self.private_pem
        self.assertTrue(accepts("PrivateKeyPem", pem))
        self.assertTrue(accepts("PrivateKeyPem", escaped(pem)))
        for bad in (pem.replace("\n", "\r\n"), pem.replace("A", '"', 1), pem.replace("A", "\\", 1), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"):
            self.assertFalse(accepts("PrivateKeyPem", bad))
        self.assertTrue(accepts("SessionSecret", "q" * 43 + "="))  # 32 bytes
        self.assertTrue(accepts("SessionSecret", "q" * 64))
        self.assertFalse(accepts("SessionSecret", "q" * 42 + "=="))  # 31 bytes
        self.assertFalse(accepts("SessionSecret", "q" * 43))  # unpadded: the edge refuses it
        self.assertFalse(accepts("SessionSecret", "q" * 43 + '"'))
        self.assertTrue(accepts("PreviousSessionSecret", ""))
        self.assertFalse(accepts("PreviousSessionSecret", "q" * 40))
        self.assertTrue(accepts("ClientSecret", ""))
        self.assertTrue(accepts("ClientSecret", "Ab~c.D_e-F8Q~xyz"))
        for bad in ('a"b', "a\\b", "a b", "a\nb", "x" * 1025):  # would break the JSON, or too long for the edge
            self.assertFalse(accepts("ClientSecret", bad), bad)
        self.assertTrue(accepts("SigningKeyId", "K2JCJMDEHXQW5F"))
        self.assertFalse(accepts("SigningKeyId", 'K2","privateKey'))  # goes into the JSON too

    def test_parameters_and_outputs_are_the_table_ones(self):
        params = self.t["Parameters"]
        for name, _, entry in parameters():
            if name is None:
                continue
            with self.subTest(parameter=name):
                self.assertIn(name, params)
                if "default" in entry:
                    self.assertEqual(str(params[name]["Default"]), cloudformation_default(default(entry)))
                if entry.get("secret"):
                    self.assertIs(params[name].get("NoEcho"), True)
                    self.assertIn(params[name].get("Default", ""), ("",))
        self.assertEqual(sorted(params), sorted(n for n, _, _ in parameters() if n))
        self.assertEqual(sorted(self.t["Outputs"]), sorted(o["cloudformation"] for o in WIRING["outputs"]))

    def test_no_secret_value_appears_in_the_template(self):
        with open(TEMPLATE_PATH, encoding="utf-8") as f:
            text = f.read()
        self.assertNotRegex(text, r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
        self.assertNotRegex(text, r"MII[A-Za-z0-9+/]{40,}")  # no DER key material
        self.assertNotIn("{{resolve:", text)


if __name__ == "__main__":
    unittest.main()
