"""Every resource name both deployments build fits the limit AWS sets for it, for the longest
name they accept: Terraform's `name` variable (its validation), CloudFormation's stack name (128
characters). Limits are deploy/wiring.json's nameLimits.

Run: .venv-deploy/bin/python -m unittest discover -s deploy -p 'test_*.py'   (make test-deploy)
"""

import glob
import os
import re
import unittest

from cfn_eval import Evaluator, load
from hcl_module import TERRAFORM, Module
from wiring import WIRING

HERE = os.path.dirname(os.path.abspath(__file__))
LIMITS = WIRING["nameLimits"]
# The parts of a Terraform name other than var.name, at their longest.
TERRAFORM_PARTS = {"${lower(each.key)}": "a", "${local.function_name}": None}


def longest_name(module):
    """The longest `name` the module's validation admits (a `{0,N}` after one first character)."""
    variable = module.blocks["variable"].get("name")
    if variable is None:
        return None
    condition = variable["validation"][0]["condition"]
    (upper,) = re.findall(r"\^\[a-z0-9\]\[a-z0-9-\]\{0,(\d+)\}\$", condition)
    return 1 + int(upper)


def expand(value, module, longest):
    """A name expression at its longest: var.name, locals and the known parts expanded."""
    text = value.replace("${var.name}", "x" * longest)
    for part, replacement in TERRAFORM_PARTS.items():
        if part in text:
            if replacement is None:  # a local: its own expression, expanded
                replacement = expand(module.blocks["locals"][part[len("${local.") : -1]], module, longest)
            text = text.replace(part, replacement)
    if "${" in text:
        raise AssertionError(f"{value}: a part whose length this test does not know")
    return text


class TerraformNamesTest(unittest.TestCase):
    def test_every_name_fits_for_the_longest_name_variable(self):
        # Defect: `name` allowed 41 characters, but the buckets' bucket_prefix takes at most 37
        # with "-content-" added, and the role's name_prefix at most 38.
        checked = 0
        for folder in sorted({os.path.dirname(p) for p in glob.glob(os.path.join(TERRAFORM, "**", "*.tf"), recursive=True)}):
            module = Module(folder)
            longest = longest_name(module)
            if longest is None:
                continue
            for type_, name, body in module.all_resources():
                for attribute, value in body.items():
                    limit = LIMITS["terraform"].get(f"{type_}.{attribute}")
                    if limit is None or not isinstance(value, str) or "var.name" not in value and "local.function_name" not in value:
                        continue
                    with self.subTest(resource=f"{os.path.relpath(folder, TERRAFORM)}:{type_}.{name}.{attribute}"):
                        self.assertLessEqual(len(expand(value, module, longest)), limit)
                        checked += 1
        self.assertGreaterEqual(checked, 8)

    def test_the_site_hands_the_edge_module_a_name_it_accepts(self):
        site, edge = Module(TERRAFORM), Module(os.path.join(TERRAFORM, "edge"))
        self.assertLessEqual(longest_name(site), longest_name(edge))


class CloudFormationNamesTest(unittest.TestCase):
    def test_every_name_fits_for_the_longest_stack_name(self):
        given = {"AWS::StackName": "x" * LIMITS["cloudformation"]["stackName"]}
        checked = 0
        for path in ("template.yaml", "identity.yaml", "edge-regions.yaml"):
            template = load(os.path.join(HERE, path))
            evaluator = Evaluator(template, given)
            for name, resource in template["Resources"].items():
                for key, limit in LIMITS["cloudformation"].items():
                    type_, _, prop = key.rpartition(".")
                    if resource["Type"] != type_:
                        continue
                    for value in find(resource["Properties"], prop):
                        with self.subTest(template=path, resource=name, property=prop):
                            self.assertLessEqual(len(str(evaluator.value(value))), limit)
                            checked += 1
        self.assertGreaterEqual(checked, 10)


def find(properties, key):
    """Every value of `key` in a resource's properties, at any depth (PublicKeyConfig.Name)."""
    found = []
    if isinstance(properties, dict):
        for k, v in properties.items():
            if k == key and not isinstance(v, (dict, list)) or k == key and isinstance(v, dict) and len(v) == 1:
                found.append(v)
            else:
                found.extend(find(v, key))
    elif isinstance(properties, list):
        for item in properties:
            found.extend(find(item, key))
    return found


if __name__ == "__main__":
    unittest.main()
