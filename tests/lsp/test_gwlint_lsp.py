"""`gwlint lsp` driven by pytest-lsp, which checks every message against the LSP
3.17 specification (lsprotocol): the server opens the fixture environment
(fixtures/lsp), an edited document gets exact diagnostics, and completion and hover
answer from the schemas. GWLINT_BIN names the binary (tests/lsp_pytest.rs sets it).
"""

import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ENV = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "lsp" / "staging"
ORDERS = ENV / "orders.yaml"
URI = ORDERS.as_uri()

BAD = """services:
  - name: orders
    labels: {team: "é😀", owner: [1]}
    upstream:
      type: roundrobin
      nodes:
        - host: orders.svc
          port: 8080
          weight: 100
    plugins:
      limit-cont: {}
"""


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[os.environ["GWLINT_BIN"], "lsp", "--debounce-ms", "10"]),
)
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=ENV.parent.as_uri(),
        )
    )
    yield
    await lsp_client.shutdown_session()


async def diagnostics_where(client: LanguageClient, uri: str, wanted):
    for _ in range(200):
        found = client.diagnostics.get(uri)
        if found is not None and wanted(found):
            return found
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    raise AssertionError(f"no such diagnostics for {uri}: {client.diagnostics}")


def codes(diagnostics):
    return {d.code for d in diagnostics}


async def test_edit_gives_exact_diagnostics(client: LanguageClient):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=URI, language_id="yaml", version=1, text=ORDERS.read_text())
        )
    )
    await diagnostics_where(client, URI, lambda d: "policy/upstream-needs-health-checks" in codes(d))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=BAD)],
        )
    )
    found = await diagnostics_where(client, URI, lambda d: "schema/unknown-plugin" in codes(d))
    label = next(d for d in found if d.code == "schema/service")
    # UTF-16: `é` is one code unit, the emoji two.
    assert label.range == types.Range(start=types.Position(line=2, character=33), end=types.Position(line=2, character=36))
    assert label.severity == types.DiagnosticSeverity.Error
    assert label.source == "gwlint"
    plugin = next(d for d in found if d.code == "schema/unknown-plugin")
    assert plugin.range == types.Range(start=types.Position(line=10, character=6), end=types.Position(line=10, character=16))
    assert "did you mean `limit-conn`?" in plugin.message


async def test_completion_and_hover(client: LanguageClient):
    text = "services:\n  - name: orders\n    plugins:\n      limit-count:\n        time_window: 60\n        po\n"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=URI, language_id="yaml", version=1, text=text)
        )
    )
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            position=types.Position(line=5, character=10),
        )
    )
    labels = [item.label for item in result.items]
    assert "policy" in labels and "time_window" in labels and "rejected_code" in labels
    plugins = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            position=types.Position(line=3, character=9),
        )
    )
    names = [item.label for item in plugins.items]
    assert "limit-count" in names and "key-auth" in names and len(names) > 100
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            position=types.Position(line=3, character=8),
        )
    )
    assert hover.contents.value.startswith("**plugin `limit-count`** (APISIX ")
    nothing = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=(ENV / "missing.yaml").as_uri()),
            position=types.Position(line=0, character=0),
        )
    )
    assert nothing is None
