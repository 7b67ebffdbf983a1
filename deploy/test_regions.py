"""The edge regions' nested stack, deploy/edge-regions.yaml: a stack set that puts, in each
region besides us-east-1 where Lambda@Edge runs the function, the replica of the secret's
multi-Region key and the function's log group with a retention; with self-managed permissions
that reach nothing else.

Run: .venv-deploy/bin/python -m unittest discover -s deploy -p 'test_*.py'   (make test-deploy)
"""

import os
import re
import unittest
from pathlib import Path

from cfnlint.api import ManualArgs, lint, lint_file

from cfn_eval import ATTRIBUTES, RESOURCES, Evaluator, load
from wiring import WIRING

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE_PATH = os.path.join(HERE, "edge-regions.yaml")
EDGE_REGIONS = WIRING["edgeRegions"]["default"]
PRIMARY_KEY_ARN = ATTRIBUTES[("EdgeSecretKey", "Arn")]
GIVEN = {
    "PrimaryKeyArn": PRIMARY_KEY_ARN,
    "FunctionLogGroupName": RESOURCES["EdgeFunctionLogGroup"],
    "RetentionInDays": 30,
    "Regions": EDGE_REGIONS,
}


class EdgeRegionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = load(TEMPLATE_PATH)
        cls.resources = cls.t["Resources"]
        refs = {"AdministrationRole": "admin", "ExecutionRole": "exec"}  # what Ref of a role returns: its name
        cls.evaluator = Evaluator(cls.t, {**GIVEN, **refs}, attributes={
            ("AdministrationRole", "Arn"): "arn:aws:iam::123456789012:role/admin",
            ("ExecutionRole", "Arn"): "arn:aws:iam::123456789012:role/exec",
        })
        cls.stack_set = cls.resources["RegionStacks"]["Properties"]

    def test_cfn_lint_finds_nothing_in_the_stack_nor_in_the_stack_each_region_gets(self):
        matches = lint_file(Path(TEMPLATE_PATH), config=ManualArgs(regions=["us-east-1"]))
        self.assertEqual([str(m) for m in matches], [])
        regional = lint(self.stack_set["TemplateBody"], regions=EDGE_REGIONS)
        self.assertEqual([str(m) for m in regional], [])

    def test_every_edge_region_of_this_account_gets_one_stack(self):
        evaluated = self.evaluator.value(self.stack_set)
        self.assertEqual(evaluated["PermissionModel"], "SELF_MANAGED")
        (instances,) = evaluated["StackInstancesGroup"]
        self.assertEqual(instances, {"DeploymentTargets": {"Accounts": [RESOURCES["AWS::AccountId"]]}, "Regions": EDGE_REGIONS})
        self.assertEqual(evaluated["OperationPreferences"]["FailureToleranceCount"], 0)  # one region failing fails the deploy
        self.assertEqual(
            {p["ParameterKey"]: p["ParameterValue"] for p in evaluated["Parameters"]},
            {k: v for k, v in GIVEN.items() if k != "Regions"},
        )
        # The parent's secret waits for this output, so each replica finds its key.
        self.assertEqual(self.evaluator.value(self.t["Outputs"]["ReplicaKeyId"]["Value"]), RESOURCES["EdgeSecretKey"])
        self.assertEqual(ATTRIBUTES[("EdgeRegionStacks", "Outputs.ReplicaKeyId")], RESOURCES["EdgeSecretKey"])

    def test_each_region_gets_the_key_replica_and_the_log_group_with_a_retention(self):
        regional = load_body(self.stack_set["TemplateBody"])
        resources = regional["Resources"]
        self.assertEqual(sorted(r["Type"] for r in resources.values()), ["AWS::KMS::ReplicaKey", "AWS::Logs::LogGroup"])
        (key,) = (r["Properties"] for r in resources.values() if r["Type"] == "AWS::KMS::ReplicaKey")
        self.assertEqual(key["PrimaryKeyArn"], {"Ref": "PrimaryKeyArn"})
        (statement,) = key["KeyPolicy"]["Statement"]
        self.assertEqual(statement["Principal"], {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}})
        (group,) = (r["Properties"] for r in resources.values() if r["Type"] == "AWS::Logs::LogGroup")
        self.assertEqual(group, {"LogGroupName": {"Ref": "FunctionLogGroupName"}, "RetentionInDays": {"Ref": "RetentionInDays"}})

    def test_the_execution_role_reaches_only_this_stack_sets_stacks_key_and_log_group(self):
        role = self.evaluator.value(self.resources["ExecutionRole"]["Properties"])
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        self.assertEqual(trust["Principal"], {"AWS": "arn:aws:iam::123456789012:role/admin"})
        statements = {s["Sid"]: s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]}
        stack_set_name = self.evaluator.value(self.stack_set["StackSetName"])
        self.assertEqual(statements["ManageThisStackSetsStacks"]["Resource"], f"arn:aws:cloudformation:*:123456789012:stack/StackSet-{stack_set_name}-*/*")
        self.assertEqual(statements["ReplicateTheSecretKey"]["Resource"], PRIMARY_KEY_ARN)
        self.assertEqual(statements["ManageTheReplicaKeys"]["Resource"], f"arn:aws:kms:*:123456789012:key/{RESOURCES['EdgeSecretKey']}")
        self.assertNotIn("kms:Decrypt", statements["ManageTheReplicaKeys"]["Action"])  # manages keys, never reads the secret
        group = RESOURCES["EdgeFunctionLogGroup"]
        self.assertEqual(
            statements["ManageTheFunctionsLogGroups"]["Resource"],
            [f"arn:aws:logs:*:123456789012:log-group:{group}", f"arn:aws:logs:*:123456789012:log-group:{group}:*"],
        )
        wide = [s["Sid"] for s in statements.values() if s["Resource"] == "*"]
        self.assertEqual(sorted(wide), ["CreateReplicaKeys", "ListLogGroups", "ReadStackSetTemplates"])  # no narrower resource exists
        admin = self.evaluator.value(self.resources["AdministrationRole"]["Properties"])
        (trust,) = admin["AssumeRolePolicyDocument"]["Statement"]
        self.assertEqual(trust["Principal"], {"Service": "cloudformation.amazonaws.com"})
        self.assertEqual(trust["Condition"], {"StringEquals": {"aws:SourceAccount": "123456789012"}})
        (assume,) = self.evaluator.value(self.resources["AdministrationPolicy"]["Properties"])["PolicyDocument"]["Statement"]
        self.assertEqual((assume["Action"], assume["Resource"]), ("sts:AssumeRole", "arn:aws:iam::123456789012:role/exec"))

    def test_the_parameters_accept_what_the_parent_passes(self):
        params = self.t["Parameters"]
        self.assertTrue(re.fullmatch(params["PrimaryKeyArn"]["AllowedPattern"], PRIMARY_KEY_ARN))
        self.assertTrue(re.fullmatch(params["FunctionLogGroupName"]["AllowedPattern"], RESOURCES["EdgeFunctionLogGroup"]))
        parent = load(os.path.join(HERE, "template.yaml"))["Parameters"]
        self.assertEqual(params["RetentionInDays"]["AllowedValues"], parent["FunctionLogRetentionDays"]["AllowedValues"])


def load_body(text):
    """The TemplateBody, read as CloudFormation reads a template."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(text)
    try:
        return load(f.name)
    finally:
        os.unlink(f.name)


if __name__ == "__main__":
    unittest.main()
