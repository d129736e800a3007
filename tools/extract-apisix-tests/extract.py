#!/usr/bin/env python3
"""Extract conformance cases from Apache APISIX's own test suite and plugin docs.

Usage:
    python3 tools/extract-apisix-tests/extract.py APISIX_SOURCE_TREE [--out fixtures/conformance/apisix-extra]

APISIX_SOURCE_TREE is an unpacked apache/apisix tree (see README.md for the commit).
Writes, deterministically (same tree in, same bytes out):

    OUT/standalone/<stem>--<NN>-<slug>.{yaml,json}   standalone configuration files
    OUT/standalone/cases.jsonl                       their index
    OUT/cases.jsonl                                  plugin/Admin schema-check cases
    OUT/docs-cases.jsonl                             valid examples from docs/en/latest/plugins
    OUT/stats.json                                   counts per source, skips and their reasons

Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
from pathlib import Path

# --------------------------------------------------------------------------- .t files

BLOCK_RE = re.compile(r"^=== (.*)$", re.M)
SECTION_RE = re.compile(r"^--- (\w+)(.*)$")


class Block:
    def __init__(self, number: int, title: str):
        self.number = number
        self.title = title
        self.sections: dict[str, tuple[str, str]] = {}

    def text(self, name: str) -> str | None:
        entry = self.sections.get(name)
        return None if entry is None else entry[1]

    def modifiers(self, name: str) -> str:
        entry = self.sections.get(name)
        return "" if entry is None else entry[0].strip()


def parse_t(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8", errors="replace")
    data = text.split("\n__DATA__\n", 1)
    if len(data) != 2:
        return []
    blocks: list[Block] = []
    current: Block | None = None
    section: str | None = None
    lines: list[str] = []

    def flush() -> None:
        if current is not None and section is not None:
            mods, _ = current.sections[section]
            current.sections[section] = (mods, "\n".join(lines))

    for line in data[1].split("\n"):
        if line.startswith("=== "):
            flush()
            title = line[4:].strip()
            m = re.match(r"TEST (\d+)", title)
            number = int(m.group(1)) if m else len(blocks) + 1
            current = Block(number, title)
            blocks.append(current)
            section, lines = None, []
            continue
        m = SECTION_RE.match(line)
        if m and current is not None:
            flush()
            section = m.group(1)
            rest = m.group(2)
            # `--- error_code: 400` keeps its value on the same line.
            if rest.startswith(":"):
                current.sections[section] = ("", rest[1:].strip())
                section, lines = None, []
                continue
            current.sections[section] = (rest, "")
            lines = []
            continue
        if section is not None:
            lines.append(line)
    flush()
    for block in blocks:
        for name, (mods, body) in list(block.sections.items()):
            block.sections[name] = (mods, body.rstrip("\n").rstrip())
    return blocks


# --------------------------------------------------------------------------- Lua literals


class Unconvertible(Exception):
    pass


EMPTY = object()  # an empty Lua table: object or array, JSON cannot tell

TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>--\[(?P<ceq>=*)\[.*?\](?P=ceq)\]|--[^\n]*)
  | (?P<long>\[(?P<leq>=*)\[.*?\](?P=leq)\])
  | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<num>0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\.\.\.|\.\.|==|~=|<=|>=|[{}\[\]=,;().:+\-*/%^#<>])
    """,
    re.X | re.S,
)

LUA_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a",
               "b": "\b", "f": "\f", "v": "\v", "\n": "\n"}


def lua_string(raw: str) -> str:
    if raw.startswith("["):
        eq = re.match(r"\[(=*)\[", raw).group(1)
        body = raw[len(eq) + 2: -(len(eq) + 2)]
        return body[1:] if body.startswith("\n") else body
    body = raw[1:-1]
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = body[i + 1]
        if n in LUA_ESCAPES:
            out.append(LUA_ESCAPES[n])
            i += 2
        elif n.isdigit():
            m = re.match(r"\d{1,3}", body[i + 1:])
            code = int(m.group(0))
            if code > 127:
                raise Unconvertible("byte escape above ASCII")
            out.append(chr(code))
            i += 1 + len(m.group(0))
        else:
            raise Unconvertible(f"escape \\{n}")
    return "".join(out)


def tokenize(text: str, start: int):
    pos = start
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise Unconvertible(f"cannot tokenize at {text[pos:pos + 20]!r}")
        pos = m.end()
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        if kind in ("ceq", "leq"):
            kind = "long" if m.group("long") else "comment"
            if kind == "comment":
                continue
        yield kind, m.group(0), m.start(), m.end()


