#!/usr/bin/env python3
"""Write JSONPath expressions to test gwlint's lua-jsonpath recognizer with.

usage: cases.py OUT.json

Random sequences of the grammar's tokens (most of them invalid) and random
well-formed paths, some with a token inserted; deterministic (seed 7). verdicts.lua
then records what lua-jsonpath's parse says of each.
"""
import json
import random
import sys

ATOMS = ["$", "..", ".", "[", "]", "*", "(", ")", "?(", "@", "@.length", "@.a", "@['x']",
         "'q'", '"qq"', "name", "team", "0", "-1", "1.5", "1e3", "0x1F", ":", ",", " ", "==",
         "=", "!=", "<>", "<", "<=", ">", ">=", "&&", "||", "and", "OR", "+", "-", "*", "/",
         "%", "true", "FALSE", "a_b", "\\"]
STEPS = [".name", "..team", ".*", "[*]", "[0]", "[0,1]", "[1:2]", "[:3:1]", "['k']",
         "[?(@.a>1)]", "[?(@.a && @['b']=='x')]", "[(@.length-1)]", "..[0]", ".0", ".-1"]
KNOWN = ["team", "$..team", "$.orgs..team", "$..([invalid", "$..book[?(@.price<10)]",
         "$..book[(@.length-1)]", "$['a]b'][0]", "$..book[-1:]", "$..book[0,1]",
         "$..book[:2]", "$.store.*", " $..team ", ""]


def main() -> None:
    random.seed(7)
    cases = set(KNOWN)
    for _ in range(6000):
        cases.add("".join(random.choice(ATOMS) for _ in range(random.randint(1, 7))))
    for _ in range(3000):
        path = "$" + "".join(random.choice(STEPS) for _ in range(random.randint(0, 4)))
        if random.random() < 0.3:
            at = random.randint(0, len(path))
            path = path[:at] + random.choice(ATOMS) + path[at:]
        cases.add(path)
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(sorted(cases), out)


if __name__ == "__main__":
    main()
