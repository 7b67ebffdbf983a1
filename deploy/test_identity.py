"""The prerequisites, both ways: deploy/identity.yaml (read the way CloudFormation reads it) and
the Terraform module deploy/terraform/identity (python-hcl2), each held to deploy/wiring.json's
"identity" table: the CloudFront public keys and key group, and the identity provider for sites
that bring none; and the stack's outputs fed through deploy/edge-config.mjs, so what the stack
outputs is what the bundle needs.

Run: .venv-deploy/bin/python -m unittest discover -s deploy -p 'test_*.py'   (make test-deploy)
"""

import json
import os
import re
import subprocess
import unittest
from pathlib import Path

from cfnlint.api import ManualArgs, lint_file

from cfn_eval import RESOURCES, Evaluator
from cfn_eval import load as load_template
from hcl_module import IDENTITY as MODULE
from hcl_module import Module, ref
from wiring import WIRING, cloudformation_default, default, key_pair

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE_PATH = os.path.join(HERE, "identity.yaml")
IDENTITY = WIRING["identity"]
# The stack's parameters in the tests: a domain prefix, and slot A's key.
PUBLIC_PEM = key_pair()[1]
GIVEN = {"DomainPrefix": "media-example", "PublicKeyPemA": PUBLIC_PEM}
CLOUDFRONT = "d111111abcdef8.cloudfront.net"


def load():
    return load_template(TEMPLATE_PATH)


def present(values):
    """A list as CloudFormation sends it: `AWS::NoValue` items (None here) removed."""
    return None if values is None else [v for v in values if v is not None]


class IdentityTemplateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = load()
        cls.resources = cls.t["Resources"]

    def evaluate(self, node, **given):
        return Evaluator(self.t, {**GIVEN, **given}).value(node)

    def client(self, **given):
        properties = self.resources["UserPoolClient"]["Properties"]
        return {name: self.evaluate(value, **given) for name, value in properties.items()}

    def test_cfn_lint_finds_nothing(self):
        # `make test-deploy` runs the cfn-lint command on deploy/template.yaml; this file here.
        matches = lint_file(Path(TEMPLATE_PATH), config=ManualArgs(regions=["us-east-1"]))
        self.assertEqual([str(m) for m in matches], [])

    def test_without_a_user_pool_only_the_keys_and_their_outputs_exist(self):
        evaluator = Evaluator(self.t, {**GIVEN, "CreateUserPool": "false", "DomainPrefix": ""})
        created = sorted(n for n, r in self.resources.items() if evaluator.exists(r))
        self.assertEqual(created, ["SigningKeyGroup", "SigningPublicKeyA"])
        outputs = sorted(n for n, o in self.t["Outputs"].items() if evaluator.exists(o))
        self.assertEqual(outputs, sorted(o["cloudformation"] for o in IDENTITY["outputs"] if o.get("keys") and o.get("slot") != "B"))
        (rule,) = self.t["Rules"]["UserPoolNeedsDomainPrefix"]["Assertions"]
        self.assertEqual(rule["Assert"], {"Fn::Not": [{"Fn::Equals": [{"Ref": "DomainPrefix"}, ""]}]})

    def test_parameters_and_outputs_are_the_table_ones(self):
        params = self.t["Parameters"]
        for entry in IDENTITY["parameters"]:
            name = entry["cloudformation"]
            if name is None:
                continue
            with self.subTest(parameter=name):
                if "default" in entry:
                    self.assertEqual(str(params[name]["Default"]), cloudformation_default(default(entry)))
                else:
                    self.assertNotIn("Default", params[name])
                if "allowed" in entry:
                    self.assertEqual(params[name]["AllowedValues"], entry["allowed"])
        self.assertEqual(sorted(params), sorted(e["cloudformation"] for e in IDENTITY["parameters"] if e["cloudformation"]))
        self.assertEqual(sorted(self.t["Outputs"]), sorted(o["cloudformation"] for o in IDENTITY["outputs"] if o["cloudformation"]))

    def test_user_pool_takes_only_admin_created_users_and_outlives_the_stack(self):
        expected = IDENTITY["userPool"]
        pool = self.resources["UserPool"]
        self.assertEqual(pool["DeletionPolicy"], "Retain")
        self.assertEqual(pool["UpdateReplacePolicy"], "Retain")
        p = pool["Properties"]
        self.assertIs(p["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"], expected["allowAdminCreateUserOnly"])
        self.assertEqual(p["DeletionProtection"], expected["deletionProtection"])
        self.assertEqual(p["UserPoolTier"], expected["tier"])
        self.assertEqual(p["UsernameAttributes"], expected["usernameAttributes"])
        self.assertNotIn("LambdaConfig", p)  # no trigger that could let users in some other way

    def test_client_is_code_flow_only_with_revocable_tokens(self):
        expected = IDENTITY["client"]
        client = self.client(AlternateDomainName="media.example.com")
        self.assertIs(client["AllowedOAuthFlowsUserPoolClient"], True)
        self.assertEqual(client["AllowedOAuthFlows"], expected["allowedOAuthFlows"])  # never "implicit"
        self.assertEqual(sorted(client["AllowedOAuthScopes"]), expected["allowedOAuthScopes"])
        self.assertEqual(client["SupportedIdentityProviders"], expected["supportedIdentityProviders"])
        self.assertEqual(sorted(client["ExplicitAuthFlows"]), expected["explicitAuthFlows"])
        self.assertIs(client["EnableTokenRevocation"], expected["enableTokenRevocation"])
        self.assertEqual(client["PreventUserExistenceErrors"], expected["preventUserExistenceErrors"])
        self.assertEqual(client["UserPoolId"], RESOURCES["UserPool"])

    def test_client_secret_exists_only_for_a_confidential_client(self):
        (allowed,) = (e["allowed"] for e in IDENTITY["parameters"] if e["cloudformation"] == "ClientAuthentication")
        for auth in allowed:
            with self.subTest(client_authentication=auth):
                generates = self.client(ClientAuthentication=auth)["GenerateSecret"]
                self.assertIs(generates, auth != IDENTITY["client"]["generateSecretUnless"])

    def test_callback_and_sign_out_urls_follow_the_hosts_known_so_far(self):
        expected = IDENTITY["client"]
        alias = "media.example.com"
        cases = [
            ({}, []),  # first pass without an alias: the client exists but cannot sign anyone in
            ({"AlternateDomainName": alias}, [alias]),
            ({"DistributionDomainName": CLOUDFRONT}, [CLOUDFRONT]),
            ({"AlternateDomainName": alias, "DistributionDomainName": CLOUDFRONT}, [alias, CLOUDFRONT]),
        ]
        for given, hosts in cases:
            with self.subTest(**given):
                client = self.client(**given)
                if not hosts:
                    self.assertIs(client["AllowedOAuthFlowsUserPoolClient"], False)
                    for name in ("AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs", "LogoutURLs"):
                        self.assertIsNone(client[name], name)
                    continue
                self.assertEqual(present(client["CallbackURLs"]), [f"https://{h}{expected['callbackPath']}" for h in hosts])
                self.assertEqual(present(client["LogoutURLs"]), [f"https://{h}{expected['signOutPath']}" for h in hosts])

    def test_one_group_per_tier_and_managed_login_gets_a_style(self):
        groups = {r["Properties"]["GroupName"]["Ref"]: r for r in self.resources.values() if r["Type"] == "AWS::Cognito::UserPoolGroup"}
        self.assertEqual(sorted(groups), sorted(g["parameter"] for g in IDENTITY["groups"]))
        for group in groups.values():
            self.assertEqual(group["Properties"]["UserPoolId"], {"Ref": "UserPool"})
        branding = self.resources["ManagedLoginBranding"]
        self.assertEqual(branding["Properties"]["ClientId"], {"Ref": "UserPoolClient"})
        self.assertIs(branding["Properties"]["UseCognitoProvidedValues"], IDENTITY["managedLoginBranding"]["useCognitoProvidedValues"])
        for version in (1, 2):
            styled = Evaluator(self.t, {"ManagedLoginVersion": version}).condition(branding["Condition"])
            self.assertIs(styled, version == IDENTITY["managedLoginBranding"]["version"])
        domain = self.resources["UserPoolDomain"]["Properties"]
        self.assertEqual(domain["Domain"], {"Ref": "DomainPrefix"})
        self.assertEqual(domain["ManagedLoginVersion"], {"Ref": "ManagedLoginVersion"})

    def test_domain_prefix_and_hosts_refuse_what_cognito_refuses(self):
        params = self.t["Parameters"]

        def accepts(name, value):
            return re.fullmatch(params[name]["AllowedPattern"], value) is not None

        for good in ("media-example", "a", "x1"):
            self.assertTrue(accepts("DomainPrefix", good), good)
        for bad in ("my-aws-site", "amazonian", "cognito1", "-media", "media-", "Media", "me.dia"):
            self.assertFalse(accepts("DomainPrefix", bad), bad)
        self.assertTrue(accepts("DomainPrefix", ""))  # no pool; the rule UserPoolNeedsDomainPrefix asks one of a pool
        self.assertTrue(accepts("DistributionDomainName", CLOUDFRONT))
        self.assertFalse(accepts("DistributionDomainName", "media.example.com"))
        self.assertTrue(accepts("AlternateDomainName", "media.example.com"))
        self.assertFalse(accepts("AlternateDomainName", "https://media.example.com"))

    def test_the_stack_outputs_are_what_the_bundle_needs(self):
        # The outputs, evaluated, go through deploy/edge-config.mjs as
        # `aws cloudformation describe-stacks --query 'Stacks[0].Outputs'` would hand them over.
        evaluator = Evaluator(self.t, {**GIVEN, "ClientAuthentication": "client_secret_basic"})
        outputs = [
            {"OutputKey": name, "OutputValue": evaluator.value(o["Value"])}
            for name, o in self.t["Outputs"].items()
            if evaluator.exists(o)
        ]
        by_name = {o["OutputKey"]: o["OutputValue"] for o in outputs}
        self.assertEqual(by_name["Issuer"], "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf")
        self.assertEqual(by_name["CognitoDomain"], "https://media-example.auth.us-east-1.amazoncognito.com")
        script = (
            "import('./deploy/edge-config.mjs').then(({buildConfig}) => console.log(JSON.stringify(buildConfig({"
            "'secret-name': 's', 'secret-region': 'us-east-1', 'private-prefix': '/private/',"
            "'premium-prefix': '/premium/', lifetime: '3600', 'identity-outputs': 'stdin'},"
            "{readFile: () => require('node:fs').readFileSync(0, 'utf8')}))))"
        )
        config = json.loads(
            subprocess.run(
                ["node", "--input-type=commonjs", "-e", script],
                input=json.dumps(outputs), capture_output=True, text=True, check=True, cwd=os.path.dirname(HERE),
            ).stdout
        )
        idp = config["identityProvider"]
        self.assertEqual(idp["issuer"], by_name["Issuer"])
        self.assertEqual(idp["signIn"]["clientId"], RESOURCES["UserPoolClient"])
        self.assertEqual(config["keyGroup"], {RESOURCES["SigningPublicKeyA"]: PUBLIC_PEM})
        self.assertEqual(idp["signIn"]["clientAuthentication"], "client_secret_basic")
        self.assertEqual(idp["signIn"]["metadata"]["authorization_endpoint"], f"{by_name['CognitoDomain']}/oauth2/authorize")
        self.assertEqual([t["groups"] for t in config["tiers"]], [["private", "premium"], ["premium"]])


class IdentityModuleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.m = Module(MODULE)

    def test_variables_and_outputs_are_the_table_ones(self):
        variables = self.m.blocks["variable"]
        for entry in (e for e in IDENTITY["parameters"] if e["terraform"]):
            name = entry["terraform"]
            with self.subTest(variable=name):
                self.assertIn(name, variables)
                if "default" in entry:
                    self.assertEqual(variables[name].get("default"), default(entry))
                elif entry["cloudformation"]:
                    self.assertNotIn("default", variables[name])
                if "allowed" in entry:
                    self.assertIn(json.dumps(entry["allowed"]), variables[name]["validation"][0]["condition"])
        self.assertEqual(sorted(variables), sorted(e["terraform"] for e in IDENTITY["parameters"] if e["terraform"]))
        outputs = self.m.blocks["output"]
        self.assertEqual(sorted(outputs), sorted(o["terraform"] for o in IDENTITY["outputs"]))
        for entry in IDENTITY["outputs"]:
            self.assertIs(outputs[entry["terraform"]].get("sensitive", False), entry.get("sensitive", False), entry["terraform"])

    def test_user_pool_takes_only_admin_created_users_and_is_never_destroyed_by_terraform(self):
        expected = IDENTITY["userPool"]
        pool = self.m.resource("aws_cognito_user_pool", "this")
        self.assertEqual(pool["count"], ref("var.create_user_pool ? 1 : 0"))
        self.assertEqual(pool["admin_create_user_config"], [{"allow_admin_create_user_only": expected["allowAdminCreateUserOnly"]}])
        self.assertEqual(pool["deletion_protection"], expected["deletionProtection"])
        self.assertEqual(pool["user_pool_tier"], expected["tier"])
        self.assertEqual(pool["username_attributes"], expected["usernameAttributes"])
        self.assertEqual(pool["lifecycle"], [{"prevent_destroy": True}])
        self.assertNotIn("lambda_config", pool)

    def test_client_is_code_flow_only_with_revocable_tokens(self):
        expected = IDENTITY["client"]
        client = self.m.resource("aws_cognito_user_pool_client", "edge")
        self.assertEqual(client["allowed_oauth_flows_user_pool_client"], ref("local.knows_site_host"))
        self.assertEqual(client["allowed_oauth_flows"], ref(f"local.knows_site_host ? {json.dumps(expected['allowedOAuthFlows'])} : null"))
        self.assertEqual(client["allowed_oauth_scopes"], ref('local.knows_site_host ? ["openid", "email"] : null'))
        self.assertEqual(client["supported_identity_providers"], expected["supportedIdentityProviders"])
        self.assertEqual(sorted(client["explicit_auth_flows"]), expected["explicitAuthFlows"])
        self.assertIs(client["enable_token_revocation"], expected["enableTokenRevocation"])
        self.assertEqual(client["prevent_user_existence_errors"], expected["preventUserExistenceErrors"])
        self.assertEqual(client["generate_secret"], ref(f'var.client_authentication != "{expected["generateSecretUnless"]}"'))
        self.assertEqual(client["callback_urls"], ref(f'[for host in local.site_hosts : "https://${{host}}{expected["callbackPath"]}"]'))
        self.assertEqual(client["logout_urls"], ref(f'[for host in local.site_hosts : "https://${{host}}{expected["signOutPath"]}"]'))
        self.assertEqual(self.m.blocks["locals"]["site_hosts"], ref("compact([var.alternate_domain_name, var.distribution_domain_name])"))

    def test_one_group_per_tier_and_managed_login_gets_a_style(self):
        groups = self.m.resources("aws_cognito_user_group")
        self.assertEqual(sorted(g["name"] for g in groups.values()), sorted(ref(f"var.{g['tier']}_group_name") for g in IDENTITY["groups"]))
        branding = self.m.resource("aws_cognito_managed_login_branding", "edge")
        self.assertEqual(branding["count"], ref(f"var.create_user_pool && var.managed_login_version == {IDENTITY['managedLoginBranding']['version']} ? 1 : 0"))
        self.assertEqual(branding["client_id"], ref("aws_cognito_user_pool_client.edge[0].id"))
        self.assertIs(branding["use_cognito_provided_values"], IDENTITY["managedLoginBranding"]["useCognitoProvidedValues"])
        domain = self.m.resource("aws_cognito_user_pool_domain", "this")
        self.assertEqual(domain["managed_login_version"], ref("var.managed_login_version"))

    def test_domain_prefix_rule_matches_the_template(self):
        condition = self.m.blocks["variable"]["domain_prefix"]["validation"][0]["condition"]
        shape, reserved = re.findall(r'regex\("([^"]+)"', condition)
        self.assertIn('(var.domain_prefix == "" && !var.create_user_pool)', condition)
        pattern = load()["Parameters"]["DomainPrefix"]["AllowedPattern"]
        for prefix in ("media-example", "a", "my-aws-site", "amazonian", "cognito1", "-media", "media-", "Media"):
            terraform = re.fullmatch(shape, prefix) is not None and re.search(reserved, prefix) is None
            self.assertEqual(terraform, re.fullmatch(pattern, prefix) is not None, prefix)


if __name__ == "__main__":
    unittest.main()
