"""Security-critical wiring of the Terraform module deploy/terraform, read offline with
python-hcl2 (no terraform binary needed) and held to deploy/wiring.json, the same table
deploy/test_template.py holds deploy/template.yaml to.

Run: .venv-deploy/bin/python -m unittest discover -s deploy -p 'test_*.py'   (make test-deploy)
"""

import glob
import os
import re
import unittest

import hcl2
from hcl2.utils import SerializationOptions

from wiring import WIRING, parameters

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE = os.path.join(HERE, "terraform")
IDENTITY_MODULE = os.path.join(MODULE, "identity")
EXAMPLES = os.path.join(MODULE, "examples")
OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
US_EAST_1 = "${aws.us_east_1}"


def parse(path):
    with open(path, encoding="utf-8") as f:
        return hcl2.load(f, serialization_options=OPTIONS)


class Module:
    """Every block of the .tf files of one folder, by kind, type and name."""

    def __init__(self, folder):
        self.files = sorted(glob.glob(os.path.join(folder, "*.tf")))
        if not self.files:
            raise AssertionError(f"no .tf file in {folder}")
        self.blocks = {"resource": {}, "data": {}, "variable": {}, "output": {}, "module": {}, "locals": {}}
        self.terraform = []
        for path in self.files:
            for kind, entries in parse(path).items():
                if kind == "terraform":
                    self.terraform.extend(entries)
                elif kind == "locals":
                    for entry in entries:
                        self.blocks["locals"].update(entry)
                elif kind in ("variable", "output", "module"):
                    for entry in entries:
                        self.blocks[kind].update(entry)
                elif kind in ("resource", "data"):
                    for entry in entries:
                        for type_, named in entry.items():
                            self.blocks[kind].setdefault(type_, {}).update(named)

    def resource(self, type_, name):
        return self.blocks["resource"][type_][name]

    def resources(self, type_):
        return self.blocks["resource"].get(type_, {})

    def data(self, type_, name):
        return self.blocks["data"][type_][name]


def ref(expression):
    return "${" + expression + "}"


class TerraformModuleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.m = Module(MODULE)
        cls.distribution = cls.m.resource("aws_cloudfront_distribution", "this")

    def expected_path(self, path):
        if isinstance(path, dict):
            name = next(tf for cfn, tf, _ in parameters() if cfn == path["parameter"])
            return ref(f"var.{name}")
        return path

    def check_behavior(self, behavior, expected):
        locals_ = self.m.blocks["locals"]
        policy_local = {"CachingOptimized": "caching_optimized", "CachingDisabled": "caching_disabled"}
        local_name = policy_local[expected["cachePolicy"]]
        self.assertEqual(behavior["cache_policy_id"], ref(f"local.{local_name}"))
        self.assertEqual(locals_[local_name], WIRING["cachePolicies"][expected["cachePolicy"]])
        self.assertEqual(
            behavior["response_headers_policy_id"],
            ref("data.aws_cloudfront_response_headers_policy.security_headers.id"),
        )
        self.assertEqual(behavior["viewer_protocol_policy"], WIRING["viewerProtocolPolicy"])
        self.assertEqual(sorted(behavior["allowed_methods"]), expected["allowedMethods"])
        self.assertEqual(behavior["target_origin_id"], "content")
        self.assertNotIn("trusted_signers", behavior)
        self.assertNotIn("function_association", behavior)
        if expected["trustedKeyGroup"]:
            self.assertEqual(behavior["trusted_key_groups"], [ref("aws_cloudfront_key_group.signing.id")])
        else:
            self.assertNotIn("trusted_key_groups", behavior)
        if expected["viewerRequest"]:
            # qualified_arn: the published version, never $LATEST (Lambda@Edge needs a number).
            self.assertEqual(
                behavior["lambda_function_association"],
                [{"event_type": "viewer-request", "lambda_arn": ref("aws_lambda_function.edge.qualified_arn")}],
            )
        else:
            self.assertNotIn("lambda_function_association", behavior)

    def test_every_tf_file_parses_the_module_and_its_examples(self):
        files = glob.glob(os.path.join(MODULE, "**", "*.tf"), recursive=True)
        self.assertGreaterEqual(len(files), 8)
        for path in files:
            with self.subTest(file=os.path.relpath(path, HERE)):
                self.assertIsInstance(parse(path), dict)

    def test_behaviors_come_in_the_table_order_with_the_table_wiring(self):
        behaviors = self.distribution["ordered_cache_behavior"]
        self.assertEqual(
            [b["path_pattern"] for b in behaviors],
            [self.expected_path(e["path"]) for e in WIRING["behaviors"]],
        )
        for behavior, expected in zip(behaviors, WIRING["behaviors"]):
            with self.subTest(path=behavior["path_pattern"]):
                self.check_behavior(behavior, expected)
        policy = self.m.data("aws_cloudfront_response_headers_policy", "security_headers")
        self.assertEqual(policy["name"], WIRING["responseHeadersPolicy"]["name"])

    def test_default_behavior_is_public_and_has_no_function(self):
        (default,) = self.distribution["default_cache_behavior"]
        self.check_behavior(default, WIRING["defaultBehavior"])

    def test_refused_and_missing_objects_get_the_public_error_pages(self):
        # 403: the sign-in round trip, never cached; 404: the styled page, cached briefly.
        self.assertEqual(
            self.distribution["custom_error_response"],
            [
                {
                    "error_code": r["errorCode"],
                    "response_code": r["responseCode"],
                    "response_page_path": r["responsePagePath"],
                    "error_caching_min_ttl": r["errorCachingMinTtl"],
                }
                for r in WIRING["customErrorResponses"]
            ],
        )

    def test_distribution_logs_without_cookies_and_uses_tls_1_2_with_an_alias(self):
        d = WIRING["distribution"]
        self.assertEqual(self.distribution["default_root_object"], d["defaultRootObject"])
        (logging,) = self.distribution["logging_config"]
        self.assertIs(logging["include_cookies"], d["loggingIncludesCookies"])
        self.assertEqual(logging["bucket"], ref("aws_s3_bucket.logs.bucket_domain_name"))
        (certificate,) = self.distribution["viewer_certificate"]
        self.assertEqual(
            certificate["minimum_protocol_version"],
            ref(f'local.has_alias ? "{d["aliasMinimumProtocolVersion"]}" : "TLSv1"'),
        )
        self.assertEqual(certificate["ssl_support_method"], ref(f'local.has_alias ? "{d["aliasSslSupportMethod"]}" : null'))
        self.assertEqual(self.distribution["web_acl_id"], ref('var.web_acl_arn == "" ? null : var.web_acl_arn'))
        (origin,) = self.distribution["origin"]
        self.assertEqual(origin["origin_access_control_id"], ref("aws_cloudfront_origin_access_control.content.id"))
        self.assertEqual(origin["domain_name"], ref("aws_s3_bucket.content.bucket_regional_domain_name"))
        self.assertNotIn("s3_origin_config", origin)  # no legacy origin access identity

    def test_content_bucket_is_private_versioned_and_logged(self):
        block = self.m.resource("aws_s3_bucket_public_access_block", "content")
        for setting in WIRING["contentBucket"]["publicAccessBlock"]:
            snake = re.sub(r"(?<!^)([A-Z])", r"_\1", setting).lower()
            self.assertIs(block[snake], True, snake)
        self.assertEqual(block["bucket"], ref("aws_s3_bucket.content.id"))
        versioning = self.m.resource("aws_s3_bucket_versioning", "content")
        self.assertEqual(versioning["versioning_configuration"], [{"status": "Enabled"}])
        logging = self.m.resource("aws_s3_bucket_logging", "content")
        self.assertEqual(logging["target_bucket"], ref("aws_s3_bucket.logs.id"))
        ownership = self.m.resource("aws_s3_bucket_ownership_controls", "content")
        self.assertEqual(ownership["rule"], [{"object_ownership": "BucketOwnerEnforced"}])
        self.assertNotIn("aws_s3_bucket_website_configuration", self.m.blocks["resource"])
        self.assertNotIn("aws_s3_bucket_acl", self.m.blocks["resource"])

    def test_bucket_policy_grants_exactly_the_table_to_this_distribution_only(self):
        policy = WIRING["bucketPolicy"]
        attached = self.m.resource("aws_s3_bucket_policy", "content")
        self.assertEqual(attached["policy"], ref("data.aws_iam_policy_document.content.json"))
        statements = self.m.data("aws_iam_policy_document", "content")["statement"]
        on = {"objects": "${aws_s3_bucket.content.arn}/*", "bucket": ref("aws_s3_bucket.content.arn")}
        allows = [s for s in statements if s["effect"] == "Allow"]
        self.assertEqual(
            [(s["actions"], s["resources"]) for s in allows],
            [([g["action"]], [on[g["on"]]]) for g in policy["grants"]],
        )
        for allow in allows:
            self.assertEqual(allow["principals"], [{"type": "Service", "identifiers": [policy["principalService"]]}])
            self.assertEqual(
                allow["condition"],
                [
                    {
                        "test": policy["condition"]["test"],
                        "variable": policy["condition"]["variable"],
                        "values": [ref("aws_cloudfront_distribution.this.arn")],
                    }
                ],
            )
        denies = [s for s in statements if s["effect"] == "Deny"]
        self.assertEqual(
            [d["condition"] for d in denies],
            [[{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]],
        )

    def test_function_is_an_edge_function_published_as_a_new_version_per_bundle_in_us_east_1(self):
        expected = WIRING["edgeFunction"]
        function = self.m.resource("aws_lambda_function", "edge")
        self.assertEqual(function["provider"], US_EAST_1)
        self.assertRegex(function["runtime"], expected["runtimePattern"])
        self.assertEqual(function["handler"], expected["handler"])
        self.assertEqual(function["memory_size"], expected["memoryMb"])
        self.assertLessEqual(function["timeout"], expected["maxTimeoutSeconds"])
        self.assertIs(function["publish"], True)
        self.assertEqual(function["filename"], ref("var.edge_bundle_path"))
        self.assertEqual(function["source_code_hash"], ref("filebase64sha256(var.edge_bundle_path)"))
        self.assertEqual(function["role"], ref("aws_iam_role.edge.arn"))
        # Each rotation step changes the description, so `publish` makes a new version.
        self.assertIn("${local.edge_generation}", function["description"])
        generation = self.m.blocks["locals"]["edge_generation"]
        for source in ("keys(local.public_key_pems)", "var.active_key", "var.previous_session_secret"):
            self.assertIn(source, generation)
        self.assertEqual(len(expected["newVersionOn"]), 4)  # bundle: source_code_hash, above
        for forbidden in ("environment", "vpc_config", "dead_letter_config", "layers"):  # Lambda@Edge has none
            self.assertNotIn(forbidden, function)

    def test_what_lambda_at_edge_and_cloudfront_need_lives_in_us_east_1(self):
        (terraform,) = self.m.terraform
        aws = terraform["required_providers"][0]["aws"] if isinstance(terraform["required_providers"], list) else terraform["required_providers"]["aws"]
        self.assertIn(ref("aws.us_east_1"), aws["configuration_aliases"])
        for type_, name in [
            ("aws_lambda_function", "edge"),
            ("aws_secretsmanager_secret", "edge"),
            ("aws_secretsmanager_secret_version", "edge"),
            ("aws_kms_key", "secret"),
            ("aws_cloudfront_public_key", "signing"),
            ("aws_cloudfront_key_group", "signing"),
            ("aws_cloudfront_origin_access_control", "content"),
            ("aws_cloudfront_distribution", "this"),
            ("aws_acm_certificate", "alias"),
            ("aws_acm_certificate_validation", "alias"),
        ]:
            self.assertEqual(self.m.resource(type_, name).get("provider"), US_EAST_1, f"{type_}.{name}")

    def test_role_trusts_edgelambda_and_reads_exactly_the_one_secret(self):
        expected = WIRING["edgeRole"]
        role = self.m.resource("aws_iam_role", "edge")
        self.assertEqual(role["assume_role_policy"], ref("data.aws_iam_policy_document.edge_trust.json"))
        (trust,) = self.m.data("aws_iam_policy_document", "edge_trust")["statement"]
        self.assertEqual(trust["actions"], ["sts:AssumeRole"])
        self.assertEqual(sorted(trust["principals"][0]["identifiers"]), expected["trustedServices"])
        # Exactly one inline policy and the managed ones in the table, nothing else on the role.
        inline = [p for p in self.m.resources("aws_iam_role_policy").values() if p["role"] == ref("aws_iam_role.edge.id")]
        self.assertEqual(len(inline), 1)
        self.assertEqual(inline[0]["policy"], ref("data.aws_iam_policy_document.edge.json"))
        attached = [a["policy_arn"] for a in self.m.resources("aws_iam_role_policy_attachment").values()]
        self.assertEqual(
            attached,
            [f"arn:${{data.aws_partition.current.partition}}:iam::aws:policy/{p}" for p in expected["managedPolicies"]],
        )
        on = {"secret": ref("aws_secretsmanager_secret.edge.arn"), "secretKey": ref("aws_kms_key.secret.arn")}
        statements = self.m.data("aws_iam_policy_document", "edge")["statement"]
        self.assertEqual(
            [(s["effect"], s["actions"], s["resources"]) for s in statements],
            [("Allow", [e["action"]], [on[e["on"]]]) for e in expected["statements"]],
        )
        for statement, e in zip(statements, expected["statements"]):
            if "condition" in e:
                self.assertEqual([c["variable"] for c in statement["condition"]], [e["condition"]])
            else:
                self.assertNotIn("condition", statement)

    def test_secret_is_the_runtime_contract_encrypted_with_its_own_rotating_key(self):
        secrets = self.m.resources("aws_secretsmanager_secret")
        self.assertEqual(list(secrets), ["edge"])
        self.assertEqual(secrets["edge"]["name"], ref("var.secret_name"))
        self.assertEqual(secrets["edge"]["kms_key_id"], ref("aws_kms_key.secret.arn"))
        self.assertIs(self.m.resource("aws_kms_key", "secret")["enable_key_rotation"], WIRING["secret"]["keyRotation"])
        version = self.m.resource("aws_secretsmanager_secret_version", "edge")
        self.assertEqual(version["secret_string"], ref("jsonencode(local.edge_secret)"))
        expression = self.m.blocks["locals"]["edge_secret"]
        fields = set(re.findall(r"\b([a-z]+[A-Z][A-Za-z]*) = ", expression))
        self.assertEqual(fields, set(WIRING["secret"]["fields"]))
        self.assertIn("keyPairId = aws_cloudfront_public_key.signing[local.active_slot].id", expression)
        for optional in WIRING["secret"]["optionalFields"]:  # present only when given
            self.assertRegex(expression, rf"\{{for field, value in \{{{optional} = [^}}]+\}} : field => value if value != \"\"\}}")

    def test_outputs_name_the_callback_and_sign_out_urls_on_the_host_viewers_use(self):
        host = "${local.has_alias ? var.alternate_domain_name : aws_cloudfront_distribution.this.domain_name}"
        for output in (o for o in WIRING["outputs"] if "path" in o):
            with self.subTest(output=output["terraform"]):
                self.assertEqual(self.m.blocks["output"][output["terraform"]]["value"], f"https://{host}{output['path']}")

    def test_key_group_trusts_every_filled_slot(self):
        group = self.m.resource("aws_cloudfront_key_group", "signing")
        self.assertIn("aws_cloudfront_public_key.signing[slot].id", group["items"])
        keys = self.m.resource("aws_cloudfront_public_key", "signing")
        self.assertEqual(keys["for_each"], ref("local.public_key_pems"))

    def test_variables_and_outputs_are_the_table_ones(self):
        variables = self.m.blocks["variable"]
        for _, name, entry in parameters():
            if name is None:
                continue
            with self.subTest(variable=name):
                self.assertIn(name, variables)
                if "default" in entry:
                    self.assertEqual(variables[name].get("default"), entry["default"])
                if entry.get("secret"):
                    self.assertIs(variables[name].get("sensitive"), True)
                    self.assertIn(variables[name].get("default", ""), ("",))
        self.assertEqual(sorted(variables), sorted(tf for _, tf, _ in parameters() if tf))
        self.assertEqual(sorted(self.m.blocks["output"]), sorted(o["terraform"] for o in WIRING["outputs"]))

    def test_no_secret_value_appears_in_the_module(self):
        for path in glob.glob(os.path.join(MODULE, "**", "*.tf"), recursive=True):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            self.assertNotRegex(text, r"-----BEGIN [A-Z ]*PRIVATE KEY-----\\?n?[A-Za-z0-9+/]", path)
            self.assertNotRegex(text, r"MII[A-Za-z0-9+/]{40,}", path)


class TerraformExampleTest(unittest.TestCase):
    def test_example_roots_call_the_module_with_both_providers(self):
        # The site module takes both providers; the identity module one, in us-east-1.
        expected = {
            MODULE: {"aws": "aws", "aws.us_east_1": "aws.us_east_1"},
            IDENTITY_MODULE: {"aws": "aws.us_east_1"},
        }
        folders = sorted({os.path.dirname(p) for p in glob.glob(os.path.join(EXAMPLES, "*", "*.tf"))})
        self.assertTrue(folders, "no example root under deploy/terraform/examples")
        for folder in folders:
            with self.subTest(example=os.path.relpath(folder, HERE)):
                example = Module(folder)
                calls = example.blocks["module"].values()
                sources = [os.path.normpath(os.path.join(folder, call["source"])) for call in calls]
                self.assertIn(MODULE, sources)
                for source, call in zip(sources, calls):
                    self.assertIn(source, expected)
                    bare = lambda s: re.sub(r"^\$\{(.*)\}$", r"\1", s)  # noqa: E731
                    providers = {bare(k): bare(v) for k, v in call["providers"].items()}
                    self.assertEqual(providers, expected[source])

    def test_the_complete_example_hands_the_identity_outputs_on_and_keeps_the_client_secret_inside(self):
        example = Module(os.path.join(EXAMPLES, "complete"))
        identity = example.blocks["module"]["identity"]
        self.assertEqual(identity["count"], "${var.create_user_pool ? 1 : 0}")
        # The identity module's client secret reaches the site module inside Terraform only:
        # `terraform output -json` (what package.mjs reads) would show a root output in clear.
        site = example.blocks["module"]["edge_auth"]
        self.assertEqual(site["client_secret"], "${try(module.identity[0].client_secret, var.client_secret)}")
        outputs = example.blocks["output"]
        for entry in WIRING["identity"]["outputs"]:
            with self.subTest(output=entry["terraform"]):
                if entry.get("sensitive"):
                    self.assertNotIn(entry["terraform"], outputs)
                else:
                    self.assertEqual(outputs[entry["terraform"]]["value"], f"${{one(module.identity[*].{entry['terraform']})}}")

    def test_generated_keys_come_with_the_state_warning(self):
        for path in glob.glob(os.path.join(EXAMPLES, "*", "*.tf")):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if 'resource "tls_private_key"' in text:
                self.assertRegex(text, r"WARNING: .*private key.*\n.*Terraform state", path)
                self.assertRegex(text, r'rsa_bits\s*=\s*2048')


if __name__ == "__main__":
    unittest.main()