class LuaParser:
    """Parses one Lua table constructor (literals only) into Python values."""

    def __init__(self, text: str, start: int):
        self.tokens = tokenize(text, start)
        self.peeked = None
        self.end = start

    def peek(self):
        if self.peeked is None:
            try:
                self.peeked = next(self.tokens)
            except StopIteration:
                self.peeked = ("eof", "", -1, -1)
        return self.peeked

    def take(self):
        tok = self.peek()
        self.peeked = None
        self.end = tok[3]
        return tok

    def value(self, nested: bool):
        kind, text, _, _ = self.take()
        if kind in ("str", "long"):
            return lua_string(text)
        if kind == "num":
            return number(text)
        if kind == "op" and text == "-":
            k2, t2, _, _ = self.take()
            if k2 != "num":
                raise Unconvertible("unary minus on a non-number")
            return -number(t2)
        if kind == "name":
            if text == "true":
                return True
            if text == "false":
                return False
            raise Unconvertible(f"name {text}")
        if kind == "op" and text == "{":
            return self.table(nested)
        raise Unconvertible(f"token {text}")

    def table(self, nested: bool):
        keyed: dict = {}
        positional: list = []
        while True:
            kind, text, _, _ = self.peek()
            if kind == "op" and text == "}":
                self.take()
                break
            if kind == "op" and text == "[":
                self.take()
                k = self.value(True)
                if not isinstance(k, str):
                    raise Unconvertible("non-string key")
                self.expect("]")
                self.expect("=")
                keyed[k] = self.item()
            elif kind == "name" and text not in ("true", "false", "nil"):
                self.take()
                nk, nt, _, _ = self.peek()
                if nk == "op" and nt == "=":
                    self.take()
                    if text in keyed:
                        raise Unconvertible("duplicate key")
                    keyed[text] = self.item()
                else:
                    raise Unconvertible(f"variable {text}")
            else:
                positional.append(self.item())
            kind, text, _, _ = self.take()
            if kind == "op" and text in (",", ";"):
                continue
            if kind == "op" and text == "}":
                break
            raise Unconvertible(f"expression continues with {text}")
        if keyed and positional:
            raise Unconvertible("mixed table")
        if positional:
            return positional
        if keyed:
            return keyed
        return EMPTY

    def item(self):
        v = self.value(True)
        if v is EMPTY:
            raise Unconvertible("nested empty table (object or array?)")
        return v

    def expect(self, want: str):
        kind, text, _, _ = self.take()
        if text != want:
            raise Unconvertible(f"expected {want}, got {text}")


def number(text: str):
    if text.lower().startswith("0x"):
        raise Unconvertible("hex number")
    if re.fullmatch(r"\d+", text):
        return int(text)
    return float(text)


def lua_table_at(text: str, start: int):
    """The table literal starting at `text[start] == '{'` and the offset after it."""
    parser = LuaParser(text, start)
    v = parser.value(False)
    if v is EMPTY:
        v = {}
    if not isinstance(v, (dict, list)):
        raise Unconvertible("not a table")
    return v, parser.end


# --------------------------------------------------------------------------- shared helpers

PLUGIN_DIR_NAMES: set[str] = set()
STREAM_PLUGIN_NAMES: set[str] = set()
DEFAULT_PLUGINS: set[str] = set()
DEFAULT_STREAM_PLUGINS: set[str] = set()


def load_plugin_lists(root: Path) -> None:
    PLUGIN_DIR_NAMES.update(p.stem for p in (root / "apisix/plugins").glob("*.lua"))
    STREAM_PLUGIN_NAMES.update(p.stem for p in (root / "apisix/stream/plugins").glob("*.lua"))
    text = (root / "apisix/cli/config.lua").read_text()
    m = re.search(r"\n  plugins = \{(.*?)\n  \},", text, re.S)
    DEFAULT_PLUGINS.update(re.findall(r'^\s*"([\w-]+)",', m.group(1), re.M))
    m = re.search(r"stream_plugins = \{(.*?)\}", text, re.S)
    DEFAULT_STREAM_PLUGINS.update(re.findall(r'"([\w-]+)"', m.group(1)))


def slug(text: str, limit: int = 48) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:limit].rstrip("-") or "block"


def test_plugin(rel: str) -> str | None:
    """The plugin a test file is about, from its path (t/plugin/limit-count2.t -> limit-count)."""
    parts = rel.split("/")
    if len(parts) >= 3 and parts[1] in ("plugin", "stream-plugin"):
        candidates = [parts[-1][:-2]]
        if len(parts) >= 4:
            candidates.append(parts[2])
        known = PLUGIN_DIR_NAMES | STREAM_PLUGIN_NAMES
        for stem in candidates:
            best = None
            for name in known:
                if stem == name or stem.startswith(name + "-") or stem.startswith(name + "2") or \
                        re.fullmatch(re.escape(name) + r"[-_]?\d*[a-z-]*", stem):
                    if best is None or len(name) > len(best):
                        best = name
            if best:
                return best
    return None


