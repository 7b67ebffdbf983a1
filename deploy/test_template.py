"""Security-critical wiring of deploy/template.yaml, read the way CloudFormation reads it and
held to deploy/wiring.json (the table deploy/test_terraform.py holds the Terraform module to).

Run: .venv-deploy/bin/python -m unittest discover -s deploy -p 'test_*.py'   (make test-deploy)
"""

import json
import os
import re
import unittest

from cfnlint.decode import decode

from wiring import WIRING, escaped, key_pair, parameters

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE_PATH = os.path.join(HERE, "template.yaml")

# What `!Ref` of each public key slot returns once CloudFront has created it.
KEY_IDS = {"SigningPublicKeyA": "K2AAAAAAAAAAAA", "SigningPublicKeyB": "K2BBBBBBBBBBBB"}
# What `!GetAtt` returns once the stack exists.
ATTRIBUTES = {("Distribution", "DomainName"): "d111111abcdef8.cloudfront.net"}


def load():
    template, errors = decode(TEMPLATE_PATH)
    if errors:
        raise AssertionError(f"template does not parse: {errors}")
    return json.loads(json.dumps(template, default=str))  # cfn-lint's node classes -> plain data


class Evaluator:
    """CloudFormation's intrinsics as far as the secret's SecretString uses them."""

    def __init__(self, template, given):
        self.template = template
        self.params = {name: p.get("Default") for name, p in template["Parameters"].items()}
        self.params.update(given)
        self.params["AWS::NoValue"] = None

    def condition(self, name):
        return self.value(self.template["Conditions"][name])

    def value(self, node):
        if isinstance(node, list):
            return [self.value(n) for n in node]
        if not isinstance(node, dict):
            return node
        if len(node) != 1 or not next(iter(node)).startswith(("Fn::", "Ref", "Condition")):
            return {key: self.value(value) for key, value in node.items()}  # a plain mapping
        (fn, arg), = node.items()
        if fn == "Ref":
            if arg in KEY_IDS:
                return KEY_IDS[arg]
            if arg in self.params:
                return self.params[arg]
            raise AssertionError(f"Ref {arg} is not evaluated here")
        if fn == "Fn::GetAtt":
            if tuple(arg) in ATTRIBUTES:
                return ATTRIBUTES[tuple(arg)]
            raise AssertionError(f"GetAtt {arg} is not evaluated here")
        if fn == "Condition":
            return self.condition(arg)
        if fn == "Fn::If":
            name, yes, no = arg
            return self.value(yes if self.condition(name) else no)
        if fn == "Fn::Equals":
            a, b = self.value(arg)
            return str(a) == str(b)
        if fn == "Fn::Not":
            return not self.value(arg[0])
        if fn == "Fn::And":
            return all(self.value(arg))
        if fn == "Fn::Or":
            return any(self.value(arg))
        if fn == "Fn::Join":
            delimiter, items = arg
            return delimiter.join(str(v) for v in self.value(items) if v is not None)
        if fn == "Fn::Split":
            delimiter, source = arg
            return self.value(source).split(delimiter)
        if fn == "Fn::Sub":
            text, names = (arg, {}) if isinstance(arg, str) else (arg[0], {k: self.value(v) for k, v in arg[1].items()})
            values = {**self.params, **names}
            return re.sub(r"\$\{([A-Za-z0-9:]+)\}", lambda m: str(values[m.group(1)]), text)
        raise AssertionError(f"{fn} is not evaluated here")


class TemplateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = load()
        cls.resources = cls.t["Resources"]
        cls.config = cls.resources["Distribution"]["Properties"]["DistributionConfig"]
        cls.private_pem, cls.public_pem = key_pair()
        cls.next_private_pem, cls.next_public_pem = key_pair()

    def expected_path(self, path):
        return {"Ref": path["parameter"]} if isinstance(path, dict) else path

    def check_behavior(self, behavior, expected):
        policies = WIRING["cachePolicies"]
        self.assertEqual(behavior["ViewerProtocolPolicy"], WIRING["viewerProtocolPolicy"])
        self.assertEqual(behavior["CachePolicyId"], policies[expected["cachePolicy"]])
        self.assertEqual(behavior["ResponseHeadersPolicyId"], WIRING["responseHeadersPolicy"]["id"])
        self.assertEqual(sorted(behavior["AllowedMethods"]), expected["allowedMethods"])
        self.assertNotIn("TrustedSigners", behavior)
        if expected["trustedKeyGroup"]:
            self.assertEqual(behavior["TrustedKeyGroups"], [{"Ref": "SigningKeyGroup"}])
        else:
            self.assertNotIn("TrustedKeyGroups", behavior)
        if expected["viewerRequest"]:
            self.assertEqual(
                behavior["LambdaFunctionAssociations"],
                [{"EventType": "viewer-request", "LambdaFunctionARN": {"Ref": "EdgeFunctionVersion"}}],
            )
        else:
            self.assertNotIn("LambdaFunctionAssociations", behavior)
        self.assertNotIn("FunctionAssociations", behavior)

    def test_behaviors_come_in_the_table_order_with_the_table_wiring(self):
        # CloudFront matches behaviors in order: /auth* first, then the tiers.
        behaviors = self.config["CacheBehaviors"]
        self.assertEqual(
            [b["PathPattern"] for b in behaviors],
            [self.expected_path(e["path"]) for e in WIRING["behaviors"]],
        )
        for behavior, expected in zip(behaviors, WIRING["behaviors"]):
            with self.subTest(path=behavior["PathPattern"]):
                self.check_behavior(behavior, expected)

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

    def test_function_is_an_edge_function_published_as_a_version_in_us_east_1(self):
        expected = WIRING["edgeFunction"]
        function = self.resources["EdgeFunction"]["Properties"]
        self.assertRegex(function["Runtime"], expected["runtimePattern"])
        self.assertEqual(function["Handler"], expected["handler"])
        self.assertEqual(function["MemorySize"], expected["memoryMb"])
        self.assertLessEqual(function["Timeout"], expected["maxTimeoutSeconds"])
        for forbidden in ("Environment", "VpcConfig", "DeadLetterConfig"):  # Lambda@Edge has none
            self.assertNotIn(forbidden, function)
        version = self.resources["EdgeFunctionVersion"]
        self.assertEqual(version["Type"], "AWS::Lambda::Version")
        # A new bundle or rotation step is a new Description: CloudFormation publishes a new
        # version, and the function's own description changes so Lambda has something to publish.
        evaluator = Evaluator(self.t, {"EdgeBundleSha256": "0" * 64})
        steps = [
            {"PublicKeyPemA": "a"},
            {"PublicKeyPemA": "a", "PublicKeyPemB": "b"},
            {"PublicKeyPemA": "a", "PublicKeyPemB": "b", "ActiveKey": "B"},
            {"PublicKeyPemA": "a", "PublicKeyPemB": "b", "ActiveKey": "B", "PreviousSessionSecret": "x"},
            {"PublicKeyPemA": "a", "PublicKeyPemB": "b", "ActiveKey": "B", "PreviousSessionSecret": "x", "EdgeBundleSha256": "1" * 64},
        ]
        self.assertEqual(len(steps), 1 + len(expected["newVersionOn"]))
        for resource in ("EdgeFunction", "EdgeFunctionVersion"):
            descriptions = [
                Evaluator(self.t, {**evaluator.params, **step}).value(self.resources[resource]["Properties"]["Description"])
                for step in steps
            ]
            changing = descriptions if resource == "EdgeFunctionVersion" else descriptions[:-1]
            self.assertEqual(len(set(changing)), len(changing), resource)
        rule = self.t["Rules"]["LambdaEdgeNeedsUsEast1"]["Assertions"][0]["Assert"]
        self.assertEqual(rule, {"Fn::Equals": [{"Ref": "AWS::Region"}, expected["region"]]})

    def test_role_trusts_edgelambda_and_reads_exactly_the_one_secret(self):
        role = self.resources["EdgeFunctionRole"]["Properties"]
        expected = WIRING["edgeRole"]
        trust = role["AssumeRolePolicyDocument"]["Statement"]
        self.assertEqual(len(trust), 1)
        self.assertEqual(sorted(trust[0]["Principal"]["Service"]), expected["trustedServices"])
        self.assertEqual(
            role["ManagedPolicyArns"],
            [{"Fn::Sub": f"arn:${{AWS::Partition}}:iam::aws:policy/{p}"} for p in expected["managedPolicies"]],
        )
        on = {"secret": {"Ref": "EdgeSecret"}, "secretKey": {"Fn::GetAtt": ["EdgeSecretKey", "Arn"]}}
        statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
        self.assertEqual(
            [(s["Effect"], s["Action"], s["Resource"]) for s in statements],
            [("Allow", e["action"], on[e["on"]]) for e in expected["statements"]],
        )
        for statement, e in zip(statements, expected["statements"]):
            if "condition" in e:
                self.assertIn(e["condition"], statement["Condition"]["StringEquals"])
            else:
                self.assertNotIn("Condition", statement)

    def test_secret_is_named_encrypted_with_its_own_rotating_key(self):
        secret = self.resources["EdgeSecret"]
        self.assertEqual(secret["Type"], "AWS::SecretsManager::Secret")
        self.assertEqual(secret["Properties"]["Name"], {"Ref": "SecretName"})
        self.assertEqual(secret["Properties"]["KmsKeyId"], {"Fn::GetAtt": ["EdgeSecretKey", "Arn"]})
        key = self.resources["EdgeSecretKey"]["Properties"]
        self.assertIs(key["EnableKeyRotation"], WIRING["secret"]["keyRotation"])
        secrets = [s for s in self.resources.values() if s["Type"] == "AWS::SecretsManager::Secret"]
        self.assertEqual(len(secrets), 1)

    def secret_string(self, **given):
        evaluator = Evaluator(self.t, given)
        text = evaluator.value(self.resources["EdgeSecret"]["Properties"]["SecretString"])
        return json.loads(text)  # fails the test if the stack would write invalid JSON

    def test_secret_string_is_the_runtime_contract_for_either_pem_form(self):
        for form in (lambda pem: pem, escaped):
            with self.subTest(form=form.__name__):
                secret = self.secret_string(
                    PublicKeyPemA=form(self.public_pem),
                    PrivateKeyPem=form(self.private_pem),
                    SessionSecret="A" * 43 + "=",
                )
                required = [f for f in WIRING["secret"]["fields"] if f not in WIRING["secret"]["optionalFields"]]
                self.assertEqual(sorted(secret), sorted(required))
                self.assertEqual(secret["keyPairId"], KEY_IDS["SigningPublicKeyA"])
                self.assertEqual(secret["privateKey"], self.private_pem)
                self.assertEqual(secret["keyGroup"], {KEY_IDS["SigningPublicKeyA"]: self.public_pem})
                self.assertEqual(secret["sessionSecret"], "A" * 43 + "=")

    def test_secret_string_during_a_rotation_trusts_both_slots_and_keeps_the_previous_session_secret(self):
        secret = self.secret_string(
            PublicKeyPemA=escaped(self.public_pem),
            PublicKeyPemB=escaped(self.next_public_pem),
            ActiveKey="B",
            PrivateKeyPem=escaped(self.next_private_pem),
            SessionSecret="B" * 44,
            PreviousSessionSecret="A" * 44,
        )
        self.assertEqual(sorted(secret), sorted(f for f in WIRING["secret"]["fields"] if f != "clientSecret"))
        self.assertEqual(secret["keyPairId"], KEY_IDS["SigningPublicKeyB"])
        self.assertEqual(secret["privateKey"], self.next_private_pem)
        self.assertEqual(
            secret["keyGroup"],
            {KEY_IDS["SigningPublicKeyA"]: self.public_pem, KEY_IDS["SigningPublicKeyB"]: self.next_public_pem},
        )
        self.assertEqual(secret["previousSessionSecret"], "A" * 44)

    def test_secret_string_carries_the_sign_in_client_secret_only_when_given(self):
        given = {"PublicKeyPemA": escaped(self.public_pem), "PrivateKeyPem": escaped(self.private_pem), "SessionSecret": "A" * 44}
        self.assertNotIn("clientSecret", self.secret_string(**given))
        # Printable ASCII as identity providers issue them (Cognito, Entra ID's ~ . _ -, Okta).
        for client_secret in ("1abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmn", "Ab~c.D_e-F8Q~xyz", "p@ss{w0rd}!#$%&'()*+,/:;<=>?[]^`|"):
            with self.subTest(client_secret=client_secret):
                secret = self.secret_string(**given, ClientSecret=client_secret)
                self.assertEqual(secret["clientSecret"], client_secret)
                self.assertEqual(sorted(secret), sorted(f for f in WIRING["secret"]["fields"] if f != "previousSessionSecret"))

    def test_outputs_name_the_callback_and_sign_out_urls_on_the_host_viewers_use(self):
        for given, host in (({}, ATTRIBUTES[("Distribution", "DomainName")]), ({"AlternateDomainName": "media.example.com"}, "media.example.com")):
            evaluator = Evaluator(self.t, given)
            for output in (o for o in WIRING["outputs"] if "path" in o):
                with self.subTest(output=output["cloudformation"], host=host):
                    value = evaluator.value(self.t["Outputs"][output["cloudformation"]]["Value"])
                    self.assertEqual(value, f"https://{host}{output['path']}")

    def test_public_key_slots_get_real_newlines_and_feed_the_key_group(self):
        evaluator = Evaluator(self.t, {"PublicKeyPemA": escaped(self.public_pem)})
        encoded = self.resources["SigningPublicKeyA"]["Properties"]["PublicKeyConfig"]["EncodedKey"]
        self.assertEqual(evaluator.value(encoded), self.public_pem)
        for slot in ("A", "B"):
            self.assertEqual(self.resources[f"SigningPublicKey{slot}"]["Condition"], f"HasKey{slot}")
        items = self.resources["SigningKeyGroup"]["Properties"]["KeyGroupConfig"]["Items"]
        self.assertEqual(
            items,
            [{"Fn::If": [f"HasKey{s}", {"Ref": f"SigningPublicKey{s}"}, {"Ref": "AWS::NoValue"}]} for s in "AB"],
        )

    def test_parameter_patterns_take_both_pem_forms_and_refuse_what_would_break_the_json(self):
        params = self.t["Parameters"]

        def accepts(name, value):
            return re.fullmatch(params[name]["AllowedPattern"], value) is not None

        for pem, name in ((self.private_pem, "PrivateKeyPem"), (self.public_pem, "PublicKeyPemA")):
            self.assertTrue(accepts(name, pem))
            self.assertTrue(accepts(name, escaped(pem)))
            self.assertFalse(accepts(name, pem.replace("\n", "\r\n")))
            self.assertFalse(accepts(name, pem.replace("A", '"', 1)))
            self.assertFalse(accepts(name, pem.replace("A", "\\", 1)))
        self.assertFalse(accepts("PrivateKeyPem", self.public_pem))
        self.assertFalse(accepts("PublicKeyPemA", self.private_pem))
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

    def test_parameters_and_outputs_are_the_table_ones(self):
        params = self.t["Parameters"]
        for name, _, entry in parameters():
            if name is None:
                continue
            with self.subTest(parameter=name):
                self.assertIn(name, params)
                if "default" in entry:
                    self.assertEqual(str(params[name]["Default"]), str(entry["default"]))
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
