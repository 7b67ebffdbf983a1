"""Terraform modules read offline with python-hcl2 (no terraform binary needed): every block of
a folder's .tf files by kind, type and name, as the deploy tests hold them to deploy/wiring.json.
"""

import glob
import os
import re

import hcl2
from hcl2.utils import SerializationOptions

HERE = os.path.dirname(os.path.abspath(__file__))
TERRAFORM = os.path.join(HERE, "terraform")
SITE = TERRAFORM
EDGE = os.path.join(TERRAFORM, "edge")
IDENTITY = os.path.join(TERRAFORM, "identity")
EXAMPLES = os.path.join(TERRAFORM, "examples")
OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)


def parse(path):
    with open(path, encoding="utf-8") as f:
        return hcl2.load(f, serialization_options=OPTIONS)


def ref(expression):
    """An expression as python-hcl2 writes it: `${...}`."""
    return "${" + expression + "}"


def bare(expression):
    """`${x}` -> `x` (a whole-expression interpolation)."""
    return re.sub(r"^\$\{(.*)\}$", r"\1", expression, flags=re.S) if isinstance(expression, str) else expression


class Module:
    """Every block of the .tf files of one folder, by kind, type and name."""

    def __init__(self, folder):
        self.folder = folder
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

    def all_resources(self):
        """(type, name, body) of every resource block."""
        return [(t, n, b) for t, named in self.blocks["resource"].items() for n, b in named.items()]

    def data(self, type_, name):
        return self.blocks["data"][type_][name]

    def required_aws(self):
        (terraform,) = self.terraform
        providers = terraform["required_providers"]
        providers = providers[0] if isinstance(providers, list) else providers
        return terraform, providers["aws"]

    def text(self):
        out = ""
        for path in self.files:
            with open(path, encoding="utf-8") as f:
                out += f.read()
        return out