def plugins_in(config) -> list[str]:
    if isinstance(config, dict) and isinstance(config.get("plugins"), dict):
        return list(config["plugins"])
    return []


RESOURCES = {
    "routes": "route",
    "upstreams": "upstream",
    "services": "service",
    "consumers": "consumer",
    "consumer_groups": "consumer_group",
    "global_rules": "global_rule",
    "plugin_configs": "plugin_config",
    "stream_routes": "stream_route",
    "ssls": "ssl",
}


def admin_kind(url: str):
    """(kind, extra fields) of an Admin API path, or None when it is not a resource body."""
    path = re.sub(r"^https?://[^/]+", "", url).split("?")[0]
    m = re.match(r"^/apisix/admin/([a-z_]+)(?:/([^/]+))?(?:/([a-z_]+)(?:/([^/]+))?)?/?$", path)
    if not m:
        return None
    res, ident, sub, _ = m.groups()
    if res == "plugin_metadata" and ident and not sub:
        return "plugin", {"schema_type": "metadata", "plugin": ident}
    if res == "consumers" and sub == "credentials" and ident:
        return "credential", {"consumer": ident}
    if sub or res not in RESOURCES:
        return None
    return RESOURCES[res], {}


RUNTIME_ERRORS = [
    (re.compile(r"cache_zone|cache zone|\bzone\b", re.I),
     "proxy-cache zones are declared in config.yaml, not in the gateway configuration"),
    (re.compile(r"create_time|update_time", re.I),
     "the Admin API forbids `create_time`/`update_time` in request bodies; a standalone file is not "
     "sent through the Admin API"),
    (re.compile(r"failed to fetch|not found|does not exist|not exist", re.I),
     "refers to an object (upstream, service, consumer, plugin config, secret...) that the test "
     "created or deleted in another block; existence is state, not configuration"),
    (re.compile(r"wrong \w+ id|id mismatch|mismatched|ID in body|wrong route id", re.I),
     "the id in the Admin API URL and the id in the body differ; the case does not carry the URL"),
    (re.compile(r"create_time|update_time", re.I),
     "the Admin API forbids `create_time`/`update_time` in request bodies; a standalone file is not "
     "sent through the Admin API"),
    (re.compile(r"group conf mismatched|group .* conflict", re.I),
     "limit-count `group` must have the same configuration everywhere it is used: state across routes"),
    (re.compile(r"cache_zone|zone", re.I),
     "proxy-cache zones are declared in config.yaml, not in the gateway configuration"),
    (re.compile(r"duplicate|already exist", re.I),
     "conflict with an object stored by another block"),
    (re.compile(r"is not enabled|not enabled", re.I),
     "depends on which plugins config.yaml enables"),
    (re.compile(r"failed to resolve|dns|domain", re.I),
     "depends on DNS resolution at runtime"),
    (re.compile(r"secret|vault|\$env://", re.I),
     "depends on a secret manager or environment variable resolved at runtime"),
]


TITLE_REASONS = [
    (re.compile(r"invalid string id|id in uri|missing .*\bid\b|id mismatch|wrong id", re.I),
     "the id in the Admin API URL is what APISIX rejects (or checks against the body); the case "
     "does not carry the URL"),
    (re.compile(r"create_time|update_time", re.I),
     "the Admin API forbids `create_time`/`update_time` in request bodies; a standalone file is not "
     "sent through the Admin API"),
    (re.compile(r"\bttl\b", re.I),
     "the Admin API's `ttl` query argument is rejected, not the configuration"),
    (re.compile(r"disabled stream|stream model|stream mode", re.I),
     "stream routes are refused because the test's config.yaml disables the stream proxy"),
    (re.compile(r"cache.?zone", re.I),
     "proxy-cache zones are declared in config.yaml, not in the gateway configuration"),
]


def runtime_reason(error: str | None, plugins: list[str], title: str = "") -> str | None:
    for pattern, reason in TITLE_REASONS:
        if pattern.search(title):
            return reason
    if not error:
        return None
    if "unknown plugin" in error or "unknown stream plugin" in error:
        names = re.findall(r"unknown (?:stream )?plugin \[?([\w-]+)", error)
        known = PLUGIN_DIR_NAMES | STREAM_PLUGIN_NAMES
        if names and all(n not in known for n in names):
            return None  # truly not an APISIX plugin: decidable
        return "the plugin exists in APISIX but is not enabled in the test's config.yaml (`plugins:` list)"
    for pattern, reason in RUNTIME_ERRORS:
        if pattern.search(error):
            return reason
    return None


