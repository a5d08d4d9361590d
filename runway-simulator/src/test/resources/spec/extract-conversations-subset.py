#!/usr/bin/env python3
"""Mechanical extract of the conversation and usage paths from the full Runway OpenAPI file
(see SOURCE.md).

Usage: python3 extract-conversations-subset.py <path to runway-openapi.tryAGI.json> > runway-avatar-conversations.subset.json

Copies openapi, info (plus an x-subset-of note), servers, security, the three path items and
the components they reference, with json.load / json.dump; nothing is edited. The same method
produced shared/spec/runway-realtime-sessions.subset.json (shared/spec/SOURCES.md).
"""
import json
import sys

full = json.load(open(sys.argv[1], encoding="utf-8"))
paths = ["/v1/avatar_conversations", "/v1/avatar_conversations/{id}", "/v1/avatar_usage"]
out = {
    "openapi": full["openapi"],
    "info": dict(full["info"]),
    "servers": full["servers"],
    "security": full["security"],
    "paths": {p: full["paths"][p] for p in paths},
    "components": {
        "parameters": {"X-Runway-Version": full["components"]["parameters"]["X-Runway-Version"]},
        "securitySchemes": full["components"]["securitySchemes"],
    },
}
out["info"]["x-subset-of"] = (
    "runway-openapi.tryAGI.json (see SOURCES.md); paths /v1/avatar_conversations, "
    "/v1/avatar_conversations/{id} and /v1/avatar_usage only, "
    "extracted mechanically, nothing edited"
)
text = json.dumps(out, indent=2, ensure_ascii=False)
# Every $ref left must point at a component copied above.
for ref in {r.split('"')[0] for r in text.split('"$ref": "')[1:]}:
    assert ref in ("#/components/parameters/X-Runway-Version",), ref
print(text)
