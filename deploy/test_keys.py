"""The signing keys, both ways: the CloudFront public keys (two slots) and the key group in the
prerequisites (deploy/identity.yaml, deploy/terraform/identity), whose ids the bundle carries,
through every step of a rotation: the group trusts a key before anything can sign with it, and
the bundle's keyGroup is the group CloudFront checks.

Run: .venv-deploy/bin/python -m unittest discover -s deploy -p 'test_*.py'   (make test-deploy)
"""

import json
import os
import re
import subprocess
import unittest

from cfn_eval import RESOURCES, Evaluator, load
from hcl_module import IDENTITY, Module, bare, ref
from wiring import escaped, key_pair

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE_PATH = os.path.join(HERE, "identity.yaml")
KEY_ID = {"A": RESOURCES["SigningPublicKeyA"], "B": RESOURCES["SigningPublicKeyB"]}


def bundle_config(outputs):
    """deploy/edge-config.mjs's config for these stack outputs (a keys-only stack, own Cognito)."""
    script = (
        "import('./deploy/edge-config.mjs').then(({buildConfig}) => console.log(JSON.stringify(buildConfig({"
        "'secret-name': 's', 'secret-region': 'us-east-1', 'private-prefix': '/private/', 'premium-prefix': '/premium/',"
        "lifetime: '3600', 'identity-outputs': 'stdin', 'user-pool-id': 'us-east-1_X', 'client-id': 'x'},"
        "{readFile: () => require('node:fs').readFileSync(0, 'utf8')}))))"
    )
    result = subprocess.run(
        ["node", "--input-type=commonjs", "-e", script],
        input=json.dumps(outputs), capture_output=True, text=True, check=True, cwd=os.path.dirname(HERE),
    )
    return json.loads(result.stdout)


class KeysTemplateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = load(TEMPLATE_PATH)
        cls.resources = cls.t["Resources"]
        cls.pem = {"A": key_pair()[1], "B": key_pair()[1]}

    def stack(self, **given):
        """The keys, the group's items and the outputs for these parameters (no user pool)."""
        evaluator = Evaluator(self.t, {"CreateUserPool": "false", **given})
        keys = {n: r for n, r in self.resources.items() if r["Type"] == "AWS::CloudFront::PublicKey" and evaluator.exists(r)}
        items = evaluator.value(self.resources["SigningKeyGroup"]["Properties"]["KeyGroupConfig"]["Items"])
        outputs = [
            {"OutputKey": name, "OutputValue": evaluator.value(o["Value"])}
            for name, o in self.t["Outputs"].items()
            if evaluator.exists(o)
        ]
        return evaluator, keys, items, outputs

    def test_each_slot_is_a_public_key_with_real_newlines_in_either_form(self):
        for form in (lambda pem: pem, escaped):
            with self.subTest(form=form.__name__):
                evaluator, keys, _, _ = self.stack(PublicKeyPemA=form(self.pem["A"]))
                self.assertEqual(sorted(keys), ["SigningPublicKeyA"])
                encoded = evaluator.value(keys["SigningPublicKeyA"]["Properties"]["PublicKeyConfig"]["EncodedKey"])
                self.assertEqual(encoded, self.pem["A"])
        for slot in "AB":
            self.assertEqual(self.resources[f"SigningPublicKey{slot}"]["Condition"], f"HasKey{slot}")

    def test_every_rotation_step_signs_only_with_a_key_the_group_already_trusts_and_bundles_the_group(self):
        # Defect: the secret could name key B before the key group trusted it. Now the group
        # and its keys are one stack, deployed (and its outputs read) before the site: the key
        # the site signs with is an output of a stack whose group already holds it.
        steps = [
            ({"PublicKeyPemA": self.pem["A"]}, ["A"], "A"),
            ({"PublicKeyPemA": self.pem["A"], "PublicKeyPemB": escaped(self.pem["B"]), "ActiveKey": "B"}, ["A", "B"], "B"),
            ({"PublicKeyPemB": self.pem["B"], "ActiveKey": "B"}, ["B"], "B"),
        ]
        for given, slots, active in steps:
            with self.subTest(slots=slots, active=active):
                _, keys, items, outputs = self.stack(**given)
                self.assertEqual(sorted(keys), [f"SigningPublicKey{s}" for s in slots])
                self.assertEqual(items, [KEY_ID[s] for s in slots])
                by_name = {o["OutputKey"]: o["OutputValue"] for o in outputs}
                self.assertEqual(by_name["ActiveKeyId"], KEY_ID[active])
                self.assertIn(by_name["ActiveKeyId"], items)
                self.assertEqual(by_name["KeyGroupId"], RESOURCES["SigningKeyGroup"])
                # What package.mjs bundles is exactly the group CloudFront checks.
                self.assertEqual(bundle_config(outputs)["keyGroup"], {KEY_ID[s]: self.pem[s] for s in slots})

    def test_the_active_slot_must_be_filled(self):
        for slot in "AB":
            (assertion,) = self.t["Rules"][f"ActiveSlot{slot}"]["Assertions"]
            self.assertEqual(assertion["Assert"], {"Fn::Not": [{"Fn::Equals": [{"Ref": f"PublicKeyPem{slot}"}, ""]}]})

    def test_slot_patterns_take_both_pem_forms_and_refuse_what_is_not_a_public_key(self):
        params = self.t["Parameters"]
        pem = self.pem["A"]
        for slot in "AB":
            pattern = params[f"PublicKeyPem{slot}"]["AllowedPattern"]
            self.assertTrue(re.fullmatch(pattern, pem))
            self.assertTrue(re.fullmatch(pattern, escaped(pem)))
            self.assertTrue(re.fullmatch(pattern, ""))
            for bad in (pem.replace("\n", "\r\n"), pem.replace("A", '"', 1), key_pair()[0]):
                self.assertIsNone(re.fullmatch(pattern, bad))


class KeysModuleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.m = Module(IDENTITY)

    def test_for_each_runs_over_the_slots_terraform_knows_at_plan(self):
        # Defect: keys.tf built the map with `if pem != ""` over values known only after apply
        # (a key generated in the same run) and used it as for_each: "Invalid for_each argument".
        # The old test_terraform.py asserted exactly that form. A map's keys are known at plan.
        keys = self.m.resource("aws_cloudfront_public_key", "signing")
        self.assertEqual(keys["for_each"], ref("var.public_keys"))
        self.assertEqual(keys["encoded_key"], ref("local.public_keys[each.key]"))
        variable = self.m.blocks["variable"]["public_keys"]
        self.assertEqual(variable["type"], ref("map(string)"))
        self.assertIn('contains(["A", "B"], slot)', variable["validation"][0]["condition"])

    def test_the_group_trusts_every_slot_and_its_ids_are_only_read_once_it_does(self):
        group = self.m.resource("aws_cloudfront_key_group", "signing")
        self.assertEqual(group["items"], ref("[for slot in sort(keys(var.public_keys)) : aws_cloudfront_public_key.signing[slot].id]"))
        (precondition,) = group["lifecycle"][0]["precondition"]
        self.assertEqual(precondition["condition"], ref("contains(keys(var.public_keys), var.active_key)"))
        outputs = self.m.blocks["output"]
        for name in ("active_key_id", "public_key_id_a", "public_key_id_b"):
            with self.subTest(output=name):
                self.assertEqual(outputs[name].get("depends_on"), [ref("aws_cloudfront_key_group.signing")])
        self.assertEqual(bare(outputs["active_key_id"]["value"]), "aws_cloudfront_public_key.signing[var.active_key].id")


if __name__ == "__main__":
    unittest.main()
