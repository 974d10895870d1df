#!/usr/bin/env python3
"""Print the MIME tree of each message file as Python's email package sees it.

Usage: email_tree.py FILE...

One JSON document per line, per file, in the shape of yubin's `inspect`
example: {"file", "message": PART}, where PART has "content_type" and then
"parts" (multipart), "message" (an embedded message) or, for a leaf,
"decoded_size" and "decoded_sha256" of get_payload(decode=True), and
"decoded_sha256_crlf", the hash of the same bytes with every line break made
CRLF (so a difference in line breaks alone can be told from other ones).
Parsing uses email.policy.default. Used by tests/message_python.rs.
"""

import email
import hashlib
import json
import sys
from email import policy


def part_tree(part):
    node = {"content_type": part.get_content_type()}
    if part.is_multipart():
        payload = part.get_payload()
        if part.get_content_maintype() == "message" and isinstance(payload, list):
            if payload:
                node["message"] = part_tree(payload[0])
            return node
        node["parts"] = [part_tree(child) for child in payload]
        return node
    body = part.get_payload(decode=True)
    if body is None:
        body = b""
    node["decoded_size"] = len(body)
    node["decoded_sha256"] = hashlib.sha256(body).hexdigest()
    crlf = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    node["decoded_sha256_crlf"] = hashlib.sha256(crlf).hexdigest()
    return node


def main(paths):
    status = 0
    for path in paths:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            print(f"email_tree: cannot read {path}: {error}", file=sys.stderr)
            status = 2
            continue
        try:
            message = email.message_from_bytes(data, policy=policy.default)
            tree = part_tree(message)
        except Exception as error:  # a crash is a disagreement, not a stop
            tree = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps({"file": path, "message": tree}))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
