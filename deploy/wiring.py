"""The one table of wiring expectations (deploy/wiring.json) both deployment tests read.

deploy/test_template.py holds deploy/template.yaml to it, deploy/test_terraform.py holds
deploy/terraform to it: what one deployment must have, the other must have too.
"""

import json
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

with open(os.path.join(HERE, "wiring.json"), encoding="utf-8") as _f:
    WIRING = json.load(_f)


def parameters():
    """(cloudformation name or None, terraform name or None, entry) for every input."""
    return [(p["cloudformation"], p["terraform"], p) for p in WIRING["parameters"]]


def default(entry):
    """An entry's default, with references into the table resolved ({"wiring": "edgeRegions"})."""
    value = entry["default"]
    if isinstance(value, dict) and "wiring" in value:
        return WIRING[value["wiring"]]["default"]
    return value


def cloudformation_default(value):
    """A default as a CloudFormation parameter writes it: a string, a list joined by commas."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def terraform_name(cloudformation_name):
    for cfn, tf, _ in parameters():
        if cfn == cloudformation_name:
            return tf
    raise KeyError(f"{cloudformation_name} is not in deploy/wiring.json's parameters")


def key_pair():
    """A fresh 2048-bit RSA pair as (private PKCS#8 PEM, public SPKI PEM), made by openssl."""
    with tempfile.TemporaryDirectory() as tmp:
        private = os.path.join(tmp, "private.pem")
        subprocess.run(
            ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", private],
            check=True,
            capture_output=True,
        )
        public = subprocess.run(
            ["openssl", "pkey", "-in", private, "-pubout"], check=True, capture_output=True, text=True
        ).stdout
        with open(private, encoding="ascii") as f:
            return f.read(), public


def escaped(pem):
    """The one-line form deploy/README.md passes on the command line: newlines as `\\n`."""
    return pem.replace("\n", "\\n")