# --------------------------------------------------------------------------- schema cases


CALL_RE = re.compile(
    r"local\s+(\w+)\s*,\s*(\w+)\s*=\s*([\w.]+|require\s*\(?\s*[\"'][\w.-]+[\"']\s*\)?)\s*\.\s*check_schema\s*\(")
REQUIRE_RE = re.compile(r"local\s+(\w+)\s*=\s*require\s*\(?\s*[\"']apisix\.(stream\.)?plugins\.([\w-]+)[\"']\s*\)?")
ADMIN_CALL_RE = re.compile(
    r"\bt\s*\(\s*(['\"])(/apisix/admin/[^'\"]*)\1\s*,\s*ngx\.HTTP_(\w+)\s*(,)?", re.S)


def norm(code: str) -> str:
    code = re.sub(r"--[^\n]*", "", code)
    return re.sub(r"\s+", " ", code).strip()


def response_lines(block: Block) -> list[str] | None:
    body = block.text("response_body")
    if body is None:
        return None
    mods = block.modifiers("response_body")
    if "eval" in mods:
        return None
    return body.split("\n")


def schema_case(rel: str, block: Block, config: str):
    """A direct `plugin.check_schema(...)` block, as (case, skip reason)."""
    calls = list(CALL_RE.finditer(config))
    if not calls:
        return None, None
    if len(calls) != 1 or config.count("check_schema") != 1:
        return None, "several check_schema calls in one block"
    call = calls[0]
    ok_name, err_name, target = call.group(1), call.group(2), call.group(3)
    before = config[: call.start()]
    if re.search(r"\bfor\b[^\n]*\bdo\b", before):
        return None, "check_schema inside a loop"
    m = re.match(r"require\s*\(?\s*[\"']apisix\.(stream\.)?plugins\.([\w-]+)[\"']", target)
    if m:
        stream, plugin = bool(m.group(1)), m.group(2)
    else:
        req = [r for r in REQUIRE_RE.finditer(config) if r.group(1) == target]
        if len(req) != 1:
            return None, "check_schema on something other than a plugin module"
        stream, plugin = bool(req[0].group(2)), req[0].group(3)
    # the first argument: a table literal, or a local bound once to one
    pos = call.end()
    while config[pos].isspace():
        pos += 1
    try:
        if config[pos] == "{":
            conf, end = lua_table_at(config, pos)
        else:
            name = re.match(r"\w+", config[pos:])
            if not name:
                return None, "argument is an expression"
            var = name.group(0)
            binds = list(re.finditer(r"(?:local\s+)?\b" + var + r"\s*=\s*(?!=)", before))
            if len(binds) != 1 or re.search(r"\b" + var + r"\s*[.\[]", config) or \
                    config.count(var) != 2:
                return None, "argument variable is built or changed in code"
            start = binds[0].end()
            if before[start] != "{":
                return None, "argument variable is not a table literal"
            conf, vend = lua_table_at(before, start)
            if before[vend:].strip() and not re.match(r"\s*(local\s+\w+\s*=\s*require[^\n]*\n\s*)*$",
                                                       before[vend:]):
                # code between the literal and the call might change it
                if re.search(r"\b" + var + r"\b", before[vend:]):
                    return None, "argument variable is changed in code"
            end = pos + len(var)
    except Unconvertible as exc:
        return None, f"Lua literal not convertible ({exc})"
    rest = config[end:]
    m = re.match(r"\s*(?:,\s*([\w.]+)\s*)?\)", rest)
    if not m:
        return None, "check_schema with an unknown second argument"
    schema_type = None
    if m.group(1):
        if m.group(1).endswith("TYPE_CONSUMER"):
            schema_type = "consumer"
        elif m.group(1).endswith("TYPE_METADATA"):
            schema_type = "metadata"
        else:
            return None, "check_schema with an unknown second argument"
    tail = norm(rest[m.end():])
    tail = re.sub(r"(\s*\})+$", "", tail).strip()
    lines = response_lines(block)
    if lines is None:
        return None, "no literal response_body"
    e = re.escape(err_name)
    o = re.escape(ok_name)
    say = r"ngx\.say\(\s*([\"'])(.*?)\1\s*\)"
    templates = [
        (rf"^if not {o} then ngx\.say\({e}\) (?:return )?end {say}$", "after"),
        (rf"^if not {o} then ngx\.say\({e}\) else {say} end$", "else"),
    ]
    for pattern, style in templates:
        t = re.match(pattern, tail)
        if not t:
            continue
        marker = t.group(2)
        if style == "after":
            if lines == [marker]:
                valid, error = True, None
            elif len(lines) == 2 and lines[1] == marker and lines[0]:
                valid, error = False, lines[0]
            else:
                return None, "response_body does not match the print template"
        else:
            if lines == [marker]:
                valid, error = True, None
            elif len(lines) == 1 and lines[0]:
                valid, error = False, lines[0]
            else:
                return None, "response_body does not match the print template"
        case = {"source": rel, "block": block.title, "kind": "plugin", "plugin": plugin}
        if schema_type:
            case["schema_type"] = schema_type
        if stream:
            case["stream"] = True
        case.update({"config": conf, "valid": valid, "expected_error": error})
        return case, None
    return None, "print logic is not a known template"


