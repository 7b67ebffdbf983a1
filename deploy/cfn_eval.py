"""CloudFormation templates read as CloudFormation reads them (cfn-lint's decoder), and the
intrinsic functions our templates use, evaluated for given parameters: what the deploy tests
hold to deploy/wiring.json is the value a stack would have, not the text of the template.
"""

import json
import os
import re

from cfnlint.decode import decode

HERE = os.path.dirname(os.path.abspath(__file__))

# What `!Ref` / `!GetAtt` return once a stack exists, and the pseudo parameters.
STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/media/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
RESOURCES = {
    "EdgeSecret": "arn:aws:secretsmanager:us-east-1:123456789012:secret:cloudfront-edge-auth/keys-AbCdEf",
    "EdgeSecretKey": "mrk-0123456789abcdef0123456789abcdef",
    "EdgeFunction": "media-EdgeFunction-AbCdEf012345",
    "EdgeFunctionVersion": "arn:aws:lambda:us-east-1:123456789012:function:media-EdgeFunction-AbCdEf012345:7",
    "EdgeFunctionLogGroup": "/aws/lambda/us-east-1.media-EdgeFunction-AbCdEf012345",
    "EdgeFunctionRole": "media-EdgeFunctionRole-AbCdEf012345",
    "SigningPublicKeyA": "K2AAAAAAAAAAAA",
    "SigningPublicKeyB": "K2BBBBBBBBBBBB",
    "SigningKeyGroup": "8ee7a0d0-1234-4e5f-9a0b-0123456789ab",
    "UserPool": "us-east-1_AbCdEf",
    "UserPoolClient": "1example23456789",
    "AWS::Region": "us-east-1",
    "AWS::Partition": "aws",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "media",
    "AWS::StackId": STACK_ID,
}
ATTRIBUTES = {
    ("Distribution", "DomainName"): "d111111abcdef8.cloudfront.net",
    ("EdgeSecretKey", "Arn"): "arn:aws:kms:us-east-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef",
    ("EdgeFunctionRole", "Arn"): "arn:aws:iam::123456789012:role/media-EdgeFunctionRole-AbCdEf012345",
    # The nested stack's outputs, as deploy/edge-regions.yaml computes them (test_regions.py).
    ("EdgeRegionStacks", "Outputs.ReplicaKeyId"): "mrk-0123456789abcdef0123456789abcdef",
    ("EdgeRegionStacks", "Outputs.Regions"): "us-east-2,us-west-2",
}


def load(path):
    """A template as plain data (cfn-lint's node classes turned into dicts, lists and str)."""
    template, errors = decode(path)
    if errors:
        raise AssertionError(f"{os.path.basename(path)} does not parse: {errors}")
    return json.loads(json.dumps(template, default=str))


class Evaluator:
    """CloudFormation's intrinsics as far as our templates use them, for given parameters.

    A list item that is `AWS::NoValue` is dropped, as CloudFormation drops it; a property that
    is `AWS::NoValue` evaluates to None (absent)."""

    def __init__(self, template, given, attributes=None):
        self.template = template
        self.params = {}
        for name, p in template.get("Parameters", {}).items():
            default = p.get("Default")
            if p.get("Type") == "CommaDelimitedList" and isinstance(default, str):
                default = default.split(",")
            self.params[name] = default
        self.params.update(RESOURCES)
        self.params.update(given)
        for name, p in template.get("Parameters", {}).items():  # a list given as "a,b", as the CLI does
            if p.get("Type") == "CommaDelimitedList" and isinstance(self.params[name], str):
                self.params[name] = self.params[name].split(",")
        self.params["AWS::NoValue"] = None
        self.attributes = {**ATTRIBUTES, **(attributes or {})}

    def condition(self, name):
        return self.value(self.template["Conditions"][name])

    def exists(self, resource):
        """Whether a resource (or output) with a Condition is created for these parameters."""
        condition = resource.get("Condition")
        return condition is None or self.condition(condition)

    def value(self, node):
        if isinstance(node, list):
            return [v for v in (self.value(n) for n in node) if v is not None]
        if not isinstance(node, dict):
            return node
        if len(node) != 1 or not next(iter(node)).startswith(("Fn::", "Ref", "Condition")):
            return {key: self.value(value) for key, value in node.items()}  # a plain mapping
        ((fn, arg),) = node.items()
        if fn == "Ref":
            if arg in self.params:
                return self.params[arg]
            raise AssertionError(f"Ref {arg} is not evaluated here")
        if fn == "Fn::GetAtt":
            key = tuple(arg) if isinstance(arg, list) else tuple(arg.split(".", 1))
            if key in self.attributes:
                return self.attributes[key]
            raise AssertionError(f"GetAtt {arg} is not evaluated here")
        if fn == "Condition":
            return self.condition(arg)
        if fn == "Fn::If":
            name, yes, no = arg
            return self.value(yes if self.condition(name) else no)
        if fn == "Fn::Equals":
            a, b = (self.value(x) for x in arg)
            return str(a) == str(b)
        if fn == "Fn::Not":
            return not self.value(arg[0])
        if fn == "Fn::And":
            return all(self.value(x) for x in arg)
        if fn == "Fn::Or":
            return any(self.value(x) for x in arg)
        if fn == "Fn::Join":
            delimiter, items = arg
            return delimiter.join(str(v) for v in self.value(items))
        if fn == "Fn::Split":
            delimiter, source = arg
            return self.value(source).split(delimiter)
        if fn == "Fn::Select":
            index, items = arg
            return self.value(items)[int(self.value(index))]
        if fn == "Fn::Sub":
            text, names = (arg, {}) if isinstance(arg, str) else (arg[0], {k: self.value(v) for k, v in arg[1].items()})
            values = {**self.params, **names}

            def substitute(match):
                name = match.group(1)
                if name in values:
                    return str(values[name])
                if "." in name:  # ${Resource.Attribute}
                    return str(self.value({"Fn::GetAtt": name.split(".", 1)}))
                raise AssertionError(f"Sub ${{{name}}} is not evaluated here")

            return re.sub(r"\$\{([A-Za-z0-9:.]+)\}", substitute, text)
        raise AssertionError(f"{fn} is not evaluated here")
