"""`make bundle` and `make deploy-package` bootstrap only what building the Lambda@Edge zip
needs, on macOS as on Linux: scripts/bootstrap.sh's BOOTSTRAP=build, run here in a sandbox
whose PATH holds stand-ins that record every call, and no flock(1), as on macOS.

Run: .venv-deploy/bin/python -m unittest discover -s deploy -p 'test_*.py'   (make test-deploy)
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Real tools the script itself uses (shell builtins aside).
REAL = ["bash", "sh", "awk", "grep", "mkdir", "chmod", "cat", "dirname", "id", "perl"]
# What the test bootstrap would reach for and a build must not: a browser through apt, Python.
FORBIDDEN = ["apt-get", "sudo", "python3", "pip", "pip3", "chromium"]


def wasm_bindgen_version():
    with open(os.path.join(ROOT, "Cargo.lock"), encoding="utf-8") as f:
        return re.search(r'name = "wasm-bindgen"\nversion = "([^"]+)"', f.read()).group(1)


class BuildBootstrapTest(unittest.TestCase):
    def test_make_bundle_and_deploy_package_and_only_they_bootstrap_for_the_build(self):
        # Defect: `make deploy-package` went through the test bootstrap (Chromium via apt,
        # checkov, moto, pip into the system Python, flock).
        # A make of our own, not a sub-make of `make test-deploy`'s (no inherited flags or level).
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        make = ["make", "--no-print-directory"]
        database = subprocess.run([*make, "-p", "-n", "-q", "help"], cwd=ROOT, env=env, capture_output=True, text=True).stdout
        targets = sorted(re.findall(r"^([\w-]+): BOOTSTRAP = build$", database, re.M))
        self.assertEqual(targets, ["bundle", "deploy-package"])
        self.assertRegex(database, r"(?m)^pkg: bootstrap$")
        dry = subprocess.run([*make, "-n", "bundle"], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
        self.assertEqual(dry.splitlines()[0], "scripts/bootstrap.sh")
        self.assertIn('PATH="' + ROOT + '/.tools/bin:$PATH" scripts/build-pkg.sh', dry)

    def test_the_build_bootstrap_installs_nothing_else_and_brings_a_flock_where_there_is_none(self):
        with tempfile.TemporaryDirectory() as sandbox:
            stubs = os.path.join(sandbox, "stubs")
            os.makedirs(os.path.join(sandbox, "scripts"))
            os.makedirs(os.path.join(sandbox, "node_modules"))
            os.makedirs(stubs)
            shutil.copy(os.path.join(ROOT, "scripts", "bootstrap.sh"), os.path.join(sandbox, "scripts"))
            for name in ("Cargo.lock", "package-lock.json"):
                shutil.copy(os.path.join(ROOT, name), sandbox)
            with open(os.path.join(sandbox, "node_modules", ".package-lock.json"), "w") as f:
                f.write("{}")  # newer than package-lock.json: npm ci already ran
            log = os.path.join(sandbox, "calls.log")
            answers = {
                "rustup": "echo wasm32-unknown-unknown",
                "wasm-bindgen": f"echo wasm-bindgen {wasm_bindgen_version()}",
                "node": "echo 22",
            }
            for name in ["rustup", "cargo", "wasm-pack", "wasm-bindgen", "npm", "node", "zip", *FORBIDDEN]:
                with open(os.path.join(stubs, name), "w") as f:
                    f.write(f'#!/bin/sh\necho "{name} $*" >>{log}\n{answers.get(name, "exit 0")}\n')
                os.chmod(os.path.join(stubs, name), 0o755)
            for name in REAL:
                os.symlink(shutil.which(name), os.path.join(stubs, name))
            result = subprocess.run(
                ["bash", os.path.join(sandbox, "scripts", "bootstrap.sh")],
                env={"PATH": stubs, "BOOTSTRAP": "build", "HOME": sandbox},
                capture_output=True,
                text=True,
            )
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(log, encoding="utf-8") as f:
                calls = f.read().split("\n")
            for forbidden in FORBIDDEN:
                self.assertFalse([c for c in calls if c.startswith(forbidden + " ")], forbidden)
            self.assertTrue([c for c in calls if c.startswith("rustup target list")])
            shim = os.path.join(sandbox, ".tools", "bin", "flock")
            self.assertTrue(os.access(shim, os.X_OK), result.stderr)
            # The stand-in holds the lock as flock(1) would: another open of the file waits.
            lock = os.path.join(sandbox, "lock")
            probe = f"import fcntl; f = open({lock!r}, 'w'); fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)"
            held = subprocess.run(["bash", "-c", f'exec 9>"$1"; "$2" 9 && "$3" -c "$4"', "-", lock, shim, sys.executable, probe], capture_output=True, text=True)
            self.assertNotEqual(held.returncode, 0)
            self.assertIn("BlockingIOError", held.stderr)
            free = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
            self.assertEqual(free.returncode, 0, free.stderr)  # released with the descriptor

    def test_a_missing_build_tool_is_named_not_installed(self):
        with tempfile.TemporaryDirectory() as sandbox:
            os.makedirs(os.path.join(sandbox, "scripts"))
            shutil.copy(os.path.join(ROOT, "scripts", "bootstrap.sh"), os.path.join(sandbox, "scripts"))
            stubs = os.path.join(sandbox, "stubs")
            os.makedirs(stubs)
            for name in REAL:
                os.symlink(shutil.which(name), os.path.join(stubs, name))
            result = subprocess.run(
                ["bash", os.path.join(sandbox, "scripts", "bootstrap.sh")],
                env={"PATH": stubs, "BOOTSTRAP": "build", "HOME": sandbox},
                capture_output=True,
                text=True,
            )
            self.assertEqual(result.returncode, 1)
            for tool in ("rustup", "node", "zip"):
                self.assertIn(f"bootstrap: {tool} is missing", result.stderr)


if __name__ == "__main__":
    unittest.main()