def admin_case(rel: str, block: Block, config: str):
    calls = list(ADMIN_CALL_RE.finditer(config))
    if not calls:
        return None, None
    if len(calls) != 1 or len(re.findall(r"\bt\s*\(", config)) != 1:
        return None, "several Admin API calls in one block"
    call = calls[0]
    url, method = call.group(2), call.group(3)
    if method not in ("PUT", "POST"):
        return None, None if method in ("GET", "DELETE") else f"HTTP {method}"
    if not call.group(4):
        return None, "PUT/POST without a body"
    target = admin_kind(url)
    if target is None:
        return None, "Admin path is not a resource body (schema API, secrets, protos...)"
    kind, extra = target
    pos = call.end()
    rest = config[pos:]
    m = re.match(r"\s*(\[(=*)\[)", rest)
    try:
        if m:
            eq = m.group(2)
            close = rest.find("]" + eq + "]", m.end())
            if close < 0:
                return None, "unterminated long string"
            raw = rest[m.end():close]
            try:
                body = json.loads(raw)
            except json.JSONDecodeError:
                return None, "body is not valid JSON"
        else:
            m = re.match(r"\s*(?:core\.json|json|cjson)\.encode\s*\(\s*\{", rest)
            if not m:
                return None, "body is not a literal"
            body, _ = lua_table_at(config, pos + m.end() - 1)
    except Unconvertible as exc:
        return None, f"Lua literal not convertible ({exc})"
    if not isinstance(body, dict):
        return None, "body is not an object"
    code_text = block.text("error_code")
    code = int(code_text) if code_text and code_text.isdigit() else 200
    lines = response_lines(block)
    like = block.text("response_body_like")
    prints = re.search(r"ngx\.(say|print)\(\s*body\s*\)", config)
    if not prints:
        return None, "the block does not print the Admin API's answer"
    valid = error = error_like = None
    body_eval = block.text("response_body") if "eval" in block.modifiers("response_body") else None
    if code == 400 and body_eval is not None:
        m = re.fullmatch(r"\s*qr/(.*)/\s*", body_eval, re.S)
        if not m:
            return None, "error body not understood"
        valid, error_like = False, m.group(1)
    elif code == 400 or (lines and lines[0].startswith('{"error_msg"')):
        valid = False
        if lines and len(lines) == 1:
            try:
                error = json.loads(lines[0]).get("error_msg")
            except (json.JSONDecodeError, AttributeError):
                return None, "error body is not JSON"
        elif like is not None and "eval" not in block.modifiers("response_body_like"):
            error_like = like.strip()
        elif lines is None and like is None:
            pass
        else:
            return None, "error body not understood"
    elif code in (200, 201) and lines is not None and [x.strip() for x in lines] == ["passed"]:
        valid = True
    else:
        return None, "outcome not understood (neither `passed` nor an HTTP 400)"
    case = {"source": rel, "block": block.title, "kind": kind}
    tp = test_plugin(rel)
    if "plugin" in extra:
        case["plugin"] = extra.pop("plugin")
    elif tp and tp in plugins_in(body):
        case["plugin"] = tp
    if "schema_type" in extra:
        case["schema_type"] = extra.pop("schema_type")
    case.update(extra)
    case.update({"config": body, "valid": valid, "expected_error": error})
    if error_like:
        case["expected_error_like"] = error_like
    if kind == "stream_route" or "/stream" in rel:
        pass
    if valid is False:
        reason = runtime_reason(error or error_like, plugins_in(body), block.title)
        if reason:
            case["decidable"] = False
            case["reason"] = reason
    if block.text("yaml_config") is not None or block.text("extra_yaml_config") is not None:
        used = plugins_in(body)
        if any(p not in DEFAULT_PLUGINS for p in used) and valid is not None:
            case["decidable"] = False
            case["reason"] = ("the block runs with its own config.yaml that enables plugins "
                              "outside APISIX's default list")
    return case, None


