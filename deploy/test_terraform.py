"""Security-critical wiring of the Terraform modules deploy/terraform (the site) and
deploy/terraform/edge (its edge half, alone in module mode), read offline with python-hcl2 (no
terraform binary needed) and held to deploy/wiring.json, the table deploy/test_template.py holds
deploy/template.yaml to. The example root is deploy/test_terraform_example.py's.

Run: .venv-deploy/bin/python -m unittest discover -s deploy -p 'test_*.py'   (make test-deploy)
"""

import glob
import os
import re
import unittest

from hcl_module import EDGE, SITE, TERRAFORM, Module, bare, parse, ref
from wiring import WIRING, default, parameters

POLICY_LOCAL = {"CachingOptimized": "caching_optimized", "CachingDisabled": "caching_disabled"}


class SiteModuleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.m = Module(SITE)
        cls.distribution = cls.m.resource("aws_cloudfront_distribution", "this")

    def check_behavior(self, behavior, expected, value=None):
        """One behavior against the table; `value` names the dynamic block's iterator."""
        locals_ = self.m.blocks["locals"]
        local_name = POLICY_LOCAL[expected["cachePolicy"]]
        self.assertEqual(behavior["cache_policy_id"], ref(f"local.{local_name}"))
        self.assertEqual(locals_[local_name], WIRING["cachePolicies"][expected["cachePolicy"]])
        self.assertEqual(behavior["response_headers_policy_id"], ref("data.aws_cloudfront_response_headers_policy.security_headers.id"))
        self.assertEqual(behavior["viewer_protocol_policy"], WIRING["viewerProtocolPolicy"])
        self.assertEqual(sorted(behavior["allowed_methods"]), expected["allowedMethods"])
        self.assertEqual(behavior["target_origin_id"], "content")
        for absent in ("trusted_signers", "function_association"):
            self.assertNotIn(absent, behavior)
        if expected["trustedKeyGroup"]:
            self.assertEqual(behavior["trusted_key_groups"], [ref("var.key_group_id")])
        else:
            self.assertNotIn("trusted_key_groups", behavior)
        # The published version (qualified ARN), never $LATEST: Lambda@Edge needs a number.
        version = ref("module.edge.edge_function_version_arn")
        if expected["viewerRequest"] is True:
            self.assertEqual(behavior["lambda_function_association"], [{"event_type": "viewer-request", "lambda_arn": version}])
        elif expected["viewerRequest"] == "unlessMintOnly":
            (dynamic,) = behavior["dynamic"]
            association = dynamic["lambda_function_association"]
            self.assertEqual(association["for_each"], ref("var.mint_only ? [] : [module.edge.edge_function_version_arn]"))
            self.assertEqual(association["content"], [{"event_type": "viewer-request", "lambda_arn": ref("lambda_function_association.value")}])
        else:
            self.assertNotIn("lambda_function_association", behavior)
            self.assertNotIn("dynamic", behavior)

    def test_every_tf_file_parses_the_modules_and_their_examples(self):
        files = glob.glob(os.path.join(TERRAFORM, "**", "*.tf"), recursive=True)
        self.assertGreaterEqual(len(files), 15)
        for path in files:
            with self.subTest(file=os.path.relpath(path, TERRAFORM)):
                self.assertIsInstance(parse(path), dict)

    def test_behaviors_are_auth_first_then_one_per_tier_of_the_list(self):
        # Defect: two fixed tier patterns, where the handler takes 1 to 10 tiers.
        (auth,) = self.distribution["ordered_cache_behavior"]
        self.assertEqual(auth["path_pattern"], WIRING["behaviors"][0]["path"])
        self.check_behavior(auth, WIRING["behaviors"][0])
        (dynamic,) = self.distribution["dynamic"]
        tiers = dynamic["ordered_cache_behavior"]
        self.assertEqual(tiers["for_each"], ref("var.tiers"))
        (content,) = tiers["content"]
        self.assertEqual(content["path_pattern"], ref("ordered_cache_behavior.value.path_pattern"))
        for expected in WIRING["behaviors"][1:]:
            self.check_behavior(content, expected)
        variable = self.m.blocks["variable"]["tiers"]
        self.assertIn("list(object(", variable["type"])
        self.assertEqual(variable["default"], default(next(e for e in WIRING["parameters"] if e["terraform"] == "tiers")))
        policy = self.m.data("aws_cloudfront_response_headers_policy", "security_headers")
        self.assertEqual(policy["name"], WIRING["responseHeadersPolicy"]["name"])

    def test_default_behavior_is_public_and_has_no_function(self):
        (default_behavior,) = self.distribution["default_cache_behavior"]
        self.check_behavior(default_behavior, WIRING["defaultBehavior"])

    def test_refused_and_missing_objects_get_the_public_error_pages(self):
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
        self.assertEqual(certificate["minimum_protocol_version"], ref(f'local.has_alias ? "{d["aliasMinimumProtocolVersion"]}" : "TLSv1"'))
        self.assertEqual(certificate["ssl_support_method"], ref(f'local.has_alias ? "{d["aliasSslSupportMethod"]}" : null'))
        self.assertEqual(self.distribution["web_acl_id"], ref('var.web_acl_arn == "" ? null : var.web_acl_arn'))
        (origin,) = self.distribution["origin"]
        self.assertEqual(origin["origin_access_control_id"], ref("aws_cloudfront_origin_access_control.content.id"))
        self.assertEqual(origin["domain_name"], ref("aws_s3_bucket.content.bucket_regional_domain_name"))
        self.assertNotIn("s3_origin_config", origin)  # no legacy origin access identity

    def test_distribution_waits_for_the_log_buckets_acls(self):
        # Defect: the distribution depended on the log bucket but not on its ownership controls,
        # so creating it could fail with "bucket does not enable ACL access".
        ownership = self.m.resource("aws_s3_bucket_ownership_controls", "logs")
        self.assertEqual(ownership["rule"], [{"object_ownership": "BucketOwnerPreferred"}])
        self.assertIn(ref("aws_s3_bucket_ownership_controls.logs"), self.distribution.get("depends_on", []))

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
        self.assertEqual([(s["actions"], s["resources"]) for s in allows], [([g["action"]], [on[g["on"]]]) for g in policy["grants"]])
        for allow in allows:
            self.assertEqual(allow["principals"], [{"type": "Service", "identifiers": [policy["principalService"]]}])
            self.assertEqual(
                allow["condition"],
                [{"test": policy["condition"]["test"], "variable": policy["condition"]["variable"], "values": [ref("aws_cloudfront_distribution.this.arn")]}],
            )
        denies = [s for s in statements if s["effect"] == "Deny"]
        self.assertEqual([d["condition"] for d in denies], [[{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]])

    def test_cloudfront_and_the_edge_half_live_in_us_east_1(self):
        _, aws = self.m.required_aws()
        self.assertIn(ref("aws.us_east_1"), aws["configuration_aliases"])
        for type_, name in [
            ("aws_cloudfront_origin_access_control", "content"),
            ("aws_cloudfront_distribution", "this"),
            ("aws_acm_certificate", "alias"),
            ("aws_acm_certificate_validation", "alias"),
        ]:
            self.assertEqual(self.m.resource(type_, name).get("provider"), ref("aws.us_east_1"), f"{type_}.{name}")
        edge = self.m.blocks["module"]["edge"]
        self.assertEqual(edge["source"], "./edge")
        self.assertEqual({bare(k): bare(v) for k, v in edge["providers"].items()}, {"aws": "aws.us_east_1"})

    def test_the_site_passes_every_edge_input_through_and_holds_no_key_of_its_own(self):
        edge = self.m.blocks["module"]["edge"]
        passed = [e["terraform"] for e in WIRING["parameters"] if e.get("edge")]
        self.assertEqual(sorted(k for k in edge if k not in ("source", "providers")), sorted(passed))
        for name in passed:
            self.assertEqual(edge[name], ref(f"var.{name}"), name)
        for type_ in ("aws_cloudfront_public_key", "aws_cloudfront_key_group", "aws_lambda_function", "aws_secretsmanager_secret"):
            self.assertNotIn(type_, self.m.blocks["resource"])  # the identity module's, or the edge module's

    def test_variables_and_outputs_are_the_table_ones(self):
        check_variables(self, self.m, [e for e in WIRING["parameters"] if e["terraform"]])
        self.assertEqual(sorted(self.m.blocks["output"]), sorted(o["terraform"] for o in WIRING["outputs"]))
        self.assertEqual(
            self.m.blocks["output"]["callback_url"]["value"],
            "https://${local.has_alias ? var.alternate_domain_name : aws_cloudfront_distribution.this.domain_name}/auth/callback",
        )


def check_variables(case, module, entries):
    """The module's variables are exactly the entries', with their defaults; secrets are
    sensitive, ephemeral (never in the state or a plan) and default to nothing."""
    variables = module.blocks["variable"]
    for entry in entries:
        name = entry["terraform"]
        with case.subTest(variable=name):
            case.assertIn(name, variables)
            if "default" in entry:
                case.assertEqual(variables[name].get("default"), default(entry))
            if entry.get("secret"):
                case.assertIs(variables[name].get("sensitive"), True)
                case.assertIs(variables[name].get("ephemeral"), True)
                case.assertIn(variables[name].get("default", ""), ("",))
    case.assertEqual(sorted(variables), sorted(e["terraform"] for e in entries))


class EdgeModuleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.m = Module(EDGE)
        cls.function = cls.m.resource("aws_lambda_function", "edge")

    def test_function_is_an_edge_function_published_as_a_new_version_per_bundle_and_secret(self):
        expected = WIRING["edgeFunction"]
        f = self.function
        self.assertRegex(f["runtime"], expected["runtimePattern"])
        self.assertEqual((f["handler"], f["memory_size"]), (expected["handler"], expected["memoryMb"]))
        self.assertLessEqual(f["timeout"], expected["maxTimeoutSeconds"])
        self.assertIs(f["publish"], True)
        self.assertEqual(f["filename"], ref("var.edge_bundle_path"))
        self.assertEqual(f["source_code_hash"], ref("filebase64sha256(var.edge_bundle_path)"))  # bundle
        self.assertEqual(f["role"], ref("aws_iam_role.edge.arn"))
        self.assertIn("${local.edge_generation}", f["description"])
        generation = self.m.blocks["locals"]["edge_generation"]
        for source in ("var.signing_key_id", "var.secret_version"):  # signingKey, sessionSecrets
            self.assertIn(source, generation)
        self.assertEqual(len(expected["newVersionOn"]), 3)
        for forbidden in ("environment", "vpc_config", "dead_letter_config", "layers"):  # Lambda@Edge has none
            self.assertNotIn(forbidden, f)
        (precondition,) = f["lifecycle"][0]["precondition"]
        self.assertEqual(precondition["condition"], ref(f'data.aws_region.current.region == "{expected["region"]}"'))

    def test_destroy_keeps_the_replicated_function(self):
        # Defect: Lambda refuses to delete a function CloudFront still replicates.
        self.assertIs(self.function.get("skip_destroy"), WIRING["edgeFunction"]["retained"])

    def test_role_reads_the_secret_where_it_lives_and_writes_only_its_own_logs(self):
        expected = WIRING["edgeRole"]
        role = self.m.resource("aws_iam_role", "edge")
        self.assertEqual(role["assume_role_policy"], ref("data.aws_iam_policy_document.edge_trust.json"))
        (trust,) = self.m.data("aws_iam_policy_document", "edge_trust")["statement"]
        self.assertEqual(sorted(trust["principals"][0]["identifiers"]), expected["trustedServices"])
        # One inline policy and no managed one (AWSLambdaBasicExecutionRole grants logs:* on *).
        self.assertEqual([p["policy"] for p in self.m.resources("aws_iam_role_policy").values()], [ref("data.aws_iam_policy_document.edge.json")])
        self.assertEqual(self.m.resources("aws_iam_role_policy_attachment"), {})
        self.assertEqual(expected["managedPolicies"], [])
        read, decrypt, logs = self.m.data("aws_iam_policy_document", "edge")["statement"]
        self.assertEqual((read["actions"], decrypt["actions"]), (["secretsmanager:GetSecretValue"], ["kms:Decrypt"]))
        self.assertEqual(
            read["resources"],
            ref('concat([aws_secretsmanager_secret.edge.arn], [for region in var.edge_regions : replace(aws_secretsmanager_secret.edge.arn, ":secretsmanager:us-east-1:", ":secretsmanager:${region}:")])'),
        )
        self.assertEqual(decrypt["resources"], ref("concat([aws_kms_key.secret.arn], [for key in aws_kms_replica_key.secret : key.arn])"))
        (via,) = decrypt["condition"]
        self.assertEqual((via["test"], via["variable"]), ("StringEquals", "kms:ViaService"))
        self.assertEqual(via["values"], ref('[for region in local.log_regions : "secretsmanager.${region}.amazonaws.com"]'))
        self.assertEqual(self.m.blocks["locals"]["log_regions"], ref('concat(["us-east-1"], var.edge_regions)'))
        self.assertEqual(sorted(logs["actions"]), expected["statements"][2]["actions"])
        self.assertEqual(logs["resources"], ref('[for group in aws_cloudwatch_log_group.edge : "${group.arn}:*"]'))
        for forbidden in expected["forbiddenActions"]:
            self.assertNotIn(forbidden, [a for s in (read, decrypt, logs) for a in s["actions"]])

    def test_every_region_the_function_runs_in_has_its_log_group_with_a_retention(self):
        # Defect: Lambda@Edge created /aws/lambda/us-east-1.<fn> in each region, kept forever.
        groups = self.m.resource("aws_cloudwatch_log_group", "edge")
        self.assertEqual(groups["for_each"], ref("toset(local.log_regions)"))
        self.assertEqual(groups["region"], ref("each.key"))
        self.assertEqual(groups["name"], ref("local.log_group_name"))
        self.assertEqual(self.m.blocks["locals"]["log_group_name"], "/aws/lambda/us-east-1.${local.function_name}")
        self.assertEqual(groups["retention_in_days"], ref("var.function_log_retention_days"))
        self.assertIn(ref("aws_cloudwatch_log_group.edge"), self.function["depends_on"])  # before it runs anywhere

    def test_secret_is_replicated_to_every_edge_region_under_a_replica_of_its_key(self):
        secret = self.m.resource("aws_secretsmanager_secret", "edge")
        self.assertEqual(secret["name"], ref("var.secret_name"))
        self.assertEqual(secret["kms_key_id"], ref("aws_kms_key.secret.arn"))
        key = self.m.resource("aws_kms_key", "secret")
        self.assertIs(key["enable_key_rotation"], WIRING["secret"]["keyRotation"])
        self.assertIs(key["multi_region"], WIRING["secret"]["multiRegionKey"])
        replicas = self.m.resource("aws_kms_replica_key", "secret")
        self.assertEqual((replicas["for_each"], replicas["region"]), (ref("toset(var.edge_regions)"), ref("each.key")))
        self.assertEqual(replicas["primary_key_arn"], ref("aws_kms_key.secret.arn"))
        (dynamic,) = secret["dynamic"]
        self.assertEqual(dynamic["replica"]["for_each"], ref("aws_kms_replica_key.secret"))
        self.assertEqual(dynamic["replica"]["content"], [{"region": ref("replica.key"), "kms_key_id": ref("replica.value.arn")}])
        self.assertEqual(list(self.m.resources("aws_secretsmanager_secret")), ["edge"])

    def test_secret_is_written_write_only_and_never_reaches_the_state(self):
        # Defect: the private key went into the state (and the plan) through secret_string.
        version = self.m.resource("aws_secretsmanager_secret_version", "edge")
        self.assertNotIn("secret_string", version)
        self.assertEqual(version["secret_string_wo"], ref("jsonencode(local.edge_secret)"))
        wo_version = version["secret_string_wo_version"]
        for source in ("var.signing_key_id", "var.secret_version"):
            self.assertIn(source, wo_version)
        expression = self.m.blocks["locals"]["edge_secret"]
        self.assertEqual(set(re.findall(r"\b([a-z]+[A-Z][A-Za-z]*) = ", expression)), set(WIRING["secret"]["fields"]))
        self.assertIn("keyPairId = var.signing_key_id", expression)
        for optional in WIRING["secret"]["optionalFields"]:  # present only when given
            self.assertRegex(expression, rf"\{{for field, value in \{{{optional} = [^}}]+\}} : field => value if value != \"\"\}}")
        terraform, _ = self.m.required_aws()
        self.assertEqual(terraform["required_version"], ">= 1.11.0")  # write-only arguments

    def test_module_mode_outputs_what_to_attach(self):
        outputs = self.m.blocks["output"]
        module_outputs = [o["terraform"] for o in WIRING["outputs"] if not o.get("site")]
        self.assertEqual(sorted(o for o in outputs if o != "custom_error_response"), sorted(module_outputs))
        self.assertEqual(outputs["edge_function_version_arn"]["value"], ref("aws_lambda_function.edge.qualified_arn"))
        behaviors = outputs["behaviors"]["value"]
        for part in ('"/auth*"', "for tier in var.tiers", "var.mint_only ? null : aws_lambda_function.edge.qualified_arn", "[var.key_group_id]"):
            self.assertIn(part, behaviors)
        self.assertEqual(outputs["custom_error_response"]["value"]["response_page_path"], WIRING["customErrorResponses"][0]["responsePagePath"])
        self.assertNotIn("aws_cloudfront_distribution", self.m.blocks["resource"])

    def test_variables_are_the_tables_edge_ones(self):
        check_variables(self, self.m, [e for e in WIRING["parameters"] if e.get("edge")])
        validation = self.m.blocks["variable"]["tiers"]["validation"][0]["condition"]
        self.assertIn("length(var.tiers) <= 10", validation)


class EveryModuleTest(unittest.TestCase):
    def test_no_for_each_filters_on_values_terraform_may_not_know_at_plan(self):
        # Defect: keys.tf filtered the key map with `if pem != ""` over values known only after
        # apply, then used it as for_each: "Invalid for_each argument" at the first plan.
        for folder in sorted({os.path.dirname(p) for p in glob.glob(os.path.join(TERRAFORM, "**", "*.tf"), recursive=True)}):
            module = Module(folder)
            for type_, name, body in module.all_resources():
                expression = bare(body.get("for_each", ""))
                while isinstance(expression, str) and re.fullmatch(r"local\.\w+", expression):
                    expression = bare(module.blocks["locals"][expression.split(".")[1]])
                with self.subTest(resource=f"{os.path.relpath(folder, TERRAFORM)}:{type_}.{name}"):
                    self.assertNotRegex(str(expression), r"\bfor\b[^:]*:[^}]*\bif\b")

    def test_no_secret_value_appears_in_any_module(self):
        for path in glob.glob(os.path.join(TERRAFORM, "**", "*.tf"), recursive=True):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            self.assertNotRegex(text, r"-----BEGIN [A-Z ]*PRIVATE KEY-----\\?n?[A-Za-z0-9+/]", path)
            self.assertNotRegex(text, r"MII[A-Za-z0-9+/]{40,}", path)
            self.assertNotIn('resource "tls_private_key"', text, path)  # a generated key lives in the state
            self.assertNotIn('resource "random_bytes"', text, path)


if __name__ == "__main__":
    unittest.main()
