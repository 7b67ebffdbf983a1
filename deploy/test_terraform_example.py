"""The example root deploy/terraform/examples/complete, read offline with python-hcl2: it calls
the identity (prerequisites) module and the site module with the right providers, hands the
prerequisites' outputs on to the site and to deploy/package.mjs, and keeps every secret out of
the state, the plan and git.

Run: .venv-deploy/bin/python -m unittest discover -s deploy -p 'test_*.py'   (make test-deploy)
"""

import glob
import os
import subprocess
import unittest

from hcl_module import EXAMPLES, IDENTITY, SITE, Module, bare, ref
from wiring import WIRING

HERE = os.path.dirname(os.path.abspath(__file__))
COMPLETE = os.path.join(EXAMPLES, "complete")


class ExampleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.example = Module(COMPLETE)
        cls.modules = cls.example.blocks["module"]

    def test_example_roots_call_the_modules_with_their_providers(self):
        # The site module takes both providers; the identity module one, in us-east-1.
        expected = {SITE: {"aws": "aws", "aws.us_east_1": "aws.us_east_1"}, IDENTITY: {"aws": "aws.us_east_1"}}
        folders = sorted({os.path.dirname(p) for p in glob.glob(os.path.join(EXAMPLES, "*", "*.tf"))})
        self.assertTrue(folders, "no example root under deploy/terraform/examples")
        for folder in folders:
            with self.subTest(example=os.path.relpath(folder, HERE)):
                calls = Module(folder).blocks["module"].values()
                sources = [os.path.normpath(os.path.join(folder, call["source"])) for call in calls]
                self.assertIn(SITE, sources)
                for source, call in zip(sources, calls):
                    self.assertIn(source, expected)
                    self.assertEqual({bare(k): bare(v) for k, v in call["providers"].items()}, expected[source])

    def test_the_site_signs_with_the_key_the_prerequisites_group_trusts(self):
        identity, site = self.modules["identity"], self.modules["edge_auth"]
        self.assertNotIn("count", identity)  # the keys are always there, the pool optional
        self.assertEqual(identity["create_user_pool"], ref("var.create_user_pool"))
        self.assertEqual(site["key_group_id"], ref("module.identity.key_group_id"))
        self.assertEqual(site["signing_key_id"], ref("module.identity.active_key_id"))
        # The identity module's client secret reaches the site module inside Terraform only:
        # `terraform output -json` (what package.mjs reads) would show a root output in clear.
        self.assertEqual(site["client_secret"], ref("var.create_user_pool ? module.identity.client_secret : var.client_secret"))

    def test_package_mjs_gets_every_prerequisite_output_but_the_secret(self):
        outputs = self.example.blocks["output"]
        for entry in WIRING["identity"]["outputs"]:
            with self.subTest(output=entry["terraform"]):
                if entry.get("sensitive"):
                    self.assertNotIn(entry["terraform"], outputs)
                else:
                    self.assertEqual(outputs[entry["terraform"]]["value"], ref(f"module.identity.{entry['terraform']}"))

    def test_no_secret_reaches_the_state_or_a_plan(self):
        # Defect: tls_private_key and random_bytes kept the private key and the session secret
        # in the state, and the example had no backend, so the state sat in the working tree.
        terraform, _ = self.example.required_aws()
        self.assertEqual(terraform["required_version"], ">= 1.11.0")  # ephemeral + write-only
        variables = self.example.blocks["variable"]
        for name in ("private_key_pem", "session_secret", "previous_session_secret", "client_secret"):
            with self.subTest(variable=name):
                self.assertIs(variables[name].get("ephemeral"), True)
                self.assertIs(variables[name].get("sensitive"), True)
                self.assertEqual(self.modules["edge_auth"].get(name, ref(f"var.{name}")).count(f"var.{name}"), 1)
        self.assertNotIn("tls_private_key", self.example.blocks["resource"])
        self.assertNotIn("random_bytes", self.example.blocks["resource"])
        self.assertIn('backend "s3"', self.example.text())  # shown, for the operator to fill in

    def test_git_ignores_the_keys_the_state_and_plans(self):
        # Defect: .gitignore lacked keys/ (deploy/README.md's key folder), *.tfstate*, tfplan and
        # .terraform/, so a `git add -A` after a deploy committed a private key.
        root = os.path.dirname(HERE)
        for path in (
            "keys/private_key.pem",
            "keys/next/private_key.pem",
            "keys/session_secret",
            "deploy/terraform/examples/complete/terraform.tfstate",
            "deploy/terraform/examples/complete/terraform.tfstate.backup",
            "deploy/terraform/examples/complete/.terraform/terraform.tfstate",
            "deploy/terraform/examples/complete/tfplan",
            "deploy/out/identity.json",
        ):
            with self.subTest(path=path):
                ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=root)
                self.assertEqual(ignored.returncode, 0, f"{path} is not ignored by .gitignore")
        # Only the repository's own keys/ folder: the core's key parsing lives in src/keys/.
        for path in ("src/keys/mod.rs", "src/keys/new_file.rs"):
            with self.subTest(path=path):
                ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=root)
                self.assertEqual(ignored.returncode, 1, f"{path} is ignored by .gitignore")


if __name__ == "__main__":
    unittest.main()