def extract_schema_cases(root: Path, existing: set[tuple[str, str]], stats) -> list[dict]:
    files = sorted(
        [p for p in (root / "t/plugin").rglob("*.t")]
        + sorted((root / "t/admin").glob("*.t"))
        + sorted((root / "t/stream-plugin").glob("*.t")))
    cases = []
    seen_keys = set()
    for path in sorted(files):
        rel = path.relative_to(root).as_posix()
        for block in parse_t(path):
            config = block.text("config")
            if config is None:
                continue
            if (rel, block.title) in existing:
                stats["skipped"]["already in apisix/cases.jsonl"] += 1
                continue
            case, reason = schema_case(rel, block, config)
            if case is None and reason is None:
                case, reason = admin_case(rel, block, config)
            if case is None:
                if reason:
                    stats["skipped"][reason] += 1
                continue
            key = (case["source"], case["block"])
            if key in seen_keys:
                stats["skipped"]["duplicate block title in one file"] += 1
                continue
            seen_keys.add(key)
            cases.append(case)
    return cases


# --------------------------------------------------------------------------- standalone files

CONFIG_ERROR = re.compile(
    r"failed to check|invalid configuration|validation failed|failed to validate|unknown plugin|"
    r"invalid (?:plugins?|route|upstream|service|item|conf)|"
    r"value should match only one schema|property \\?\"|is required|failed to load plugin|"
    r"secret manager not exits",
    re.I)
RUNTIME = re.compile(
    r"failed to fetch|failed to resolve|dns|no valid upstream|connect\(\) failed|timed out|"
    r"failed to get|fetch secret|failed to parse domain|discovery", re.I)


def error_texts(block: Block) -> list[str]:
    out = []
    for name in ("error_log", "grep_error_log_out", "error_log_like"):
        text = block.text(name)
        if text is None:
            continue
        mods = block.modifiers(name)
        if "eval" in mods:
            out.extend(re.findall(r"qr[/{](.*?)[/}]", text) or re.findall(r'"([^"]+)"', text))
        else:
            out.extend(x for x in text.split("\n") if x.strip())
    grep = block.text("grep_error_log")
    if grep and block.text("grep_error_log_out"):
        pass
    return out


def standalone_case(rel: str, block: Block, section: str, text: str, file_name: str):
    if block.text("must_die") is not None:
        return None, "APISIX must not start (a config.yaml problem, not the standalone file)"
    errors = [e for e in error_texts(block) if CONFIG_ERROR.search(e)]
    code_text = block.text("error_code")
    code = int(code_text) if code_text and code_text.isdigit() else None
    has_response = any(block.text(s) is not None for s in (
        "response_body", "response_body_like", "stream_response", "stream_response_like",
        "response_headers", "error_code", "response_body_chomp"))
    entry = {"source": rel, "block": block.title, "file": file_name,
             "format": "json" if section == "apisix_json" else "yaml"}
    if errors:
        entry["valid"] = False
        entry["expected_error"] = errors[0]
        runtime = [e for e in errors if RUNTIME.search(e)]
        if re.search(r"discovery", block.title, re.I):
            runtime.append(block.title)
        reason = runtime_reason(errors[0], [], block.title)
        if runtime:
            reason = reason or "the error comes from runtime (DNS, discovery, secret fetch, upstream)"
        if reason:
            entry["decidable"] = False
            entry["reason"] = reason
        return entry, None
    if not has_response:
        return None, "no expected response and no configuration error"
    if code in (404,):
        return None, "404 without a configuration error: cannot tell whether the item was dropped"
    if code is not None and code >= 500:
        return None, "5xx response: runtime failure, cannot tell about the configuration"
    entry["valid"] = True
    entry["expected_error"] = None
    return entry, None


PREPROCESSOR_INLINE = re.compile(
    r'if \(\$block->apisix_yaml\) \{\s*\$block->set_value\("apisix_yaml", \$block->apisix_yaml \. <<_EOC_\);\n(.*?)\n_EOC_',
    re.S)
PREPROCESSOR_VARIABLE = re.compile(
    r'if \(\$block->apisix_yaml\) \{\s*my \$(\w+) = <<_EOC_;\n(.*?)\n_EOC_\s*'
    r'\$block->set_value\("apisix_yaml", \$block->apisix_yaml \. \$(\w+)\);',
    re.S)


