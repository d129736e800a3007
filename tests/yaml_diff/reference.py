"""The reference YAML 1.2 loader of tests/yaml_diff.rs: ruamel.yaml.

Reads a JSON list of YAML texts on stdin and writes a JSON list with, for each text,
{"ok": [document, ...]} or {"error": "message"}. ruamel.yaml runs in its pure-Python
mode (its YAML 1.2 parser, not libyaml) with safe types. Values are tagged so that
nothing is lost on the way through JSON: {"int": "digits"}, {"float": "repr"}
("inf", "-inf", "nan" included), {"str": s}, {"bool": b}, null, {"seq": [...]},
{"map": [[key, value], ...]} in the loaded order, {"bytes": "base64"},
{"timestamp": "iso"}, {"other": "type name"}.
"""

import base64
import datetime
import json
import math
import sys

from ruamel.yaml import YAML


def encode(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": str(int(value))}
    if isinstance(value, float):
        if math.isnan(value):
            return {"float": "nan"}
        if math.isinf(value):
            return {"float": "inf" if value > 0 else "-inf"}
        return {"float": repr(float(value))}
    if isinstance(value, str):
        return {"str": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (datetime.date, datetime.datetime)):
        return {"timestamp": value.isoformat()}
    if isinstance(value, dict):
        return {"map": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return {"seq": [encode(v) for v in value]}
    return {"other": type(value).__name__}


def load(text):
    # A fresh loader each time: one that stopped at an error keeps some of its state.
    yaml = YAML(typ="safe", pure=True)
    try:
        return {"ok": [encode(document) for document in yaml.load_all(text)]}
    except Exception as error:  # every failure of the reference is a result
        first = str(error).strip().splitlines()
        return {"error": f"{type(error).__name__}: {' | '.join(first)}"}


def main():
    texts = json.load(sys.stdin)
    json.dump([load(text) for text in texts], sys.stdout)


if __name__ == "__main__":
    main()