def apisix_yaml_suffix(path: Path) -> str:
    """What the test file's `add_block_preprocessor` appends to every `apisix_yaml`
    section (such as an `upstreams:` list the routes refer to), when it does so
    unconditionally in one of the two usual forms; empty otherwise."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if "add_block_preprocessor" not in text:
        return ""
    match = PREPROCESSOR_INLINE.search(text)
    if match:
        return match.group(1) + "\n"
    match = PREPROCESSOR_VARIABLE.search(text)
    if match and match.group(1) == match.group(3):
        return match.group(2) + "\n"
    return ""


def extract_standalone(root: Path, out: Path, stats) -> list[dict]:
    files = sorted(p for p in (root / "t").rglob("*.t"))
    entries = []
    names: dict[str, str] = {}
    for path in files:
        rel = path.relative_to(root).as_posix()
        suffix = apisix_yaml_suffix(path)
        for block in parse_t(path):
            for section in ("apisix_yaml", "apisix_json"):
                text = block.text(section)
                if text is None:
                    continue
                if section == "apisix_yaml" and suffix:
                    text = text + "\n" + suffix
                if "eval" in block.modifiers(section):
                    stats["standalone_skipped"]["section built by Perl eval"] += 1
                    continue
                lines = [x for x in text.split("\n") if x.strip() != "#END"]
                body = "\n".join(lines).rstrip() + "\n"
                if not body.strip():
                    stats["standalone_skipped"]["empty configuration"] += 1
                    continue
                stem = path.stem
                ext = "json" if section == "apisix_json" else "yaml"
                owner = names.get(stem + ext)
                if owner is not None and owner != rel:
                    stem = path.parent.name + "-" + stem
                names.setdefault(stem + ext, rel)
                file_name = f"{stem}--{block.number:02d}-{slug(block.title.split(':', 1)[-1])}.{ext}"
                entry, reason = standalone_case(rel, block, section, body, file_name)
                if entry is None:
                    stats["standalone_skipped"][reason] += 1
                    continue
                (out / "standalone" / file_name).write_text(body, encoding="utf-8")
                entries.append(entry)
    return entries


# --------------------------------------------------------------------------- docs

FENCE_RE = re.compile(r"^```(\w*)(.*)$")


def curl_commands(code: str):
    """Each curl command of a shell block, with line continuations joined."""
    joined = re.sub(r"\\\n", " ", code)
    # Bodies span lines inside quotes; split commands on `curl` at line starts.
    starts = [m.start() for m in re.finditer(r"(?m)^\s*curl\b", joined)]
    for i, s in enumerate(starts):
        yield joined[s: starts[i + 1] if i + 1 < len(starts) else len(joined)]


def curl_parts(cmd: str):
    url = re.search(r"""["']?(https?://[^\s"']+|\$\{?\w+\}?/apisix/admin/[^\s"']*)""", cmd)
    method = re.search(r"(?:-X|--request)\s+['\"]?([A-Z]+)", cmd)
    data = re.search(r"(?:-d|--data|--data-raw)\s+(['\"])", cmd)
    return url, method, data


def quoted_body(cmd: str, start: int, quote: str):
    end = cmd.find(quote, start)
    if quote == '"':
        while end > 0 and cmd[end - 1] == "\\":
            end = cmd.find(quote, end + 1)
    if end < 0:
        return None, "unterminated body"
    body = cmd[start:end]
    after = cmd[end + 1: end + 2]
    if after and not after.isspace():
        return None, "body leaves the quotes (shell substitution)"
    if quote == '"':
        if "$" in body or "`" in body:
            return None, "body with shell substitution"
        body = body.replace('\\"', '"').replace("\\\\", "\\")
    return body, None


def extract_docs(root: Path, stats) -> list[dict]:
    cases = []
    for path in sorted((root / "docs/en/latest/plugins").glob("*.md")):
        rel = path.relative_to(root).as_posix()
        doc_plugin = path.stem
        heading = "(top)"
        tab = None
        fence = None
        code: list[str] = []
        count = 0
        lines = path.read_text(encoding="utf-8").split("\n")
        for line in lines:
            if fence is not None:
                if line.strip().startswith("```"):
                    count = handle_fence(rel, doc_plugin, heading, tab, fence, "\n".join(code),
                                         cases, stats, count)
                    fence = None
                    continue
                code.append(line)
                continue
            m = FENCE_RE.match(line.strip())
            if m and line.strip().startswith("```"):
                fence = (m.group(1) or "", m.group(2))
                code = []
                continue
            h = re.match(r"^(#{2,4})\s+(.*)$", line)
            if h:
                heading = h.group(2).strip()
                continue
            t = re.search(r'<TabItem value="([\w-]+)"', line)
            if t:
                tab = t.group(1)
            if "</TabItem>" in line:
                tab = None
    return cases


def handle_fence(rel, doc_plugin, heading, tab, fence, code, cases, stats, count):
    lang, info = fence
    if lang in ("yaml", "yml") and tab == "adc":
        count += 1  # numbered before any skip, so that keys stay stable
        if "${" in code:
            stats["docs_skipped"]["ADC YAML with placeholders"] += 1
            return count
        cases.append({"source": rel, "block": f"{heading} [{count}]", "kind": "adc",
                      "plugin": doc_plugin, "text": code.rstrip() + "\n", "valid": True,
                      "expected_error": None})
        return count
    if lang not in ("shell", "bash", "sh", ""):
        return count
    for cmd in curl_commands(code):
        url, method, data = curl_parts(cmd)
        if not url or "/apisix/admin/" not in url.group(1):
            continue
        if not data:
            continue
        count += 1  # numbered before any skip, so that keys stay stable
        verb = method.group(1) if method else "POST"
        if verb not in ("PUT", "POST"):
            stats["docs_skipped"][f"HTTP {verb}"] += 1
            continue
        target = admin_kind(re.sub(r"^\$\{?\w+\}?", "", url.group(1)))
        if target is None:
            stats["docs_skipped"]["Admin path is not a resource body"] += 1
            continue
        body, why = quoted_body(cmd, data.end(), data.group(1))
        if body is None:
            stats["docs_skipped"][why] += 1
            continue
        try:
            config = json.loads(body)
        except json.JSONDecodeError:
            stats["docs_skipped"]["body is not valid JSON (comments, ellipses, placeholders)"] += 1
            continue
        if not isinstance(config, dict):
            stats["docs_skipped"]["body is not an object"] += 1
            continue
        if re.search(r'"<[^"<>]*>"|\$\{\w+\}', body):
            stats["docs_skipped"]["placeholder value in body (`<...>` or `${...}`)"] += 1
            continue
        kind, extra = target
        case = {"source": rel, "block": f"{heading} [{count}]", "kind": kind}
        if "plugin" in extra:
            case["plugin"] = extra.pop("plugin")
        elif doc_plugin in plugins_in(config):
            case["plugin"] = doc_plugin
        if "schema_type" in extra:
            case["schema_type"] = extra.pop("schema_type")
        case.update(extra)
        case.update({"config": config, "valid": True, "expected_error": None})
        cases.append(case)
    return count


# --------------------------------------------------------------------------- main


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("apisix", type=Path, help="unpacked apache/apisix source tree")
    here = Path(__file__).resolve().parent
    repo = here.parent.parent
    ap.add_argument("--out", type=Path, default=repo / "fixtures/conformance/apisix-extra")
    ap.add_argument("--existing", type=Path, default=repo / "fixtures/conformance/apisix/cases.jsonl")
    args = ap.parse_args()
    root = args.apisix
    load_plugin_lists(root)
    existing = set()
    for line in args.existing.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            existing.add((d["source"], d["block"]))
    stats = {k: collections.Counter() for k in ("skipped", "standalone_skipped", "docs_skipped")}
    out = args.out
    (out / "standalone").mkdir(parents=True, exist_ok=True)
    for old in (out / "standalone").iterdir():
        old.unlink()

    standalone = extract_standalone(root, out, stats)
    write_jsonl(out / "standalone/cases.jsonl", standalone)
    schema = extract_schema_cases(root, existing, stats)
    write_jsonl(out / "cases.jsonl", schema)
    docs = extract_docs(root, stats)
    write_jsonl(out / "docs-cases.jsonl", docs)

    def summary(rows):
        c = collections.Counter()
        for r in rows:
            if r.get("decidable") is False:
                c["undecidable"] += 1
            c["valid" if r["valid"] else "invalid"] += 1
        c["total"] = len(rows)
        return dict(sorted(c.items()))

    def per_source(rows):
        return dict(sorted(collections.Counter(r["source"] for r in rows).items()))

    def plugins(rows):
        return sorted({r["plugin"] for r in rows if r.get("plugin")})

    report = {
        "standalone": summary(standalone),
        "standalone_per_source": per_source(standalone),
        "standalone_skipped": dict(stats["standalone_skipped"].most_common()),
        "cases": summary(schema),
        "cases_plugins": plugins(schema),
        "cases_per_source": per_source(schema),
        "cases_skipped": dict(stats["skipped"].most_common()),
        "docs": summary(docs),
        "docs_plugins": plugins(docs),
        "docs_per_source": per_source(docs),
        "docs_skipped": dict(stats["docs_skipped"].most_common()),
    }
    (out / "stats.json").write_text(json.dumps(report, indent=1, sort_keys=False) + "\n")
    print(json.dumps({k: v for k, v in report.items() if not k.endswith("per_source")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
